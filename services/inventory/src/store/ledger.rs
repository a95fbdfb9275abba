//! The stock ledger: every change of a level appends one movement, with who made it and why;
//! restocks are also kept with their supplier and cost.

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::DatabaseKind;
use storage::clock::millis;
use time::OffsetDateTime;

use super::{InventoryStore, integer_type, movement_from_row};
use crate::domain::{AdjustmentReason, Level, Movement, MovementKind, Restock};
use crate::error::InventoryError;

/// A ledger entry about to be written: `delta` took the level to `after`.
pub(crate) struct NewMovement<'a> {
    pub kind: MovementKind,
    pub delta: i64,
    pub after: &'a Level,
    pub reason: Option<AdjustmentReason>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub at: OffsetDateTime,
}

/// A level whose on-hand is not the sum of its ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMismatch {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub ledger: i64,
}

impl InventoryStore {
    /// Every level whose on-hand differs from the sum of its movements: none, unless a row was
    /// changed behind the inventory's back. The inventory checks this now and then and says so
    /// in `inventory_ledger_mismatches`.
    pub async fn ledger_mismatches(&self) -> Result<Vec<LedgerMismatch>, InventoryError> {
        let integer = integer_type(self.db.kind());
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT l.sku, l.location, l.on_hand, CAST(COALESCE(SUM(m.quantity), 0) AS {integer}) AS ledger \
             FROM inventory_levels l LEFT JOIN inventory_movements m ON m.sku = l.sku AND m.location = l.location \
             GROUP BY l.sku, l.location, l.on_hand HAVING l.on_hand <> CAST(COALESCE(SUM(m.quantity), 0) AS {integer}) \
             ORDER BY l.sku, l.location"
        )))
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LedgerMismatch {
                    sku: row.try_get(0)?,
                    location: row.try_get(1)?,
                    on_hand: row.try_get(2)?,
                    ledger: row.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(InventoryError::from)
    }

    /// The ledger of `sku`, newest first, before movement `before_id`.
    pub async fn movements(
        &self,
        sku: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Movement>, InventoryError> {
        let rows = sqlx::query(
            "SELECT id, sku, location, kind, quantity, on_hand_before, on_hand_after, reason, reference, \
             note, actor, created_at FROM inventory_movements WHERE sku = ? AND id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(sku.to_owned())
        .bind(before_id.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.iter().map(movement_from_row).collect::<Result<_, _>>()?)
    }
}

/// Which ledger entries an export holds.
#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub sku: Option<String>,
    pub location: Option<String>,
    pub kind: Option<MovementKind>,
    /// Unix milliseconds: at or after.
    pub from_ms: Option<i64>,
    /// Unix milliseconds: before.
    pub to_ms: Option<i64>,
}

impl InventoryStore {
    /// Up to `limit` ledger entries matching `filter` after entry `after_id`, oldest first.
    pub async fn movements_matching(
        &self,
        filter: &MovementFilter,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Movement>, InventoryError> {
        let mut sql = String::from(
            "SELECT id, sku, location, kind, quantity, on_hand_before, on_hand_after, reason, reference, \
             note, actor, created_at FROM inventory_movements WHERE id > ?",
        );
        // Only these fixed fragments are added to the SQL text; every value is bound.
        for (present, condition) in [
            (filter.sku.is_some(), " AND sku = ?"),
            (filter.location.is_some(), " AND location = ?"),
            (filter.kind.is_some(), " AND kind = ?"),
            (filter.from_ms.is_some(), " AND created_at >= ?"),
            (filter.to_ms.is_some(), " AND created_at < ?"),
        ] {
            if present {
                sql.push_str(condition);
            }
        }
        sql.push_str(" ORDER BY id LIMIT ?");
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(after_id);
        if let Some(sku) = &filter.sku {
            query = query.bind(sku.clone());
        }
        if let Some(location) = &filter.location {
            query = query.bind(location.clone());
        }
        if let Some(kind) = filter.kind {
            query = query.bind(kind.as_str());
        }
        if let Some(from) = filter.from_ms {
            query = query.bind(from);
        }
        if let Some(to) = filter.to_ms {
            query = query.bind(to);
        }
        let rows = query.bind(i64::from(limit)).fetch_all(self.db.pool()).await?;
        Ok(rows.iter().map(movement_from_row).collect::<Result<_, _>>()?)
    }
}

pub(crate) async fn insert_movement(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    movement: &NewMovement<'_>,
) -> Result<i64, InventoryError> {
    sqlx::query(
        "INSERT INTO inventory_movements (sku, location, kind, quantity, on_hand_before, on_hand_after, \
         reason, reference, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(movement.after.sku.clone())
    .bind(movement.after.location.clone())
    .bind(movement.kind.as_str())
    .bind(movement.delta)
    .bind(movement.after.on_hand - movement.delta)
    .bind(movement.after.on_hand)
    .bind(movement.reason.map(AdjustmentReason::as_str))
    .bind(movement.reference.clone())
    .bind(movement.note.clone())
    .bind(movement.actor.clone())
    .bind(millis(movement.at))
    .execute(&mut *tx)
    .await?;
    Ok(storage::db::last_insert_id(tx, engine).await?)
}

pub(crate) async fn insert_restock(
    tx: &mut AnyConnection,
    kind: DatabaseKind,
    level: &Level,
    quantity: i64,
    restock: &Restock,
    note: Option<&str>,
    at: OffsetDateTime,
) -> Result<i64, InventoryError> {
    sqlx::query(
        "INSERT INTO inventory_restocks (sku, location, quantity, supplier, unit_cost_cents, reference, note, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(level.sku.clone())
    .bind(level.location.clone())
    .bind(quantity)
    .bind(restock.supplier.clone())
    .bind(restock.unit_cost_cents)
    .bind(restock.reference.clone())
    .bind(note.map(str::to_owned))
    .bind(millis(at))
    .execute(&mut *tx)
    .await?;
    Ok(storage::db::last_insert_id(tx, kind).await?)
}
