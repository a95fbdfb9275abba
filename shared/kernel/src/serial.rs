//! Serial numbers, and the life of a unit that carries one: received into stock, sold, brought
//! back, found faulty, sent to its supplier, scrapped. [`SerialState::after`] is the only way
//! from one state to the next, and it refuses what cannot happen — a unit sold twice, a unit
//! received while it is still on the shelf, a sound unit sent back to the supplier — so no
//! service can record it.

use std::fmt;

use crate::states::named_states;

/// A unit's serial number as the manufacturer printed it: 3 to 64 of `A-Z 0-9 . _ / : -`,
/// starting with a letter or digit, upper-cased, so that a number typed in lower case finds
/// the unit a scanner read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialNumber(String);

impl SerialNumber {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<SerialNumber, String> {
        let serial = crate::codes::trim_blanks(raw).to_ascii_uppercase();
        if serial.len() < Self::MIN_LEN || serial.len() > Self::MAX_LEN {
            return Err(format!(
                "must be {} to {} characters long",
                Self::MIN_LEN,
                Self::MAX_LEN
            ));
        }
        if !serial.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("must start with a letter or a digit".into());
        }
        if !serial
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | ':' | '-'))
        {
            return Err("may contain only letters, digits, '.', '_', '/', ':' and '-'".into());
        }
        Ok(SerialNumber(serial))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Serial numbers as typed or scanned, at most `max`: each one refused is named by its place
/// in the list `field`, and a number given twice is refused.
pub fn parse_serials(
    errors: &mut crate::FieldErrors,
    raw: &[String],
    field: &str,
    max: usize,
) -> Vec<SerialNumber> {
    if raw.len() > max {
        errors.push(field, format!("must have at most {max} serial numbers"));
        return Vec::new();
    }
    let mut serials: Vec<SerialNumber> = Vec::with_capacity(raw.len());
    for (i, text) in raw.iter().enumerate() {
        let place = format!("{field}[{i}]");
        if let Some(serial) = errors.check(&place, SerialNumber::parse(text)) {
            if serials.contains(&serial) {
                errors.push(place, format!("{serial} is named twice"));
            } else {
                serials.push(serial);
            }
        }
    }
    serials
}

named_states!(
    /// Where a serialized unit is. Only `in_stock` units are sellable stock.
    SerialState {
        /// On the shelf at a location.
        InStock => "in_stock",
        Sold => "sold",
        /// Brought back by a customer and waiting to be checked (an RMA case's unit).
        Returned => "returned",
        /// Known to be faulty: kept apart, never counted as sellable stock.
        Faulty => "faulty",
        /// Sent to the supplier under an RMA.
        AtSupplier => "at_supplier",
        /// Written off for good.
        Scrapped => "scrapped",
    }
);

named_states!(
    /// What happens to a serialized unit.
    SerialChange {
        /// Received from a supplier (a restock or a purchase order), or found (written off earlier).
        Received => "received",
        Sold => "sold",
        /// Taken to another location.
        Moved => "moved",
        /// Its sale was voided, or the customer returned it sound: back on the shelf.
        Restocked => "restocked",
        /// A customer brought it back to be checked (under warranty).
        TakenBack => "taken_back",
        /// Found faulty, when it came back or on the shelf.
        FoundFaulty => "found_faulty",
        /// Checked and found sound: back on the shelf.
        FoundSound => "found_sound",
        SentToSupplier => "sent_to_supplier",
        /// Back from the supplier, repaired: on the shelf, or given back to its customer.
        Repaired => "repaired",
        /// Given back to the customer who brought it (repaired, or found sound).
        GivenBack => "given_back",
        Scrapped => "scrapped",
        /// Its customer was refunded without it going back on the shelf: a sold unit is kept
        /// apart as faulty; one under an RMA case stays where it is.
        WrittenOff => "written_off",
    }
);

named_states!(
    /// Where a warranty case (RMA) stands: the unit taken in, sent to its supplier, and the
    /// outcome, until the case is closed.
    RmaState {
        Received => "received",
        SentToSupplier => "sent_to_supplier",
        Replaced => "replaced",
        Repaired => "repaired",
        /// The supplier credited the unit (the customer's money, if any, is given back as a
        /// return of the sale).
        Refunded => "refunded",
        /// No fault found, or the supplier refused: the unit goes back as it came.
        Rejected => "rejected",
        Closed => "closed",
    }
);

