//! The transactions of the changes people make: restocks, adjustments and stock takes (one
//! level), transfers (two levels, both or neither), and low-stock settings.

use events::inventory::{RestockReceived, StockAdjusted, StockTransferred};
use kernel::serial::SerialChange;
use sqlx::AnyConnection;
use storage::DatabaseKind;
use storage::clock::millis;
use time::OffsetDateTime;

use super::costs::{CostedReceipt, record_cost, units_on_hand};
use super::ledger::{NewMovement, insert_movement, insert_restock};
use super::levels::{known_item, locked_level, usable_location, warning_for, write_level};
use super::{Answer, InventoryStore, envelope, serials};
use crate::domain::serials::check_serials;
use crate::domain::{
    AdjustmentReason, Amount, Changed, FieldError, Item, Level, LevelSettings, MovementKind, Restock,
    SerialNumber, StockChange, Transfer, low_stock,
};
use crate::error::InventoryError;

/// Serial numbers as events carry them.
pub(crate) fn names(serials: &[SerialNumber]) -> Vec<String> {
    serials.iter().map(|s| s.as_str().to_owned()).collect()
}

/// Refuses a level that would leave ±`MAX_LEVEL` units.
fn within_limit(location: &str, before: i64, after: i64) -> Result<(), InventoryError> {
    if kernel::quantity::within_level_limit(after) {
        Ok(())
    } else {
        Err(InventoryError::level_limit(location, before))
    }
}

impl InventoryStore {
    /// Applies one change of one level with its ledger entry and events, and stores `answer`
    /// for an idempotency key in the same transaction.
    pub async fn change(
        &self,
        change: &StockChange,
        answer: Option<&Answer<'_>>,
    ) -> Result<Changed, InventoryError> {
        let level = [(change.sku.as_str(), change.location.as_str())];
        self.retry_creating(&level, || self.change_once(change, answer))
            .await
    }

