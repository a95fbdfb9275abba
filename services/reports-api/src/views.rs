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
