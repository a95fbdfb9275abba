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
        /// Received from a supplier (a restock or a purchase order), or bought back.
        Received => "received",
        Sold => "sold",
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
    }
);

impl SerialState {
    /// The state after `change` of a unit in state `now` (`None`: a serial the shop has never
    /// had), or why it cannot happen.
    pub fn after(now: Option<SerialState>, change: SerialChange) -> Result<SerialState, String> {
        use SerialChange as C;
        use SerialState as S;
        let next = match (now, change) {
            // A serial the shop has never had, or one it sold and buys back.
            (None | Some(S::Sold), C::Received) => S::InStock,
            (Some(S::InStock), C::Sold) => S::Sold,
            (Some(S::Sold | S::Returned), C::Restocked) => S::InStock,
            (Some(S::Sold), C::TakenBack) => S::Returned,
            (Some(S::Sold | S::Returned | S::InStock), C::FoundFaulty) => S::Faulty,
            (Some(S::Returned | S::Faulty), C::FoundSound) => S::InStock,
            (Some(S::Returned | S::Faulty), C::SentToSupplier) => S::AtSupplier,
            (Some(S::AtSupplier), C::Repaired) => S::InStock,
            (Some(S::Returned | S::AtSupplier), C::GivenBack) => S::Sold,
            (Some(S::InStock | S::Returned | S::Faulty | S::AtSupplier), C::Scrapped) => S::Scrapped,
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
        assert!(SerialState::after(Some(SerialState::Scrapped), SerialChange::Received).is_err());
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
}
