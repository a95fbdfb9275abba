//! Stock levels: reading them, and locking and writing them inside a change.

use events::inventory::StockLevelWarning;
use kernel::{Cents, Total};
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::clock::{millis, now_ms};
use storage::{DatabaseKind, Db};
use time::OffsetDateTime;

use super::{
    ITEM_COLUMNS, InventoryStore, LEVEL_COLUMNS, item_from_row, level_from_row, location_from_row,
    placeholders,
};
use crate::domain::{Item, Level, LevelChange, Location, StockValue, Tracking, low_stock};
use crate::error::InventoryError;

/// Which SKUs a listing shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub location: Option<String>,
    pub below_threshold: bool,
    /// Case-insensitive substring of the SKU or the product name.
    pub text: Option<String>,
}

impl InventoryStore {
    pub async fn item(&self, sku: &str) -> Result<Option<Item>, InventoryError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM inventory_items WHERE sku = ?"
        )))
        .bind(sku.to_owned())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.as_ref().map(item_from_row).transpose()?)
    }

    /// Every level of `sku`, in location order.
    pub async fn levels(&self, sku: &str) -> Result<Vec<Level>, InventoryError> {
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
    ) -> Result<Vec<(Item, Vec<Level>)>, InventoryError> {
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
            "SELECT i.sku, i.name, i.active, COALESCE(i.average_cost_cents, i.cost_cents) AS unit_cost_cents, \
             i.serialized, i.warranty_months \
             FROM inventory_items i WHERE {} ORDER BY i.sku LIMIT ?",
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

    /// Every level whose settings follow the forecast, of active products.
    pub async fn levels_following_forecast(&self) -> Result<Vec<Level>, InventoryError> {
        let columns = LEVEL_COLUMNS
            .split(", ")
            .map(|c| format!("l.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {columns} FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
             WHERE l.follows_forecast = 1 AND i.active = 1 ORDER BY l.location, l.sku"
        )))
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.iter().map(level_from_row).collect::<Result<_, _>>()?)
    }

    /// Levels at or below their threshold, of active products, in SKU then location order.
    pub async fn alerts(
        &self,
        location: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(Item, Level)>, InventoryError> {
        let sql = format!(
            "SELECT i.name, i.active, COALESCE(i.average_cost_cents, i.cost_cents) AS unit_cost_cents, \
             i.serialized, i.warranty_months, {} \
             FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
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
                    unit_cost_cents: row.try_get("unit_cost_cents")?,
                    tracking: Tracking {
                        serialized: row.try_get::<i64, _>("serialized")? != 0,
                        warranty_months: row.try_get("warranty_months")?,
                    },
                };
                Ok((item, level))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(InventoryError::from)
    }

    /// What the stock on hand is worth, at one location or everywhere.
    /// How many levels of active items are at or below their low-stock threshold now.
    pub async fn low_stock_levels(&self) -> Result<i64, InventoryError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM inventory_levels l JOIN inventory_items i ON i.sku = l.sku \
             WHERE i.active = 1 AND l.on_hand - l.reserved <= l.low_stock_threshold",
        )
        .fetch_one(self.db.pool())
        .await?;
        Ok(row.try_get(0)?)
    }

    /// What the stock on hand is worth, at one location or everywhere.
    pub async fn stock_value(&self, location: Option<&str>) -> Result<StockValue, InventoryError> {
        // One row per level, summed here: SUM over BIGINT is DECIMAL on MySQL, and a shop has
        // a few thousand levels at most.
        let sql = format!(
            "SELECT l.sku, l.on_hand, i.price_cents, COALESCE(i.average_cost_cents, i.cost_cents) \
             FROM inventory_levels l \
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
                .map_err(|_| InventoryError::TooLarge("the stock value at cost"))?,
            at_price_cents: at_price
                .cents()
                .map_err(|_| InventoryError::TooLarge("the stock value at price"))?,
            units: i64::try_from(units).map_err(|_| InventoryError::TooLarge("the units in stock"))?,
            skus,
            unpriced_skus,
        })
    }
}

/// The level row of (sku, location), created at zero (with the SKU's stock settings for new
/// levels) if missing, locked until commit. The SKU must be known.
///
/// The locking read comes first: on MySQL, `INSERT IGNORE` of an existing row takes a shared
/// lock, and two transactions upgrading shared locks to the `FOR UPDATE` one deadlock. Only
/// the very first change of a level inserts.
pub(crate) async fn locked_level(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    sku: &str,
    location: &str,
) -> Result<Level, InventoryError> {
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
        insert_level(tx, engine, sku, location).await?;
    }
    Err(InventoryError::Database(sqlx::Error::RowNotFound))
}

