//! Serialized units: each change of a serialized SKU's stock moves the units it names, inside
//! the change's transaction and after the change has locked the levels it touches, so two
//! changes of one unit are never interleaved. [`SerialState::after`] decides every step; a
//! unit held by a sale being recorded moves only with that sale.

use kernel::serial::{SerialChange, SerialNumber, SerialState};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::DatabaseKind;
use storage::clock::{from_millis, millis};
use time::OffsetDateTime;

use super::{InventoryStore, integer_type, placeholders, stored};
use crate::domain::FieldError;
use crate::domain::serials::{SerialEntry, SerialRecord, SerialUnit};
use crate::error::InventoryError;

/// What a step records about the units besides where they are and their state.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Details<'a> {
    Nothing,
    /// Received from a supplier (restock or purchase order).
    Receipt {
        supplier: Option<&'a str>,
        purchase_order_id: Option<&'a str>,
    },
    /// Sold, with the warranty of the product as it is sold, from `sold_at` (the sale's
    /// time; for a replacement under warranty, the time the unit it replaces was sold).
    Sale {
        sale_id: &'a str,
        customer_id: Option<&'a str>,
        warranty_months: i64,
        sold_at: OffsetDateTime,
    },
}

/// One change of named units of one SKU.
pub(crate) struct Step<'a> {
    pub sku: &'a str,
    pub change: SerialChange,
    /// Where the units must be on the shelf now (units leaving it: sold, moved, taken off by
    /// an adjustment or a count); `None` for units that are not on a shelf.
    pub on_shelf_at: Option<&'a str>,
    /// The sale the units must have been sold on (a void or return of it).
    pub of_sale: Option<&'a str>,
    /// Where the units are afterwards.
    pub to: &'a str,
    /// The reservation that may hold the units (the sale's own); any other hold refuses.
    pub held_by: Option<&'a str>,
    pub details: Details<'a>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub at: OffsetDateTime,
}

/// A unit's row as a step reads it.
struct Current {
    serial: String,
    state: SerialState,
    location: String,
    held_by: Option<String>,
    sale_id: Option<String>,
    version: i64,
}

const UNIT_COLUMNS: &str = "sku, serial, state, location, held_by, sale_id, customer_id, sold_at, warranty_months, \
     received_at, supplier, purchase_order_id";

/// Moves `serials` of `step.sku` through `step.change`, all or none; a unit that cannot take
/// the change is named under `field`.
pub(crate) async fn step(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    step: &Step<'_>,
    serials: &[SerialNumber],
    field: &str,
) -> Result<(), InventoryError> {
    if serials.is_empty() {
        return Ok(());
    }
    let current = current(tx, engine, step.sku, serials).await?;
    let mut refusals = Vec::new();
    let mut next_states = Vec::with_capacity(serials.len());
    for serial in serials {
        let unit = current.iter().find(|c| c.serial == serial.as_str());
        let refuse = |reason: String| FieldError::new(field, format!("{serial}: {reason}"));
        match SerialState::after(unit.map(|u| u.state), step.change) {
            Err(reason) => refusals.push(refuse(reason)),
            Ok(next) => match (unit, step.on_shelf_at) {
                (Some(unit), Some(at)) if unit.state != SerialState::InStock || unit.location != at => {
                    refusals.push(refuse(if unit.state == SerialState::InStock {
                        format!("the unit is on the shelf at {}, not at {at}", unit.location)
                    } else {
                        format!("the unit is {}, not on the shelf at {at}", unit.state)
                    }));
                }
                (Some(unit), _) if step.of_sale.is_some() && unit.sale_id.as_deref() != step.of_sale => {
                    refusals.push(refuse("the unit was not sold on this sale".into()));
                }
                (Some(unit), _) if unit.held_by.is_some() && unit.held_by.as_deref() != step.held_by => {
                    refusals.push(refuse("the unit is held by another sale being recorded".into()));
                }
                _ => next_states.push((serial, unit, next)),
            },
        }
    }
    if !refusals.is_empty() {
        return Err(InventoryError::SerialsUnavailable(refusals));
    }
    let at = millis(step.at);
    for (serial, unit, next) in &next_states {
        match unit {
            Some(unit) => update(tx, step, serial, unit, *next, at).await?,
            None => insert(tx, step, serial, *next, at).await?,
        }
    }
    let sql = format!(
        "INSERT INTO inventory_serial_history (sku, serial, change_kind, state_after, location, reference, note, \
         actor, created_at) VALUES {}",
        vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; next_states.len()].join(", ")
    );
    let mut history = sqlx::query(AssertSqlSafe(sql));
    for (serial, _, next) in &next_states {
        history = history
            .bind(step.sku.to_owned())
            .bind(serial.as_str().to_owned())
            .bind(step.change.as_str())
            .bind(next.as_str())
            .bind(step.to.to_owned())
            .bind(step.reference.clone())
            .bind(step.note.clone())
            .bind(step.actor.clone())
            .bind(at);
    }
    history.execute(&mut *tx).await?;
    Ok(())
}

