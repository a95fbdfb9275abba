//! What a void or a return does to a sale: which units come back, the sale's status after
//! it, and the money given back.

use events::sales::ReturnedLine;
use kernel::serial::parse_serials;
use kernel::text::paragraph;
use kernel::{Cents, FieldError, FieldErrors, Overflow, PaymentMethod, SaleChange, SaleStatus};
use sales_api::inputs::{RefundInput, RefundReason, ReturnInput};
use sales_api::views::{Line, Sale};

use super::{MAX_LINES, MAX_QUANTITY};
use crate::error::SaleError;

/// What `returned` of the `sold` units of a line carry of `amount` (its total, or its tax):
/// the share of all units returned so far, rounded down, less the share of those returned
/// before. The shares are cumulative so that returns in several parts give back exactly what
/// one return of them all would, and the last unit brings back every cent that is left.
pub fn refund_for(amount: Cents, sold: i64, before: i64, returned: i64) -> Result<Cents, Overflow> {
    let after = before.checked_add(returned).ok_or(Overflow)?;
    amount
        .share(after, sold)?
        .checked_sub(amount.share(before, sold)?)
}

/// Money given back, and the tax in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refund {
    pub total: Cents,
    pub tax: Cents,
}

/// Why and how money goes back, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundDetails {
    pub reason: Option<RefundReason>,
    pub note: Option<String>,
    /// None: the method that paid the most.
    pub method: Option<PaymentMethod>,
    pub shift_id: Option<String>,
}

impl RefundDetails {
    pub fn parse(input: &RefundInput) -> Result<RefundDetails, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let note = errors
            .optional("note", input.note.as_deref(), |v| paragraph(v, 500))
            .flatten()
            .flatten();
        if input.reason == Some(RefundReason::Other) && note.is_none() {
            errors.push("note", "must say why when the reason is other");
        }
        let shift_id = errors
            .optional("shift_id", input.shift_id.as_deref(), super::parse_id)
            .flatten();
        errors.finish(|| RefundDetails {
            reason: input.reason,
            note,
            method: input.refund_method,
            shift_id,
        })
    }
}

/// The shop's rules for giving money back, as they apply to the one asking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundPolicy {
    /// The most the one asking may give back without a manager's approval; none: any amount
    /// (managers and admins).
    pub free_up_to: Option<Cents>,
    /// The manager who approved this refund, as the gateway checked.
    pub approved_by: Option<String>,
    /// Every cash refund comes out of an open shift.
    pub require_shift: bool,
}

impl RefundPolicy {
    /// Whether `refund` by `method` may be given as asked.
    pub fn check(
        &self,
        refund: Cents,
        method: PaymentMethod,
        shift_id: Option<&str>,
    ) -> Result<(), SaleError> {
        if let Some(limit) = self.free_up_to
            && refund > limit
            && self.approved_by.is_none()
        {
            return Err(SaleError::ApprovalRequired(vec![FieldError::new(
                "refund",
                "the refund is above what the shop lets be given without a manager's approval",
            )]));
        }
        if self.require_shift && method == PaymentMethod::Cash && shift_id.is_none() {
            return Err(SaleError::field(
                "shift_id",
                "a cash refund comes out of the till's open shift, which the shop requires",
            ));
        }
        Ok(())
    }

    /// The approver to record: only where an approval was needed.
    pub fn approver(&self, refund: Cents) -> Option<String> {
        match self.free_up_to {
            Some(limit) if refund > limit => self.approved_by.clone(),
            _ => None,
        }
    }
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

