//! Every level with stock, with what a unit of it cost and sells for: what the reports value
//! the stock with. Served under `/internal/v1`, which the gateway does not route.

use serde::{Deserialize, Serialize};

pub const STOCK_VALUES: &str = "/internal/v1/stock-values";

/// The most lines one page holds.
pub const MAX_PAGE: u32 = 1_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockValueParams {
    /// Only this location's levels.
    pub location: Option<String>,
    /// The `next` of the previous page.
    pub after_sku: Option<String>,
    pub after_location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockValueLine {
    pub sku: String,
    pub location: String,
    /// Never 0 (levels without stock are left out); below 0 where the location allows it.
    pub on_hand: i64,
    /// The moving average cost, or the catalog's cost before the first costed receipt; none
    /// when neither is known.
    pub unit_cost_cents: Option<i64>,
    /// The catalog's price; none when the inventory does not know it yet.
    pub price_cents: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockValuePage {
    pub items: Vec<StockValueLine>,
    /// The SKU and location to pass as `after_sku` and `after_location` for the next page; none
    /// on the last.
    pub next: Option<(String, String)>,
}