    async fn change_once(
        &self,
        change: &StockChange,
        answer: Option<&Answer<'_>>,
    ) -> Result<Changed, InventoryError> {
        let mut tx = self.db.begin().await?;
        let item = known_item(&mut tx, &change.sku).await?;
        let location = usable_location(&mut tx, change.location.as_str()).await?;
        let level = locked_level(&mut tx, self.db.kind(), &change.sku, &location.code).await?;
        let delta = match change.amount {
            Amount::By(delta) => delta,
            // A count is of the shelf: units held for sales at the counter (reserved, not yet
            // applied as sales) are off it, and still in the books until their sale moves them.
            // Counting them out here would take them twice once the sales are applied (found
            // by the fault campaign: stock below zero). Serialized units are counted by name.
            Amount::To(count) if !item.tracking.serialized => count + level.reserved - level.on_hand,
            Amount::To(count) => count - level.on_hand,
        };
        let moves = serial_moves(&mut tx, change, &item, (self.db.kind(), &location.code)).await?;
        if delta == 0 && moves.is_empty() {
            if answer.is_some() {
                self.store_answer(&mut tx, &change.sku, 200, (None, None), answer)
                    .await?;
                tx.commit().await?;
            }
            return Ok(Changed {
                level,
                movement_id: None,
                restock_id: None,
            });
        }
        let after = level.on_hand + delta;
        within_limit(&location.code, level.on_hand, after)?;
        // Only a change that takes units out can want more than there are: a delivery into a
        // level a late sale left below zero (a sale recorded after its reservation was given
        // up) brings it nearer to zero and is taken.
        if delta < 0 && after < 0 && !location.allow_negative {
            return Err(InventoryError::Insufficient {
                location: location.code,
                on_hand: level.on_hand,
                available: level.available(),
            });
        }
        let at = OffsetDateTime::now_utc();
        let costed = match &change.restock {
            Some(Restock {
                unit_cost_cents: Some(cost),
                ..
            }) if delta > 0 => Some((*cost, units_on_hand(&mut tx, &change.sku).await?)),
            _ => None,
        };
        let (level, warning) = write_level(&mut tx, &level, delta, &item, at).await?;
        let restock_id = match &change.restock {
            Some(restock) => Some(
                insert_restock(
                    &mut tx,
                    self.db.kind(),
                    &level,
                    delta,
                    restock,
                    change.note.as_deref(),
                    at,
                )
                .await?,
            ),
            None => None,
        };
        let movement = NewMovement {
            kind: change.kind,
            delta,
            after: &level,
            reason: change.reason,
            reference: change.restock.as_ref().and_then(|r| r.reference.clone()),
            note: change.note.clone(),
            actor: change.origin.actor.clone(),
            at,
        };
        let movement_id = insert_movement(&mut tx, self.db.kind(), &movement).await?;
        for (change_kind, serials) in &moves {
            let leaving = *change_kind != SerialChange::Received;
            let step = serials::Step {
                sku: &change.sku,
                change: *change_kind,
                on_shelf_at: leaving.then_some(location.code.as_str()),
                of_sale: None,
                to: &location.code,
                held_by: None,
                details: match (change_kind, &change.restock) {
                    (SerialChange::Received, restock) => serials::Details::Receipt {
                        supplier: restock.as_ref().and_then(|r| r.supplier.as_deref()),
                        purchase_order_id: None,
                    },
                    _ => serials::Details::Nothing,
                },
                reference: movement.reference.clone(),
                note: change.note.clone(),
                actor: change.origin.actor.clone(),
                at,
            };
            serials::step(&mut tx, self.db.kind(), &step, serials, "serials").await?;
        }
        if let Some((unit_cost_cents, units_before)) = costed {
            let receipt = CostedReceipt {
                sku: &change.sku,
                quantity: delta,
                unit_cost_cents,
                purchase_order_id: None,
                movement_id,
                at,
            };
            record_cost(&mut tx, units_before, &receipt).await?;
        }
        let event = match (&change.restock, restock_id) {
            (Some(restock), Some(restock_id)) => envelope(
                &change.origin,
                at,
                &RestockReceived {
                    restock_id,
                    sku: level.sku.clone(),
                    location: level.location.clone(),
                    quantity: delta,
                    on_hand_after: level.on_hand,
                    supplier: restock.supplier.clone(),
                    unit_cost_cents: restock.unit_cost_cents,
                    reference: restock.reference.clone(),
                    purchase_order_id: None,
                    purchase_order_number: None,
                    receipt_id: None,
                    serials: names(&change.serials),
                },
            ),
            _ => envelope(
                &change.origin,
                at,
                &StockAdjusted {
                    movement_id,
                    sku: level.sku.clone(),
                    location: level.location.clone(),
                    delta,
                    reason: change.reason.unwrap_or(AdjustmentReason::Other),
                    on_hand_after: level.on_hand,
                    note: change.note.clone(),
                    serials: names(&change.serials),
                },
            ),
        };
        self.outbox.append(&mut tx, &event).await?;
        if let Some(warning) = warning {
            self.outbox
                .append(&mut tx, &envelope(&change.origin, at, &warning))
                .await?;
        }
        self.store_answer(&mut tx, &change.sku, 201, (Some(movement_id), restock_id), answer)
            .await?;
        tx.commit().await?;
        Ok(Changed {
            level,
            movement_id: Some(movement_id),
            restock_id,
        })
    }

    /// Moves stock of one SKU from one location to another, both or neither, and stores
    /// `answer` for an idempotency key in the same transaction. Returns both levels after.
    pub async fn transfer(
        &self,
        transfer: &Transfer,
        answer: Option<&Answer<'_>>,
    ) -> Result<(Level, Level), InventoryError> {
        let levels = [
            (transfer.sku.as_str(), transfer.from.as_str()),
            (transfer.sku.as_str(), transfer.to.as_str()),
        ];
        self.retry_creating(&levels, || self.transfer_once(transfer, answer))
            .await
    }