async fn update(
    tx: &mut AnyConnection,
    step: &Step<'_>,
    serial: &SerialNumber,
    unit: &Current,
    next: SerialState,
    at: i64,
) -> Result<(), InventoryError> {
    let details = match step.details {
        Details::Nothing => "",
        Details::Receipt { .. } => {
            ", received_at = ?, supplier = ?, purchase_order_id = ?, sale_id = NULL, customer_id = NULL, \
             sold_at = NULL, warranty_months = 0"
        }
        Details::Sale { .. } => ", sale_id = ?, customer_id = ?, sold_at = ?, warranty_months = ?",
    };
    let sql = format!(
        "UPDATE inventory_serials SET state = ?, location = ?, held_by = NULL, version = version + 1, \
         updated_at = ?{details} WHERE sku = ? AND serial = ? AND version = ?"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(next.as_str())
        .bind(step.to.to_owned())
        .bind(at);
    match step.details {
        Details::Nothing => {}
        Details::Receipt {
            supplier,
            purchase_order_id,
        } => {
            query = query
                .bind(at)
                .bind(supplier.map(str::to_owned))
                .bind(purchase_order_id.map(str::to_owned));
        }
        Details::Sale {
            sale_id,
            customer_id,
            warranty_months,
            sold_at,
        } => {
            query = query
                .bind(sale_id.to_owned())
                .bind(customer_id.map(str::to_owned))
                .bind(millis(sold_at))
                .bind(warranty_months);
        }
    }
    let updated = query
        .bind(step.sku.to_owned())
        .bind(serial.as_str().to_owned())
        .bind(unit.version)
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(InventoryError::SerialsUnavailable(vec![FieldError::new(
            "serials",
            format!("{serial}: the unit changed meanwhile; try again"),
        )]))
    }
}

async fn insert(
    tx: &mut AnyConnection,
    step: &Step<'_>,
    serial: &SerialNumber,
    next: SerialState,
    at: i64,
) -> Result<(), InventoryError> {
    let (supplier, purchase_order_id) = match step.details {
        Details::Receipt {
            supplier,
            purchase_order_id,
        } => (supplier.map(str::to_owned), purchase_order_id.map(str::to_owned)),
        _ => (None, None),
    };
    let inserted = sqlx::query(
        "INSERT INTO inventory_serials (sku, serial, state, location, held_by, sale_id, customer_id, sold_at, \
         warranty_months, received_at, supplier, purchase_order_id, version, updated_at) \
         VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL, 0, ?, ?, ?, 1, ?)",
    )
    .bind(step.sku.to_owned())
    .bind(serial.as_str().to_owned())
    .bind(next.as_str())
    .bind(step.to.to_owned())
    .bind(at)
    .bind(supplier)
    .bind(purchase_order_id)
    .bind(at)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // The same unit received at another location at the same moment.
        Err(e) if storage::db::unique_violation(&e).is_some() => {
            Err(InventoryError::SerialsUnavailable(vec![FieldError::new(
                "serials",
                format!("{serial}: the unit was received meanwhile"),
            )]))
        }
        Err(e) => Err(e.into()),
    }
}

