//! The counter's rules, free of HTTP and SQL.
//!
//! # Layout
//! - this module: what a sale request may contain, checked field by field.
//! - [`pricing`]: discounts, tax and totals in integer cents.
//! - [`payments`]: how a total is paid, tendered cash and change.
//! - [`changes`]: what a void or a return does to a sale, and the refund.
//! - [`figures`]: a period's figures as sums of its hours.
//! - [`customer`]: what a customer record may hold.
//! - [`shift`]: a till's shift and the drawer's arithmetic.

pub mod changes;
pub mod customer;
pub mod figures;
pub mod payments;
pub mod pricing;
pub mod shift;

use kernel::serial::{SerialNumber, parse_serials};
use kernel::text::{line, paragraph};
use kernel::{FieldErrors, LocationCode, PaymentMethod};
use sales_api::inputs::{LineInput, PaymentInput, SaleInput};
pub use sales_api::{MAX_LINES, MAX_PAYMENTS, MAX_QUANTITY};

/// The largest payment, as the API document states it: a thousand of the dearest product.
const MAX_PAYMENT_CENTS: i64 = 10_000_000_000_000;

pub use changes::{
    LineReturn, RefundDetails, RefundPolicy, SaleUpdate, change_note, refund_for, return_lines,
    returned_lines, void,
};
pub use kernel::FieldError;
pub use payments::{Payment, Settlement, settle};
pub use pricing::{Discount, Offer, Priced, PricedLine, TaxFigures, Terms, Totals, price};

