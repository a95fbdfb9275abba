//! The moving weighted average cost of each SKU: moved by every costed receipt (a restock with
//! a unit cost, a delivery against a purchase order) and kept with its history.

use inventory_api::valuation::StockValueLine;
use inventory_api::views::{CostChange, CostHistory};
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::clock::{from_millis, millis};
use time::OffsetDateTime;

use super::InventoryStore;
use crate::domain::purchasing::moving_average;
use crate::error::InventoryError;

/// Units of stock whose cost is being averaged when a receipt arrives.
pub(crate) struct CostedReceipt<'a> {
    pub sku: &'a str,
    pub quantity: i64,
    pub unit_cost_cents: i64,
    pub purchase_order_id: Option<&'a str>,
    pub movement_id: i64,
    pub at: OffsetDateTime,
}

/// The units of `sku` on hand at every location, counting levels below zero as none: what
/// the average cost is the cost of. Read before a receipt changes the levels.
pub(crate) async fn units_on_hand(tx: &mut AnyConnection, sku: &str) -> Result<i64, InventoryError> {
    let rows = sqlx::query("SELECT on_hand FROM inventory_levels WHERE sku = ? AND on_hand > 0")
        .bind(sku.to_owned())
        .fetch_all(&mut *tx)
        .await?;
    rows.iter()
        .map(|row| row.try_get::<i64, _>(0))
        .sum::<Result<i64, _>>()
        .map_err(InventoryError::from)
}

/// Moves the SKU's average cost by a receipt of `receipt.quantity` units that joined
/// `units_before`, and records how. Before the first receipt the catalog's cost stands in.
pub(crate) async fn record_cost(
    tx: &mut AnyConnection,
    units_before: i64,
    receipt: &CostedReceipt<'_>,
) -> Result<i64, InventoryError> {
    let row = sqlx::query("SELECT average_cost_cents, cost_cents FROM inventory_items WHERE sku = ?")
        .bind(receipt.sku.to_owned())
        .fetch_one(&mut *tx)
        .await?;
    let before: Option<i64> = row.try_get::<Option<i64>, _>(0)?.or(row.try_get(1)?);
    let after = moving_average(units_before, before, receipt.quantity, receipt.unit_cost_cents);
    sqlx::query("UPDATE inventory_items SET average_cost_cents = ? WHERE sku = ?")
        .bind(after)
        .bind(receipt.sku.to_owned())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO inventory_cost_history (sku, quantity, unit_cost_cents, units_before, average_before, \
         average_after, purchase_order_id, movement_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(receipt.sku.to_owned())
    .bind(receipt.quantity)
    .bind(receipt.unit_cost_cents)
    .bind(units_before)
    .bind(before)
    .bind(after)
    .bind(receipt.purchase_order_id.map(str::to_owned))
    .bind(receipt.movement_id)
    .bind(millis(receipt.at))
    .execute(&mut *tx)
    .await?;
    Ok(after)
}

impl InventoryStore {
    /// Up to `limit` levels with stock after `after` (SKU, location), in that order, with each
    /// SKU's unit cost (average, else the catalog's) and price.
    pub async fn stock_values(
        &self,
        location: Option<&str>,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<StockValueLine>, InventoryError> {
        let (after_sku, after_location) = after.unwrap_or(("", ""));
        let at = if location.is_some() {
            "AND l.location = ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT l.sku, l.location, l.on_hand, COALESCE(i.average_cost_cents, i.cost_cents), i.price_cents \
             FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
             WHERE l.on_hand <> 0 AND (l.sku > ? OR (l.sku = ? AND l.location > ?)) {at} \
             ORDER BY l.sku, l.location LIMIT ?"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(after_sku.to_owned())
            .bind(after_sku.to_owned())
            .bind(after_location.to_owned());
        if let Some(location) = location {
            query = query.bind(location.to_owned());
        }
        let rows = query.bind(i64::from(limit)).fetch_all(self.db.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(StockValueLine {
                    sku: row.try_get(0)?,
                    location: row.try_get(1)?,
                    on_hand: row.try_get(2)?,
                    unit_cost_cents: row.try_get(3)?,
                    price_cents: row.try_get(4)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(InventoryError::from)
    }

    /// The SKU's average cost and the latest `limit` receipts that moved it, newest first.
    pub async fn cost_history(&self, sku: &str, limit: u32) -> Result<CostHistory, InventoryError> {
        let item = sqlx::query("SELECT average_cost_cents, cost_cents FROM inventory_items WHERE sku = ?")
            .bind(sku.to_owned())
            .fetch_optional(self.db.pool())
            .await?
            .ok_or_else(|| InventoryError::UnknownSku(sku.to_owned()))?;
        let rows = sqlx::query(AssertSqlSafe(
            "SELECT quantity, unit_cost_cents, units_before, average_before, average_after, purchase_order_id, \
             movement_id, created_at FROM inventory_cost_history WHERE sku = ? ORDER BY id DESC LIMIT ?",
        ))
        .bind(sku.to_owned())
        .bind(i64::from(limit))
        .fetch_all(self.db.pool())
        .await?;
        let changes = rows
            .iter()
            .map(|row| {
                Ok(CostChange {
                    quantity: row.try_get(0)?,
                    unit_cost_cents: row.try_get(1)?,
                    units_before: row.try_get(2)?,
                    average_before_cost_cents: row.try_get(3)?,
                    average_after_cost_cents: row.try_get(4)?,
                    purchase_order_id: row.try_get(5)?,
                    movement_id: row.try_get(6)?,
                    at: from_millis(row.try_get(7)?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(CostHistory {
            sku: sku.to_owned(),
            average_cost_cents: item.try_get(0)?,
            catalog_cost_cents: item.try_get(1)?,
            changes,
        })
    }
}