impl RmaState {
    /// Whether a case in this state may move to `to`: from received to the supplier or
    /// rejected; from the supplier to an outcome; from an outcome to closed.
    pub fn may_become(self, to: RmaState) -> bool {
        use RmaState as R;
        matches!(
            (self, to),
            (R::Received, R::SentToSupplier | R::Rejected)
                | (
                    R::SentToSupplier,
                    R::Replaced | R::Repaired | R::Refunded | R::Rejected
                )
                | (R::Replaced | R::Repaired | R::Refunded | R::Rejected, R::Closed)
        )
    }
}

impl SerialState {
    /// The state after `change` of a unit in state `now` (`None`: a serial the shop has never
    /// had), or why it cannot happen.
    pub fn after(now: Option<SerialState>, change: SerialChange) -> Result<SerialState, String> {
        use SerialChange as C;
        use SerialState as S;
        let next = match (now, change) {
            // A serial the shop has never had, or one written off and found again. A customer's
            // unit comes back only through its sale (a return) or a warranty case.
            (None | Some(S::Scrapped), C::Received) => S::InStock,
            (Some(S::InStock), C::Sold) => S::Sold,
            (Some(S::InStock), C::Moved) => S::InStock,
            // Only a unit in its customer's hands goes back on the shelf by a void or return:
            // one in a warranty case is the case's to move.
            (Some(S::Sold), C::Restocked) => S::InStock,
            (Some(S::Sold), C::TakenBack) => S::Returned,
            (Some(S::Returned | S::InStock | S::AtSupplier), C::FoundFaulty) => S::Faulty,
            (Some(S::Sold), C::WrittenOff) => S::Faulty,
            (Some(kept @ (S::Returned | S::Faulty | S::AtSupplier | S::Scrapped)), C::WrittenOff) => kept,
            (Some(S::Returned | S::Faulty), C::FoundSound) => S::InStock,
            (Some(S::Returned | S::Faulty), C::SentToSupplier) => S::AtSupplier,
            (Some(S::AtSupplier), C::Repaired) => S::InStock,
            (Some(S::Returned | S::AtSupplier), C::GivenBack) => S::Sold,
            (Some(S::InStock | S::Faulty | S::AtSupplier), C::Scrapped) => S::Scrapped,
            (None, _) => return Err("the shop has never had this serial number".into()),
            (Some(state), change) => {
                return Err(format!("a unit that is {state} cannot be {change}"));
            }
        };
        Ok(next)
    }

    /// Whether a unit in this state counts as sellable stock at its location.
    pub fn is_sellable(self) -> bool {
        self == SerialState::InStock
    }
}

