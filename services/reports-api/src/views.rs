//! What the reports answer. Money is in cents; `*_cents` fields that include tax say so.

use serde::{Deserialize, Serialize};

use crate::inputs::Grouping;

/// Sales figures of a group of days, a product, a person, …
///
/// Sales count on the day they were rung up; returns and voids on the day they happened, so
/// a period's figures never change once it is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// Sales (for a product, a rate or a method: the sales that had one).
    pub sales: i64,
    pub units: i64,
    /// Discounts given (lines' and baskets').
    pub discount_cents: i64,
    /// After discounts, without tax.
    pub net_cents: i64,
    pub tax_cents: i64,
    /// What customers paid, tax included.
    pub total_cents: i64,
    /// Returns taken (for a product or a rate: the returns that had one).
    pub returns: i64,
    pub returned_units: i64,
    /// Money given back by returns, tax included, and the tax in it.
    pub refund_cents: i64,
    pub refund_tax_cents: i64,
    /// Sales voided, their units not yet returned, and what the void gave back.
    pub voids: i64,
    pub voided_units: i64,
    pub void_cents: i64,
    pub void_tax_cents: i64,
    /// What the shop kept, without tax: net sales less returns and voids.
    pub kept_net_cents: i64,
    /// The tax on what the shop kept: tax less the tax of returns and voids.
    pub kept_tax_cents: i64,
    /// The cost of goods sold: what the units sold cost the shop when they were sold (its
    /// moving average cost), less the cost of those that returns and voids put back on the
    /// shelf. For managers only, as every cost: left out for clerks and viewers.
    #[schema(required = false)]
    pub cost_cents: i64,
    /// What the shop kept, without tax, less the cost of goods sold. For managers only.
    #[schema(required = false)]
    pub gross_margin_cents: i64,
    /// Units sold without a known cost: the gross margin leaves their cost out.
    pub uncosted_units: i64,
    /// Approvals given (discounts beyond the limit, refunds); for a person, those they gave.
    pub approvals: i64,
}

impl Figures {
    /// The columns of a report's CSV, in the order of [`Figures::values`].
    pub const COLUMNS: [&'static str; 20] = [
        "sales",
        "units",
        "discount_cents",
        "net_cents",
        "tax_cents",
        "total_cents",
        "returns",
        "returned_units",
        "refund_cents",
        "refund_tax_cents",
        "voids",
        "voided_units",
        "void_cents",
        "void_tax_cents",
        "kept_net_cents",
        "kept_tax_cents",
        "cost_cents",
        "gross_margin_cents",
        "uncosted_units",
        "approvals",
    ];

    pub fn values(&self) -> [i64; 20] {
        [
            self.sales,
            self.units,
            self.discount_cents,
            self.net_cents,
            self.tax_cents,
            self.total_cents,
            self.returns,
            self.returned_units,
            self.refund_cents,
            self.refund_tax_cents,
            self.voids,
            self.voided_units,
            self.void_cents,
            self.void_tax_cents,
            self.kept_net_cents,
            self.kept_tax_cents,
            self.cost_cents,
            self.gross_margin_cents,
            self.uncosted_units,
            self.approvals,
        ]
    }
}

/// One row of the sales report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SalesRow {
    /// The group: a day, a week's Monday, a month (`YYYY-MM`), a SKU, a category, a brand, a
    /// location, a username, a payment method, or a tax rate's code.
    pub key: String,
    /// A name for people: the product's name, a rate with its percentage.
    pub label: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A period of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    #[schema(format = Date)]
    pub from: String,
    /// Included.
    #[schema(format = Date)]
    pub to: String,
}

/// The period before, of the same length, and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comparison {
    pub period: Period,
    pub totals: Figures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SalesReport {
    pub period: Period,
    pub location: Option<String>,
    pub by: Grouping,
    /// In order of the key for days, weeks and months; by what was kept, most first, for the
    /// rest.
    pub rows: Vec<SalesRow>,
    pub totals: Figures,
    pub previous: Comparison,
}

/// Net and tax at one rate: what the shop files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxRow {
    /// The rate's code; empty for lines sold without one.
    pub code: String,
    /// The rate in percent, as sold.
    pub rate_percent: String,
    pub net_cents: i64,
    pub tax_cents: i64,
    /// Taken off by returns and voids.
    pub refunded_net_cents: i64,
    pub refunded_tax_cents: i64,
    /// What remains to declare.
    pub kept_net_cents: i64,
    pub kept_tax_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxReport {
    pub period: Period,
    pub location: Option<String>,
    pub rates: Vec<TaxRow>,
    pub kept_net_cents: i64,
    pub kept_tax_cents: i64,
}

/// One closed shift: its Z report's figures and the cash count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftRow {
    pub shift_id: String,
    pub till: String,
    pub location: String,
    pub z_number: i64,
    /// When it was closed (RFC 3339).
    pub closed_at: String,
    pub closed_by: Option<String>,
    pub sales: i64,
    pub total_cents: i64,
    pub refunds_cents: i64,
    pub expected_cash_cents: i64,
    pub counted_cash_cents: i64,
    /// Counted less expected: negative when the drawer was short.
    pub over_short_cents: i64,
}

/// Over and short per till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TillFigures {
    pub till: String,
    pub shifts: i64,
    pub over_cents: i64,
    /// As a positive amount.
    pub short_cents: i64,
    pub net_over_short_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftsReport {
    pub period: Period,
    pub location: Option<String>,
    /// Most recently closed first.
    pub shifts: Vec<ShiftRow>,
    pub tills: Vec<TillFigures>,
}

/// Stock on hand at one location in one category, and what it is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ValuationRow {
    pub location: String,
    pub category: String,
    pub skus: i64,
    pub units: i64,
    /// At each SKU's average cost (the catalog's before its first costed receipt); SKUs whose
    /// cost is unknown are left out and counted in `unpriced_skus` of the totals.
    pub at_cost_cents: i64,
    pub at_retail_cents: i64,
}

/// The stock's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockTotals {
    pub skus: i64,
    pub units: i64,
    pub at_cost_cents: i64,
    pub at_retail_cents: i64,
    /// SKUs with stock whose cost or price is not known: left out of that value.
    pub unpriced_skus: i64,
    /// Dead stock: SKUs with stock and no sale in the window, and what they tie up at cost.
    pub dead_skus: i64,
    pub dead_units: i64,
    pub dead_at_cost_cents: i64,
}

/// One product's stock against its sales in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockItem {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub on_hand: i64,
    pub unit_cost_cents: Option<i64>,
    pub value_at_cost_cents: Option<i64>,
    /// Units sold in the window, less those returned and voided.
    pub sold_units: i64,
    /// Net sales in the window (without tax, returns and voids taken off).
    pub net_sales_cents: i64,
    /// The last day it sold on (up to the window's end), if ever.
    #[schema(format = Date)]
    pub last_sold: Option<String>,
    /// Stock and no sale in the window.
    pub dead: bool,
    /// Sold ÷ (sold + on hand), in percent.
    pub sell_through_percent: Option<f64>,
    /// How many days the stock lasts at the window's pace.
    pub days_of_inventory: Option<i64>,
    /// Units sold in a year at the window's pace ÷ on hand.
    pub turnover: Option<f64>,
    /// By share of the window's net sales: `A` the items that make the first 80 %, `B` up to
    /// 95 %, `C` the rest and those that did not sell.
    pub abc: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockReport {
    /// The sales window.
    pub period: Period,
    pub location: Option<String>,
    pub valuation: Vec<ValuationRow>,
    pub totals: StockTotals,
    /// The most valuable first.
    pub items: Vec<StockItem>,
}
