//! What a void or a return does to a sale: which units come back, the sale's status after
//! it, and the money given back.

use events::sales::ReturnedLine;
use kernel::{Cents, FieldError, FieldErrors, Overflow, SaleChange, SaleStatus};
use sales_api::inputs::ReturnInput;
use sales_api::views::Sale;

use super::{MAX_LINES, MAX_QUANTITY};
use crate::error::SaleError;

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

    #[test]
    fn refunds_are_a_share_of_what_was_paid() {
        assert_eq!(
            refund_for(Cents::new(2_999 * 3 - 300), 3, 1),
            Ok(Cents::new(2_899))
        );
    }
}
