//! Warranty cases (RMAs): a faulty unit taken in — from a customer, or from the shop's own
//! stock — sent to its supplier, and what comes of it. [`plan`] says what each step does to
//! the unit, to a replacement and to stock, so the store only carries it out.

use kernel::serial::{RmaState, SerialChange, SerialState};
use time::OffsetDateTime;

/// A warranty case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rma {
    pub id: String,
    /// The shop's case number, shown as `RMA-000042`.
    pub number: i64,
    pub sku: String,
    pub name: String,
    pub serial: String,
    /// Where the case is handled, and where a unit coming back goes.
    pub location: String,
    pub state: RmaState,
    /// The customer whose unit it is; none when the unit is the shop's own.
    pub customer: Option<CaseCustomer>,
    pub supplier_id: Option<String>,
    pub supplier_name: Option<String>,
    pub replacement_serial: Option<String>,
    /// What is wrong with the unit, as the customer or the shop said.
    pub fault: String,
    /// Whether the unit's warranty ran on the day the case was opened.
    pub under_warranty: bool,
    pub opened_by: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub version: i64,
    /// Every step, oldest first.
    pub history: Vec<RmaEntry>,
}

impl Rma {
    pub fn reference(&self) -> String {
        reference(self.number)
    }
}

/// How a case is named in the ledger and in a unit's history.
pub fn reference(number: i64) -> String {
    format!("RMA-{number:06}")
}

/// The sale a customer's unit came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCustomer {
    pub sale_id: Option<String>,
    pub customer_id: Option<String>,
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RmaEntry {
    pub state: RmaState,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub at: OffsetDateTime,
}

/// Whose unit a case is about, read from the unit's state as the case opens: a sold unit is
/// a customer's, taken back; a faulty one is the shop's. Any other unit cannot be a case.
pub fn opening(state: SerialState) -> Result<Option<SerialChange>, String> {
    match state {
        SerialState::Sold => Ok(Some(SerialChange::TakenBack)),
        SerialState::Faulty => Ok(None),
        other => Err(format!(
            "a unit that is {other} cannot be a warranty case: only a sold unit (the customer's) or a faulty one (the shop's)"
        )),
    }
}

/// What a step of a case does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The change of the case's unit, if any.
    pub unit: Option<SerialChange>,
    /// The replacement unit's changes, in order.
    pub replacement: Vec<SerialChange>,
    /// Units onto (+) or off (−) the shelf at the case's location.
    pub stock: i64,
}

/// What moving `case` to `to` does, or why it cannot. A customer's unit goes back to the
/// customer (repaired, or as it came when rejected); the shop's goes back on the shelf when
/// sound. A replacement reaches the customer (from the shelf when it is on it, else straight
/// from the supplier) or, for the shop's own unit, the shelf. `replacement_on_shelf` says
/// whether the named replacement is on the shelf at the case's location.
pub fn plan(case: &Rma, to: RmaState, replacement_on_shelf: bool) -> Result<Plan, String> {
    if !case.state.may_become(to) {
        return Err(format!("a case that is {} cannot become {to}", case.state));
    }
    let customers = case.customer.is_some();
    let unit = |change| Plan {
        unit: Some(change),
        ..Plan::default()
    };
    Ok(match to {
        RmaState::SentToSupplier => unit(SerialChange::SentToSupplier),
        RmaState::Rejected if customers => unit(SerialChange::GivenBack),
        RmaState::Rejected if case.state == RmaState::Received => Plan {
            stock: 1,
            ..unit(SerialChange::FoundSound)
        },
        RmaState::Rejected => unit(SerialChange::FoundFaulty),
        RmaState::Repaired if customers => unit(SerialChange::GivenBack),
        RmaState::Repaired => Plan {
            stock: 1,
            ..unit(SerialChange::Repaired)
        },
        RmaState::Replaced => match (customers, replacement_on_shelf) {
            (true, true) => Plan {
                unit: Some(SerialChange::Scrapped),
                replacement: vec![SerialChange::Sold],
                stock: -1,
            },
            (true, false) => Plan {
                unit: Some(SerialChange::Scrapped),
                replacement: vec![SerialChange::Received, SerialChange::Sold],
                stock: 0,
            },
            (false, _) => Plan {
                unit: Some(SerialChange::Scrapped),
                replacement: vec![SerialChange::Received],
                stock: 1,
            },
        },
        RmaState::Refunded => unit(SerialChange::Scrapped),
        RmaState::Closed | RmaState::Received => Plan::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(state: RmaState, customers: bool) -> Rma {
        Rma {
            id: "c".into(),
            number: 7,
            sku: "GPU".into(),
            name: "GPU".into(),
            serial: "SN-1".into(),
            location: "main".into(),
            state,
            customer: customers.then(|| CaseCustomer {
                sale_id: Some("s".into()),
                customer_id: None,
            }),
            supplier_id: None,
            supplier_name: None,
            replacement_serial: None,
            fault: "no picture".into(),
            under_warranty: true,
            opened_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            version: 1,
            history: Vec::new(),
        }
    }

    #[test]
    fn a_customers_unit_goes_back_to_the_customer_and_the_shops_to_the_shelf() {
        let at_supplier = case(RmaState::SentToSupplier, true);
        assert_eq!(
            plan(&at_supplier, RmaState::Repaired, false).unwrap(),
            Plan {
                unit: Some(SerialChange::GivenBack),
                ..Plan::default()
            }
        );
        let shops = case(RmaState::SentToSupplier, false);
        assert_eq!(plan(&shops, RmaState::Repaired, false).unwrap().stock, 1);
        assert_eq!(
            plan(&case(RmaState::Received, false), RmaState::Rejected, false)
                .unwrap()
                .stock,
            1,
            "found sound: back on the shelf"
        );
        assert_eq!(
            plan(&shops, RmaState::Rejected, false).unwrap(),
            Plan {
                unit: Some(SerialChange::FoundFaulty),
                ..Plan::default()
            },
            "the supplier refused: still faulty"
        );
    }

    #[test]
    fn a_replacement_comes_from_the_shelf_or_the_supplier() {
        let customers = case(RmaState::SentToSupplier, true);
        let from_shelf = plan(&customers, RmaState::Replaced, true).unwrap();
        assert_eq!((from_shelf.replacement.len(), from_shelf.stock), (1, -1));
        let from_supplier = plan(&customers, RmaState::Replaced, false).unwrap();
        assert_eq!(
            from_supplier.replacement,
            [SerialChange::Received, SerialChange::Sold]
        );
        assert_eq!(from_supplier.stock, 0);
        let shops = plan(&case(RmaState::SentToSupplier, false), RmaState::Replaced, false).unwrap();
        assert_eq!((shops.replacement.len(), shops.stock), (1, 1));
    }

    #[test]
    fn only_a_sold_or_faulty_unit_opens_a_case() {
        assert_eq!(opening(SerialState::Sold), Ok(Some(SerialChange::TakenBack)));
        assert_eq!(opening(SerialState::Faulty), Ok(None));
        assert!(opening(SerialState::InStock).is_err());
        assert!(plan(&case(RmaState::Closed, true), RmaState::Received, false).is_err());
    }
}
