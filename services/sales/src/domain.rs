//! The counter's rules, free of HTTP and SQL: what a sale request may contain, how its totals
//! are computed in integer cents, and what a void or a return may do.

use kernel::text::{line, paragraph};
use kernel::{Cents, LocationCode, Overflow, Total};
use serde::{Deserialize, Serialize};

/// At most this many lines on one sale, and units on one line.
pub const MAX_LINES: usize = 100;
pub const MAX_QUANTITY: i64 = 1_000;

pub use kernel::FieldError;

fn error(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
    FieldError::new(field, reason)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Transfer,
    Other,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<PaymentMethod, String> {
        [
            PaymentMethod::Cash,
            PaymentMethod::Card,
            PaymentMethod::Transfer,
            PaymentMethod::Other,
        ]
        .into_iter()
        .find(|m| m.as_str() == raw)
        .ok_or_else(|| "must be one of cash, card, transfer, other".to_owned())
    }
}

/// Where a sale stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaleStatus {
    Completed,
    PartiallyReturned,
    Returned,
    Voided,
}

impl SaleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleStatus::Completed => "completed",
            SaleStatus::PartiallyReturned => "partially_returned",
            SaleStatus::Returned => "returned",
            SaleStatus::Voided => "voided",
        }
    }
}

/// The request body of `POST /api/v1/sales`.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lines": [{"sku": "CPU-AMD-R5-7600", "quantity": 1, "discount_cents": 500}],
                          "payment_method": "card"}))]
pub struct SaleInput {
    #[schema(required = true, nullable = false, min_items = 1, max_items = 100)]
    pub lines: Option<Vec<LineInput>>,
    #[schema(value_type = PaymentMethod)]
    pub payment_method: Option<String>,
    /// Where the goods leave from; `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Line<200>>)]
    pub customer: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequest {
    pub sku: String,
    pub quantity: i64,
    pub discount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    pub lines: Vec<LineRequest>,
    pub payment_method: PaymentMethod,
    pub location: String,
    pub customer: Option<String>,
    pub note: Option<String>,
}

fn sku(raw: &str) -> Result<String, String> {
    kernel::Sku::parse(raw).map(kernel::Sku::into_string)
}

/// Optional text checked by `parse` (blank is none); a bad value is recorded under `field`.
fn text(
    value: Option<String>,
    field: &str,
    parse: impl Fn(&str) -> Result<Option<String>, String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    parse(&value?)
        .map_err(|reason| errors.push(error(field, reason)))
        .ok()
        .flatten()
}

impl SaleRequest {
    pub fn parse(input: SaleInput) -> Result<SaleRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let lines_in = input.lines.unwrap_or_default();
        if lines_in.is_empty() {
            errors.push(error("lines", "must have at least one line"));
        } else if lines_in.len() > MAX_LINES {
            errors.push(error("lines", format!("must have at most {MAX_LINES} lines")));
        }
        let mut lines = Vec::new();
        for (i, line) in lines_in.into_iter().enumerate() {
            let sku = match line.sku.as_deref().map(sku) {
                None => {
                    errors.push(error(format!("lines[{i}].sku"), "is required"));
                    None
                }
                Some(Err(reason)) => {
                    errors.push(error(format!("lines[{i}].sku"), reason));
                    None
                }
                Some(Ok(sku)) => Some(sku),
            };
            let quantity = match line.quantity {
                Some(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
                Some(_) => {
                    errors.push(error(
                        format!("lines[{i}].quantity"),
                        format!("must be between 1 and {MAX_QUANTITY}"),
                    ));
                    None
                }
                None => {
                    errors.push(error(format!("lines[{i}].quantity"), "is required"));
                    None
                }
            };
            let discount = line.discount_cents.unwrap_or(0);
            if discount < 0 {
                errors.push(error(
                    format!("lines[{i}].discount_cents"),
                    "must not be negative",
                ));
            }
            if let (Some(sku), Some(quantity)) = (sku, quantity) {
                lines.push(LineRequest {
                    sku,
                    quantity,
                    discount_cents: discount.max(0),
                });
            }
        }
        let payment_method = match input.payment_method.as_deref().map(PaymentMethod::parse) {
            None => {
                errors.push(error("payment_method", "is required"));
                None
            }
            Some(Err(reason)) => {
                errors.push(error("payment_method", reason));
                None
            }
            Some(Ok(m)) => Some(m),
        };
        let location = match input.location.as_deref().map(LocationCode::parse) {
            None => LocationCode::main(),
            Some(Ok(code)) => code,
            Some(Err(reason)) => {
                errors.push(error("location", reason));
                LocationCode::main()
            }
        };
        let customer = text(input.customer, "customer", |v| line(v, 200), &mut errors);
        let note = text(input.note, "note", |v| paragraph(v, 500), &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SaleRequest {
            lines,
            payment_method: payment_method.expect("checked"),
            location: location.as_str().to_owned(),
            customer,
            note,
        })
    }
}

/// A line priced from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub discount_cents: i64,
    pub line_total_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub total_cents: i64,
    pub units: i64,
}

