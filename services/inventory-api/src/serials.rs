//! Serialized units: one found by its serial number, with its warranty and its history, and
//! the units of a SKU in one state.

use kernel::serial::{SerialChange, SerialState};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// `GET`: every unit the shop has had with a serial number.
pub const SERIAL: &str = "/api/v1/serials/{serial}";
/// `GET`: the units of a SKU in one state.
pub const ITEM_SERIALS: &str = "/api/v1/inventory/{sku}/serials";

/// The most units one listing answers.
pub const MAX_UNITS: u32 = 500;

/// The units with one serial number: normally one; one per product when two manufacturers
/// printed the same number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SerialLookup {
    pub serial: String,
    pub units: Vec<SerialView>,
}

/// A unit: what it is, where it is, who bought it and until when its warranty runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SerialView {
    pub serial: String,
    pub sku: String,
    pub name: String,
    pub state: SerialState,
    /// Where it is, or was last (sold from, taken back at).
    pub location: String,
    /// Whether a sale being recorded holds it.
    pub held: bool,
    pub sale_id: Option<String>,
    pub customer_id: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sold_at: Option<OffsetDateTime>,
    /// The warranty it was sold with, in months (0: none).
    pub warranty_months: i64,
    /// The last day of its warranty (`YYYY-MM-DD`, from the day of sale in UTC); none before
    /// it is sold or without a warranty.
    #[schema(format = Date)]
    pub warranty_ends_on: Option<String>,
    /// Whether the warranty runs today.
    pub under_warranty: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub supplier: Option<String>,
    pub purchase_order_id: Option<String>,
    /// Everything that happened to it, oldest first (absent in listings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<SerialStep>,
    /// Its warranty cases, newest first (absent in listings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<crate::rmas::RmaRef>,
}

/// One thing that happened to a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SerialStep {
    pub change: SerialChange,
    pub state_after: SerialState,
    pub location: String,
    /// The sale, purchase order or delivery note it came with.
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SerialListParams {
    /// Only units at this location.
    #[param(inline, nullable = false, value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    /// `in_stock` when left out.
    #[param(inline, nullable = false)]
    pub state: Option<SerialState>,
}

/// Up to [`MAX_UNITS`] units of a SKU, by serial number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SerialList {
    pub items: Vec<SerialView>,
}
