//! A till's shift: what opening it, moving cash and closing it may contain, and the drawer's
//! arithmetic: expected cash = float + cash taken − change given − cash refunds + paid in −
//! paid out; over/short = counted − expected.

use kernel::text::{paragraph, required_line};
use kernel::{Cents, FieldError, FieldErrors, LocationCode, Overflow, Total};
use sales_api::shifts::{CashFigures, CashMovementInput, CashMovementKind, CloseInput, ShiftInput};

/// The most cash one figure may hold, as the API document states.
const MAX_CASH_CENTS: i64 = 10_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShift {
    pub till: String,
    pub location: String,
    pub opening_float: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCashMovement {
    pub kind: CashMovementKind,
    pub amount: Cents,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub counted: Cents,
    pub note: Option<String>,
}

/// A till code: 1 to 32 letters, digits, `_` or `-`, starting with a letter or digit; kept in
/// lower case.
pub fn till_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_lowercase();
    let mut chars = code.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if first_ok && rest_ok && code.len() <= 32 {
        Ok(code)
    } else {
        Err("must be 1 to 32 letters, digits, '_' or '-', starting with a letter or digit".into())
    }
}

fn cash(errors: &mut FieldErrors, field: &str, value: Option<i64>, least: i64) -> Option<Cents> {
    errors.required(field, value, |v| {
        if (least..=MAX_CASH_CENTS).contains(&v) {
            Ok(Cents::new(v))
        } else {
            Err(format!("must be between {least} and {MAX_CASH_CENTS}"))
        }
    })
}

impl NewShift {
    pub fn parse(input: &ShiftInput) -> Result<NewShift, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let till = errors.required("till", input.till.as_deref(), till_code);
        let location = errors.required("location", input.location.as_deref(), LocationCode::parse);
        let opening_float = cash(&mut errors, "opening_float_cents", input.opening_float_cents, 0);
        errors.finish_parsed(till.zip(location).zip(opening_float).map(
            |((till, location), opening_float)| NewShift {
                till,
                location: location.as_str().to_owned(),
                opening_float,
            },
        ))
    }
}

impl NewCashMovement {
    pub fn parse(input: &CashMovementInput) -> Result<NewCashMovement, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let kind = errors.required("kind", input.kind.as_deref(), |k| {
            CashMovementKind::parse(k).ok_or_else(|| "must be paid_in or paid_out".to_owned())
        });
        let amount = cash(&mut errors, "amount_cents", input.amount_cents, 1);
        let reason = errors.required("reason", input.reason.as_deref(), |r| required_line(r, 200));
        errors.finish_parsed(
            kind.zip(amount)
                .zip(reason)
                .map(|((kind, amount), reason)| NewCashMovement { kind, amount, reason }),
        )
    }
}

impl Closing {
    pub fn parse(input: &CloseInput) -> Result<Closing, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let counted = cash(&mut errors, "counted_cash_cents", input.counted_cash_cents, 0);
        let note = errors
            .optional("note", input.note.as_deref(), |v| paragraph(v, 500))
            .flatten()
            .flatten();
        errors.finish_parsed(counted.map(|counted| Closing { counted, note }))
    }
}

/// The drawer's figures: the expected cash from the parts, and over/short once counted.
pub fn drawer(mut figures: CashFigures, counted: Option<i64>) -> Result<CashFigures, Overflow> {
    let mut expected = Total::default();
    for plus in [
        figures.opening_float_cents,
        figures.cash_taken_cents,
        figures.paid_in_cents,
    ] {
        expected.add(Cents::new(plus));
    }
    for minus in [
        figures.change_given_cents,
        figures.cash_refunds_cents,
        figures.paid_out_cents,
    ] {
        expected.add(Cents::new(minus.checked_neg().ok_or(Overflow)?));
    }
    figures.expected_cents = expected.cents()?.get();
    figures.counted_cents = counted;
    figures.over_short_cents = counted
        .map(|c| c.checked_sub(figures.expected_cents).ok_or(Overflow))
        .transpose()?;
    Ok(figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawer_expects_float_and_cash_in_less_cash_out() {
        let parts = CashFigures {
            opening_float_cents: 10_000,
            cash_taken_cents: 25_000,
            change_given_cents: 3_751,
            cash_refunds_cents: 999,
            paid_in_cents: 500,
            paid_out_cents: 1_500,
            ..CashFigures::default()
        };
        let open = drawer(parts.clone(), None).unwrap();
        assert_eq!(open.expected_cents, 10_000 + 25_000 - 3_751 - 999 + 500 - 1_500);
        assert_eq!((open.counted_cents, open.over_short_cents), (None, None));
        let short = drawer(parts, Some(29_000)).unwrap();
        assert_eq!(short.over_short_cents, Some(29_000 - 29_250));
        let huge = CashFigures {
            opening_float_cents: i64::MAX,
            paid_in_cents: 1,
            ..CashFigures::default()
        };
        assert_eq!(drawer(huge, None), Err(Overflow));
    }

    #[test]
    fn tills_are_codes_and_bad_shift_fields_are_all_named() {
        assert_eq!(till_code(" Till-1 "), Ok("till-1".into()));
        assert!(till_code("-1").is_err());
        assert!(till_code(&"t".repeat(33)).is_err());
        let refused = NewShift::parse(&ShiftInput {
            till: Some("front desk".into()),
            location: None,
            opening_float_cents: Some(-1),
        })
        .unwrap_err();
        let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["till", "location", "opening_float_cents"]);
        assert!(
            NewCashMovement::parse(&CashMovementInput {
                kind: Some("paid_sideways".into()),
                amount_cents: Some(0),
                reason: Some(" ".into()),
            })
            .is_err()
        );
    }
}