/// Creates the level of (sku, location) at zero, with the SKU's stock settings for new levels,
/// unless it exists or the SKU is unknown.
async fn insert_level(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    sku: &str,
    location: &str,
) -> Result<(), InventoryError> {
    let ignore = match engine {
        DatabaseKind::Sqlite => "INSERT OR IGNORE",
        DatabaseKind::MySql => "INSERT IGNORE",
    };
    sqlx::query(AssertSqlSafe(format!(
        "{ignore} INTO inventory_levels (sku, location, low_stock_threshold, reorder_quantity, updated_at) \
         SELECT sku, ?, default_low_stock_threshold, default_reorder_quantity, ? FROM inventory_items WHERE sku = ?"
    )))
    .bind(location.to_owned())
    .bind(now_ms())
    .bind(sku.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates the level of (sku, location) if it is missing, in a statement of its own (MySQL).
///
/// A transaction that finds a level missing holds a gap lock where the level would go, and
/// two transactions creating the same level at once both hold it and both wait to insert into
/// it: a deadlock, of which MySQL rolls one back. A stock change that lost such a deadlock
/// creates its levels this way before it runs again, so that the next try finds them and
/// locks only their rows. SQLite's writers take turns and never deadlock.
pub(crate) async fn create_missing_level(db: &Db, sku: &str, location: &str) -> Result<(), InventoryError> {
    if db.kind() != DatabaseKind::MySql {
        return Ok(());
    }
    let mut conn = db.pool().acquire().await?;
    insert_level(&mut conn, DatabaseKind::MySql, sku, location).await
}

/// Applies `delta` to a locked level in SQL and works out the low-stock transition.
pub(crate) async fn write_level(
    tx: &mut AnyConnection,
    level: &Level,
    delta: i64,
    item: &Item,
    at: OffsetDateTime,
) -> Result<(Level, Option<StockLevelWarning>), InventoryError> {
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

/// The item row of `sku`, or `UnknownSku` when the catalog never announced it.
pub(crate) async fn known_item(tx: &mut AnyConnection, sku: &str) -> Result<Item, InventoryError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ITEM_COLUMNS} FROM inventory_items WHERE sku = ?"
    )))
    .bind(sku.to_owned())
    .fetch_optional(&mut *tx)
    .await?;
    row.as_ref()
        .map(item_from_row)
        .transpose()?
        .ok_or_else(|| InventoryError::UnknownSku(sku.to_owned()))
}

pub(crate) async fn usable_location(tx: &mut AnyConnection, code: &str) -> Result<Location, InventoryError> {
    let row =
        sqlx::query("SELECT code, name, active, allow_negative FROM inventory_locations WHERE code = ?")
            .bind(code.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
    match row.as_ref().map(location_from_row).transpose()? {
        None => Err(InventoryError::UnknownLocation(code.to_owned())),
        Some(location) if !location.active => Err(InventoryError::InactiveLocation(code.to_owned())),
        Some(location) => Ok(location),
    }
}

/// The items of `skus`, in one statement.
pub(crate) async fn items_of(tx: &mut AnyConnection, skus: &[String]) -> Result<Vec<Item>, InventoryError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM inventory_items WHERE sku IN ({})",
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
) -> Result<Vec<Level>, InventoryError> {
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
    changes: &[LevelChange],
) -> Result<(), InventoryError> {
    let cases = vec!["WHEN ? THEN ?"; changes.len()].join(" ");
    let sql = format!(
        "UPDATE inventory_levels SET on_hand = on_hand + CASE sku {cases} ELSE 0 END, \
         reserved = reserved + CASE sku {cases} ELSE 0 END, warned = CASE sku {cases} ELSE warned END, \
         version = version + 1, updated_at = ? WHERE location = ? AND sku IN ({})",
        placeholders(changes.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for change in changes {
        query = query.bind(change.sku.clone()).bind(change.on_hand);
    }
    for change in changes {
        query = query.bind(change.sku.clone()).bind(change.reserved);
    }
    for change in changes {
        query = query.bind(change.sku.clone()).bind(i64::from(change.warned));
    }
    query = query.bind(now_ms()).bind(location.to_owned());
    for change in changes {
        query = query.bind(change.sku.clone());
    }
    query.execute(&mut *tx).await?;
    Ok(())
}