    async fn transfer_once(
        &self,
        transfer: &Transfer,
        answer: Option<&Answer<'_>>,
    ) -> Result<(Level, Level), InventoryError> {
        let Transfer {
            sku,
            from,
            to,
            quantity,
            ..
        } = transfer;
        let quantity = *quantity;
        let mut tx = self.db.begin().await?;
        let item = known_item(&mut tx, sku).await?;
        let source = usable_location(&mut tx, from.as_str()).await?;
        usable_location(&mut tx, to.as_str()).await?;
        // Lock both rows in one fixed order, whatever the direction of the transfer.
        let (first, second) = if from < to { (from, to) } else { (to, from) };
        let first_level = locked_level(&mut tx, self.db.kind(), sku, first.as_str()).await?;
        let second_level = locked_level(&mut tx, self.db.kind(), sku, second.as_str()).await?;
        let (from_level, to_level) = if from < to {
            (first_level, second_level)
        } else {
            (second_level, first_level)
        };
        within_limit(&source.code, from_level.on_hand, from_level.on_hand - quantity)?;
        within_limit(to.as_str(), to_level.on_hand, to_level.on_hand + quantity)?;
        if from_level.on_hand - quantity < 0 && !source.allow_negative {
            return Err(InventoryError::Insufficient {
                location: source.code,
                on_hand: from_level.on_hand,
                available: from_level.available(),
            });
        }
        check_serials(sku, item.tracking, quantity, &transfer.serials, "serials")
            .map_err(|e| InventoryError::Validation(vec![e]))?;
        let at = OffsetDateTime::now_utc();
        let moved = serials::Step {
            sku,
            change: SerialChange::Moved,
            on_shelf_at: Some(from.as_str()),
            of_sale: None,
            to: to.as_str(),
            held_by: None,
            details: serials::Details::Nothing,
            reference: None,
            note: transfer.note.clone(),
            actor: transfer.origin.actor.clone(),
            at,
        };
        serials::step(&mut tx, self.db.kind(), &moved, &transfer.serials, "serials").await?;
        let movement = |kind, delta, after| NewMovement {
            kind,
            delta,
            after,
            reason: None,
            reference: None,
            note: transfer.note.clone(),
            actor: transfer.origin.actor.clone(),
            at,
        };
        let (from_after, from_warning) = write_level(&mut tx, &from_level, -quantity, &item, at).await?;
        insert_movement(
            &mut tx,
            self.db.kind(),
            &movement(MovementKind::TransferOut, -quantity, &from_after),
        )
        .await?;
        let (to_after, to_warning) = write_level(&mut tx, &to_level, quantity, &item, at).await?;
        insert_movement(
            &mut tx,
            self.db.kind(),
            &movement(MovementKind::TransferIn, quantity, &to_after),
        )
        .await?;
        let transferred = StockTransferred {
            sku: sku.clone(),
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
            quantity,
            from_on_hand_after: from_after.on_hand,
            to_on_hand_after: to_after.on_hand,
            serials: names(&transfer.serials),
        };
        self.outbox
            .append(&mut tx, &envelope(&transfer.origin, at, &transferred))
            .await?;
        for warning in [from_warning, to_warning].into_iter().flatten() {
            self.outbox
                .append(&mut tx, &envelope(&transfer.origin, at, &warning))
                .await?;
        }
        self.store_answer(&mut tx, sku, 201, (None, None), answer).await?;
        tx.commit().await?;
        Ok((from_after, to_after))
    }

    /// Sets the threshold and reorder quantity of one level; a threshold raised above the
    /// available stock sends the warning at once.
    pub async fn settings(&self, settings: &LevelSettings) -> Result<Level, InventoryError> {
        let level = [(settings.sku.as_str(), settings.location.as_str())];
        self.retry_creating(&level, || self.settings_once(settings)).await
    }

