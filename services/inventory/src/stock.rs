//! What people do with stock, checked and then done: receive it, adjust it by hand, count it,
//! move it between locations, set when it warns; and read it. No HTTP and no SQL: inputs
//! arrive as the contract's types, the store does the transactions.

use std::sync::Arc;

use inventory_api::inputs::{AdjustmentInput, CountInput, RestockInput, SettingsInput, TransferInput};
use kernel::quantity::{change, counted, units_moved};
use kernel::text::{line, paragraph};
use kernel::{FieldError, FieldErrors, LocationCode, MovementKind, Sku};

use crate::domain::serials::parse_serials;
use crate::domain::{
    AdjustmentReason, Amount, Changed, Item, Level, LevelSettings, Movement, Origin, Restock, StockChange,
    StockValue, Transfer,
};
use crate::error::InventoryError;
use crate::store::levels::ListFilter;
use crate::store::{Answer, InventoryStore};

/// The most alerts one answer lists.
const MAX_ALERTS: u32 = 1000;

pub struct Stock {
    store: Arc<InventoryStore>,
}

impl Stock {
    pub fn new(store: Arc<InventoryStore>) -> Stock {
        Stock { store }
    }

    pub fn store(&self) -> &InventoryStore {
        &self.store
    }

    /// A SKU and every level of it.
    pub async fn stock(&self, sku: &str) -> Result<(Item, Vec<Level>), InventoryError> {
        let sku = known_sku(sku)?;
        let item = self
            .store
            .item(&sku)
            .await?
            .ok_or_else(|| InventoryError::UnknownSku(sku.clone()))?;
        Ok((item, self.store.levels(&sku).await?))
    }