    /// The money given back, with its tax: everything not yet refunded for a void, each
    /// line's cumulative share for a return (see [`refund_for`]).
    pub fn refund(&self, sale: &Sale) -> Result<Refund, SaleError> {
        let too_large = |_| SaleError::TooLarge("the refund");
        if self.change == SaleChange::Voided {
            return Ok(Refund {
                total: Cents::new(sale.total_cents - sale.refunded_cents),
                tax: Cents::new(sale.tax_cents - sale.refunded_tax_cents),
            });
        }
        let mut returned: Vec<i64> = sale.lines.iter().map(|l| l.returned_quantity).collect();
        let mut refund = Refund::default();
        for taken in &self.lines {
            let index = (taken.line_no - 1) as usize;
            let line = &sale.lines[index];
            let (before, quantity) = (returned[index], taken.returned.quantity);
            let total = refund_for(Cents::new(line.line_total_cents), line.quantity, before, quantity)
                .map_err(too_large)?;
            let tax =
                refund_for(Cents::new(line.tax_cents), line.quantity, before, quantity).map_err(too_large)?;
            returned[index] += quantity;
            refund.total = refund.total.checked_add(total).map_err(too_large)?;
            refund.tax = refund.tax.checked_add(tax).map_err(too_large)?;
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
                serials: still_sold(l).cloned().collect(),
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
        let by_serial = sale.lines.iter().any(|l| l.sku == r.sku && !l.serials.is_empty());
        if by_serial || !r.serials.is_empty() {
            taken.extend(units_back(sale, r, &mut left)?);
            continue;
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
                        serials: Vec::new(),
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

/// The serial numbers of a line's units that have not come back.
fn still_sold(line: &Line) -> impl Iterator<Item = &String> {
    line.serials.iter().filter(|s| !line.returned_serials.contains(s))
}

/// Units of a line sold with serial numbers, given back: each named unit from the line that
/// sold it, and not one that came back already.
fn units_back(sale: &Sale, r: &ReturnedLine, left: &mut [i64]) -> Result<Vec<LineReturn>, SaleError> {
    if r.serials.is_empty() {
        return Err(SaleError::field(
            "lines",
            format!(
                "{} was sold with serial numbers: name the units given back",
                r.sku
            ),
        ));
    }
    let mut taken: Vec<LineReturn> = Vec::new();
    for serial in &r.serials {
        let Some(index) = sale
            .lines
            .iter()
            .position(|l| l.sku == r.sku && still_sold(l).any(|s| s == serial))
        else {
            return Err(SaleError::field(
                "lines",
                format!(
                    "{serial} of {} was not sold on this sale, or has come back already",
                    r.sku
                ),
            ));
        };
        left[index] -= 1;
        let line_no = sale.lines[index].line_no;
        match taken.iter_mut().find(|t| t.line_no == line_no) {
            Some(t) => {
                t.returned.quantity += 1;
                t.returned.serials.push(serial.clone());
            }
            None => taken.push(LineReturn {
                line_no,
                returned: ReturnedLine {
                    sku: r.sku.clone(),
                    quantity: 1,
                    restock: r.restock,
                    serials: vec![serial.clone()],
                },
            }),
        }
    }
    Ok(taken)
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
    let mut named = std::collections::BTreeSet::new();
    for (i, line) in input.lines.iter().enumerate() {
        let sku = errors.check(&format!("lines[{i}].sku"), kernel::Sku::parse(&line.sku));
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            errors.push(
                format!("lines[{i}].quantity"),
                format!("must be between 1 and {MAX_QUANTITY}"),
            );
        }
        let field = format!("lines[{i}].serials");
        let serials = parse_serials(&mut errors, &line.serials, &field, MAX_QUANTITY as usize);
        if !line.serials.is_empty() && line.serials.len() as i64 != line.quantity {
            errors.push(
                field.clone(),
                format!("must name one serial number per unit: {}", line.quantity),
            );
        }
        if let Some(sku) = &sku
            && let Some(twice) = serials
                .iter()
                .find(|s| !named.insert((sku.as_str().to_owned(), s.as_str().to_owned())))
        {
            errors.push(field, format!("{twice} is on another line already"));
        }
        if let Some(sku) = sku {
            lines.push(ReturnedLine {
                sku: sku.into_string(),
                quantity: line.quantity,
                restock: line.restock.unwrap_or(true),
                serials: serials.iter().map(|s| s.as_str().to_owned()).collect(),
            });
        }
    }
    errors.finish(|| lines)
}

/// The history line of a void or return, for people: "returned: 1 unit, 9.99 refunded by
/// cash (damaged: box crushed)".
pub fn change_note(
    change: SaleChange,
    units: i64,
    refund_cents: i64,
    details: &RefundDetails,
    method: PaymentMethod,
) -> String {
    let plural = if units == 1 { "unit" } else { "units" };
    let (whole, cents) = (refund_cents / 100, refund_cents % 100);
    let why = match (details.reason, &details.note) {
        (Some(reason), Some(note)) => format!(" ({}: {note})", reason.as_str()),
        (Some(reason), None) => format!(" ({})", reason.as_str()),
        (None, Some(note)) => format!(" ({note})"),
        (None, None) => String::new(),
    };
    format!(
        "{}: {units} {plural}, {whole}.{cents:02} refunded by {}{why}",
        change.as_str(),
        method.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_notes_show_money_as_decimals_and_why() {
        let none = RefundDetails::default();
        assert_eq!(
            change_note(SaleChange::Voided, 2, 3998, &none, PaymentMethod::Card),
            "voided: 2 units, 39.98 refunded by card"
        );
        let damaged = RefundDetails {
            reason: Some(RefundReason::Damaged),
            note: Some("box crushed".into()),
            ..RefundDetails::default()
        };
        assert_eq!(
            change_note(SaleChange::Returned, 1, 5, &damaged, PaymentMethod::Cash),
            "returned: 1 unit, 0.05 refunded by cash (damaged: box crushed)"
        );
    }

    #[test]
    fn refunds_are_a_share_of_what_was_paid() {
        assert_eq!(
            refund_for(Cents::new(2_999 * 3 - 300), 3, 0, 1),
            Ok(Cents::new(2_899))
        );
    }

    #[test]
    fn a_clerks_refund_above_the_limit_needs_an_approval_and_cash_a_shift() {
        let clerk = RefundPolicy {
            free_up_to: Some(Cents::new(1_000)),
            approved_by: None,
            require_shift: true,
        };
        let shift = Some("s");
        assert!(clerk.check(Cents::new(1_000), PaymentMethod::Card, None).is_ok());
        assert!(matches!(
            clerk.check(Cents::new(1_001), PaymentMethod::Card, shift),
            Err(SaleError::ApprovalRequired(_))
        ));
        assert!(matches!(
            clerk.check(Cents::new(500), PaymentMethod::Cash, None),
            Err(SaleError::Validation(_))
        ));
        let approved = RefundPolicy {
            approved_by: Some("mia".into()),
            ..clerk.clone()
        };
        assert!(
            approved
                .check(Cents::new(5_000), PaymentMethod::Cash, shift)
                .is_ok()
        );
        assert_eq!(approved.approver(Cents::new(5_000)).as_deref(), Some("mia"));
        assert_eq!(
            approved.approver(Cents::new(500)),
            None,
            "not needed, not recorded"
        );
        let manager = RefundPolicy::default();
        assert!(
            manager
                .check(Cents::new(i64::MAX), PaymentMethod::Card, None)
                .is_ok()
        );
    }

    #[test]
    fn a_refund_for_another_reason_says_why() {
        let other = RefundInput {
            reason: Some(RefundReason::Other),
            ..RefundInput::default()
        };
        assert_eq!(RefundDetails::parse(&other).unwrap_err()[0].field, "note");
        let said = RefundInput {
            note: Some("box opened".into()),
            ..other
        };
        assert!(RefundDetails::parse(&said).is_ok());
    }

    #[test]
    fn returns_in_parts_give_back_exactly_what_was_paid_and_its_tax() {
        // 3 units for 10.00 with 1.67 tax: one by one, or 1 then 2, the cents add up.
        for parts in [vec![1, 1, 1], vec![1, 2], vec![2, 1], vec![3]] {
            let (mut before, mut total, mut tax) = (0, 0, 0);
            for part in parts.iter().copied() {
                total += refund_for(Cents::new(1_000), 3, before, part).unwrap().get();
                tax += refund_for(Cents::new(167), 3, before, part).unwrap().get();
                before += part;
            }
            assert_eq!((total, tax), (1_000, 167), "{parts:?}");
        }
        assert_eq!(refund_for(Cents::new(1_000), 3, 0, 1), Ok(Cents::new(333)));
        assert_eq!(refund_for(Cents::new(1_000), 3, 1, 1), Ok(Cents::new(333)));
        assert_eq!(refund_for(Cents::new(1_000), 3, 2, 1), Ok(Cents::new(334)));
    }
}
