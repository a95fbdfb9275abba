//! The contract's views made from the domain's values.

use inventory_api::rmas::{RmaRef, RmaStepView, RmaView};
use inventory_api::serials::{SerialStep, SerialView};
use inventory_api::views::{LevelView, LocationView, MovementView, StockView, Totals};
use kernel::serial::RmaState;

use crate::domain::rma::Rma;
use crate::domain::serials::{SerialEntry, SerialUnit};
use crate::domain::{Item, Level, Location, Movement};

pub fn level(l: &Level) -> LevelView {
    LevelView {
        location: l.location.clone(),
        on_hand: l.on_hand,
        reserved: l.reserved,
        available: l.available(),
        incoming: l.incoming,
        low_stock_threshold: l.low_stock_threshold,
        reorder_quantity: l.reorder_quantity,
        low: l.available() <= l.low_stock_threshold,
        follows_forecast: l.follows_forecast,
        version: l.version,
        updated_at: l.updated_at,
    }
}

/// A SKU's stock at every location and in total. Levels hold at most 10⁹ units either way,
/// so the totals of a shop's locations cannot overflow.
pub fn stock(item: &Item, levels: &[Level]) -> StockView {
    StockView {
        sku: item.sku.clone(),
        name: item.name.clone(),
        active: item.active,
        serialized: item.tracking.serialized,
        warranty_months: item.tracking.warranty_months,
        totals: Totals {
            on_hand: levels.iter().map(|l| l.on_hand).sum(),
            reserved: levels.iter().map(|l| l.reserved).sum(),
            available: levels.iter().map(Level::available).sum(),
            incoming: levels.iter().map(|l| l.incoming).sum(),
        },
        locations: levels.iter().map(level).collect(),
    }
}

pub fn movement(m: Movement) -> MovementView {
    MovementView {
        id: m.id,
        location: m.location,
        kind: m.kind,
        quantity: m.quantity,
        on_hand_before: m.on_hand_before,
        on_hand_after: m.on_hand_after,
        reason: m.reason,
        reference: m.reference,
        note: m.note,
        actor: m.actor,
        created_at: m.created_at,
    }
}

pub fn location(l: Location) -> LocationView {
    LocationView {
        code: l.code,
        name: l.name,
        active: l.active,
        allow_negative: l.allow_negative,
    }
}

/// A unit as the contract shows it; `today` decides whether its warranty still runs.
pub fn serial(
    (unit, name, history): (&SerialUnit, &str, &[SerialEntry]),
    cases: &[Rma],
    today: time::Date,
) -> SerialView {
    SerialView {
        serial: unit.serial.clone(),
        sku: unit.sku.clone(),
        name: name.to_owned(),
        state: unit.state,
        location: unit.location.clone(),
        held: unit.held_by.is_some(),
        sale_id: unit.sale_id.clone(),
        customer_id: unit.customer_id.clone(),
        sold_at: unit.sold_at,
        warranty_months: unit.warranty_months,
        warranty_ends_on: unit.warranty_ends_on().map(|d| d.to_string()),
        under_warranty: unit.under_warranty(today),
        received_at: unit.received_at,
        supplier: unit.supplier.clone(),
        purchase_order_id: unit.purchase_order_id.clone(),
        history: history
            .iter()
            .map(|e| SerialStep {
                change: e.change,
                state_after: e.state_after,
                location: e.location.clone(),
                reference: e.reference.clone(),
                note: e.note.clone(),
                actor: e.actor.clone(),
                at: e.at,
            })
            .collect(),
        cases: cases
            .iter()
            .filter(|c| c.sku == unit.sku)
            .map(|c| RmaRef {
                id: c.id.clone(),
                reference: c.reference(),
                state: c.state,
            })
            .collect(),
    }
}

/// A case with the states it may go to next.
pub fn rma(case: &Rma) -> RmaView {
    RmaView {
        id: case.id.clone(),
        reference: case.reference(),
        sku: case.sku.clone(),
        name: case.name.clone(),
        serial: case.serial.clone(),
        location: case.location.clone(),
        state: case.state,
        next: RmaState::ALL
            .iter()
            .copied()
            .filter(|to| case.state.may_become(*to))
            .collect(),
        customer_case: case.customer.is_some(),
        sale_id: case.customer.as_ref().and_then(|c| c.sale_id.clone()),
        customer_id: case.customer.as_ref().and_then(|c| c.customer_id.clone()),
        supplier_id: case.supplier_id.clone(),
        supplier_name: case.supplier_name.clone(),
        replacement_serial: case.replacement_serial.clone(),
        fault: case.fault.clone(),
        under_warranty: case.under_warranty,
        opened_by: case.opened_by.clone(),
        created_at: case.created_at,
        updated_at: case.updated_at,
        version: case.version,
        history: case
            .history
            .iter()
            .map(|e| RmaStepView {
                state: e.state,
                note: e.note.clone(),
                actor: e.actor.clone(),
                at: e.at,
            })
            .collect(),
    }
}
