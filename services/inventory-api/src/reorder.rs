//! What the reorder suggestions take and answer.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReorderParams {
    /// The location to restock (default `main`).
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// The chance of not running out before a delivery arrives, in percent (default 95).
    #[param(minimum = 50, maximum = 99)]
    pub service_level: Option<u32>,
    /// Every product, not only those to order now (default false).
    pub all: Option<bool>,
}

/// One product: its forecast, its reorder point and what to order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReorderLine {
    pub sku: String,
    pub name: String,
    pub on_hand: i64,
    /// Ordered and not yet received.
    pub incoming: i64,
    /// `holt_winters`, `croston_sba`, `average` or `zero` (see docs/forecasting.md).
    pub method: String,
    /// Units a day over the next week.
    pub forecast_daily: f64,
    pub lead_time_days: i64,
    pub lead_time_demand: f64,
    pub safety_stock: f64,
    pub reorder_point: i64,
    pub order_up_to: i64,
    /// What to order now.
    pub suggested_quantity: i64,
}

/// The suggestions for one supplier (the products' preferred one; none: no supplier set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReorderGroup {
    pub supplier_id: Option<String>,
    pub supplier_name: Option<String>,
    pub lines: Vec<ReorderLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReorderSuggestions {
    pub location: String,
    /// In percent.
    pub service_level: u32,
    /// The days of sales the forecasts learned from.
    pub history_days: u32,
    pub groups: Vec<ReorderGroup>,
}

/// What refreshing the forecast-driven thresholds did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ThresholdRefresh {
    /// Levels whose threshold or reorder quantity changed.
    pub updated: u64,
}
