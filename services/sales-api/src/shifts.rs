//! What the shift routes take and answer: opening a till's shift, cash paid in and out,
//! closing it with the counted cash, and the X and Z reports.

use kernel::PaymentMethod;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::views::TaxLine;

/// The request body of `POST /api/v1/shifts`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"till": "till-1", "location": "main", "opening_float_cents": 10000}))]
pub struct ShiftInput {
    #[schema(value_type = web::schema::TillCode)]
    pub till: Option<String>,
    /// Where the till stands; its sales leave from there.
    #[schema(value_type = web::schema::LocationCode)]
    pub location: Option<String>,
    /// The cash in the drawer at the start.
    #[schema(
        required = true,
        nullable = false,
        minimum = 0,
        maximum = 10_000_000_000_000_i64
    )]
    pub opening_float_cents: Option<i64>,
}

/// The request body of `POST /api/v1/shifts/{id}/cash-movements`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "paid_out", "amount_cents": 1500, "reason": "Window cleaner"}))]
pub struct CashMovementInput {
    #[schema(value_type = CashMovementKind)]
    pub kind: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        minimum = 1,
        maximum = 10_000_000_000_000_i64
    )]
    pub amount_cents: Option<i64>,
    #[schema(value_type = web::schema::RequiredLine<200>)]
    pub reason: Option<String>,
}

/// The request body of `POST /api/v1/shifts/{id}/close`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"counted_cash_cents": 23450, "note": "One £5 note torn"}))]
pub struct CloseInput {
    /// The cash counted in the drawer.
    #[schema(
        required = true,
        nullable = false,
        minimum = 0,
        maximum = 10_000_000_000_000_i64
    )]
    pub counted_cash_cents: Option<i64>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShiftListParams {
    #[param(inline, value_type = Option<web::schema::TillCode>, nullable = false)]
    pub till: Option<String>,
    #[param(inline)]
    pub status: Option<ShiftStatus>,
    /// Shifts opened at or after this time.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// Shifts opened before this time.
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShiftStatus {
    Open,
    Closed,
}

impl ShiftStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftStatus::Open => "open",
            ShiftStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<ShiftStatus> {
        match text {
            "open" => Some(ShiftStatus::Open),
            "closed" => Some(ShiftStatus::Closed),
            _ => None,
        }
    }
}

/// Cash put into the drawer (change brought in) or taken out (a supplier paid) during a shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CashMovementKind {
    PaidIn,
    PaidOut,
}

impl CashMovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CashMovementKind::PaidIn => "paid_in",
            CashMovementKind::PaidOut => "paid_out",
        }
    }

    pub fn parse(text: &str) -> Option<CashMovementKind> {
        match text {
            "paid_in" => Some(CashMovementKind::PaidIn),
            "paid_out" => Some(CashMovementKind::PaidOut),
            _ => None,
        }
    }
}

/// A till's session, from its opening float to its cash count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shift {
    pub id: String,
    /// Increases with every shift of the shop; listings page by it.
    pub number: i64,
    pub till: String,
    pub location: String,
    pub status: ShiftStatus,
    pub opening_float_cents: i64,
    pub opened_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    pub closed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
    pub counted_cash_cents: Option<i64>,
    /// What the drawer should have held at closing (the Z report's figure).
    pub expected_cash_cents: Option<i64>,
    /// Counted − expected at closing: negative when the drawer was short.
    pub over_short_cents: Option<i64>,
    /// The Z report's number: 1, 2, … per till, given at closing.
    pub z_number: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftPage {
    pub items: Vec<Shift>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CashMovement {
    pub id: i64,
    pub kind: CashMovementKind,
    pub amount_cents: i64,
    pub reason: String,
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// X (the shift is open) or Z (closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    X,
    Z,
}

/// The sales of a shift as recorded (voids and returns are counted apart).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftSales {
    pub count: i64,
    /// Unit prices × quantities, before discounts.
    pub gross_cents: i64,
    pub discount_cents: i64,
    /// After discounts, without tax.
    pub net_cents: i64,
    pub tax_cents: i64,
    /// What customers paid: `net_cents + tax_cents`.
    pub total_cents: i64,
    pub first_receipt: Option<i64>,
    pub last_receipt: Option<i64>,
}

/// What one payment method took (cash net of the change given), or gave back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub count: i64,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CountAndAmount {
    pub count: i64,
    pub amount_cents: i64,
}

/// The drawer: what it should hold, and once closed what it held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CashFigures {
    pub opening_float_cents: i64,
    /// Cash handed over by customers.
    pub cash_taken_cents: i64,
    pub change_given_cents: i64,
    pub cash_refunds_cents: i64,
    pub paid_in_cents: i64,
    pub paid_out_cents: i64,
    /// Float + cash taken − change given − cash refunds + paid in − paid out.
    pub expected_cents: i64,
    pub counted_cents: Option<i64>,
    /// Counted − expected: negative when the drawer is short.
    pub over_short_cents: Option<i64>,
}

/// The X report of an open shift, or the Z report of a closed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftReport {
    pub kind: ReportKind,
    pub shift: Shift,
    pub sales: ShiftSales,
    /// Net and tax per rate of the shift's sales.
    pub taxes: Vec<TaxLine>,
    /// What each method took for the shift's sales.
    pub payments: Vec<MethodTotal>,
    /// Money given back during the shift (returns and voids), by method.
    pub refunds: Vec<MethodTotal>,
    pub returns: CountAndAmount,
    pub voids: CountAndAmount,
    pub cash_movements: Vec<CashMovement>,
    pub cash: CashFigures,
}