/// The rows of those of `serials` of `sku` that the shop has had, locked until commit: a
/// locking read sees the latest committed rows, where MySQL's plain read would see the
/// transaction's snapshot, taken before the levels were locked.
async fn current(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    sku: &str,
    serials: &[SerialNumber],
) -> Result<Vec<Current>, InventoryError> {
    let sql = format!(
        "SELECT serial, state, location, held_by, sale_id, version FROM inventory_serials WHERE sku = ? AND serial IN ({}){}",
        placeholders(serials.len()),
        storage::db::for_update(engine)
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(sku.to_owned());
    for serial in serials {
        query = query.bind(serial.as_str().to_owned());
    }
    let rows = query.fetch_all(&mut *tx).await?;
    rows.iter()
        .map(|row| {
            Ok(Current {
                serial: row.try_get(0)?,
                state: stored(&row.try_get::<String, _>(1)?, SerialState::parse)?,
                location: row.try_get(2)?,
                held_by: row.try_get(3)?,
                sale_id: row.try_get(4)?,
                version: row.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(InventoryError::from)
}

/// Holds `serials` of `sku` at `location` for reservation `id`: each must be on the shelf
/// there and held by no other sale.
pub(crate) async fn hold(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    sku: &str,
    location: &str,
    serials: &[SerialNumber],
    id: &str,
) -> Result<(), InventoryError> {
    if serials.is_empty() {
        return Ok(());
    }
    let current = current(tx, engine, sku, serials).await?;
    let mut refusals = Vec::new();
    for serial in serials {
        let refuse = |reason: String| FieldError::new("lines", format!("{sku} {serial}: {reason}"));
        match current.iter().find(|c| c.serial == serial.as_str()) {
            None => refusals.push(refuse("the shop has never had this unit".into())),
            Some(unit) if unit.state != SerialState::InStock => {
                refusals.push(refuse(format!("the unit is {}", unit.state)));
            }
            Some(unit) if unit.location != location => {
                refusals.push(refuse(format!(
                    "the unit is at {}, not at {location}",
                    unit.location
                )));
            }
            Some(unit) if unit.held_by.as_deref().is_some_and(|h| h != id) => {
                refusals.push(refuse("the unit is held by another sale being recorded".into()));
            }
            Some(_) => {}
        }
    }
    if !refusals.is_empty() {
        return Err(InventoryError::SerialsUnavailable(refusals));
    }
    let sql = format!(
        "UPDATE inventory_serials SET held_by = ? WHERE sku = ? AND serial IN ({})",
        placeholders(serials.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(id.to_owned())
        .bind(sku.to_owned());
    for serial in serials {
        query = query.bind(serial.as_str().to_owned());
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

/// Lets go of every unit reservation `id` holds.
pub(crate) async fn release(tx: &mut AnyConnection, id: &str) -> Result<(), InventoryError> {
    sqlx::query("UPDATE inventory_serials SET held_by = NULL WHERE held_by = ?")
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Every unit with serial number `serial`, one per product that has one, by SKU; `lock` is
/// `""` or `storage::db::for_update(…)`.
pub(crate) async fn units_with(
    conn: &mut AnyConnection,
    serial: &SerialNumber,
    lock: &str,
) -> Result<Vec<SerialUnit>, InventoryError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {UNIT_COLUMNS} FROM inventory_serials WHERE serial = ? ORDER BY sku{lock}"
    )))
    .bind(serial.as_str().to_owned())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(unit_from_row).collect::<Result<_, _>>()?)
}

/// A serialized level whose on-hand differs from its units on the shelf there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialMismatch {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub in_stock: i64,
}

impl InventoryStore {
    /// Every unit the shop has had with serial number `serial` (one per product that has
    /// one), with its product's name and its history, oldest step first.
    pub async fn serial_records(&self, serial: &SerialNumber) -> Result<Vec<SerialRecord>, InventoryError> {
        let mut conn = self.db().pool().acquire().await?;
        let units = units_with(&mut conn, serial, "").await?;
        let mut records = Vec::with_capacity(units.len());
        for unit in units {
            let name: String = sqlx::query_scalar("SELECT name FROM inventory_items WHERE sku = ?")
                .bind(unit.sku.clone())
                .fetch_one(&mut *conn)
                .await?;
            let history = sqlx::query(
                "SELECT change_kind, state_after, location, reference, note, actor, created_at \
                 FROM inventory_serial_history WHERE sku = ? AND serial = ? ORDER BY id LIMIT 1000",
            )
            .bind(unit.sku.clone())
            .bind(unit.serial.clone())
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| {
                Ok(SerialEntry {
                    change: stored(&row.try_get::<String, _>(0)?, SerialChange::parse)?,
                    state_after: stored(&row.try_get::<String, _>(1)?, SerialState::parse)?,
                    location: row.try_get(2)?,
                    reference: row.try_get(3)?,
                    note: row.try_get(4)?,
                    actor: row.try_get(5)?,
                    at: from_millis(row.try_get(6)?),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
            records.push(SerialRecord { unit, name, history });
        }
        Ok(records)
    }

    /// Up to `limit` units of `sku` in `state` (at `location`, when named), by serial.
    pub async fn serial_units(
        &self,
        sku: &str,
        location: Option<&str>,
        state: SerialState,
        limit: u32,
    ) -> Result<Vec<SerialUnit>, InventoryError> {
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM inventory_serials WHERE sku = ? AND state = ?{} ORDER BY serial LIMIT ?",
            if location.is_some() {
                " AND location = ?"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(sku.to_owned())
            .bind(state.as_str());
        if let Some(location) = location {
            query = query.bind(location.to_owned());
        }
        let rows = query.bind(i64::from(limit)).fetch_all(self.db().pool()).await?;
        Ok(rows.iter().map(unit_from_row).collect::<Result<_, _>>()?)
    }

    /// Every level of a serialized SKU whose on-hand is not the number of its units on the
    /// shelf there: none, unless a row was changed behind the inventory's back. Checked with
    /// the ledger (`inventory_serial_mismatches`).
    pub async fn serial_mismatches(&self) -> Result<Vec<SerialMismatch>, InventoryError> {
        let integer = integer_type(self.db().kind());
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT l.sku, l.location, l.on_hand, CAST(COUNT(s.serial) AS {integer}) FROM inventory_levels l \
             JOIN inventory_items i ON i.sku = l.sku AND i.serialized = 1 \
             LEFT JOIN inventory_serials s ON s.sku = l.sku AND s.location = l.location AND s.state = ? \
             GROUP BY l.sku, l.location, l.on_hand HAVING l.on_hand <> COUNT(s.serial) ORDER BY l.sku, l.location"
        )))
        .bind(SerialState::InStock.as_str())
        .fetch_all(self.db().pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SerialMismatch {
                    sku: row.try_get(0)?,
                    location: row.try_get(1)?,
                    on_hand: row.try_get(2)?,
                    in_stock: row.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(InventoryError::from)
    }
}

fn unit_from_row(row: &AnyRow) -> Result<SerialUnit, sqlx::Error> {
    Ok(SerialUnit {
        sku: row.try_get("sku")?,
        serial: row.try_get("serial")?,
        state: stored(&row.try_get::<String, _>("state")?, SerialState::parse)?,
        location: row.try_get("location")?,
        held_by: row.try_get("held_by")?,
        sale_id: row.try_get("sale_id")?,
        customer_id: row.try_get("customer_id")?,
        sold_at: row.try_get::<Option<i64>, _>("sold_at")?.map(from_millis),
        warranty_months: row.try_get("warranty_months")?,
        received_at: from_millis(row.try_get("received_at")?),
        supplier: row.try_get("supplier")?,
        purchase_order_id: row.try_get("purchase_order_id")?,
    })
}

/// The serial numbers of the units of `sku` on the shelf at `location`, locked until commit
/// (see [`current`]).
pub(crate) async fn on_shelf(
    tx: &mut AnyConnection,
    engine: DatabaseKind,
    sku: &str,
    location: &str,
) -> Result<Vec<String>, InventoryError> {
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT serial FROM inventory_serials WHERE sku = ? AND location = ? AND state = ? ORDER BY serial{}",
        storage::db::for_update(engine)
    )))
    .bind(sku.to_owned())
    .bind(location.to_owned())
    .bind(SerialState::InStock.as_str())
    .fetch_all(&mut *tx)
    .await?)
}