/// Prices each line at `price(sku)` (name, unit price in cents) and checks discounts against
/// `max_discount_percent` of the line's price. Every amount is computed with checked
/// arithmetic; a sale whose total cannot be represented is refused.
pub fn price(
    request: &SaleRequest,
    max_discount_percent: u32,
    price: impl Fn(&str) -> (String, i64),
) -> Result<(Vec<PricedLine>, Totals), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let too_large = |i: usize| {
        error(
            format!("lines[{i}]"),
            "makes an amount too large to be represented",
        )
    };
    for (i, line) in request.lines.iter().enumerate() {
        let (name, unit) = price(&line.sku);
        let Ok(gross) = Cents::new(unit).times(line.quantity) else {
            errors.push(too_large(i));
            continue;
        };
        let Ok(limit) = gross.share(i64::from(max_discount_percent), 100) else {
            errors.push(too_large(i));
            continue;
        };
        if line.discount_cents > limit.get() {
            errors.push(error(
                format!("lines[{i}].discount_cents"),
                format!("must be at most {limit} ({max_discount_percent}% of the line's price)"),
            ));
        }
        lines.push(PricedLine {
            sku: line.sku.clone(),
            name,
            quantity: line.quantity,
            unit_price_cents: unit,
            discount_cents: line.discount_cents,
            line_total_cents: gross.get() - line.discount_cents,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let too_large = |_| vec![error("lines", "make a total too large to be represented")];
    let totals = Totals {
        subtotal_cents: sum(lines.iter().map(|l| l.unit_price_cents * l.quantity)).map_err(too_large)?,
        discount_cents: sum(lines.iter().map(|l| l.discount_cents)).map_err(too_large)?,
        total_cents: sum(lines.iter().map(|l| l.line_total_cents)).map_err(too_large)?,
        units: sum(lines.iter().map(|l| l.quantity)).map_err(too_large)?,
    };
    Ok((lines, totals))
}

/// The sum of `values`, refusing to wrap.
fn sum(values: impl Iterator<Item = i64>) -> Result<i64, Overflow> {
    values.map(Cents::new).collect::<Total>().cents().map(Cents::get)
}

/// The money given back for `quantity` of the `sold` units of a line: their share of what
/// was paid, rounded down.
pub fn refund_for(line_total: Cents, sold: i64, quantity: i64) -> Result<Cents, Overflow> {
    line_total.share(quantity, sold)
}

/// The history line of a void or return, for people: "voided: 2 units, 39.98 refunded".
pub fn change_note(change: &str, units: i64, refund_cents: i64) -> String {
    let plural = if units == 1 { "unit" } else { "units" };
    let (whole, cents) = (refund_cents / 100, refund_cents % 100);
    format!("{change}: {units} {plural}, {whole}.{cents:02} refunded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_notes_show_money_as_decimals() {
        assert_eq!(change_note("voided", 2, 3998), "voided: 2 units, 39.98 refunded");
        assert_eq!(change_note("returned", 1, 5), "returned: 1 unit, 0.05 refunded");
    }

    fn input(lines: Vec<(&str, i64, i64)>, payment: &str) -> SaleInput {
        SaleInput {
            lines: Some(
                lines
                    .into_iter()
                    .map(|(sku, q, d)| LineInput {
                        sku: Some(sku.into()),
                        quantity: Some(q),
                        discount_cents: Some(d),
                    })
                    .collect(),
            ),
            payment_method: Some(payment.into()),
            location: None,
            customer: None,
            note: None,
        }
    }

    #[test]
    fn totals_are_computed_in_cents_with_discounts_in_limits() {
        let request = SaleRequest::parse(input(vec![("cpu-1", 2, 1000), ("ram-1", 1, 0)], "card")).unwrap();
        assert_eq!(request.lines[0].sku, "CPU-1");
        let (lines, totals) = price(&request, 20, |sku| {
            (sku.to_owned(), if sku == "CPU-1" { 19_999 } else { 4_950 })
        })
        .unwrap();
        assert_eq!(lines[0].line_total_cents, 2 * 19_999 - 1000);
        assert_eq!(
            totals,
            Totals {
                subtotal_cents: 44_948,
                discount_cents: 1000,
                total_cents: 43_948,
                units: 3
            }
        );
        let greedy = SaleRequest::parse(input(vec![("cpu-1", 1, 5000)], "cash")).unwrap();
        let refused = price(&greedy, 20, |_| ("x".into(), 10_000)).unwrap_err();
        assert_eq!(refused[0].field, "lines[0].discount_cents");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errors = SaleRequest::parse(input(vec![("!", 0, -1)], "cheque")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[0].sku",
                "lines[0].quantity",
                "lines[0].discount_cents",
                "payment_method"
            ]
        );
        assert!(SaleRequest::parse(input(vec![], "cash")).is_err());
    }

    #[test]
    fn refunds_are_a_share_of_what_was_paid() {
        assert_eq!(
            refund_for(Cents::new(2_999 * 3 - 300), 3, 1),
            Ok(Cents::new(2_899))
        );
    }
}
