//! SQL for the inventory's tables, identical on SQLite and MySQL except for the two spots
//! marked. Every stock change locks the level rows it touches (SQLite: the write lock of
//! `BEGIN IMMEDIATE`; MySQL: `SELECT … FOR UPDATE`, in location order so two transfers never
//! deadlock), changes `on_hand` by a delta in SQL, appends its movement to the ledger and its
//! events to the outbox, all in one transaction.

use events::inventory::{RestockReceived, StockAdjusted, StockLevelWarning, StockTransferred};
use events::{Envelope, Event, Outbox};
use kernel::{Cents, Total};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
pub(crate) use storage::clock::now_ms;
use storage::clock::{from_millis, millis};
use storage::{DatabaseKind, Db};
use time::OffsetDateTime;

use crate::SERVICE;
use crate::domain::{LocationCode, low_stock};

pub const OUTBOX_TABLE: &str = "inventory_outbox";

const LEVEL_COLUMNS: &str =
    "sku, location, on_hand, reserved, low_stock_threshold, reorder_quantity, warned, version, updated_at";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the catalog has no product with this SKU")]
    UnknownSku,
    #[error("no location {0}")]
    UnknownLocation(String),
    #[error("location {0} is deactivated")]
    InactiveLocation(String),
    #[error("not enough stock at {location}: {available} available")]
    Insufficient {
        location: String,
        on_hand: i64,
        available: i64,
    },
    #[error("the level at {location} would leave ±{limit} units")]
    LevelLimit {
        location: String,
        on_hand: i64,
        limit: i64,
    },
    #[error("{0} is too large to be represented")]
    TooLarge(&'static str),
    #[error("a location with this code exists")]
    DuplicateLocation,
    /// Another request with the same idempotency key was answered first; this one's work
    /// was rolled back.
    #[error("another request with this idempotency key was answered first")]
    KeyAnswered,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    fn level_limit(location: String, on_hand: i64) -> StoreError {
        StoreError::LevelLimit {
            location,
            on_hand,
            limit: kernel::quantity::MAX_LEVEL,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
    pub warned: bool,
    pub version: i64,
    pub updated_at: OffsetDateTime,
}

impl Level {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub active: bool,
}

/// What the inventory keeps of a catalog product, from the catalog's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    pub sku: String,
    pub name: String,
    pub active: bool,
    /// Orders the catalog's events: an older version never overwrites a newer one.
    pub catalog_version: i64,
    /// None in an archive event, which keeps the prices known before.
    pub prices: Option<Prices>,
}

/// A product's selling price and cost, to value the stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    pub price_cents: i64,
    pub cost_cents: i64,
}

/// What the stock on hand is worth. Units at negative on-hand count as none; products the
/// inventory has no prices for (known before prices were kept, and unchanged since) are
/// counted in `unpriced_skus` and left out of the sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockValue {
    pub at_cost_cents: Cents,
    pub at_price_cents: Cents,
    pub units: i64,
    pub skus: i64,
    pub unpriced_skus: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub allow_negative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub id: i64,
    pub sku: String,
    pub location: String,
    pub kind: String,
    pub quantity: i64,
    pub on_hand_before: i64,
    pub on_hand_after: i64,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub created_at: OffsetDateTime,
}

/// How much a change moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// Add (or, negative, remove) this many.
    By(i64),
    /// Make on-hand exactly this (a stock take).
    To(i64),
}

/// Details of a restock, kept in the restock log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restock {
    pub supplier: Option<String>,
    pub unit_cost_cents: Option<i64>,
    pub reference: Option<String>,
}

/// One change of one level.
#[derive(Debug, Clone)]
pub struct StockChange {
    pub sku: String,
    pub location: LocationCode,
    pub amount: Amount,
    /// `restock`, `adjustment` or `count`.
    pub kind: &'static str,
    pub reason: Option<&'static str>,
    pub note: Option<String>,
    pub actor: Option<String>,
    /// What caused it, e.g. a sale id; a restock's reference is used when this is `None`.
    pub reference: Option<String>,
    pub restock: Option<Restock>,
    pub correlation_id: Option<String>,
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub level: Level,
    /// `None` when a stock take found the count already right.
    pub movement_id: Option<i64>,
    pub restock_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub location: Option<String>,
    pub below_threshold: bool,
    /// Case-insensitive substring of the SKU or the product name.
    pub text: Option<String>,
}

#[derive(Clone, Debug)]
pub struct InventoryStore {
    db: Db,
    outbox: Outbox,
    keys: storage::IdempotencyKeys,
}