/// The last day of a warranty of `months` that starts on `sold_on`: the same day of the
/// month `months` later (the month's last day when it has fewer days); `None` when there is
/// no warranty, or the date would fall outside the calendar.
pub fn warranty_end(sold_on: time::Date, months: u32) -> Option<time::Date> {
    if months == 0 {
        return None;
    }
    let index = i64::from(sold_on.year()) * 12 + i64::from(u8::from(sold_on.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = time::Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let last = time::util::days_in_month(month, year);
    time::Date::from_calendar_date(year, month, sold_on.day().min(last)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_are_upper_cased_and_checked() {
        assert_eq!(
            SerialNumber::parse(" sn-2024/a1:b ").unwrap().as_str(),
            "SN-2024/A1:B"
        );
        for bad in ["", "ab", "-ABC", "AB CD", "ÄBCD", "AB#CD", &"A".repeat(65)] {
            assert!(SerialNumber::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(SerialNumber::parse(&"A".repeat(64)).is_ok());
    }

    #[test]
    fn a_unit_is_sold_once_until_it_comes_back() {
        let stocked = SerialState::after(None, SerialChange::Received).unwrap();
        assert!(stocked.is_sellable());
        let sold = SerialState::after(Some(stocked), SerialChange::Sold).unwrap();
        assert_eq!(sold, SerialState::Sold);
        assert!(
            SerialState::after(Some(sold), SerialChange::Sold).is_err(),
            "sold twice"
        );
        assert!(
            SerialState::after(Some(stocked), SerialChange::Received).is_err(),
            "received while on the shelf"
        );
        let back = SerialState::after(Some(sold), SerialChange::Restocked).unwrap();
        assert!(back.is_sellable());
    }

    #[test]
    fn a_faulty_unit_goes_to_its_supplier_and_never_counts_as_stock() {
        let sold = SerialState::Sold;
        let returned = SerialState::after(Some(sold), SerialChange::TakenBack).unwrap();
        let faulty = SerialState::after(Some(returned), SerialChange::FoundFaulty).unwrap();
        let away = SerialState::after(Some(faulty), SerialChange::SentToSupplier).unwrap();
        for state in [returned, faulty, away] {
            assert!(!state.is_sellable(), "{state}");
            assert!(
                SerialState::after(Some(state), SerialChange::Sold).is_err(),
                "{state}"
            );
        }
        assert_eq!(
            SerialState::after(Some(away), SerialChange::GivenBack),
            Ok(SerialState::Sold),
            "repaired and given back to its customer"
        );
        assert!(
            SerialState::after(Some(SerialState::InStock), SerialChange::SentToSupplier).is_err(),
            "a sound unit on the shelf is not sent back"
        );
        assert_eq!(
            SerialState::after(Some(SerialState::Scrapped), SerialChange::Received),
            Ok(SerialState::InStock),
            "written off by mistake and found again"
        );
        assert!(
            SerialState::after(Some(SerialState::Sold), SerialChange::Received).is_err(),
            "a customer's unit is not received from a supplier"
        );
        assert!(
            SerialState::after(Some(returned), SerialChange::Restocked).is_err(),
            "a unit in a warranty case is not restocked by a return"
        );
    }

    #[test]
    fn every_state_and_change_reads_back_from_its_name() {
        for state in SerialState::ALL {
            assert_eq!(SerialState::parse(state.as_str()), Some(*state));
        }
        for change in SerialChange::ALL {
            assert_eq!(SerialChange::parse(change.as_str()), Some(*change));
        }
        assert_eq!(
            SerialState::after(None, SerialChange::Sold).unwrap_err(),
            "the shop has never had this serial number"
        );
    }

    #[test]
    fn a_warranty_ends_on_the_same_day_months_later_clamped_to_the_month() {
        use time::macros::date;
        assert_eq!(
            warranty_end(date!(2026 - 12 - 01), 24),
            Some(date!(2028 - 12 - 01))
        );
        assert_eq!(
            warranty_end(date!(2026 - 01 - 31), 1),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            warranty_end(date!(2027 - 11 - 30), 3),
            Some(date!(2028 - 02 - 29))
        );
        assert_eq!(
            warranty_end(date!(2026 - 05 - 15), 120),
            Some(date!(2036 - 05 - 15))
        );
        assert_eq!(warranty_end(date!(2026 - 05 - 15), 0), None);
    }

    #[test]
    fn every_bad_or_repeated_serial_is_named_by_its_place() {
        let raw: Vec<String> = ["GOOD-1", "x", "BAD SERIAL", "good-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut errors = crate::FieldErrors::new();
        assert_eq!(parse_serials(&mut errors, &raw, "serials", 10).len(), 1);
        let errors = errors.finish(|| ()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["serials[1]", "serials[2]", "serials[3]"]);
        let mut errors = crate::FieldErrors::new();
        assert!(parse_serials(&mut errors, &raw, "serials", 3).is_empty());
        assert!(errors.finish(|| ()).is_err());
    }

    #[test]
    fn a_refund_without_the_unit_leaves_a_case_alone() {
        use SerialState as S;
        assert_eq!(
            SerialState::after(Some(S::Sold), SerialChange::WrittenOff),
            Ok(S::Faulty)
        );
        for kept in [S::Returned, S::AtSupplier, S::Scrapped, S::Faulty] {
            assert_eq!(SerialState::after(Some(kept), SerialChange::WrittenOff), Ok(kept));
        }
        assert!(SerialState::after(Some(S::InStock), SerialChange::WrittenOff).is_err());
    }

    #[test]
    fn a_case_runs_from_received_through_an_outcome_to_closed() {
        use RmaState as R;
        assert!(R::Received.may_become(R::SentToSupplier));
        assert!(R::SentToSupplier.may_become(R::Replaced));
        assert!(R::Replaced.may_become(R::Closed));
        assert!(!R::Received.may_become(R::Repaired), "repaired by whom?");
        assert!(!R::Closed.may_become(R::Received));
        assert!(!R::Received.may_become(R::Closed), "closed without an outcome");
        assert!(!R::Rejected.may_become(R::SentToSupplier));
    }

    #[test]
    fn a_unit_moves_only_while_on_the_shelf() {
        assert_eq!(
            SerialState::after(Some(SerialState::InStock), SerialChange::Moved),
            Ok(SerialState::InStock)
        );
        assert!(SerialState::after(Some(SerialState::Sold), SerialChange::Moved).is_err());
    }
}
