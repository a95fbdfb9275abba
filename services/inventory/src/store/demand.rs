//! What was sold, day by day, from the ledger: the history reorder suggestions forecast from.

use std::collections::{BTreeMap, HashMap};

use kernel::MovementKind;
use sqlx::Row;

use super::InventoryStore;
use crate::error::InventoryError;

const DAY_MS: i64 = 86_400_000;

/// A product at a location, with what it sold per day.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub sku: String,
    pub name: String,
    pub on_hand: i64,
    /// Ordered from suppliers and not yet received.
    pub incoming: i64,
    /// Units sold per day over the history, oldest first (voids taken off their day).
    pub daily: Vec<f64>,
}

/// A product's preferred supplier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferred {
    pub supplier_id: String,
    pub supplier_name: String,
    pub lead_time_days: i64,
}

impl InventoryStore {
    /// Every active product at `location` with its sales per day over the `days` before
    /// `until_ms` (day boundaries are UTC midnights counted back from `until_ms`).
    pub async fn demand(
        &self,
        location: &str,
        days: u32,
        until_ms: i64,
    ) -> Result<Vec<Demand>, InventoryError> {
        let since = until_ms - i64::from(days) * DAY_MS;
        let levels = sqlx::query(
            "SELECT l.sku, i.name, l.on_hand, l.incoming FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
             WHERE l.location = ? AND i.active = 1 ORDER BY l.sku",
        )
        .bind(location.to_owned())
        .fetch_all(self.db.pool())
        .await?;
        let sold = sqlx::query(
            "SELECT sku, quantity, created_at FROM inventory_movements \
             WHERE location = ? AND kind IN (?, ?) AND created_at >= ? AND created_at < ?",
        )
        .bind(location.to_owned())
        .bind(MovementKind::Sale.as_str())
        .bind(MovementKind::SaleVoid.as_str())
        .bind(since)
        .bind(until_ms)
        .fetch_all(self.db.pool())
        .await?;
        let mut per_day: HashMap<String, BTreeMap<i64, i64>> = HashMap::new();
        for row in &sold {
            let day = (row.try_get::<i64, _>(2)? - since) / DAY_MS;
            // Sales take stock out (negative), voids put it back.
            *per_day
                .entry(row.try_get(0)?)
                .or_default()
                .entry(day)
                .or_default() -= row.try_get::<i64, _>(1)?;
        }
        levels
            .iter()
            .map(|row| {
                let sku: String = row.try_get(0)?;
                let days_sold = per_day.remove(&sku).unwrap_or_default();
                let daily = (0..i64::from(days))
                    .map(|d| days_sold.get(&d).copied().unwrap_or(0).max(0) as f64)
                    .collect();
                Ok(Demand {
                    name: row.try_get(1)?,
                    on_hand: row.try_get(2)?,
                    incoming: row.try_get(3)?,
                    sku,
                    daily,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(InventoryError::from)
    }

    /// The preferred supplier of every product that has one.
    pub async fn preferred_suppliers(&self) -> Result<HashMap<String, Preferred>, InventoryError> {
        let rows = sqlx::query(
            "SELECT i.sku, s.id, s.name, s.lead_time_days FROM inventory_supplier_items i \
             JOIN inventory_suppliers s ON s.id = i.supplier_id WHERE i.preferred = 1 AND s.archived = 0",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    Preferred {
                        supplier_id: r.try_get(1)?,
                        supplier_name: r.try_get(2)?,
                        lead_time_days: r.try_get(3)?,
                    },
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(InventoryError::from)
    }
}