    async fn settings_once(&self, settings: &LevelSettings) -> Result<Level, InventoryError> {
        let mut tx = self.db.begin().await?;
        let item = known_item(&mut tx, &settings.sku).await?;
        usable_location(&mut tx, settings.location.as_str()).await?;
        let level = locked_level(&mut tx, self.db.kind(), &settings.sku, settings.location.as_str()).await?;
        let state = low_stock(
            level.available(),
            settings.low_stock_threshold,
            level.warned,
            item.active,
        );
        let at = OffsetDateTime::now_utc();
        write_settings(&mut tx, settings, state.warned, at).await?;
        let level = Level {
            low_stock_threshold: settings.low_stock_threshold,
            reorder_quantity: settings.reorder_quantity,
            follows_forecast: settings.follows_forecast,
            warned: state.warned,
            version: level.version + 1,
            updated_at: storage::clock::stored_precision(at),
            ..level
        };
        if state.warn_now {
            self.outbox
                .append(&mut tx, &envelope(&settings.origin, at, &warning_for(&level)))
                .await?;
        }
        tx.commit().await?;
        Ok(level)
    }
}

/// What a change of a serialized SKU's stock does to its units, each step with the units it
/// moves: received (or found) units go on the shelf; units taken off are found faulty when
/// damaged, else written off; a count names every unit on the shelf, so units it does not
/// name are written off and units it names that were not there are received. A change of
/// any other SKU names no units.
async fn serial_moves(
    tx: &mut AnyConnection,
    change: &StockChange,
    item: &Item,
    (engine, location): (DatabaseKind, &str),
) -> Result<Vec<(SerialChange, Vec<SerialNumber>)>, InventoryError> {
    let refused = |e: FieldError| InventoryError::Validation(vec![e]);
    let units = match change.amount {
        Amount::By(delta) => delta.abs(),
        Amount::To(count) => count,
    };
    check_serials(&change.sku, item.tracking, units, &change.serials, "serials").map_err(refused)?;
    if !item.tracking.serialized {
        return Ok(Vec::new());
    }
    // A count of a serialized product always compares with the shelf: one of none takes every unit off.
    let moves: Vec<(SerialChange, Vec<SerialNumber>)> = match change.amount {
        Amount::By(delta) if delta > 0 => vec![(SerialChange::Received, change.serials.clone())],
        Amount::By(_) if change.reason == Some(AdjustmentReason::Damaged) => {
            vec![(SerialChange::FoundFaulty, change.serials.clone())]
        }
        Amount::By(_) => vec![(SerialChange::Scrapped, change.serials.clone())],
        Amount::To(_) => {
            let shelf = serials::on_shelf(tx, engine, &change.sku, location).await?;
            let missing: Vec<SerialNumber> = shelf
                .iter()
                .filter(|s| !change.serials.iter().any(|c| c.as_str() == s.as_str()))
                .filter_map(|s| SerialNumber::parse(s).ok())
                .collect();
            let found: Vec<SerialNumber> = change
                .serials
                .iter()
                .filter(|c| !shelf.iter().any(|s| s == c.as_str()))
                .cloned()
                .collect();
            // The level becomes the count and the shelf its units, so a level that held units
            // without serial numbers (a product serialized after it was stocked) is put right.
            vec![(SerialChange::Scrapped, missing), (SerialChange::Received, found)]
        }
    };
    Ok(moves.into_iter().filter(|(_, units)| !units.is_empty()).collect())
}

async fn write_settings(
    tx: &mut AnyConnection,
    settings: &LevelSettings,
    warned: bool,
    at: OffsetDateTime,
) -> Result<(), InventoryError> {
    sqlx::query(
        "UPDATE inventory_levels SET low_stock_threshold = ?, reorder_quantity = ?, warned = ?, follows_forecast = ?, \
         version = version + 1, updated_at = ? WHERE sku = ? AND location = ?",
    )
    .bind(settings.low_stock_threshold)
    .bind(settings.reorder_quantity)
    .bind(i64::from(warned))
    .bind(i64::from(settings.follows_forecast))
    .bind(millis(at))
    .bind(settings.sku.clone())
    .bind(settings.location.as_str().to_owned())
    .execute(&mut *tx)
    .await?;
    Ok(())
}
