//! SQL for the inventory's tables, identical on SQLite and MySQL except where an engine is
//! named. Every stock change locks the level rows it touches (SQLite: the write lock of
//! `BEGIN IMMEDIATE`; MySQL: `SELECT … FOR UPDATE`, in SKU then location order, so two
//! changes of existing levels never deadlock; two creating levels can, and run again, see
//! `levels::create_missing_level`), changes `on_hand` by a delta in SQL, appends its movement
//! to the ledger and its events to the outbox, all in one transaction.
//!
//! # Layout
//! - [`levels`]: reading levels, and locking and writing them inside a change.
//! - [`changes`]: the transactions of restocks, adjustments, counts, transfers and settings.
//! - [`ledger`]: the movements (and restocks) every change appends.
//! - [`locations`], [`items`]: the locations, and the SKUs the catalog announced.
//! - [`opening`]: opening stock loaded with an import of products.
//! - [`reservations`]: stock held for sales, and the sales' events applied to stock.
//! - [`serials`]: serialized units moved with the stock changes that name them, held by
//!   sales being recorded, looked up with their history; stock = units on the shelf.
//! - [`rmas`]: warranty cases and what each step does to units and stock.
//! - [`suppliers`]: the shop's suppliers and each product's.
//! - [`purchase_orders`]: orders to suppliers, and the deliveries received against them.
//! - [`costs`]: the moving weighted average cost of each SKU and its history.
//! - [`demand`]: what sold day by day, for the reorder suggestions.

pub mod changes;
pub mod costs;
pub mod demand;
pub mod items;
pub mod ledger;
pub mod levels;
pub mod locations;
pub mod opening;
pub mod purchase_orders;
pub mod reservations;
pub mod rmas;
pub mod serials;
pub mod suppliers;

use events::Outbox;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::Db;
use storage::clock::from_millis;

use crate::domain::{AdjustmentReason, Item, Level, Location, Movement, MovementKind, Origin, Tracking};
use crate::error::InventoryError;

pub const OUTBOX_TABLE: &str = "inventory_outbox";

const LEVEL_COLUMNS: &str = "sku, location, on_hand, reserved, incoming, low_stock_threshold, reorder_quantity, warned, follows_forecast, version, updated_at";
/// An item's columns for [`item_from_row`], its unit cost as the sales take it.
const ITEM_COLUMNS: &str = "sku, name, active, COALESCE(average_cost_cents, cost_cents) AS unit_cost_cents, serialized, warranty_months";

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

/// What an operation did, as its answer is rendered from it inside its transaction.
pub struct Outcome<'a> {
    pub movement_id: Option<i64>,
    pub restock_id: Option<i64>,
    pub item: &'a Item,
    /// Every level of the SKU, after the operation.
    pub levels: &'a [Level],
}

/// An operation's outcome → its response body.
pub type Render<'a> = dyn Fn(&Outcome<'_>) -> String + Sync + 'a;

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

    /// Runs a stock change that may create the (sku, location) `levels`, again when it lost a
    /// deadlock (`storage::db::retry_deadlocks`), creating the levels first on each retry
    /// (`levels::create_missing_level`).
    async fn retry_creating<T, F, Fut>(
        &self,
        levels: &[(&str, &str)],
        mut attempt: F,
    ) -> Result<T, InventoryError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, InventoryError>>,
    {
        let tried = std::sync::atomic::AtomicBool::new(false);
        storage::db::retry_deadlocks(|| {
            let again = tried.swap(true, std::sync::atomic::Ordering::Relaxed);
            let next = attempt();
            async move {
                if again {
                    for (sku, location) in levels {
                        levels::create_missing_level(&self.db, sku, location).await?;
                    }
                }
                next.await
            }
        })
        .await
    }

    /// Stores `answer` for its key inside the operation's transaction; `KeyAnswered` when
    /// another request with the key answered first (the caller rolls back).
    async fn store_answer(
        &self,
        tx: &mut AnyConnection,
        sku: &str,
        status: u16,
        ids: (Option<i64>, Option<i64>),
        answer: Option<&Answer<'_>>,
    ) -> Result<(), InventoryError> {
        let Some(answer) = answer else { return Ok(()) };
        let item = levels::known_item(tx, sku).await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LEVEL_COLUMNS} FROM inventory_levels WHERE sku = ? ORDER BY location"
        )))
        .bind(sku.to_owned())
        .fetch_all(&mut *tx)
        .await?;
        let levels: Vec<Level> = rows.iter().map(level_from_row).collect::<Result<_, _>>()?;
        let outcome = Outcome {
            movement_id: ids.0,
            restock_id: ids.1,
            item: &item,
            levels: &levels,
        };
        let stored = self
            .keys
            .answer(tx, answer.key, status, &(answer.render)(&outcome))
            .await?;
        if stored {
            Ok(())
        } else {
            Err(InventoryError::KeyAnswered)
        }
    }
}

fn item_from_row(row: &AnyRow) -> Result<Item, sqlx::Error> {
    Ok(Item {
        sku: row.try_get("sku")?,
        name: row.try_get("name")?,
        active: row.try_get::<i64, _>("active")? != 0,
        unit_cost_cents: row.try_get("unit_cost_cents")?,
        tracking: Tracking {
            serialized: row.try_get::<i64, _>("serialized")? != 0,
            warranty_months: row.try_get("warranty_months")?,
        },
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
        incoming: row.try_get("incoming")?,
        low_stock_threshold: row.try_get("low_stock_threshold")?,
        reorder_quantity: row.try_get("reorder_quantity")?,
        warned: row.try_get::<i64, _>("warned")? != 0,
        follows_forecast: row.try_get::<i64, _>("follows_forecast")? != 0,
        version: row.try_get("version")?,
        updated_at: from_millis(row.try_get("updated_at")?),
    })
}

/// A stored state's text as its enum; a value this code does not know is a broken row.
fn stored<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(text).ok_or_else(|| sqlx::Error::Decode(format!("unknown stored value {text:?}").into()))
}

fn movement_from_row(row: &AnyRow) -> Result<Movement, sqlx::Error> {
    Ok(Movement {
        id: row.try_get("id")?,
        sku: row.try_get("sku")?,
        location: row.try_get("location")?,
        kind: stored(&row.try_get::<String, _>("kind")?, MovementKind::parse)?,
        quantity: row.try_get("quantity")?,
        on_hand_before: row.try_get("on_hand_before")?,
        on_hand_after: row.try_get("on_hand_after")?,
        reason: row
            .try_get::<Option<String>, _>("reason")?
            .map(|r| stored(&r, AdjustmentReason::parse))
            .transpose()?,
        reference: row.try_get("reference")?,
        note: row.try_get("note")?,
        actor: row.try_get("actor")?,
        created_at: from_millis(row.try_get("created_at")?),
    })
}

/// An event caused by a person's request, with the request's correlation id.
pub(crate) fn envelope<E: events::Event>(
    origin: &Origin,
    at: time::OffsetDateTime,
    event: &E,
) -> events::Envelope {
    events::Envelope::new(crate::SERVICE, origin.correlation_id.clone(), at, event)
}

/// The integer type a count or sum is cast to: MySQL's SUM is DECIMAL, which the Any driver
/// cannot decode, and each engine names its integer type differently.
fn integer_type(engine: storage::DatabaseKind) -> &'static str {
    match engine {
        storage::DatabaseKind::Sqlite => "INTEGER",
        storage::DatabaseKind::MySql => "SIGNED",
    }
}

/// `?, ?, …` for `n` bound values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}
