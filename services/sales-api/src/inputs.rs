//! What the sales routes take: request bodies and query parameters. Fields a request must
//! have are `Option` here so that every missing and every invalid field is reported in one
//! answer; the document marks them required.

use kernel::{PaymentMethod, SaleStatus};
use serde::{Deserialize, Serialize};

/// The request body of `POST /api/v1/sales`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": [{"sku": "CPU-AMD-R5-7600", "quantity": 1, "discount_cents": 500}],
                          "payment_method": "card"}))]
pub struct SaleInput {
    #[schema(required = true, nullable = false, min_items = 1, max_items = 100)]
    pub lines: Option<Vec<LineInput>>,
    /// One payment of the whole total by this method. Give this or `payments`.
    #[schema(value_type = Option<PaymentMethod>, nullable = false)]
    pub payment_method: Option<String>,
    /// How the customer pays: one or more payments. Cash may exceed what is left to pay (the
    /// change is given back); other methods may not. Give this or `payment_method`.
    #[schema(nullable = false, min_items = 1, max_items = 10)]
    pub payments: Option<Vec<PaymentInput>>,
    /// Off the whole basket, in cents, spread over the lines in proportion to their amounts.
    /// Give this or `discount_percent`, not both.
    #[schema(nullable = false, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub discount_cents: Option<i64>,
    /// Off the whole basket, in percent (at most two decimals).
    #[schema(nullable = false, minimum = 0, maximum = 100)]
    pub discount_percent: Option<f64>,
    /// Where the goods leave from; `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    /// The customer's name as free text; with `customer_id` the customer's own name is used.
    #[schema(value_type = Option<web::schema::Line<200>>)]
    pub customer: Option<String>,
    /// One of the shop's customers (not archived); the sale shows in their history.
    #[schema(value_type = Option<web::schema::CustomerId>)]
    pub customer_id: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// The open shift of the till ringing the sale up; needed when the shop requires shifts.
    #[schema(value_type = Option<web::schema::ShiftId>)]
    pub shift_id: Option<String>,
    /// A manager's credentials approving this one sale's discounts beyond the shop's limit.
    /// The gateway checks them (a wrong password counts toward that manager's lockout), takes
    /// them out and records the manager as `approved_by`.
    #[schema(nullable = false)]
    pub approval: Option<ApprovalInput>,
}

/// A manager's username and password, for one sale.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    #[schema(value_type = web::schema::Username)]
    pub username: String,
    #[schema(min_length = 1, max_length = 256, format = Password)]
    pub password: String,
}

/// A customer as the counter records them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    #[schema(value_type = web::schema::RequiredLine<200>)]
    pub name: Option<String>,
    /// Digits, spaces and `+ - ( ) .`, with at least one digit.
    #[schema(value_type = Option<web::schema::Phone>)]
    pub phone: Option<String>,
    #[schema(value_type = Option<web::schema::Email>)]
    pub email: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<1000>>)]
    pub notes: Option<String>,
}

/// What to change of a customer: only the fields sent (at least one); blank optional text
/// clears it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    #[schema(value_type = Option<web::schema::RequiredLine<200>>)]
    pub name: Option<String>,
    /// Digits, spaces and `+ - ( ) .`, with at least one digit.
    #[schema(value_type = Option<web::schema::Phone>)]
    pub phone: Option<String>,
    #[schema(value_type = Option<web::schema::Email>)]
    pub email: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<1000>>)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerListParams {
    /// Customers whose name, phone, email or notes contain this text (any case).
    #[param(inline, value_type = Option<web::schema::Line<100>>, nullable = false)]
    pub q: Option<String>,
    /// Archived customers too (default false).
    pub archived: Option<bool>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::CustomerId>, nullable = false)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    #[schema(value_type = web::schema::Sku)]
    pub sku: Option<String>,
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1000)]
    pub quantity: Option<i64>,
    /// Off the line's price, in cents, at most the shop's discount limit (a share of the
    /// line's price).
    #[schema(minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub discount_cents: Option<i64>,
    /// Off the line's price in percent (at most two decimals); instead of `discount_cents`.
    #[schema(nullable = false, minimum = 0, maximum = 100)]
    pub discount_percent: Option<f64>,
    /// For a product with serial numbers: the serial number of each unit sold, one per unit
    /// (scanned at the till).
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

