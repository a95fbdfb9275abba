//! The filters of the reports.

use serde::{Deserialize, Serialize};

/// How the sales report groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    #[default]
    Day,
    /// ISO weeks, named by their Monday.
    Week,
    Month,
    Product,
    Category,
    Brand,
    Location,
    Staff,
    PaymentMethod,
    TaxRate,
}

impl Grouping {
    pub const ALL: [Grouping; 10] = [
        Grouping::Day,
        Grouping::Week,
        Grouping::Month,
        Grouping::Product,
        Grouping::Category,
        Grouping::Brand,
        Grouping::Location,
        Grouping::Staff,
        Grouping::PaymentMethod,
        Grouping::TaxRate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Month => "month",
            Grouping::Product => "product",
            Grouping::Category => "category",
            Grouping::Brand => "brand",
            Grouping::Location => "location",
            Grouping::Staff => "staff",
            Grouping::PaymentMethod => "payment_method",
            Grouping::TaxRate => "tax_rate",
        }
    }
}

/// A period of whole days (UTC) and, optionally, one location.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// The first day of the period, `YYYY-MM-DD` (default: 29 days before `to`).
    #[param(format = Date)]
    pub from: Option<String>,
    /// The last day of the period, included, `YYYY-MM-DD` (default: today). At most 3,660
    /// days after `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only this location's figures.
    pub location: Option<String>,
}

/// The sales report's period, location and grouping.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SalesParams {
    /// The first day of the period, `YYYY-MM-DD` (default: 29 days before `to`).
    #[param(format = Date)]
    pub from: Option<String>,
    /// The last day of the period, included, `YYYY-MM-DD` (default: today).
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only this location's figures.
    pub location: Option<String>,
    /// How the rows are grouped (default: by day).
    pub by: Option<Grouping>,
}

/// The stock report's day, window and location.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StockParams {
    /// The last day of the sales window, `YYYY-MM-DD` (default: today).
    #[param(format = Date)]
    pub to: Option<String>,
    /// The days of sales the figures look back on, `to` included (default 90, at most 3,660).
    #[param(minimum = 1, maximum = 3660)]
    pub days: Option<u32>,
    /// Only this location's stock and sales.
    pub location: Option<String>,
    /// The most products listed, those with the most value at cost first (default 1,000, at
    /// most 10,000); the totals count every one.
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u32>,
}
