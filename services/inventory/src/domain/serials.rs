//! Serialized units as the inventory keeps them: where each is and what happened to it, when
//! its warranty ends, and the rule that a change of a serialized SKU's stock names one serial
//! per unit (and a change of any other SKU names none).

use std::collections::BTreeSet;

use kernel::FieldErrors;
use kernel::serial::{SerialChange, SerialNumber, SerialState, warranty_end};
use time::{Date, OffsetDateTime};

use super::{FieldError, Tracking};

/// One serialized unit the shop has had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialUnit {
    pub sku: String,
    pub serial: String,
    pub state: SerialState,
    /// Where it is, or was last (sold from, taken back at).
    pub location: String,
    /// The reservation of a sale being recorded that holds it.
    pub held_by: Option<String>,
    pub sale_id: Option<String>,
    pub customer_id: Option<String>,
    pub sold_at: Option<OffsetDateTime>,
    /// The warranty it was sold with.
    pub warranty_months: i64,
    pub received_at: OffsetDateTime,
    pub supplier: Option<String>,
    pub purchase_order_id: Option<String>,
}

impl SerialUnit {
    /// The last day of its warranty: from the day it was sold (UTC), none before it is sold
    /// or without a warranty.
    pub fn warranty_ends_on(&self) -> Option<Date> {
        let months = u32::try_from(self.warranty_months).ok()?;
        warranty_end(self.sold_at?.date(), months)
    }

    /// Whether its warranty still runs on `today`.
    pub fn under_warranty(&self, today: Date) -> bool {
        self.warranty_ends_on().is_some_and(|end| today <= end)
    }
}

/// One step in a unit's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialEntry {
    pub change: SerialChange,
    pub state_after: SerialState,
    pub location: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub at: OffsetDateTime,
}

/// A unit with its product's name and everything that happened to it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialRecord {
    pub unit: SerialUnit,
    pub name: String,
    pub history: Vec<SerialEntry>,
}

/// The most serial numbers one request names.
pub const MAX_SERIALS: usize = 1000;

/// Whether `serials` fit a change of `units` units of a SKU tracked as `tracking`: one
/// distinct serial per unit for a serialized SKU, none for any other. `field` names the list
/// in the answer.
pub fn check_serials(
    sku: &str,
    tracking: Tracking,
    units: i64,
    serials: &[SerialNumber],
    field: &str,
) -> Result<(), FieldError> {
    let refuse = |reason: String| Err(FieldError::new(field, reason));
    if !tracking.serialized {
        if serials.is_empty() {
            return Ok(());
        }
        return refuse(format!("{sku} does not carry serial numbers"));
    }
    if serials.len() as i64 != units {
        return refuse(format!(
            "{sku} carries serial numbers: name one per unit ({units} units, {} serial numbers)",
            serials.len()
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some(twice) = serials.iter().find(|s| !seen.insert(s.as_str())) {
        return refuse(format!("names {twice} twice"));
    }
    Ok(())
}

/// Serial numbers as typed or scanned, checked (see [`kernel::serial::parse_serials`]).
pub fn parse_serials(errors: &mut FieldErrors, raw: &[String], field: &str) -> Vec<SerialNumber> {
    kernel::serial::parse_serials(errors, raw, field, MAX_SERIALS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serials(raw: &[&str]) -> Vec<SerialNumber> {
        raw.iter().map(|s| SerialNumber::parse(s).unwrap()).collect()
    }

    #[test]
    fn a_serialized_change_names_one_distinct_serial_per_unit() {
        let tracked = Tracking {
            serialized: true,
            warranty_months: 24,
        };
        assert!(check_serials("GPU", tracked, 2, &serials(&["SN-A1", "SN-A2"]), "serials").is_ok());
        assert!(check_serials("GPU", tracked, 3, &serials(&["SN-A1", "SN-A2"]), "serials").is_err());
        assert!(check_serials("GPU", tracked, 2, &serials(&["SN-A1", "sn-a1"]), "serials").is_err());
        assert!(check_serials("CABLE", Tracking::default(), 2, &[], "serials").is_ok());
        let refused = check_serials("CABLE", Tracking::default(), 1, &serials(&["SN-X1"]), "serials");
        assert_eq!(refused.unwrap_err().field, "serials");
    }

    #[test]
    fn the_warranty_runs_from_the_day_of_sale() {
        let unit = SerialUnit {
            sku: "GPU".into(),
            serial: "SN-A1".into(),
            state: SerialState::Sold,
            location: "main".into(),
            held_by: None,
            sale_id: Some("s".into()),
            customer_id: None,
            sold_at: Some(time::macros::datetime!(2026-01-31 23:00 UTC)),
            warranty_months: 1,
            received_at: time::macros::datetime!(2026-01-02 9:00 UTC),
            supplier: None,
            purchase_order_id: None,
        };
        assert_eq!(unit.warranty_ends_on(), Some(time::macros::date!(2026 - 02 - 28)));
        assert!(unit.under_warranty(time::macros::date!(2026 - 02 - 28)));
        assert!(!unit.under_warranty(time::macros::date!(2026 - 03 - 01)));
        let unsold = SerialUnit {
            sold_at: None,
            ..unit
        };
        assert_eq!(unsold.warranty_ends_on(), None);
    }
}