/// The answer to store with an operation for its idempotency key: the key, and how to render
/// the response body from the SKU's state inside the operation's transaction.
pub struct Answer<'a> {
    pub key: &'a str,
    pub render: &'a Render<'a>,
}

/// (movement id, restock id, the item, all its levels) → response body.
pub type Render<'a> = dyn Fn(Option<i64>, Option<i64>, &Item, &[Level]) -> String + Sync + 'a;

impl InventoryStore {
    pub fn new(db: Db) -> InventoryStore {
        InventoryStore {
            db,
            outbox: Outbox::new(OUTBOX_TABLE),
            keys: storage::IdempotencyKeys::new("inventory_idempotency"),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn keys(&self) -> &storage::IdempotencyKeys {
        &self.keys
    }

    /// Stores `answer` for its key inside the operation's transaction.
    async fn store_answer(
        &self,
        tx: &mut AnyConnection,
        sku: &str,
        status: u16,
        ids: (Option<i64>, Option<i64>),
        answer: Option<&Answer<'_>>,
    ) -> Result<(), StoreError> {
        let Some(answer) = answer else { return Ok(()) };
        let item = lock_item(tx, sku).await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LEVEL_COLUMNS} FROM inventory_levels WHERE sku = ? ORDER BY location"
        )))
        .bind(sku.to_owned())
        .fetch_all(&mut *tx)
        .await?;
        let levels: Vec<Level> = rows.iter().map(level_from_row).collect::<Result<_, _>>()?;
        let stored = self
            .keys
            .answer(
                tx,
                answer.key,
                status,
                &(answer.render)(ids.0, ids.1, &item, &levels),
            )
            .await?;
        if stored {
            Ok(())
        } else {
            Err(StoreError::KeyAnswered)
        }
    }

    // ---- reads ----

    pub async fn item(&self, sku: &str) -> Result<Option<Item>, StoreError> {
        let row = sqlx::query("SELECT sku, name, active FROM inventory_items WHERE sku = ?")
            .bind(sku.to_owned())
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.as_ref().map(item_from_row).transpose()?)
    }

    /// Every level of `sku`, in location order.
    pub async fn levels(&self, sku: &str) -> Result<Vec<Level>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LEVEL_COLUMNS} FROM inventory_levels WHERE sku = ? ORDER BY location"
        )))
        .bind(sku.to_owned())
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.iter().map(level_from_row).collect::<Result<_, _>>()?)
    }

    /// One page of items in SKU order after `after_sku`, with their levels.
    pub async fn list(
        &self,
        filter: &ListFilter,
        after_sku: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(Item, Vec<Level>)>, StoreError> {
        let mut conditions = vec!["1 = 1"];
        let mut args: Vec<String> = Vec::new();
        if let Some(after) = after_sku {
            conditions.push("i.sku > ?");
            args.push(after.to_owned());
        }
        if let Some(text) = &filter.text {
            conditions.push("(LOWER(i.sku) LIKE ? ESCAPE '!' OR LOWER(i.name) LIKE ? ESCAPE '!')");
            let pattern = format!("%{}%", storage::db::escape_like(&text.to_lowercase()));
            args.push(pattern.clone());
            args.push(pattern);
        }
        match (&filter.location, filter.below_threshold) {
            (Some(location), true) => {
                conditions.push(
                    "i.active = 1 AND EXISTS (SELECT 1 FROM inventory_levels l WHERE l.sku = i.sku \
                     AND l.location = ? AND l.on_hand - l.reserved <= l.low_stock_threshold)",
                );
                args.push(location.clone());
            }
            (Some(location), false) => {
                conditions
                    .push("EXISTS (SELECT 1 FROM inventory_levels l WHERE l.sku = i.sku AND l.location = ?)");
                args.push(location.clone());
            }
            (None, true) => conditions.push(
                "i.active = 1 AND EXISTS (SELECT 1 FROM inventory_levels l WHERE l.sku = i.sku \
                 AND l.on_hand - l.reserved <= l.low_stock_threshold)",
            ),
            (None, false) => {}
        }
        // Only the fixed fragments above are in the SQL text; every value is bound.
        let sql = format!(
            "SELECT i.sku, i.name, i.active FROM inventory_items i WHERE {} ORDER BY i.sku LIMIT ?",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for arg in args {
            query = query.bind(arg);
        }
        let items: Vec<Item> = query
            .bind(i64::from(limit))
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(item_from_row)
            .collect::<Result<_, _>>()?;
        let mut page = Vec::with_capacity(items.len());
        for item in items {
            let mut levels = self.levels(&item.sku).await?;
            if let Some(location) = &filter.location {
                levels.retain(|l| &l.location == location);
            }
            page.push((item, levels));
        }
        Ok(page)
    }

    /// The ledger of `sku`, newest first, before movement `before_id`.
    pub async fn movements(
        &self,
        sku: &str,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Movement>, StoreError> {
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

    /// Sum of the ledger of one level: must always equal its on-hand.
    pub async fn ledger_sum(&self, sku: &str, location: &str) -> Result<i64, StoreError> {
        // MySQL's SUM is DECIMAL, which the Any driver cannot decode; each engine names its
        // integer type differently.
        let integer = match self.db.kind() {
            DatabaseKind::Sqlite => "INTEGER",
            DatabaseKind::MySql => "SIGNED",
        };
        Ok(sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS {integer}) FROM inventory_movements \
             WHERE sku = ? AND location = ?"
        )))
        .bind(sku.to_owned())
        .bind(location.to_owned())
        .fetch_one(self.db.pool())
        .await?)
    }

    /// Levels at or below their threshold, of active products, in SKU then location order.
    pub async fn alerts(&self, location: Option<&str>, limit: u32) -> Result<Vec<(Item, Level)>, StoreError> {
        let sql = format!(
            "SELECT i.name, i.active, {} FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
             WHERE i.active = 1 AND l.on_hand - l.reserved <= l.low_stock_threshold {} \
             ORDER BY l.sku, l.location LIMIT ?",
            LEVEL_COLUMNS
                .split(", ")
                .map(|c| format!("l.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
            if location.is_some() {
                "AND l.location = ?"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(location) = location {
            query = query.bind(location.to_owned());
        }
        let rows = query.bind(i64::from(limit)).fetch_all(self.db.pool()).await?;
        rows.iter()
            .map(|row| {
                let level = level_from_row(row)?;
                let item = Item {
                    sku: level.sku.clone(),
                    name: row.try_get("name")?,
                    active: row.try_get::<i64, _>("active")? != 0,
                };
                Ok((item, level))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// What the stock on hand is worth, at one location or everywhere.
    /// How many levels of active items are at or below their low-stock threshold now.
    pub async fn low_stock_levels(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
             WHERE i.active = 1 AND l.on_hand - l.reserved <= l.low_stock_threshold",
        )
        .fetch_one(self.db.pool())
        .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn stock_value(&self, location: Option<&str>) -> Result<StockValue, StoreError> {
        // One row per level, summed here: SUM over BIGINT is DECIMAL on MySQL, and a shop has
        // a few thousand levels at most.
        let sql = format!(
            "SELECT l.sku, l.on_hand, i.price_cents, i.cost_cents FROM inventory_levels l \
             JOIN inventory_items i ON i.sku = l.sku WHERE l.on_hand > 0 {} ORDER BY l.sku",
            if location.is_some() {
                "AND l.location = ?"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(location) = location {
            query = query.bind(location.to_owned());
        }
        let rows = query.fetch_all(self.db.pool()).await?;
        let (mut at_cost, mut at_price) = (Total::default(), Total::default());
        let mut units: i128 = 0;
        let (mut skus, mut unpriced_skus) = (0, 0);
        let mut last_sku: Option<String> = None;
        for row in rows {
            let sku: String = row.try_get(0)?;
            let on_hand: i64 = row.try_get(1)?;
            let price: Option<i64> = row.try_get(2)?;
            let cost: Option<i64> = row.try_get(3)?;
            let new_sku = last_sku.as_deref() != Some(sku.as_str());
            if new_sku {
                skus += 1;
            }
            units += i128::from(on_hand);
            match (price, cost) {
                (Some(price), Some(cost)) => {
                    at_price.add_times(Cents::new(price), on_hand);
                    at_cost.add_times(Cents::new(cost), on_hand);
                }
                _ if new_sku => unpriced_skus += 1,
                _ => {}
            }
            last_sku = Some(sku);
        }
        Ok(StockValue {
            at_cost_cents: at_cost
                .cents()
                .map_err(|_| StoreError::TooLarge("the stock value at cost"))?,
            at_price_cents: at_price
                .cents()
                .map_err(|_| StoreError::TooLarge("the stock value at price"))?,
            units: i64::try_from(units).map_err(|_| StoreError::TooLarge("the units in stock"))?,
            skus,
            unpriced_skus,
        })
    }

    pub async fn locations(&self) -> Result<Vec<Location>, StoreError> {
        let rows =
            sqlx::query("SELECT code, name, active, allow_negative FROM inventory_locations ORDER BY code")
                .fetch_all(self.db.pool())
                .await?;
        Ok(rows.iter().map(location_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn location(&self, code: &str) -> Result<Option<Location>, StoreError> {
        let row =
            sqlx::query("SELECT code, name, active, allow_negative FROM inventory_locations WHERE code = ?")
                .bind(code.to_owned())
                .fetch_optional(self.db.pool())
                .await?;
        Ok(row.as_ref().map(location_from_row).transpose()?)
    }

    // ---- writes ----

    pub async fn create_location(&self, location: &Location) -> Result<(), StoreError> {
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
                return Err(StoreError::DuplicateLocation);
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(())
    }

    pub async fn update_location(&self, location: &Location) -> Result<(), StoreError> {
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

    /// Applies one stock change with its ledger entry and events.
    pub async fn change(&self, change: &StockChange) -> Result<Changed, StoreError> {
        self.change_answering(change, None).await
    }

    /// [`InventoryStore::change`], storing `answer` for an idempotency key in the same
    /// transaction.
    pub async fn change_answering(
        &self,
        change: &StockChange,
        answer: Option<&Answer<'_>>,
    ) -> Result<Changed, StoreError> {
        retry_deadlocks(|| self.change_once(change, answer)).await
    }

    async fn change_once(
        &self,
        change: &StockChange,
        answer: Option<&Answer<'_>>,
    ) -> Result<Changed, StoreError> {
        let mut tx = self.db.begin().await?;
        let item = lock_item(&mut tx, &change.sku).await?;
        let location = usable_location(&mut tx, change.location.as_str()).await?;
        let level = self.locked_level(&mut tx, &change.sku, &location.code).await?;
        let delta = match change.amount {
            Amount::By(delta) => delta,
            Amount::To(count) => count - level.on_hand,
        };
        if delta == 0 {
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
        if !kernel::quantity::within_level_limit(after) {
            return Err(StoreError::level_limit(location.code, level.on_hand));
        }
        if after < 0 && !location.allow_negative {
            return Err(StoreError::Insufficient {
                location: location.code,
                on_hand: level.on_hand,
                available: level.available(),
            });
        }
        let at = OffsetDateTime::now_utc();
        let (level, warning) = write_level(&mut tx, &level, delta, &item, at).await?;
        let restock_id = match &change.restock {
            Some(restock) => Some(insert_restock(&mut tx, self.db.kind(), change, delta, restock, at).await?),
            None => None,
        };
        let movement_id =
            insert_movement(&mut tx, self.db.kind(), change, delta, &level, change.kind, at).await?;
        let event = match (&change.restock, restock_id) {
            (Some(restock), Some(restock_id)) => envelope(
                change,
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
                },
            ),
            _ => envelope(
                change,
                at,
                &StockAdjusted {
                    movement_id,
                    sku: level.sku.clone(),
                    location: level.location.clone(),
                    delta,
                    reason: change.reason.unwrap_or("other").to_owned(),
                    on_hand_after: level.on_hand,
                    note: change.note.clone(),
                },
            ),
        };
        self.outbox.append(&mut tx, &event).await?;
        if let Some(warning) = warning {
            self.outbox
                .append(&mut tx, &envelope(change, at, &warning))
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

    /// Moves `quantity` of `sku` from one location to another, both or neither.
    pub async fn transfer(
        &self,
        sku: &str,
        from: &LocationCode,
        to: &LocationCode,
        quantity: i64,
        note: Option<String>,
        correlation_id: Option<String>,
    ) -> Result<(Level, Level), StoreError> {
        self.transfer_answering(sku, from, to, quantity, note, None, correlation_id, None)
            .await
    }

    /// [`InventoryStore::transfer`], storing `answer` for an idempotency key in the same
    /// transaction.
    #[allow(clippy::too_many_arguments)] // The transfer's fields and its answer.
    pub async fn transfer_answering(
        &self,
        sku: &str,
        from: &LocationCode,
        to: &LocationCode,
        quantity: i64,
        note: Option<String>,
        actor: Option<String>,
        correlation_id: Option<String>,
        answer: Option<&Answer<'_>>,
    ) -> Result<(Level, Level), StoreError> {
        retry_deadlocks(|| {
            self.transfer_once(
                sku,
                from,
                to,
                quantity,
                note.clone(),
                actor.clone(),
                correlation_id.clone(),
                answer,
            )
        })
        .await
    }

    #[allow(clippy::too_many_arguments)] // As `transfer_answering`.
    async fn transfer_once(
        &self,
        sku: &str,
        from: &LocationCode,
        to: &LocationCode,
        quantity: i64,
        note: Option<String>,
        actor: Option<String>,
        correlation_id: Option<String>,
        answer: Option<&Answer<'_>>,
    ) -> Result<(Level, Level), StoreError> {
        let mut tx = self.db.begin().await?;
        let item = lock_item(&mut tx, sku).await?;
        let source = usable_location(&mut tx, from.as_str()).await?;
        usable_location(&mut tx, to.as_str()).await?;
        // Lock both rows in one fixed order, whatever the direction of the transfer.
        let (first, second) = if from < to { (from, to) } else { (to, from) };
        let first_level = self.locked_level(&mut tx, sku, first.as_str()).await?;
        let second_level = self.locked_level(&mut tx, sku, second.as_str()).await?;
        let (from_level, to_level) = if from < to {
            (first_level, second_level)
        } else {
            (second_level, first_level)
        };
        if !kernel::quantity::within_level_limit(from_level.on_hand - quantity) {
            return Err(StoreError::level_limit(source.code, from_level.on_hand));
        }
        if !kernel::quantity::within_level_limit(to_level.on_hand + quantity) {
            return Err(StoreError::level_limit(to.as_str().to_owned(), to_level.on_hand));
        }
        if from_level.on_hand - quantity < 0 && !source.allow_negative {
            return Err(StoreError::Insufficient {
                location: source.code,
                on_hand: from_level.on_hand,
                available: from_level.available(),
            });
        }
        let at = OffsetDateTime::now_utc();
        let change = |location: &LocationCode, kind: &'static str| StockChange {
            sku: sku.to_owned(),
            location: location.clone(),
            amount: Amount::By(0),
            kind,
            reason: None,
            note: note.clone(),
            actor: actor.clone(),
            reference: None,
            restock: None,
            correlation_id: correlation_id.clone(),
        };
        let out = change(from, "transfer_out");
        let (from_after, from_warning) = write_level(&mut tx, &from_level, -quantity, &item, at).await?;
        insert_movement(
            &mut tx,
            self.db.kind(),
            &out,
            -quantity,
            &from_after,
            "transfer_out",
            at,
        )
        .await?;
        let into = change(to, "transfer_in");
        let (to_after, to_warning) = write_level(&mut tx, &to_level, quantity, &item, at).await?;
        insert_movement(
            &mut tx,
            self.db.kind(),
            &into,
            quantity,
            &to_after,
            "transfer_in",
            at,
        )
        .await?;
        let transferred = StockTransferred {
            sku: sku.to_owned(),
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
            quantity,
            from_on_hand_after: from_after.on_hand,
            to_on_hand_after: to_after.on_hand,
        };
        self.outbox
            .append(&mut tx, &envelope(&out, at, &transferred))
            .await?;
        for warning in [from_warning, to_warning].into_iter().flatten() {
            self.outbox.append(&mut tx, &envelope(&out, at, &warning)).await?;
        }
        self.store_answer(&mut tx, sku, 201, (None, None), answer).await?;
        tx.commit().await?;
        Ok((from_after, to_after))
    }

    /// Sets the threshold and reorder quantity of one level; a threshold raised above the
    /// available stock sends the warning at once.
    pub async fn settings(
        &self,
        sku: &str,
        location: &LocationCode,
        low_stock_threshold: i64,
        reorder_quantity: i64,
        correlation_id: Option<String>,
    ) -> Result<Level, StoreError> {
        retry_deadlocks(|| {
            self.settings_once(
                sku,
                location,
                low_stock_threshold,
                reorder_quantity,
                correlation_id.clone(),
            )
        })
        .await
    }

    async fn settings_once(
        &self,
        sku: &str,
        location: &LocationCode,
        low_stock_threshold: i64,
        reorder_quantity: i64,
        correlation_id: Option<String>,
    ) -> Result<Level, StoreError> {
        let mut tx = self.db.begin().await?;
        let item = lock_item(&mut tx, sku).await?;
        usable_location(&mut tx, location.as_str()).await?;
        let level = self.locked_level(&mut tx, sku, location.as_str()).await?;
        let state = low_stock(level.available(), low_stock_threshold, level.warned, item.active);
        let at = OffsetDateTime::now_utc();
        sqlx::query(
            "UPDATE inventory_levels SET low_stock_threshold = ?, reorder_quantity = ?, warned = ?, \
             version = version + 1, updated_at = ? WHERE sku = ? AND location = ?",
        )
        .bind(low_stock_threshold)
        .bind(reorder_quantity)
        .bind(i64::from(state.warned))
        .bind(millis(at))
        .bind(sku.to_owned())
        .bind(location.as_str().to_owned())
        .execute(&mut *tx)
        .await?;
        let level = Level {
            low_stock_threshold,
            reorder_quantity,
            warned: state.warned,
            version: level.version + 1,
            updated_at: storage::clock::stored_precision(at),
            ..level
        };
        if state.warn_now {
            let warning = warning_for(&level);
            let event = Envelope::new(SERVICE, correlation_id, at, &warning);
            self.outbox.append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(level)
    }

    /// The level row of (sku, location), created at zero if missing, locked until commit.
    ///
    /// The locking read comes first: on MySQL, `INSERT IGNORE` of an existing row takes a
    /// shared lock, and two transactions upgrading shared locks to the `FOR UPDATE` one
    /// deadlock. Only the very first change of a level inserts.
    async fn locked_level(
        &self,
        tx: &mut AnyConnection,
        sku: &str,
        location: &str,
    ) -> Result<Level, StoreError> {
        locked_level(tx, self.db.kind(), sku, location).await
    }
}

/// See [`InventoryStore::locked_level`].
pub(crate) async fn locked_level(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    sku: &str,
    location: &str,
) -> Result<Level, StoreError> {
    let lock = storage::db::for_update(engine);
    let select = format!("SELECT {LEVEL_COLUMNS} FROM inventory_levels WHERE sku = ? AND location = ?{lock}");
    for _ in 0..2 {
        let row = sqlx::query(AssertSqlSafe(select.as_str()))
            .bind(sku.to_owned())
            .bind(location.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = row {
            return Ok(level_from_row(&row)?);
        }
        let ignore = match engine {
            DatabaseKind::Sqlite => "INSERT OR IGNORE",
            DatabaseKind::MySql => "INSERT IGNORE",
        };
        sqlx::query(AssertSqlSafe(format!(
            "{ignore} INTO inventory_levels (sku, location, updated_at) VALUES (?, ?, ?)"
        )))
        .bind(sku.to_owned())
        .bind(location.to_owned())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    }
    Err(StoreError::Database(sqlx::Error::RowNotFound))
}

/// Runs a write transaction again when MySQL chose it as the victim of a deadlock (two first
/// changes of one new level can still collide on its insert). The transaction was rolled
/// back entirely, so running it again is safe.
pub(crate) async fn retry_deadlocks<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(StoreError::Database(e)) if tries < 5 && storage::db::is_deadlock(&e) => {
                tracing::debug!(error = %e, tries, "deadlock; running the transaction again");
                tokio::time::sleep(std::time::Duration::from_millis(5 * tries)).await;
            }
            other => return other,
        }
    }
}

/// Applies `delta` to a locked level in SQL and works out the low-stock transition.
pub(crate) async fn write_level(
    tx: &mut AnyConnection,
    level: &Level,
    delta: i64,
    item: &Item,
    at: OffsetDateTime,
) -> Result<(Level, Option<StockLevelWarning>), StoreError> {
    let on_hand = level.on_hand + delta;
    let state = low_stock(
        on_hand - level.reserved,
        level.low_stock_threshold,
        level.warned,
        item.active,
    );
    sqlx::query(
        "UPDATE inventory_levels SET on_hand = on_hand + ?, warned = ?, version = version + 1, updated_at = ? \
         WHERE sku = ? AND location = ?",
    )
    .bind(delta)
    .bind(i64::from(state.warned))
    .bind(millis(at))
    .bind(level.sku.clone())
    .bind(level.location.clone())
    .execute(&mut *tx)
    .await?;
    let after = Level {
        on_hand,
        warned: state.warned,
        version: level.version + 1,
        updated_at: storage::clock::stored_precision(at),
        ..level.clone()
    };
    let warning = state.warn_now.then(|| warning_for(&after));
    Ok((after, warning))
}

pub(crate) fn warning_for(level: &Level) -> StockLevelWarning {
    StockLevelWarning {
        sku: level.sku.clone(),
        location: level.location.clone(),
        available: level.available(),
        low_stock_threshold: level.low_stock_threshold,
        reorder_quantity: level.reorder_quantity,
    }
}

fn envelope<E: Event>(change: &StockChange, at: OffsetDateTime, event: &E) -> Envelope {
    Envelope::new(SERVICE, change.correlation_id.clone(), at, event)
}

#[allow(clippy::too_many_arguments)] // One row's worth of columns; a struct would only rename them.
pub(crate) async fn insert_movement(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    change: &StockChange,
    delta: i64,
    after: &Level,
    kind: &str,
    at: OffsetDateTime,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO inventory_movements (sku, location, kind, quantity, on_hand_before, on_hand_after, \
         reason, reference, note, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(after.sku.clone())
    .bind(after.location.clone())
    .bind(kind.to_owned())
    .bind(delta)
    .bind(after.on_hand - delta)
    .bind(after.on_hand)
    .bind(change.reason.map(str::to_owned))
    .bind(
        change
            .reference
            .clone()
            .or_else(|| change.restock.as_ref().and_then(|r| r.reference.clone())),
    )
    .bind(change.note.clone())
    .bind(change.actor.clone())
    .bind(millis(at))
    .execute(&mut *tx)
    .await?;
    Ok(storage::db::last_insert_id(tx, engine).await?)
}

async fn insert_restock(
    tx: &mut AnyConnection,
    kind: DatabaseKind,
    change: &StockChange,
    quantity: i64,
    restock: &Restock,
    at: OffsetDateTime,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO inventory_restocks (sku, location, quantity, supplier, unit_cost_cents, reference, note, \
         created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(change.sku.clone())
    .bind(change.location.as_str().to_owned())
    .bind(quantity)
    .bind(restock.supplier.clone())
    .bind(restock.unit_cost_cents)
    .bind(restock.reference.clone())
    .bind(change.note.clone())
    .bind(millis(at))
    .execute(&mut *tx)
    .await?;
    Ok(storage::db::last_insert_id(tx, kind).await?)
}

/// The item row of `sku`, or `UnknownSku` when the catalog never announced it.
pub(crate) async fn lock_item(tx: &mut AnyConnection, sku: &str) -> Result<Item, StoreError> {
    let row = sqlx::query("SELECT sku, name, active FROM inventory_items WHERE sku = ?")
        .bind(sku.to_owned())
        .fetch_optional(&mut *tx)
        .await?;
    row.as_ref()
        .map(item_from_row)
        .transpose()?
        .ok_or(StoreError::UnknownSku)
}

pub(crate) async fn usable_location(tx: &mut AnyConnection, code: &str) -> Result<Location, StoreError> {
    let row =
        sqlx::query("SELECT code, name, active, allow_negative FROM inventory_locations WHERE code = ?")
            .bind(code.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
    match row.as_ref().map(location_from_row).transpose()? {
        None => Err(StoreError::UnknownLocation(code.to_owned())),
        Some(location) if !location.active => Err(StoreError::InactiveLocation(code.to_owned())),
        Some(location) => Ok(location),
    }
}

/// Makes the SKU of a catalog event known, keeping the newest catalog version: events of one
/// product may arrive out of order, and an older one must not undo a newer one.
pub async fn apply_catalog_product(
    conn: &mut AnyConnection,
    product: &CatalogProduct,
) -> Result<(), sqlx::Error> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT catalog_version FROM inventory_items WHERE sku = ?")
            .bind(product.sku.clone())
            .fetch_optional(&mut *conn)
            .await?;
    let (price, cost) = match product.prices {
        Some(p) => (Some(p.price_cents), Some(p.cost_cents)),
        None => (None, None),
    };
    match current {
        None => {
            sqlx::query(
                "INSERT INTO inventory_items (sku, name, active, catalog_version, created_at, price_cents, cost_cents) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(product.sku.clone())
            .bind(product.name.clone())
            .bind(i64::from(product.active))
            .bind(product.catalog_version)
            .bind(now_ms())
            .bind(price)
            .bind(cost)
            .execute(&mut *conn)
            .await?;
        }
        Some(stored) if stored < product.catalog_version => {
            // An event without prices (an archive) keeps the ones known.
            sqlx::query(
                "UPDATE inventory_items SET name = ?, active = ?, catalog_version = ?, \
                 price_cents = COALESCE(?, price_cents), cost_cents = COALESCE(?, cost_cents) WHERE sku = ?",
            )
            .bind(product.name.clone())
            .bind(i64::from(product.active))
            .bind(product.catalog_version)
            .bind(price)
            .bind(cost)
            .bind(product.sku.clone())
            .execute(&mut *conn)
            .await?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Archives a SKU (no more alerts), unless a newer catalog version is already known.
pub async fn apply_catalog_archive(
    conn: &mut AnyConnection,
    sku: &str,
    catalog_version: i64,
) -> Result<(), sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM inventory_items WHERE sku = ?")
        .bind(sku.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    let product = CatalogProduct {
        sku: sku.to_owned(),
        name: name.unwrap_or_else(|| sku.to_owned()),
        active: false,
        catalog_version,
        prices: None,
    };
    apply_catalog_product(conn, &product).await
}

fn item_from_row(row: &AnyRow) -> Result<Item, sqlx::Error> {
    Ok(Item {
        sku: row.try_get("sku")?,
        name: row.try_get("name")?,
        active: row.try_get::<i64, _>("active")? != 0,
    })
}

fn location_from_row(row: &AnyRow) -> Result<Location, sqlx::Error> {
    Ok(Location {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        active: row.try_get::<i64, _>("active")? != 0,
        allow_negative: row.try_get::<i64, _>("allow_negative")? != 0,
    })
}

fn level_from_row(row: &AnyRow) -> Result<Level, sqlx::Error> {
    Ok(Level {
        sku: row.try_get("sku")?,
        location: row.try_get("location")?,
        on_hand: row.try_get("on_hand")?,
        reserved: row.try_get("reserved")?,
        low_stock_threshold: row.try_get("low_stock_threshold")?,
        reorder_quantity: row.try_get("reorder_quantity")?,
        warned: row.try_get::<i64, _>("warned")? != 0,
        version: row.try_get("version")?,
        updated_at: from_millis(row.try_get("updated_at")?),
    })
}

fn movement_from_row(row: &AnyRow) -> Result<Movement, sqlx::Error> {
    Ok(Movement {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        location: row.try_get("location")?,
        kind: row.try_get("kind")?,
        quantity: row.try_get("quantity")?,
        on_hand_before: row.try_get("on_hand_before")?,
        on_hand_after: row.try_get("on_hand_after")?,
        reason: row.try_get("reason")?,
        reference: row.try_get("reference")?,
        note: row.try_get("note")?,
        actor: row.try_get("actor")?,
        created_at: from_millis(row.try_get("created_at")?),
    })
}

/// `?, ?, …` for `n` bound values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The items of `skus`, in one statement.
pub(crate) async fn items_of(tx: &mut AnyConnection, skus: &[String]) -> Result<Vec<Item>, StoreError> {
    let sql = format!(
        "SELECT sku, name, active FROM inventory_items WHERE sku IN ({})",
        placeholders(skus.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in skus {
        query = query.bind(sku.clone());
    }
    let rows = query.fetch_all(&mut *tx).await?;
    Ok(rows.iter().map(item_from_row).collect::<Result<_, _>>()?)
}

/// The levels of `skus` (in SKU order) at `location`, created at zero where missing, locked
/// until commit, with one statement in the common case where they all exist.
pub(crate) async fn locked_levels(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    skus: &[String],
    location: &str,
) -> Result<Vec<Level>, StoreError> {
    let lock = storage::db::for_update(engine);
    let sql = format!(
        "SELECT {LEVEL_COLUMNS} FROM inventory_levels WHERE location = ? AND sku IN ({}) ORDER BY sku{lock}",
        placeholders(skus.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(location.to_owned());
    for sku in skus {
        query = query.bind(sku.clone());
    }
    let found: Vec<Level> = query
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(level_from_row)
        .collect::<Result<_, _>>()?;
    if found.len() == skus.len() {
        return Ok(found);
    }
    // Some level is new: take them one by one, which creates the missing ones.
    let mut levels = Vec::with_capacity(skus.len());
    for sku in skus {
        levels.push(locked_level(tx, engine, sku, location).await?);
    }
    Ok(levels)
}

/// Applies per-SKU changes of on-hand and reserved, and the new `warned` flags, to levels at
/// `location` that the caller has locked, in one statement.
pub(crate) async fn bump_levels(
    tx: &mut AnyConnection,
    location: &str,
    changes: &[(String, i64, i64, bool)],
) -> Result<(), StoreError> {
    let case = |column: &str| {
        format!(
            "{column} + CASE sku {} ELSE 0 END",
            vec!["WHEN ? THEN ?"; changes.len()].join(" ")
        )
    };
    let sql = format!(
        "UPDATE inventory_levels SET on_hand = {}, reserved = {}, warned = CASE sku {} ELSE warned END, \
         version = version + 1, updated_at = ? WHERE location = ? AND sku IN ({})",
        case("on_hand"),
        case("reserved"),
        vec!["WHEN ? THEN ?"; changes.len()].join(" "),
        placeholders(changes.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for (sku, on_hand, _, _) in changes {
        query = query.bind(sku.clone()).bind(*on_hand);
    }
    for (sku, _, reserved, _) in changes {
        query = query.bind(sku.clone()).bind(*reserved);
    }
    for (sku, _, _, warned) in changes {
        query = query.bind(sku.clone()).bind(i64::from(*warned));
    }
    query = query.bind(now_ms()).bind(location.to_owned());
    for (sku, _, _, _) in changes {
        query = query.bind(sku.clone());
    }
    query.execute(&mut *tx).await?;
    Ok(())
}
