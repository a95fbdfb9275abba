//! The counter's rules, free of HTTP and SQL: what a sale request may contain, how its totals
//! are computed in integer cents, and what a void or a return does to a sale.

use events::sales::ReturnedLine;
use kernel::text::{line, paragraph};
use kernel::{Cents, FieldErrors, LocationCode, Overflow, PaymentMethod, SaleChange, SaleStatus, Total};
use sales_api::inputs::{ReturnInput, SaleInput};
use sales_api::views::Sale;
pub use sales_api::{MAX_LINES, MAX_QUANTITY};

pub use kernel::FieldError;

use crate::error::SaleError;

fn error(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
    FieldError::new(field, reason)
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
        let payment_method = match input.payment_method.as_deref().map(|raw| {
            PaymentMethod::parse(raw).ok_or_else(|| format!("must be one of {}", PaymentMethod::names()))
        }) {
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

/// What a void or a return does to a sale: the change, the status after it, and the units
/// taken back from each line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleUpdate {
    pub change: SaleChange,
    pub status: SaleStatus,
    pub lines: Vec<LineReturn>,
}

/// Units taken back from one line of a sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineReturn {
    pub line_no: i64,
    pub returned: ReturnedLine,
}

impl SaleUpdate {
    pub fn units(&self) -> i64 {
        self.lines.iter().map(|l| l.returned.quantity).sum()
    }

    /// The money given back: everything not yet refunded for a void, each line's share for
    /// a return.
    pub fn refund(&self, sale: &Sale) -> Result<Cents, SaleError> {
        if self.change == SaleChange::Voided {
            return Ok(Cents::new(sale.total_cents - sale.refunded_cents));
        }
        let mut refund = Cents::ZERO;
        for taken in &self.lines {
            let line = &sale.lines[(taken.line_no - 1) as usize];
            let share = refund_for(
                Cents::new(line.line_total_cents),
                line.quantity,
                taken.returned.quantity,
            )
            .map_err(|_| SaleError::TooLarge("the refund"))?;
            refund = refund
                .checked_add(share)
                .map_err(|_| SaleError::TooLarge("the refund"))?;
        }
        Ok(refund)
    }
}

/// Whether a sale in `status` may still change (be voided, or take a return).
fn changeable(sale: &Sale, action: &'static str) -> Result<(), SaleError> {
    if matches!(sale.status, SaleStatus::Completed | SaleStatus::PartiallyReturned) {
        Ok(())
    } else {
        Err(SaleError::WrongStatus {
            status: sale.status,
            action,
        })
    }
}

/// A void: every unit not yet returned comes back to stock.
pub fn void(sale: &Sale) -> Result<SaleUpdate, SaleError> {
    changeable(sale, "a void")?;
    let lines = sale
        .lines
        .iter()
        .filter(|l| l.quantity > l.returned_quantity)
        .map(|l| LineReturn {
            line_no: l.line_no,
            returned: ReturnedLine {
                sku: l.sku.clone(),
                quantity: l.quantity - l.returned_quantity,
                restock: true,
            },
        })
        .collect();
    Ok(SaleUpdate {
        change: SaleChange::Voided,
        status: SaleStatus::Voided,
        lines,
    })
}

/// A return of `returned`: each SKU's units are spread over the sale's lines of that SKU, in
/// line order; never more than is still returnable.
pub fn return_lines(sale: &Sale, returned: &[ReturnedLine]) -> Result<SaleUpdate, SaleError> {
    changeable(sale, "a return")?;
    let mut left: Vec<i64> = sale
        .lines
        .iter()
        .map(|l| l.quantity - l.returned_quantity)
        .collect();
    let mut taken = Vec::new();
    for r in returned {
        if !sale.lines.iter().any(|l| l.sku == r.sku) {
            return Err(SaleError::NotOnSale(r.sku.clone()));
        }
        let returnable: i64 = sale
            .lines
            .iter()
            .zip(&left)
            .filter(|(l, _)| l.sku == r.sku)
            .map(|(_, q)| q)
            .sum();
        if r.quantity > returnable {
            return Err(SaleError::TooMany {
                sku: r.sku.clone(),
                returnable,
            });
        }
        let mut wanted = r.quantity;
        for (line, rest) in sale.lines.iter().zip(left.iter_mut()) {
            if line.sku != r.sku || wanted == 0 {
                continue;
            }
            let q = wanted.min(*rest);
            if q > 0 {
                *rest -= q;
                wanted -= q;
                taken.push(LineReturn {
                    line_no: line.line_no,
                    returned: ReturnedLine {
                        sku: r.sku.clone(),
                        quantity: q,
                        restock: r.restock,
                    },
                });
            }
        }
    }
    let status = if left.iter().all(|q| *q == 0) {
        SaleStatus::Returned
    } else {
        SaleStatus::PartiallyReturned
    };
    Ok(SaleUpdate {
        change: SaleChange::Returned,
        status,
        lines: taken,
    })
}

/// The lines of a return request, checked.
pub fn returned_lines(input: &ReturnInput) -> Result<Vec<ReturnedLine>, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    if input.lines.is_empty() {
        errors.push("lines", "must not be empty");
    } else if input.lines.len() > MAX_LINES {
        errors.push("lines", format!("must have at most {MAX_LINES} lines"));
    }
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let sku = errors.check(&format!("lines[{i}].sku"), kernel::Sku::parse(&line.sku));
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            errors.push(
                format!("lines[{i}].quantity"),
                format!("must be between 1 and {MAX_QUANTITY}"),
            );
        }
        if let Some(sku) = sku {
            lines.push(ReturnedLine {
                sku: sku.into_string(),
                quantity: line.quantity,
                restock: line.restock.unwrap_or(true),
            });
        }
    }
    errors.finish(|| lines)
}

/// The history line of a void or return, for people: "voided: 2 units, 39.98 refunded".
pub fn change_note(change: SaleChange, units: i64, refund_cents: i64) -> String {
    let plural = if units == 1 { "unit" } else { "units" };
    let (whole, cents) = (refund_cents / 100, refund_cents % 100);
    format!(
        "{}: {units} {plural}, {whole}.{cents:02} refunded",
        change.as_str()
    )
}

#[cfg(test)]
mod tests {
    use sales_api::inputs::LineInput;

    use super::*;

    #[test]
    fn change_notes_show_money_as_decimals() {
        assert_eq!(
            change_note(SaleChange::Voided, 2, 3998),
            "voided: 2 units, 39.98 refunded"
        );
        assert_eq!(
            change_note(SaleChange::Returned, 1, 5),
            "returned: 1 unit, 0.05 refunded"
        );
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
