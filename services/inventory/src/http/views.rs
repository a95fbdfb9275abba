//! The contract's views made from the domain's values.

use inventory_api::views::{LevelView, LocationView, MovementView, StockView, Totals};

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
