//! The shop's suppliers, and each product's suppliers.

use inventory_api::suppliers::{Supplier, SupplierItem};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use storage::clock::{from_millis, millis};
use time::OffsetDateTime;

use super::InventoryStore;
use crate::error::InventoryError;

const COLUMNS: &str =
    "id, name, contact, email, phone, lead_time_days, notes, archived, created_at, updated_at";

/// A supplier's fields, checked; for a change, `None` leaves a field and `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierFields {
    pub name: Option<String>,
    pub contact: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub lead_time_days: Option<i64>,
    pub notes: Option<Option<String>>,
}

/// One supplier of a product, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub supplier_id: String,
    pub supplier_sku: Option<String>,
    pub last_cost_cents: Option<i64>,
    pub preferred: bool,
}

impl InventoryStore {
    pub async fn add_supplier(&self, fields: &SupplierFields) -> Result<Supplier, InventoryError> {
        let id = uuid::Uuid::now_v7().to_string();
        let at = millis(OffsetDateTime::now_utc());
        sqlx::query(
            "INSERT INTO inventory_suppliers (id, name, contact, email, phone, lead_time_days, notes, archived, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(id.clone())
        .bind(fields.name.clone().unwrap_or_default())
        .bind(fields.contact.clone().flatten())
        .bind(fields.email.clone().flatten())
        .bind(fields.phone.clone().flatten())
        .bind(fields.lead_time_days.unwrap_or(7))
        .bind(fields.notes.clone().flatten())
        .bind(at)
        .bind(at)
        .execute(self.db.pool())
        .await?;
        self.supplier(&id)
            .await?
            .ok_or(InventoryError::SupplierNotFound(id))
    }

    pub async fn supplier(&self, id: &str) -> Result<Option<Supplier>, InventoryError> {
        Ok(sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM inventory_suppliers WHERE id = ?"
        )))
        .bind(id.to_owned())
        .fetch_optional(self.db.pool())
        .await?
        .as_ref()
        .map(supplier_from_row)
        .transpose()?)
    }

    /// Changes the fields given; `None` when there is no such supplier.
    pub async fn change_supplier(
        &self,
        id: &str,
        fields: &SupplierFields,
    ) -> Result<Option<Supplier>, InventoryError> {
        let Some(mut s) = self.supplier(id).await? else {
            return Ok(None);
        };
        if let Some(name) = &fields.name {
            s.name = name.clone();
        }
        for (value, change) in [
            (&mut s.contact, &fields.contact),
            (&mut s.email, &fields.email),
            (&mut s.phone, &fields.phone),
            (&mut s.notes, &fields.notes),
        ] {
            if let Some(change) = change {
                *value = change.clone();
            }
        }
        if let Some(days) = fields.lead_time_days {
            s.lead_time_days = days;
        }
        sqlx::query(
            "UPDATE inventory_suppliers SET name = ?, contact = ?, email = ?, phone = ?, lead_time_days = ?, \
             notes = ?, updated_at = ? WHERE id = ?",
        )
        .bind(s.name)
        .bind(s.contact)
        .bind(s.email)
        .bind(s.phone)
        .bind(s.lead_time_days)
        .bind(s.notes)
        .bind(millis(OffsetDateTime::now_utc()))
        .bind(id.to_owned())
        .execute(self.db.pool())
        .await?;
        self.supplier(id).await
    }

    /// Archives a supplier (kept for history); false when there is none.
    pub async fn archive_supplier(&self, id: &str) -> Result<bool, InventoryError> {
        let changed = sqlx::query("UPDATE inventory_suppliers SET archived = 1, updated_at = ? WHERE id = ?")
            .bind(millis(OffsetDateTime::now_utc()))
            .bind(id.to_owned())
            .execute(self.db.pool())
            .await?
            .rows_affected();
        Ok(changed > 0 || self.supplier(id).await?.is_some())
    }

    /// Suppliers in name order (any case), at most `limit`.
    pub async fn suppliers(
        &self,
        text: Option<&str>,
        archived: bool,
        limit: u32,
    ) -> Result<Vec<Supplier>, InventoryError> {
        let mut conditions = Vec::new();
        let mut args = Vec::new();
        if !archived {
            conditions.push("archived = 0");
        }
        if let Some(text) = text {
            conditions.push(
                "(LOWER(name) LIKE ? ESCAPE '!' OR LOWER(contact) LIKE ? ESCAPE '!' OR LOWER(email) LIKE ? ESCAPE '!' \
                 OR LOWER(phone) LIKE ? ESCAPE '!' OR LOWER(notes) LIKE ? ESCAPE '!')",
            );
            let pattern = format!("%{}%", storage::db::escape_like(&text.to_lowercase()));
            args.extend(std::iter::repeat_n(pattern, 5));
        }
        let where_clause = if conditions.is_empty() {
            "1 = 1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        // Only the fixed fragments above are in the SQL text; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM inventory_suppliers WHERE {where_clause} ORDER BY LOWER(name), id LIMIT ?"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for arg in args {
            query = query.bind(arg);
        }
        Ok(query
            .bind(i64::from(limit))
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(supplier_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// The suppliers of `sku`, the preferred first, then by name.
    pub async fn supplier_items(&self, sku: &str) -> Result<Vec<SupplierItem>, InventoryError> {
        let rows = sqlx::query(
            "SELECT i.supplier_id, s.name, i.supplier_sku, i.last_cost_cents, i.preferred, s.lead_time_days \
             FROM inventory_supplier_items i JOIN inventory_suppliers s ON s.id = i.supplier_id \
             WHERE i.sku = ? ORDER BY i.preferred DESC, LOWER(s.name), s.id",
        )
        .bind(sku.to_owned())
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(SupplierItem {
                    supplier_id: r.try_get(0)?,
                    supplier_name: r.try_get(1)?,
                    supplier_sku: r.try_get(2)?,
                    last_cost_cents: r.try_get(3)?,
                    preferred: r.try_get::<i64, _>(4)? != 0,
                    lead_time_days: r.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Replaces the suppliers of `sku` in one transaction.
    pub async fn replace_supplier_items(&self, sku: &str, items: &[NewItem]) -> Result<(), InventoryError> {
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM inventory_supplier_items WHERE sku = ?")
            .bind(sku.to_owned())
            .execute(&mut *tx)
            .await?;
        for item in items {
            sqlx::query(
                "INSERT INTO inventory_supplier_items (sku, supplier_id, supplier_sku, last_cost_cents, preferred) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(sku.to_owned())
            .bind(item.supplier_id.clone())
            .bind(item.supplier_sku.clone())
            .bind(item.last_cost_cents)
            .bind(i64::from(item.preferred))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

fn supplier_from_row(row: &AnyRow) -> Result<Supplier, sqlx::Error> {
    Ok(Supplier {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        contact: row.try_get(2)?,
        email: row.try_get(3)?,
        phone: row.try_get(4)?,
        lead_time_days: row.try_get(5)?,
        notes: row.try_get(6)?,
        archived: row.try_get::<i64, _>(7)? != 0,
        created_at: from_millis(row.try_get(8)?),
        updated_at: from_millis(row.try_get(9)?),
    })
}

impl InventoryStore {
    /// For each of `skus` the inventory knows: the cost an order to `supplier_id` starts at,
    /// the supplier's last cost for it, else the catalog's cost (`None`: neither is known).
    pub async fn order_costs(
        &self,
        supplier_id: &str,
        skus: &[String],
    ) -> Result<std::collections::HashMap<String, Option<i64>>, InventoryError> {
        let mut costs = std::collections::HashMap::with_capacity(skus.len());
        for chunk in skus.chunks(500) {
            let sql = format!(
                "SELECT i.sku, si.last_cost_cents, i.cost_cents FROM inventory_items i \
                 LEFT JOIN inventory_supplier_items si ON si.sku = i.sku AND si.supplier_id = ? \
                 WHERE i.sku IN ({})",
                super::placeholders(chunk.len())
            );
            let mut query = sqlx::query(AssertSqlSafe(sql)).bind(supplier_id.to_owned());
            for sku in chunk {
                query = query.bind(sku.clone());
            }
            for row in query.fetch_all(self.db.pool()).await? {
                let last: Option<i64> = row.try_get(1)?;
                costs.insert(row.try_get(0)?, last.or(row.try_get(2)?));
            }
        }
        Ok(costs)
    }
}
