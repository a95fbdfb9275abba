//! The shop's settings and tax rates as the routes take and answer them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Every setting of the shop, replacing the current ones (`PUT`). Every field is optional
/// here so that all missing and invalid fields are reported together.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Byte Corner", "address": ["12 Market Street", "Springfield 4021"],
    "tax_id": "GB123456789", "currency": "GBP", "prices_include_tax": true,
    "default_tax_rate": "standard", "receipt_footer": "Returns within 30 days with this receipt.",
    "default_low_stock_threshold": 3, "default_reorder_quantity": 10
}))]
pub struct ShopSettingsInput {
    /// The shop's name, as receipts show it.
    #[schema(value_type = web::schema::RequiredLine<100>)]
    pub name: Option<String>,
    /// The postal address, one entry per printed line (at most 4).
    #[schema(value_type = Option<Vec<web::schema::Line<100>>>, max_items = 4)]
    pub address: Option<Vec<String>>,
    /// The tax (VAT, GST) registration number printed on receipts.
    #[schema(value_type = Option<web::schema::Line<40>>)]
    pub tax_id: Option<String>,
    #[schema(value_type = web::schema::Currency)]
    pub currency: Option<String>,
    /// True: shelf prices include tax (gross, as in the EU). False: tax is added at the till
    /// (net, as in the US).
    #[schema(required = true, nullable = false)]
    pub prices_include_tax: Option<bool>,
    /// The tax rate of products that name none; none means no tax.
    #[schema(value_type = Option<web::schema::TaxCodeOrBlank>)]
    pub default_tax_rate: Option<String>,
    /// Printed at the end of every receipt.
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub receipt_footer: Option<String>,
    /// The low-stock threshold new products start with (default 0: no warnings).
    #[schema(nullable = false, minimum = 0, maximum = 1_000_000_000)]
    pub default_low_stock_threshold: Option<i64>,
    /// The reorder quantity new products start with (default 0).
    #[schema(nullable = false, minimum = 0, maximum = 1_000_000_000)]
    pub default_reorder_quantity: Option<i64>,
    /// True: every sale needs an open shift of its till (default false, so integrations that
    /// sell without a till are not blocked).
    #[schema(nullable = false)]
    pub require_shift: Option<bool>,
    /// A clerk's refund or void above this (in minor units) needs a manager's approval; 0
    /// (the default): every one does.
    #[schema(nullable = false, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub approval_required_over_cents: Option<i64>,
}

/// The shop's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShopSettings {
    pub name: String,
    pub address: Vec<String>,
    pub tax_id: Option<String>,
    /// ISO 4217 code; every amount in the API is in its minor unit.
    pub currency: String,
    /// Digits after the decimal point of the currency (2 for EUR, 0 for JPY, 3 for KWD):
    /// `price_cents` 1999 is 19.99 EUR.
    pub currency_minor_units: u8,
    pub prices_include_tax: bool,
    pub default_tax_rate: Option<String>,
    pub receipt_footer: Option<String>,
    pub default_low_stock_threshold: i64,
    pub default_reorder_quantity: i64,
    /// Every sale needs an open shift of its till. (Absent from a catalog of an earlier
    /// version, whose answers read as the defaults.)
    #[serde(default)]
    pub require_shift: bool,
    /// A clerk's refund or void above this needs a manager's approval.
    #[serde(default)]
    pub approval_required_over_cents: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Increases by one with every change.
    pub version: i64,
}

/// A new tax rate.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "standard", "name": "VAT 20 %", "rate_bp": 2000}))]
pub struct TaxRateInput {
    #[schema(value_type = web::schema::TaxCode)]
    pub code: Option<String>,
    #[schema(value_type = web::schema::RequiredLine<60>)]
    pub name: Option<String>,
    #[schema(value_type = web::schema::RateBp)]
    pub rate_bp: Option<f64>,
}

/// A change of a tax rate's name or rate (absent: unchanged; neither may be null). Sales
/// already recorded keep the rate they used.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rate_bp": 2100}))]
pub struct TaxRatePatch {
    #[serde(default, deserialize_with = "crate::inputs::present")]
    #[schema(value_type = web::schema::RequiredLine<60>, required = false)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::inputs::present")]
    #[schema(value_type = web::schema::RateBp, required = false)]
    pub rate_bp: Option<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxRate {
    /// Lower case, `[a-z0-9][a-z0-9_-]{0,15}`.
    pub code: String,
    pub name: String,
    /// In basis points (2000 = 20 %), to two decimals (887.5 = 8.875 %).
    #[schema(value_type = f64)]
    pub rate_bp: kernel::TaxRate,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaxRateList {
    /// Every rate, by code.
    pub items: Vec<TaxRate>,
}
