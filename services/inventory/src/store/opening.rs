//! Opening stock loaded with an import of products: each line sets a level to a counted
//! quantity, as a stock take does, with its ledger entry and events, inside the consumer's
//! inbox transaction (so a redelivered event changes nothing a second time).

use events::catalog::OpeningStockImported;
use events::inventory::StockAdjusted;
use events::{Envelope, Outbox};
use sqlx::AnyConnection;
use storage::DatabaseKind;

use super::OUTBOX_TABLE;
use super::items::apply_catalog_product;
use super::ledger::{NewMovement, insert_movement};
use super::levels::{known_item, locked_level, usable_location, write_level};
use crate::SERVICE;
use crate::domain::{AdjustmentReason, CatalogProduct, Cause, FieldError, MovementKind};
use crate::error::InventoryError;

pub async fn apply_opening_stock(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    event: &OpeningStockImported,
    cause: &Cause,
) -> Result<(), InventoryError> {
    let outbox = Outbox::new(OUTBOX_TABLE);
    let mut lines: Vec<_> = event.lines.iter().collect();
    // The order every change locks levels in.
    lines.sort_by(|a, b| (&a.sku, &a.location).cmp(&(&b.sku, &b.location)));
    let note = format!("opening stock (import {})", event.import_id);
    for line in lines {
        // Known already, or made known here; version 0 lets the product's own events, which
        // may come later, set its prices and settings.
        let product = CatalogProduct {
            sku: line.sku.clone(),
            name: line.name.clone(),
            active: true,
            catalog_version: 0,
            prices: None,
            stock_defaults: None,
            tracking: None,
        };
        apply_catalog_product(conn, &product).await?;
        let item = known_item(conn, &line.sku).await?;
        usable_location(conn, &line.location).await?;
        let level = locked_level(conn, engine, &line.sku, &line.location).await?;
        let delta = line.quantity - level.on_hand;
        if delta == 0 {
            continue;
        }
        if item.tracking.serialized {
            // The catalog refuses such imports; a product serialized since needs a person.
            return Err(InventoryError::Validation(vec![FieldError::new(
                "lines",
                format!(
                    "{} carries serial numbers: its stock is received with them",
                    line.sku
                ),
            )]));
        }
        if !kernel::quantity::within_level_limit(line.quantity) {
            return Err(InventoryError::level_limit(&line.location, level.on_hand));
        }
        let (after, warning) = write_level(conn, &level, delta, &item, cause.at).await?;
        let movement = NewMovement {
            kind: MovementKind::Count,
            delta,
            after: &after,
            reason: Some(AdjustmentReason::CountCorrection),
            reference: None,
            note: Some(note.clone()),
            actor: Some("import".into()),
            at: cause.at,
        };
        let movement_id = insert_movement(conn, engine, &movement).await?;
        let adjusted = StockAdjusted {
            movement_id,
            sku: line.sku.clone(),
            location: line.location.clone(),
            delta,
            reason: AdjustmentReason::CountCorrection,
            on_hand_after: after.on_hand,
            note: Some(note.clone()),
            serials: Vec::new(),
        };
        outbox
            .append(
                conn,
                &Envelope::new(SERVICE, cause.correlation_id.clone(), cause.at, &adjusted),
            )
            .await?;
        if let Some(warning) = warning {
            outbox
                .append(
                    conn,
                    &Envelope::new(SERVICE, cause.correlation_id.clone(), cause.at, &warning),
                )
                .await?;
        }
    }
    Ok(())
}
