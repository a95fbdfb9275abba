//! The SQL of an import: the products a file names, the barcodes other products hold, and
//! the whole import written in one transaction with its events.

use std::collections::HashMap;

use events::{Envelope, Outbox};
use sqlx::{AssertSqlSafe, Row};
use storage::Db;
use storage::clock::millis;

use crate::product::Product;
use crate::search_grams;
use crate::store::{COLUMNS, StoreError, classify, placeholders, product_from_row, write_revision};

/// Rows per statement: 13 values each stays far below every engine's limit on bound values.
const CHUNK: usize = 100;

/// What an import writes: new products and changed ones, each with its event, and the events
/// that carry the opening stock (after the products' own).
pub struct Batch {
    pub created: Vec<(Product, Envelope)>,
    pub updated: Vec<(Product, Envelope)>,
    pub opening_stock: Vec<Envelope>,
}

/// The products among `skus` that exist, archived or not.
pub async fn products(db: &Db, skus: &[String]) -> Result<HashMap<String, Product>, sqlx::Error> {
    let mut found = HashMap::with_capacity(skus.len());
    for chunk in skus.chunks(500) {
        let sql = format!(
            "SELECT {COLUMNS} FROM catalog_products WHERE sku IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind(sku.clone());
        }
        for row in query.fetch_all(db.pool()).await? {
            let product = product_from_row(&row)?;
            found.insert(product.sku.clone(), product);
        }
    }
    Ok(found)
}

/// Which product holds each of `barcodes` that one holds.
pub async fn barcode_owners(db: &Db, barcodes: &[String]) -> Result<HashMap<String, String>, sqlx::Error> {
    let mut owners = HashMap::new();
    for chunk in barcodes.chunks(500) {
        let sql = format!(
            "SELECT barcode, sku FROM catalog_products WHERE barcode IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for barcode in chunk {
            query = query.bind(barcode.clone());
        }
        for row in query.fetch_all(db.pool()).await? {
            owners.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(owners)
}

/// Writes the whole batch, or nothing.
pub async fn write(db: &Db, outbox: &Outbox, batch: &Batch) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    for chunk in batch.created.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO catalog_products (sku, name, description, category, brand, price_cents, cost_cents, \
             barcode, tax_rate, active, serialized, warranty_months, created_at, updated_at, version) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (p, _) in chunk {
            query = query
                .bind(p.sku.clone())
                .bind(p.name.clone())
                .bind(p.description.clone())
                .bind(p.category.clone())
                .bind(p.brand.clone())
                .bind(p.price_cents)
                .bind(p.cost_cents)
                .bind(p.barcode.clone())
                .bind(p.tax_rate.clone())
                .bind(i64::from(p.active))
                .bind(i64::from(p.serialized))
                .bind(p.warranty_months)
                .bind(millis(p.created_at))
                .bind(millis(p.updated_at))
                .bind(p.version);
        }
        query
            .execute(&mut *tx)
            .await
            .map_err(|e| classify(e, &chunk[0].0.sku))?;
    }
    for (product, _) in &batch.updated {
        write_revision(&mut tx, product).await?;
    }
    let written: Vec<&str> = batch
        .created
        .iter()
        .chain(&batch.updated)
        .map(|(p, _)| p.sku.as_str())
        .collect();
    search_grams::queue(&mut tx, db.kind(), &written).await?;
    let events: Vec<Envelope> = batch
        .created
        .iter()
        .chain(&batch.updated)
        .map(|(_, event)| event.clone())
        .chain(batch.opening_stock.iter().cloned())
        .collect();
    outbox.append_all(&mut tx, &events).await?;
    tx.commit().await?;
    Ok(())
}