/// One payment of a sale.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    #[schema(value_type = PaymentMethod)]
    pub method: Option<String>,
    /// For cash, what the customer handed over.
    #[schema(
        required = true,
        nullable = false,
        minimum = 1,
        maximum = 10_000_000_000_000_i64
    )]
    pub amount_cents: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Vec<ReturnLineInput>,
    #[schema(nullable = false)]
    pub reason: Option<RefundReason>,
    /// Required when the reason is `other`.
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// How the money goes back; the method that paid the most when left out.
    #[schema(nullable = false)]
    pub refund_method: Option<PaymentMethod>,
    /// The open shift of the till giving the money back; a cash refund needs one when the shop
    /// requires shifts.
    #[schema(value_type = Option<web::schema::ShiftId>)]
    pub shift_id: Option<String>,
    /// A manager's credentials, when a clerk's refund is above the shop's limit.
    #[schema(nullable = false)]
    pub approval: Option<ApprovalInput>,
}

impl ReturnInput {
    /// Why and how the money goes back, as for a void.
    pub fn refund(&self) -> RefundInput {
        RefundInput {
            reason: self.reason,
            note: self.note.clone(),
            refund_method: self.refund_method,
            shift_id: self.shift_id.clone(),
            approval: None,
        }
    }
}

/// Why and how money is given back by a void (the body of `POST /api/v1/sales/{id}/void`,
/// which may be left out), as by a return.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    #[schema(nullable = false)]
    pub reason: Option<RefundReason>,
    /// Required when the reason is `other`.
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
    /// How the money goes back; the method that paid the most when left out.
    #[schema(nullable = false)]
    pub refund_method: Option<PaymentMethod>,
    /// The open shift of the till giving the money back; a cash refund needs one when the shop
    /// requires shifts.
    #[schema(value_type = Option<web::schema::ShiftId>)]
    pub shift_id: Option<String>,
    /// A manager's credentials, when a clerk's refund is above the shop's limit. The gateway
    /// checks them as for a discount.
    #[schema(nullable = false)]
    pub approval: Option<ApprovalInput>,
}

/// Why goods came back, or why a sale was voided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    Damaged,
    WrongItem,
    ChangedMind,
    FaultyWarranty,
    Other,
}

impl RefundReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundReason::Damaged => "damaged",
            RefundReason::WrongItem => "wrong_item",
            RefundReason::ChangedMind => "changed_mind",
            RefundReason::FaultyWarranty => "faulty_warranty",
            RefundReason::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    #[schema(value_type = web::schema::Sku)]
    pub sku: String,
    #[schema(minimum = 1, maximum = 1000)]
    pub quantity: i64,
    /// True (default): back on the shelf; false: written off as damaged (a unit with a serial
    /// number is kept apart as faulty).
    pub restock: Option<bool>,
    /// For a line sold with serial numbers: the units given back, one per unit.
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Sales made at or after this time.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Sales made before this time.
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Sales with a line of this SKU.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub sku: Option<String>,
    /// Sales with a payment of this method.
    #[param(inline)]
    pub payment_method: Option<PaymentMethod>,
    #[param(inline)]
    pub status: Option<SaleStatus>,
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
pub struct SummaryParams {
    /// The start of the period (default: 30 days before its end).
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// The end of the period, excluded (default: now). A period that ends before it starts
    /// is empty.
    #[param(format = DateTime)]
    pub to: Option<String>,
}

/// The sales listing's filters, for its CSV export (one row per line of every sale).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SalesExportParams {
    /// Sales made at or after this time.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Sales made before this time.
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Sales with a line of this SKU.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub sku: Option<String>,
    #[param(inline)]
    pub payment_method: Option<PaymentMethod>,
    #[param(inline)]
    pub status: Option<SaleStatus>,
}

/// The customers listing's filters, for its CSV export.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerExportParams {
    /// Customers whose name, phone, email or notes contain this text (any case).
    #[param(inline, value_type = Option<web::schema::Line<100>>, nullable = false)]
    pub q: Option<String>,
    /// Archived customers too (default false).
    pub archived: Option<bool>,
}
