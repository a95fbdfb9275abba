//! SQL for the catalog's tables. Every statement is plain SQL with `?` placeholders that both
//! SQLite and MySQL run unchanged, but for the search index, which only SQLite has (its
//! migration says why); every change and its outbox event commit together.

use events::{Envelope, Outbox};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use storage::clock::{from_millis, millis};
use storage::{DatabaseKind, Db};
use time::OffsetDateTime;

use crate::product::Product;
use crate::search_grams;

pub const OUTBOX_TABLE: &str = "catalog_outbox";

pub(crate) const COLUMNS: &str = "sku, name, description, category, brand, price_cents, cost_cents, barcode, tax_rate, \
                       active, serialized, warranty_months, created_at, updated_at, version";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a product with SKU {0} already exists")]
    DuplicateSku(String),
    #[error("another product already has this barcode")]
    DuplicateBarcode,
    #[error("no product with SKU {0}")]
    NotFound(String),
    /// The row is no longer at the version the change was based on.
    #[error("the product changed meanwhile; it is now at version {current}")]
    VersionMismatch { current: i64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Which products a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActiveFilter {
    #[default]
    Active,
    Archived,
    Any,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Case-insensitive substring of SKU, name, description, brand or barcode.
    pub text: Option<String>,
    pub category: Option<String>,
    /// Exact barcode, for the counter's scanner.
    pub barcode: Option<String>,
    pub active: ActiveFilter,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    pub name: String,
    pub product_count: i64,
}

#[derive(Clone, Debug)]
pub struct ProductStore {
    db: Db,
    outbox: Outbox,
}

impl ProductStore {
    pub fn new(db: Db) -> ProductStore {
        ProductStore {
            db,
            outbox: Outbox::new(OUTBOX_TABLE),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Inserts version 1 of `product` and its creation event.
    pub async fn insert(&self, product: &Product, event: &Envelope) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO catalog_products (sku, name, description, category, brand, price_cents, \
             cost_cents, barcode, tax_rate, active, serialized, warranty_months, created_at, updated_at, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(product.sku.clone())
        .bind(product.name.clone())
        .bind(product.description.clone())
        .bind(product.category.clone())
        .bind(product.brand.clone())
        .bind(product.price_cents)
        .bind(product.cost_cents)
        .bind(product.barcode.clone())
        .bind(product.tax_rate.clone())
        .bind(i64::from(product.active))
        .bind(i64::from(product.serialized))
        .bind(product.warranty_months)
        .bind(millis(product.created_at))
        .bind(millis(product.updated_at))
        .bind(product.version)
        .execute(&mut *tx)
        .await;
        match inserted.map_err(|e| classify(e, &product.sku)) {
            // Both rules may be broken at once and the engines disagree on which they report;
            // a taken SKU is the more fundamental conflict, so it wins.
            Err(StoreError::DuplicateBarcode) => {
                drop(tx);
                if self.get(&product.sku).await?.is_some() {
                    return Err(StoreError::DuplicateSku(product.sku.clone()));
                }
                return Err(StoreError::DuplicateBarcode);
            }
            other => other?,
        };
        search_grams::queue(&mut tx, self.db.kind(), &[&product.sku]).await?;
        self.outbox.append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn get(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        let row = sqlx::query(select_where("sku = ?"))
            .bind(sku.to_owned())
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.as_ref().map(product_from_row).transpose()?)
    }

    /// Reads the product `sku` and lets `change` decide its next version, all in one write
    /// transaction that holds the row until commit (SQLite: the write lock `BEGIN IMMEDIATE`
    /// takes; MySQL: `SELECT … FOR UPDATE`). Concurrent changes of one product therefore run
    /// one after another, each on the version the previous one wrote, so none is lost and a
    /// version precondition is checked against the row actually being replaced.
    ///
    /// `change` returns `None` to leave the product as it is. Returns the stored product.
    pub async fn modify<E>(
        &self,
        sku: &str,
        change: impl FnOnce(&Product) -> Result<Option<(Product, Envelope)>, E>,
    ) -> Result<Product, E>
    where
        E: From<StoreError>,
    {
        let mut tx = self.db.begin().await.map_err(StoreError::from)?;
        let locking_read = match self.db.kind() {
            DatabaseKind::MySql => select_where("sku = ? FOR UPDATE"),
            DatabaseKind::Sqlite => select_where("sku = ?"),
        };
        let row = sqlx::query(locking_read)
            .bind(sku.to_owned())
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        let current = row
            .as_ref()
            .map(product_from_row)
            .transpose()
            .map_err(StoreError::from)?
            .ok_or_else(|| StoreError::NotFound(sku.to_owned()))?;
        // Returning early drops the transaction, which rolls it back and releases the row.
        let Some((revised, event)) = change(&current)? else {
            return Ok(current);
        };
        write_revision(&mut tx, &revised).await?;
        if search_grams::text_changed(&current, &revised) {
            search_grams::queue(&mut tx, self.db.kind(), &[&revised.sku])
                .await
                .map_err(StoreError::from)?;
        }
        self.outbox
            .append(&mut tx, &event)
            .await
            .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(revised)
    }

    /// One page of products in SKU order, starting after `after_sku`.
    pub async fn list(
        &self,
        filter: &ListFilter,
        after_sku: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Product>, StoreError> {
        let mut conditions = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let mut source = None;
        match filter.active {
            ActiveFilter::Active => conditions.push("active = 1"),
            ActiveFilter::Archived => conditions.push("active = 0"),
            ActiveFilter::Any => {}
        }
        if let Some(category) = &filter.category {
            conditions.push("category = ?");
            args.push(category.clone());
        }
        if let Some(barcode) = &filter.barcode {
            conditions.push("barcode = ?");
            args.push(barcode.clone());
        }
        if let Some(text) = &filter.text {
            conditions.push(
                "(LOWER(sku) LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!' \
                 OR LOWER(description) LIKE ? ESCAPE '!' OR LOWER(brand) LIKE ? ESCAPE '!' \
                 OR barcode LIKE ? ESCAPE '!')",
            );
            let lowered = text.to_lowercase();
            let pattern = format!("%{}%", storage::db::escape_like(&lowered));
            args.extend(std::iter::repeat_n(pattern, 5));
            match self.narrowing(&lowered).await? {
                Some(Narrowing::Among(condition, arg)) => {
                    conditions.push(condition);
                    args.push(arg);
                }
                Some(Narrowing::Driven(candidates, arg)) => source = Some((candidates, arg)),
                None => {}
            }
        }
        if let Some(after) = after_sku {
            conditions.push("sku > ?");
            args.push(after.to_owned());
        }
        let where_clause = if conditions.is_empty() {
            "1 = 1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        // The SQL text is assembled only from the fixed fragments above; every value is bound.
        let sql = match &source {
            None => {
                format!("SELECT {COLUMNS} FROM catalog_products WHERE {where_clause} ORDER BY sku LIMIT ?")
            }
            Some((candidates, arg)) => {
                args.insert(0, arg.clone());
                format!(
                    "SELECT {COLUMNS} FROM ({candidates}) g STRAIGHT_JOIN catalog_products ON sku = g.candidate \
                     WHERE {where_clause} ORDER BY g.candidate LIMIT ?"
                )
            }
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for arg in args {
            query = query.bind(arg);
        }
        let rows = query.bind(i64::from(limit)).fetch_all(self.db.pool()).await?;
        Ok(rows.iter().map(product_from_row).collect::<Result<_, _>>()?)
    }

    /// A condition naming the few products the engine's search index says may hold `text`,
    /// with its argument, when the index names few enough that checking just those beats
    /// reading the catalog in SKU order until a page is full: the index finds a rare text at
    /// once, while a text most products hold fills a page from the first few rows read.
    async fn narrowing(&self, text: &str) -> Result<Option<Narrowing>, StoreError> {
        match self.db.kind() {
            DatabaseKind::Sqlite if self.few_contain(text).await? => Ok(Some(Narrowing::Among(
                "sku IN (SELECT r.sku FROM catalog_search s JOIN catalog_search_rows r ON r.row = s.rowid \
                 WHERE catalog_search MATCH ?)",
                search_phrase(text),
            ))),
            DatabaseKind::Sqlite => Ok(None),
            DatabaseKind::MySql => {
                Ok(search_grams::narrowing(self.db.pool(), text, INDEXED_CANDIDATES).await?)
            }
        }
    }

    /// Whether SQLite's FTS5 trigram index names at most [`INDEXED_CANDIDATES`] products
    /// holding `text`.
    async fn few_contain(&self, text: &str) -> Result<bool, StoreError> {
        if text.chars().count() < 3 || text.contains('\u{1f}') {
            return Ok(false);
        }
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT rowid FROM catalog_search WHERE catalog_search MATCH ? LIMIT ?) t",
        )
        .bind(search_phrase(text))
        .bind(INDEXED_CANDIDATES + 1)
        .fetch_one(self.db.pool())
        .await?;
        Ok(found <= INDEXED_CANDIDATES)
    }

    /// Categories of active products, with how many products each has.
    pub async fn categories(&self) -> Result<Vec<CategoryCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT MIN(category), COUNT(*) FROM catalog_products WHERE active = 1 \
             GROUP BY LOWER(category) ORDER BY LOWER(category)",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CategoryCount {
                    name: row.try_get(0)?,
                    product_count: row.try_get(1)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

/// How a search reads fewer products than the whole catalog, from what the engine's search
/// index says may hold its text. Each fragment has one argument.
pub enum Narrowing {
    /// Only the products meeting a condition.
    Among(&'static str, String),
    /// The products a query names as `candidate`, in SKU order: the rows are read in that order
    /// (MySQL's `STRAIGHT_JOIN`), so a page stops at its last product instead of reading and
    /// sorting every candidate.
    Driven(&'static str, String),
}

/// The most products the search index may name for a search to check them one by one.
const INDEXED_CANDIDATES: i64 = 2_000;

/// `text` as one FTS5 phrase: with the trigram tokenizer, the rows holding it as a substring.
fn search_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// `n` bind markers for an `IN (…)` list.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn select_where(condition: &'static str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM catalog_products WHERE {condition}"
    ))
}

/// Writes `revised` over the row at the version before it.
pub(crate) async fn write_revision(conn: &mut AnyConnection, revised: &Product) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE catalog_products SET name = ?, description = ?, category = ?, brand = ?, \
         price_cents = ?, cost_cents = ?, barcode = ?, tax_rate = ?, active = ?, serialized = ?, \
         warranty_months = ?, updated_at = ?, version = ? \
         WHERE sku = ? AND version = ?",
    )
    .bind(revised.name.clone())
    .bind(revised.description.clone())
    .bind(revised.category.clone())
    .bind(revised.brand.clone())
    .bind(revised.price_cents)
    .bind(revised.cost_cents)
    .bind(revised.barcode.clone())
    .bind(revised.tax_rate.clone())
    .bind(i64::from(revised.active))
    .bind(i64::from(revised.serialized))
    .bind(revised.warranty_months)
    .bind(millis(revised.updated_at))
    .bind(revised.version)
    .bind(revised.sku.clone())
    .bind(revised.version - 1)
    .execute(&mut *conn)
    .await
    .map_err(|e| classify(e, &revised.sku))?;
    if updated.rows_affected() == 0 {
        let current = current_version(conn, &revised.sku).await?;
        return Err(current.map_or_else(
            || StoreError::NotFound(revised.sku.clone()),
            |current| StoreError::VersionMismatch { current },
        ));
    }
    Ok(())
}

async fn current_version(conn: &mut AnyConnection, sku: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM catalog_products WHERE sku = ?")
        .bind(sku.to_owned())
        .fetch_optional(conn)
        .await
}

/// Tells which uniqueness rule a failed write broke. Both engines name the column or index in
/// the message (`UNIQUE constraint failed: catalog_products.barcode`, `Duplicate entry … for
/// key 'catalog_products_barcode_unique'`).
/// A unique-key violation writing the product `sku` as the rule it broke.
pub(crate) fn classify(err: sqlx::Error, sku: &str) -> StoreError {
    match storage::db::unique_violation(&err) {
        Some(message) if message.contains("barcode") => StoreError::DuplicateBarcode,
        Some(_) => StoreError::DuplicateSku(sku.to_owned()),
        None => StoreError::Database(err),
    }
}

pub(crate) fn product_from_row(row: &AnyRow) -> Result<Product, sqlx::Error> {
    Ok(Product {
        sku: row.try_get("sku")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        category: row.try_get("category")?,
        brand: row.try_get("brand")?,
        price_cents: row.try_get("price_cents")?,
        cost_cents: row.try_get("cost_cents")?,
        barcode: row.try_get("barcode")?,
        tax_rate: row.try_get("tax_rate")?,
        active: row.try_get::<i64, _>("active")? != 0,
        serialized: row.try_get::<i64, _>("serialized")? != 0,
        warranty_months: row.try_get("warranty_months")?,
        created_at: from_millis(row.try_get("created_at")?),
        updated_at: from_millis(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

/// The current time at the precision the database keeps, so a product returned from a write
/// is identical to the same product read back later.
pub(crate) fn now() -> OffsetDateTime {
    storage::clock::stored_precision(OffsetDateTime::now_utc())
}
