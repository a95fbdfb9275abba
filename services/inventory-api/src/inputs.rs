//! What the inventory's routes take: request bodies and query parameters. Fields a request
//! must have are `Option` here so that every missing and every invalid field is reported in
//! one answer; the document marks them required.

use kernel::MovementKind;
use kernel::states::AdjustmentReason;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestockInput {
    /// Units received.
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1_000_000)]
    pub quantity: Option<i64>,
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub supplier: Option<String>,
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub unit_cost_cents: Option<i64>,
    /// The supplier's delivery note or invoice number.
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub reference: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// For a serialized product: the serial number of each unit, one per unit.
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// Units added (positive) or removed (negative); zero changes nothing.
    #[schema(required = true, nullable = false, minimum = -1_000_000, maximum = 1_000_000)]
    pub delta: Option<i64>,
    #[schema(value_type = AdjustmentReason)]
    pub reason: Option<String>,
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// For a serialized product: the units found (a positive delta) or taken off (negative:
    /// kept apart as faulty when damaged, else written off), one per unit.
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountInput {
    /// What is physically on the shelf. Units held for sales at the counter (reserved) are not
    /// on it and stay in the books for their sales.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000)]
    pub counted: Option<i64>,
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// For a serialized product: every unit found on the shelf, one per unit counted: units
    /// it does not name are written off, units it names that were not there are received.
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[schema(value_type = web::schema::LocationCode)]
    pub from: Option<String>,
    /// Another location than `from`.
    #[schema(value_type = web::schema::LocationCode)]
    pub to: Option<String>,
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1_000_000)]
    pub quantity: Option<i64>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// For a serialized product: the serial number of each unit, one per unit.
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    /// Available stock at or below this warns.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000)]
    pub low_stock_threshold: Option<i64>,
    /// How many to order when it does.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000)]
    pub reorder_quantity: Option<i64>,
    /// True: from now on the forecast sets both (the reorder point at a 95 % service level,
    /// and what brings stock up to a week beyond the lead time), every six hours; false or
    /// left out: they stay as given.
    #[schema(nullable = false)]
    pub follow_forecast: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    #[schema(value_type = web::schema::LocationCode)]
    pub code: Option<String>,
    #[schema(value_type = web::schema::RequiredLine<100>)]
    pub name: Option<String>,
    /// Whether stock may go below zero here; false when left out.
    pub allow_negative: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    #[schema(value_type = Option<web::schema::RequiredLine<100>>)]
    pub name: Option<String>,
    /// `main` cannot be deactivated.
    pub active: Option<bool>,
    pub allow_negative: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only levels at this location.
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// `true`: only SKUs at or below their threshold somewhere (or at `location`).
    pub below_threshold: Option<bool>,
    /// Case-insensitive text in the SKU or product name.
    #[param(inline, value_type = Option<web::schema::Line<200>>, nullable = false)]
    pub q: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
/// An optional location code; all locations when absent.
pub struct LocationParams {
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
}

/// The stock listing's filters, for its CSV export (every page of it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StockExportParams {
    /// Only levels at this location.
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// `true`: only SKUs at or below their threshold somewhere (or at `location`).
    pub below_threshold: Option<bool>,
    /// Case-insensitive text in the SKU or product name.
    #[param(inline, value_type = Option<web::schema::Line<200>>, nullable = false)]
    pub q: Option<String>,
}

/// Which ledger entries a movements export holds.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MovementExportParams {
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub sku: Option<String>,
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    #[param(inline, nullable = false)]
    pub kind: Option<MovementKind>,
    /// Entries made at or after this time.
    #[param(format = DateTime, nullable = false)]
    pub from: Option<String>,
    /// Entries made before this time.
    #[param(format = DateTime, nullable = false)]
    pub to: Option<String>,
}