/// An id as the API gives them (customers, shifts): a lower-case UUID.
pub fn parse_id(raw: &str) -> Result<String, String> {
    match uuid::Uuid::try_parse(raw) {
        Ok(id) if id.hyphenated().to_string() == raw => Ok(raw.to_owned()),
        _ => Err("must be an id the API gave".into()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequest {
    pub sku: String,
    pub quantity: i64,
    pub discount: Discount,
    /// One per unit, for a product with serial numbers (the inventory knows which need them).
    pub serials: Vec<SerialNumber>,
}

/// How the customer means to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tender {
    /// One payment of the whole total (`payment_method`).
    Whole(PaymentMethod),
    /// The payments as given (`payments`).
    Split(Vec<Payment>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    pub lines: Vec<LineRequest>,
    /// Off the whole basket, spread over the lines.
    pub discount: Discount,
    pub tender: Tender,
    pub location: String,
    pub customer: Option<String>,
    pub customer_id: Option<String>,
    pub note: Option<String>,
    pub shift_id: Option<String>,
}

impl SaleRequest {
    pub fn parse(input: SaleInput) -> Result<SaleRequest, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let lines_in = input.lines.unwrap_or_default();
        if lines_in.is_empty() {
            errors.push("lines", "must have at least one line");
        } else if lines_in.len() > MAX_LINES {
            errors.push("lines", format!("must have at most {MAX_LINES} lines"));
        }
        let lines: Vec<LineRequest> = lines_in
            .into_iter()
            .enumerate()
            .filter_map(|(i, line)| line_request(&mut errors, i, line))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        for (i, line) in lines.iter().enumerate() {
            if let Some(twice) = line.serials.iter().find(|s| !seen.insert((&line.sku, *s))) {
                errors.push(
                    format!("lines[{i}].serials"),
                    format!("{twice} is on another line already"),
                );
            }
        }
        let discount = Discount::parse(&mut errors, "", input.discount_cents, input.discount_percent);
        let tender = tender(&mut errors, input.payment_method, input.payments);
        let location = match input.location.as_deref().map(LocationCode::parse) {
            None => Some(LocationCode::main()),
            Some(parsed) => errors.check("location", parsed),
        };
        let customer = errors
            .optional("customer", input.customer.as_deref(), |v| line(v, 200))
            .flatten()
            .flatten();
        let note = errors
            .optional("note", input.note.as_deref(), |v| paragraph(v, 500))
            .flatten()
            .flatten();
        let customer_id = errors
            .optional("customer_id", input.customer_id.as_deref(), parse_id)
            .flatten();
        let shift_id = errors
            .optional("shift_id", input.shift_id.as_deref(), parse_id)
            .flatten();
        let parsed = discount
            .zip(tender)
            .zip(location)
            .map(|((discount, tender), location)| SaleRequest {
                lines,
                discount,
                tender,
                location: location.as_str().to_owned(),
                customer,
                customer_id,
                note,
                shift_id,
            });
        errors.finish_parsed(parsed)
    }
}

fn line_request(errors: &mut FieldErrors, i: usize, line: LineInput) -> Option<LineRequest> {
    let sku = errors.required(&format!("lines[{i}].sku"), line.sku.as_deref(), |raw| {
        kernel::Sku::parse(raw).map(kernel::Sku::into_string)
    });
    let quantity = errors.required(&format!("lines[{i}].quantity"), line.quantity, |q| {
        if (1..=MAX_QUANTITY).contains(&q) {
            Ok(q)
        } else {
            Err(format!("must be between 1 and {MAX_QUANTITY}"))
        }
    });
    let discount = Discount::parse(
        errors,
        &format!("lines[{i}]."),
        line.discount_cents,
        line.discount_percent,
    );
    let field = format!("lines[{i}].serials");
    let serials = parse_serials(errors, &line.serials, &field, MAX_QUANTITY as usize);
    if let Some(quantity) = quantity
        && !line.serials.is_empty()
        && line.serials.len() as i64 != quantity
    {
        errors.push(field, format!("must name one serial number per unit: {quantity}"));
    }
    Some(LineRequest {
        sku: sku?,
        quantity: quantity?,
        discount: discount?,
        serials,
    })
}

/// `payment_method` or `payments`, exactly one of them.
fn tender(
    errors: &mut FieldErrors,
    method: Option<String>,
    payments: Option<Vec<PaymentInput>>,
) -> Option<Tender> {
    let method_of = |raw: &str| {
        PaymentMethod::parse(raw).ok_or_else(|| format!("must be one of {}", PaymentMethod::names()))
    };
    match (method, payments) {
        (Some(_), Some(_)) => {
            errors.push("payments", "give either payment_method or payments, not both");
            None
        }
        (None, None) => {
            errors.push("payment_method", "is required (or payments)");
            None
        }
        (Some(method), None) => errors
            .check("payment_method", method_of(&method))
            .map(Tender::Whole),
        (None, Some(payments)) => {
            if payments.is_empty() || payments.len() > MAX_PAYMENTS {
                errors.push("payments", format!("must have 1 to {MAX_PAYMENTS} payments"));
            }
            let mut parsed = Vec::new();
            for (i, payment) in payments.into_iter().enumerate() {
                let method = errors.required(
                    &format!("payments[{i}].method"),
                    payment.method.as_deref(),
                    method_of,
                );
                let amount = errors.required(
                    &format!("payments[{i}].amount_cents"),
                    payment.amount_cents,
                    |cents| {
                        if (1..=MAX_PAYMENT_CENTS).contains(&cents) {
                            Ok(kernel::Cents::new(cents))
                        } else {
                            Err("must be a positive amount of cents".to_owned())
                        }
                    },
                );
                if let (Some(method), Some(amount)) = (method, amount) {
                    parsed.push(Payment { method, amount });
                }
            }
            Some(Tender::Split(parsed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(lines: Vec<(&str, i64, i64)>, payment: &str) -> SaleInput {
        SaleInput {
            lines: Some(
                lines
                    .into_iter()
                    .map(|(sku, q, d)| LineInput {
                        serials: Vec::new(),
                        sku: Some(sku.into()),
                        quantity: Some(q),
                        discount_cents: Some(d),
                        discount_percent: None,
                    })
                    .collect(),
            ),
            payment_method: Some(payment.into()),
            payments: None,
            discount_cents: None,
            discount_percent: None,
            location: None,
            customer: None,
            customer_id: None,
            note: None,
            shift_id: None,
            approval: None,
        }
    }

    #[test]
    fn ids_are_the_uuids_the_api_gives() {
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(parse_id(&id), Ok(id.clone()));
        assert!(parse_id(&id.to_uppercase()).is_err());
        assert!(parse_id("42").is_err());
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn every_bad_field_is_reported() {
        let errors = SaleRequest::parse(input(vec![("!", 0, -1)], "cheque")).unwrap_err();
        assert_eq!(
            fields(&errors),
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
    fn a_sale_is_paid_by_one_method_or_by_payments_never_both() {
        let whole = SaleRequest::parse(input(vec![("cpu-1", 1, 0)], "card")).unwrap();
        assert_eq!(whole.tender, Tender::Whole(PaymentMethod::Card));
        assert_eq!(whole.lines[0].sku, "CPU-1");
        let split = SaleInput {
            payment_method: None,
            payments: Some(vec![
                PaymentInput {
                    method: Some("cash".into()),
                    amount_cents: Some(5000),
                },
                PaymentInput {
                    method: Some("card".into()),
                    amount_cents: Some(1999),
                },
            ]),
            ..input(vec![("cpu-1", 1, 0)], "card")
        };
        let parsed = SaleRequest::parse(split.clone()).unwrap();
        assert_eq!(
            parsed.tender,
            Tender::Split(vec![
                Payment {
                    method: PaymentMethod::Cash,
                    amount: kernel::Cents::new(5000)
                },
                Payment {
                    method: PaymentMethod::Card,
                    amount: kernel::Cents::new(1999)
                },
            ])
        );
        let both = SaleInput {
            payment_method: Some("cash".into()),
            ..split.clone()
        };
        assert_eq!(fields(&SaleRequest::parse(both).unwrap_err()), ["payments"]);
        let bad = SaleInput {
            payments: Some(vec![PaymentInput {
                method: Some("iou".into()),
                amount_cents: Some(0),
            }]),
            ..split
        };
        assert_eq!(
            fields(&SaleRequest::parse(bad).unwrap_err()),
            ["payments[0].method", "payments[0].amount_cents"]
        );
    }

    #[test]
    fn a_discount_is_an_amount_or_a_percentage() {
        let mut sale = input(vec![("cpu-1", 1, 0)], "cash");
        sale.lines.as_mut().unwrap()[0].discount_cents = None;
        sale.lines.as_mut().unwrap()[0].discount_percent = Some(12.5);
        sale.discount_cents = Some(300);
        let parsed = SaleRequest::parse(sale.clone()).unwrap();
        assert_eq!(parsed.lines[0].discount, Discount::Percent(1250));
        assert_eq!(parsed.discount, Discount::Cents(kernel::Cents::new(300)));
        sale.discount_percent = Some(100.001);
        sale.lines.as_mut().unwrap()[0].discount_cents = Some(1);
        assert_eq!(
            fields(&SaleRequest::parse(sale).unwrap_err()),
            ["lines[0].discount_cents", "discount_cents", "discount_percent"]
        );
    }
}
