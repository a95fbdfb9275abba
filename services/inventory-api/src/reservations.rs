//! The reservation calls the sales service makes while it records a sale: hold the lines'
//! stock (all or none), read a reservation back, give it back. Served under `/internal/v1`,
//! which the gateway does not route.

use kernel::ReservationStatus;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// `POST`: holds stock; `{RESERVATION}`: reads (`GET`) or releases (`DELETE`) one.
pub const RESERVATIONS: &str = "/internal/v1/reservations";
pub const RESERVATION: &str = "/internal/v1/reservations/{id}";

/// The most a reservation may be held when its sale never commits.
pub const MAX_TTL_SECS: u64 = 3600;
/// How long a reservation is held when the caller names no time.
pub const DEFAULT_TTL_SECS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveInput {
    /// The sale id; reserving again under it returns the same reservation.
    pub id: String,
    /// `main` when left out.
    pub location: Option<String>,
    pub lines: Vec<ReserveLine>,
    /// How long the stock is held if the sale never commits ([`DEFAULT_TTL_SECS`], at most
    /// [`MAX_TTL_SECS`]).
    pub ttl_secs: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveLine {
    pub sku: String,
    pub quantity: i64,
    /// The units held, one per unit, for a serialized product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationView {
    pub id: String,
    pub location: String,
    pub status: ReservationStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub lines: Vec<ReservedLine>,
}

/// A line held, with what a unit costs the shop as it is held: the sale's cost of goods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedLine {
    pub sku: String,
    pub quantity: i64,
    /// The SKU's moving average cost (the catalog's cost before the first costed receipt);
    /// left out when neither is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_cents: Option<i64>,
}

/// A line of a 409 `insufficient-stock` answer: less is available than requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortage {
    pub sku: String,
    pub requested: i64,
    pub available: i64,
}
