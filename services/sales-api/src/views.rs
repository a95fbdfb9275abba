//! What the sales routes answer: a sale with its lines and its history, pages of sales, the
//! summary the dashboard shows.

use kernel::{PaymentMethod, SaleStatus, TaxRate};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Line {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    /// The line's own discount plus its share of the basket discount.
    pub discount_cents: i64,
    /// The code of the tax rate the line was sold at; none: no tax.
    pub tax_rate: Option<String>,
    /// That rate as it was at the time of the sale, in basis points.
    #[schema(value_type = f64)]
    pub rate_bp: TaxRate,
    /// After discounts, without tax.
    pub net_cents: i64,
    pub tax_cents: i64,
    /// What the customer paid for the line: `net_cents + tax_cents`.
    pub line_total_cents: i64,
    pub returned_quantity: i64,
    /// The serial numbers of the units sold (products with serial numbers only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
    /// Those of them given back since.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returned_serials: Vec<String>,
    /// The warranty the product was sold with, in months (left out when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub warranty_months: i64,
}

/// Net and tax of a sale (or of a period) at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxLine {
    pub code: Option<String>,
    #[schema(value_type = f64)]
    pub rate_bp: TaxRate,
    pub net_cents: i64,
    pub tax_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Payment {
    pub method: PaymentMethod,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub status: SaleStatus,
    pub detail: Option<String>,
    /// Who made the change; none for sales recorded before actors were kept.
    pub actor: Option<String>,
    /// The manager who approved the change (a discount, a refund).
    pub approved_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A sale as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sale {
    pub id: String,
    pub receipt_number: i64,
    pub status: SaleStatus,
    pub location: String,
    /// The method that paid the most; `payments` has them all.
    pub payment_method: PaymentMethod,
    /// The customer's name (as it was at the sale).
    pub customer: Option<String>,
    /// The shop's customer the sale was made to.
    pub customer_id: Option<String>,
    /// The till's shift the sale was rung up in.
    pub shift_id: Option<String>,
    pub note: Option<String>,
    /// After discounts, without tax.
    pub subtotal_cents: i64,
    /// Every discount: the lines' own and the basket's.
    pub discount_cents: i64,
    pub tax_cents: i64,
    /// What the customer pays: `subtotal_cents + tax_cents`.
    pub total_cents: i64,
    /// Net and tax per rate.
    pub taxes: Vec<TaxLine>,
    /// Together `total_cents + change_due_cents`.
    pub payments: Vec<Payment>,
    /// The cash handed over.
    pub tendered_cents: i64,
    /// The cash given back.
    pub change_due_cents: i64,
    /// Money given back by returns and a void, tax included.
    pub refunded_cents: i64,
    /// The tax in `refunded_cents`.
    pub refunded_tax_cents: i64,
    pub units: i64,
    /// Who recorded the sale at the counter; none for sales recorded before actors were kept.
    pub recorded_by: Option<String>,
    /// The manager who approved discounts beyond the shop's limit.
    pub approved_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub lines: Vec<Line>,
    pub history: Vec<HistoryEntry>,
}

/// Sales figures over a time range, for the dashboard. Voided sales are left out; returns are
/// taken off revenue and units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct Summary {
    pub count: i64,
    pub revenue_cents: i64,
    pub units: i64,
    /// Revenue per sale, rounded down.
    pub average_basket_cents: i64,
    /// What each method brought in (cash net of change), returns not taken off.
    pub by_payment_method: Vec<MethodFigures>,
    /// Tax collected per rate, returns taken off.
    pub taxes: Vec<TaxLine>,
    pub by_day: Vec<DayFigures>,
    /// The best sellers by units (then revenue), at most [`TOP_PRODUCTS`].
    pub top_products: Vec<ProductFigures>,
}

/// How many best sellers the summary lists.
pub const TOP_PRODUCTS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProductFigures {
    pub sku: String,
    /// The name on the most recent sale of the SKU.
    pub name: String,
    pub units: i64,
    /// What its lines brought in, after returns.
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MethodFigures {
    pub payment_method: PaymentMethod,
    pub count: i64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DayFigures {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub count: i64,
    pub revenue_cents: i64,
    pub units: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SalePage {
    pub items: Vec<Sale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One of the shop's customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    /// Archived customers are kept for their sales but cannot be chosen for new ones.
    pub archived: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}
