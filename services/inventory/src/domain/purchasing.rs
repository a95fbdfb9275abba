//! Orders to suppliers: which state allows what, what a delivery does to each line of its
//! order and to the stock incoming, and the moving weighted average cost. No I/O.

use kernel::{FieldError, PurchaseOrderStatus};

/// One line of an order as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    pub line_no: i64,
    pub sku: String,
    pub quantity: i64,
    pub received: i64,
    pub unit_cost_cents: i64,
    pub allow_over_receipt: bool,
}

impl OrderLine {
    /// Still to come: ordered less received, never below zero (an over-receipt owes nothing).
    pub fn remaining(&self) -> i64 {
        (self.quantity - self.received).max(0)
    }
}

/// What one line of a delivery brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub sku: String,
    pub quantity: i64,
    /// The invoice's unit cost when it differs from the order's.
    pub unit_cost_cents: Option<i64>,
    /// One per unit, for a serialized product.
    pub serials: Vec<kernel::serial::SerialNumber>,
}

/// What a delivery does to one line of its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedLine {
    pub line_no: i64,
    pub sku: String,
    /// Units into stock.
    pub quantity: i64,
    pub unit_cost_cents: i64,
    /// Units no longer incoming: what was still to come of those received.
    pub no_longer_incoming: i64,
}

/// Why an order refuses an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The order's state does not allow it.
    State(PurchaseOrderStatus),
    /// The delivery's lines do not fit the order.
    Lines(Vec<FieldError>),
}

/// Lines change only while the order is a draft.
pub fn editable(status: PurchaseOrderStatus) -> Result<(), Refusal> {
    match status {
        PurchaseOrderStatus::Draft => Ok(()),
        other => Err(Refusal::State(other)),
    }
}

/// A draft with at least one line may be sent to the supplier.
pub fn orderable(status: PurchaseOrderStatus, lines: usize) -> Result<(), Refusal> {
    editable(status)?;
    if lines == 0 {
        return Err(Refusal::Lines(vec![FieldError::new(
            "lines",
            "an order needs at least one line",
        )]));
    }
    Ok(())
}

/// A draft or an order nothing of which has arrived may be called off.
pub fn cancellable(status: PurchaseOrderStatus) -> Result<(), Refusal> {
    match status {
        PurchaseOrderStatus::Draft | PurchaseOrderStatus::Ordered => Ok(()),
        other => Err(Refusal::State(other)),
    }
}

/// What a delivery does to each line of an order in `status`: every SKU delivered must be on
/// the order once, and no line may receive more than remains of it unless it allows that.
pub fn receive(
    status: PurchaseOrderStatus,
    lines: &[OrderLine],
    delivered: &[Delivered],
) -> Result<Vec<ReceivedLine>, Refusal> {
    match status {
        PurchaseOrderStatus::Ordered | PurchaseOrderStatus::PartiallyReceived => {}
        other => return Err(Refusal::State(other)),
    }
    let mut errors = Vec::new();
    let mut received = Vec::with_capacity(delivered.len());
    for (i, d) in delivered.iter().enumerate() {
        if delivered[..i].iter().any(|earlier| earlier.sku == d.sku) {
            errors.push(FieldError::new(format!("lines[{i}].sku"), "names a SKU twice"));
            continue;
        }
        let Some(line) = lines.iter().find(|l| l.sku == d.sku) else {
            errors.push(FieldError::new(
                format!("lines[{i}].sku"),
                format!("{} is not on this order", d.sku),
            ));
            continue;
        };
        if d.quantity > line.remaining() && !line.allow_over_receipt {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                format!(
                    "only {} of {} remain to be received; this line does not allow receiving more than ordered",
                    line.remaining(),
                    d.sku
                ),
            ));
            continue;
        }
        received.push(ReceivedLine {
            line_no: line.line_no,
            sku: d.sku.clone(),
            quantity: d.quantity,
            unit_cost_cents: d.unit_cost_cents.unwrap_or(line.unit_cost_cents),
            no_longer_incoming: d.quantity.min(line.remaining()),
        });
    }
    if errors.is_empty() {
        Ok(received)
    } else {
        Err(Refusal::Lines(errors))
    }
}

/// The state of an order once `lines` stand as they do after a delivery.
pub fn status_after_receipt(lines: &[OrderLine]) -> PurchaseOrderStatus {
    if lines.iter().all(|l| l.remaining() == 0) {
        PurchaseOrderStatus::Received
    } else {
        PurchaseOrderStatus::PartiallyReceived
    }
}

