//! Locations: where stock is kept (the shop floor, a back room, a second shop).

use super::{InventoryStore, location_from_row};
use crate::domain::Location;
use crate::error::InventoryError;
use storage::clock::now_ms;

impl InventoryStore {
    pub async fn locations(&self) -> Result<Vec<Location>, InventoryError> {
        let rows =
            sqlx::query("SELECT code, name, active, allow_negative FROM inventory_locations ORDER BY code")
                .fetch_all(self.db.pool())
                .await?;
        Ok(rows.iter().map(location_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn location(&self, code: &str) -> Result<Option<Location>, InventoryError> {
        let row =
            sqlx::query("SELECT code, name, active, allow_negative FROM inventory_locations WHERE code = ?")
                .bind(code.to_owned())
                .fetch_optional(self.db.pool())
                .await?;
        Ok(row.as_ref().map(location_from_row).transpose()?)
    }

    pub async fn create_location(&self, location: &Location) -> Result<(), InventoryError> {
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO inventory_locations (code, name, active, allow_negative, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(location.code.clone())
        .bind(location.name.clone())
        .bind(i64::from(location.active))
        .bind(i64::from(location.allow_negative))
        .bind(now_ms())
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if storage::db::unique_violation(&e).is_some() => {
                return Err(InventoryError::DuplicateLocation);
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_location(&self, location: &Location) -> Result<(), InventoryError> {
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE inventory_locations SET name = ?, active = ?, allow_negative = ? WHERE code = ?")
            .bind(location.name.clone())
            .bind(i64::from(location.active))
            .bind(i64::from(location.allow_negative))
            .bind(location.code.clone())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
