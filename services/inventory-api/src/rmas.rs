//! Warranty cases (RMAs): a faulty unit taken in from a customer or from the shop's stock,
//! sent to its supplier, and the outcome, until the case is closed.

use kernel::serial::RmaState;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// `GET`: cases, newest first; `POST`: open one.
pub const RMAS: &str = "/api/v1/rmas";
pub const RMA: &str = "/api/v1/rmas/{id}";
/// `POST`: move a case to its next state.
pub const RMA_STEPS: &str = "/api/v1/rmas/{id}/steps";
/// `POST`: a note on a case.
pub const RMA_NOTES: &str = "/api/v1/rmas/{id}/notes";

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaInput {
    /// The unit's serial number, as scanned or typed.
    #[schema(required = true, nullable = false, value_type = web::schema::SerialNumber)]
    pub serial: Option<String>,
    /// Needed only when units of two products carry the serial number.
    #[schema(value_type = Option<web::schema::Sku>, nullable = false)]
    pub sku: Option<String>,
    /// Where the case is handled (`main` when left out); a faulty unit of the shop's is
    /// handled where it is.
    #[schema(value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// What is wrong with the unit.
    #[schema(required = true, nullable = false, value_type = web::schema::Paragraph<500>)]
    pub fault: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaStepInput {
    /// The next state: from `received` to `sent_to_supplier` or `rejected`; from
    /// `sent_to_supplier` to `replaced`, `repaired`, `refunded` or `rejected`; from any of
    /// those to `closed`.
    #[schema(required = true, nullable = false)]
    pub to: Option<RmaState>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// The supplier the unit goes to (required for `sent_to_supplier`).
    #[schema(nullable = false)]
    pub supplier_id: Option<String>,
    /// The unit that replaces it (required for `replaced`): on the shelf at the case's
    /// location (it leaves stock) or straight from the supplier.
    #[schema(value_type = Option<web::schema::SerialNumber>, nullable = false)]
    pub replacement_serial: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaNoteInput {
    #[schema(required = true, nullable = false, value_type = web::schema::Paragraph<500>)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RmaListParams {
    #[param(inline, nullable = false)]
    pub state: Option<RmaState>,
    /// Only cases about units with this serial number.
    #[param(inline, nullable = false, value_type = Option<web::schema::SerialNumber>)]
    pub serial: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    pub cursor: Option<String>,
}

/// A warranty case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RmaView {
    pub id: String,
    /// `RMA-000042`.
    pub reference: String,
    pub sku: String,
    pub name: String,
    pub serial: String,
    pub location: String,
    pub state: RmaState,
    /// The states it may go to next.
    pub next: Vec<RmaState>,
    /// Whether the unit is a customer's (taken back from a sale) rather than the shop's own.
    pub customer_case: bool,
    pub sale_id: Option<String>,
    pub customer_id: Option<String>,
    pub supplier_id: Option<String>,
    pub supplier_name: Option<String>,
    pub replacement_serial: Option<String>,
    pub fault: String,
    /// Whether the unit's warranty ran when the case was opened.
    pub under_warranty: bool,
    pub opened_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
    /// Every step, oldest first (absent in listings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<RmaStepView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RmaStepView {
    pub state: RmaState,
    pub note: Option<String>,
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RmaPage {
    pub items: Vec<RmaView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A unit's case, as its lookup shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RmaRef {
    pub id: String,
    pub reference: String,
    pub state: RmaState,
}