/// The moving weighted average cost after `quantity` units at `unit_cost` join `units_before`
/// units at `average_before`, rounded half up to the cent. Stock below zero counts as none (its
/// cost is unknown), and so does stock with no average yet.
pub fn moving_average(units_before: i64, average_before: Option<i64>, quantity: i64, unit_cost: i64) -> i64 {
    let (units_before, average_before) = match average_before {
        Some(average) if units_before > 0 => (i128::from(units_before), i128::from(average)),
        _ => (0, 0),
    };
    let units = units_before + i128::from(quantity);
    if units <= 0 {
        return unit_cost;
    }
    let value = units_before * average_before + i128::from(quantity) * i128::from(unit_cost);
    // Costs are at most 10¹⁰ cents and units at most 10⁹ per level, so the quotient fits.
    i64::try_from((2 * value + units) / (2 * units)).expect("an average lies between its inputs")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(line_no: i64, sku: &str, quantity: i64, received: i64, over: bool) -> OrderLine {
        OrderLine {
            line_no,
            sku: sku.into(),
            quantity,
            received,
            unit_cost_cents: 1000,
            allow_over_receipt: over,
        }
    }

    fn delivered(sku: &str, quantity: i64) -> Delivered {
        Delivered {
            sku: sku.into(),
            quantity,
            unit_cost_cents: None,
            serials: Vec::new(),
        }
    }

    #[test]
    fn a_delivery_fills_its_lines_and_no_more_unless_allowed() {
        let lines = [line(1, "A", 5, 3, false), line(2, "B", 2, 0, true)];
        let plan = receive(
            PurchaseOrderStatus::PartiallyReceived,
            &lines,
            &[delivered("A", 2), delivered("B", 3)],
        )
        .unwrap();
        assert_eq!(
            plan.iter()
                .map(|r| (r.sku.as_str(), r.quantity, r.no_longer_incoming))
                .collect::<Vec<_>>(),
            [("A", 2, 2), ("B", 3, 2)]
        );
        let Err(Refusal::Lines(errors)) = receive(
            PurchaseOrderStatus::Ordered,
            &lines,
            &[
                delivered("A", 3),
                delivered("C", 1),
                delivered("B", 1),
                delivered("B", 1),
            ],
        ) else {
            panic!("an over-receipt, a SKU not ordered and a SKU named twice are refused")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["lines[0].quantity", "lines[1].sku", "lines[3].sku"]);
    }

    #[test]
    fn only_open_orders_receive_and_only_untouched_ones_cancel() {
        let lines = [line(1, "A", 5, 0, false)];
        for status in [
            PurchaseOrderStatus::Draft,
            PurchaseOrderStatus::Received,
            PurchaseOrderStatus::Cancelled,
        ] {
            assert_eq!(
                receive(status, &lines, &[delivered("A", 1)]),
                Err(Refusal::State(status))
            );
        }
        assert!(cancellable(PurchaseOrderStatus::Ordered).is_ok());
        assert!(cancellable(PurchaseOrderStatus::PartiallyReceived).is_err());
        assert!(orderable(PurchaseOrderStatus::Draft, 0).is_err());
        assert!(editable(PurchaseOrderStatus::Ordered).is_err());
    }

    #[test]
    fn an_order_is_received_when_every_line_is() {
        assert_eq!(
            status_after_receipt(&[line(1, "A", 5, 5, false), line(2, "B", 2, 3, true)]),
            PurchaseOrderStatus::Received
        );
        assert_eq!(
            status_after_receipt(&[line(1, "A", 5, 4, false)]),
            PurchaseOrderStatus::PartiallyReceived
        );
    }

    #[test]
    fn the_average_cost_weighs_units_and_rounds_half_up() {
        // 10 at 1.00 and 30 at 2.00: 70.00 / 40 = 1.75.
        assert_eq!(moving_average(10, Some(100), 30, 200), 175);
        // 1 at 0.01 and 2 at 0.02: 0.05 / 3 = 0.01666… → 0.02.
        assert_eq!(moving_average(1, Some(1), 2, 2), 2);
        // No stock, negative stock or no average yet: the receipt's cost.
        assert_eq!(moving_average(0, Some(500), 3, 200), 200);
        assert_eq!(moving_average(-4, Some(500), 3, 200), 200);
        assert_eq!(moving_average(7, None, 3, 200), 200);
        // The largest figures stay exact.
        assert_eq!(
            moving_average(1_000_000_000, Some(10_000_000_000), 1_000_000, 0),
            9_990_009_990
        );
    }
}