    /// Up to `limit` SKUs after `after_sku`, with their levels (only at the filter's location).
    pub async fn list(
        &self,
        filter: &ListFilter,
        after_sku: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(Item, Vec<Level>)>, InventoryError> {
        self.store.list(filter, after_sku, limit).await
    }

    /// Up to `limit` ledger entries of a SKU before `before_id`, newest first.
    pub async fn movements(
        &self,
        sku: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Movement>, InventoryError> {
        let sku = known_sku(sku)?;
        if self.store.item(&sku).await?.is_none() {
            return Err(InventoryError::UnknownSku(sku));
        }
        self.store.movements(&sku, before_id, limit).await
    }

    /// Levels at or below their threshold.
    pub async fn alerts(
        &self,
        location: Option<&LocationCode>,
    ) -> Result<Vec<(Item, Level)>, InventoryError> {
        self.store
            .alerts(location.map(LocationCode::as_str), MAX_ALERTS)
            .await
    }

    pub async fn value(&self, location: Option<&LocationCode>) -> Result<StockValue, InventoryError> {
        self.store.stock_value(location.map(LocationCode::as_str)).await
    }

    pub async fn apply(
        &self,
        change: &StockChange,
        answer: Option<&Answer<'_>>,
    ) -> Result<Changed, InventoryError> {
        self.store.change(change, answer).await
    }

    /// Moves stock between two locations; a location that is wrong is named by its side.
    pub async fn transfer(
        &self,
        transfer: &Transfer,
        answer: Option<&Answer<'_>>,
    ) -> Result<(Level, Level), InventoryError> {
        let side = |code: &str, reason: String| {
            let field = if code == transfer.from.as_str() {
                "from"
            } else {
                "to"
            };
            InventoryError::Validation(vec![FieldError::new(field, reason)])
        };
        self.store.transfer(transfer, answer).await.map_err(|e| match e {
            InventoryError::UnknownLocation(code) => side(&code, format!("there is no location {code}")),
            InventoryError::InactiveLocation(code) => side(&code, format!("location {code} is deactivated")),
            other => other,
        })
    }

    pub async fn settings(&self, settings: &LevelSettings) -> Result<Level, InventoryError> {
        self.store.settings(settings).await
    }
}

/// The SKU of a path; text that cannot be a SKU names none the inventory knows.
pub fn known_sku(raw: &str) -> Result<String, InventoryError> {
    Sku::parse(raw)
        .map(Sku::into_string)
        .map_err(|_| InventoryError::UnknownSku(raw.to_owned()))
}

/// The location a change names, `main` when it names none.
fn location_or_main(errors: &mut FieldErrors, raw: Option<&str>) -> Option<LocationCode> {
    match raw {
        None => Some(LocationCode::main()),
        Some(raw) => errors.check("location", LocationCode::parse(raw)),
    }
}

/// Optional text checked by `parse`; blank is none.
fn text(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<Option<String>, String>,
) -> Option<String> {
    errors.optional(field, raw, parse).flatten().flatten()
}

/// A restock of `sku` from a supplier.
pub fn restock(sku: &str, input: &RestockInput, origin: Origin) -> Result<StockChange, InventoryError> {
    let sku = known_sku(sku)?;
    let mut errors = FieldErrors::new();
    let quantity = errors.required("quantity", input.quantity, units_moved);
    let location = location_or_main(&mut errors, input.location.as_deref());
    let supplier = text(&mut errors, "supplier", input.supplier.as_deref(), |v| {
        line(v, 100)
    });
    let reference = text(&mut errors, "reference", input.reference.as_deref(), |v| {
        line(v, 100)
    });
    let note = text(&mut errors, "note", input.note.as_deref(), |v| paragraph(v, 500));
    let serials = parse_serials(&mut errors, &input.serials, "serials");
    let unit_cost = errors.optional("unit_cost_cents", input.unit_cost_cents, |cost| {
        if (0..=kernel::Cents::MAX_PRICE.get()).contains(&cost) {
            Ok(cost)
        } else {
            Err(format!("must be between 0 and {}", kernel::Cents::MAX_PRICE))
        }
    });
    errors
        .finish_parsed(quantity.zip(location).zip(unit_cost))
        .map(|((quantity, location), unit_cost_cents)| StockChange {
            sku,
            location,
            amount: Amount::By(quantity),
            kind: MovementKind::Restock,
            reason: None,
            note,
            restock: Some(Restock {
                supplier,
                unit_cost_cents,
                reference,
            }),
            serials,
            origin,
        })
        .map_err(InventoryError::Validation)
}

/// A change of stock by hand, with its reason.
pub fn adjustment(sku: &str, input: &AdjustmentInput, origin: Origin) -> Result<StockChange, InventoryError> {
    let sku = known_sku(sku)?;
    let mut errors = FieldErrors::new();
    let delta = errors.required("delta", input.delta, change);
    let reason = errors.required("reason", input.reason.as_deref(), |r| {
        AdjustmentReason::parse(r).ok_or_else(|| format!("must be one of {}", AdjustmentReason::names()))
    });
    let location = location_or_main(&mut errors, input.location.as_deref());
    let note = text(&mut errors, "note", input.note.as_deref(), |v| paragraph(v, 500));
    let serials = parse_serials(&mut errors, &input.serials, "serials");
    errors
        .finish_parsed(delta.zip(reason).zip(location))
        .map(|((delta, reason), location)| StockChange {
            sku,
            location,
            amount: Amount::By(delta),
            kind: MovementKind::Adjustment,
            reason: Some(reason),
            note,
            restock: None,
            serials,
            origin,
        })
        .map_err(InventoryError::Validation)
}

/// A stock take: the difference to what was counted becomes the change.
pub fn count(sku: &str, input: &CountInput, origin: Origin) -> Result<StockChange, InventoryError> {
    let sku = known_sku(sku)?;
    let mut errors = FieldErrors::new();
    let counted = errors.required("counted", input.counted, counted);
    let location = location_or_main(&mut errors, input.location.as_deref());
    let note = text(&mut errors, "note", input.note.as_deref(), |v| paragraph(v, 500));
    let serials = parse_serials(&mut errors, &input.serials, "serials");
    errors
        .finish_parsed(counted.zip(location))
        .map(|(counted, location)| StockChange {
            sku,
            location,
            amount: Amount::To(counted),
            kind: MovementKind::Count,
            reason: Some(AdjustmentReason::CountCorrection),
            note,
            restock: None,
            serials,
            origin,
        })
        .map_err(InventoryError::Validation)
}

/// Stock moved from one location to another.
pub fn transfer(sku: &str, input: &TransferInput, origin: Origin) -> Result<Transfer, InventoryError> {
    let sku = known_sku(sku)?;
    let mut errors = FieldErrors::new();
    let from = errors.required("from", input.from.as_deref(), LocationCode::parse);
    let to = errors.required("to", input.to.as_deref(), LocationCode::parse);
    let quantity = errors.required("quantity", input.quantity, units_moved);
    let note = text(&mut errors, "note", input.note.as_deref(), |v| paragraph(v, 500));
    let serials = parse_serials(&mut errors, &input.serials, "serials");
    if from.is_some() && from == to {
        errors.push("to", "must differ from `from`");
    }
    errors
        .finish_parsed(from.zip(to).zip(quantity))
        .map(|((from, to), quantity)| Transfer {
            sku,
            from,
            to,
            quantity,
            serials,
            note,
            origin,
        })
        .map_err(InventoryError::Validation)
}

/// When a level warns, and how many to reorder then.
pub fn settings(sku: &str, input: &SettingsInput, origin: Origin) -> Result<LevelSettings, InventoryError> {
    let sku = known_sku(sku)?;
    let mut errors = FieldErrors::new();
    let location = location_or_main(&mut errors, input.location.as_deref());
    let threshold = errors.required("low_stock_threshold", input.low_stock_threshold, counted);
    let reorder = errors.required("reorder_quantity", input.reorder_quantity, counted);
    errors
        .finish_parsed(location.zip(threshold).zip(reorder))
        .map(
            |((location, low_stock_threshold), reorder_quantity)| LevelSettings {
                sku,
                location,
                low_stock_threshold,
                reorder_quantity,
                follows_forecast: input.follow_forecast.unwrap_or(false),
                origin,
            },
        )
        .map_err(InventoryError::Validation)
}
