//! Stock held for sales while the sales service records them, and the sales' events applied
//! to stock: SaleCreated turns a reservation into sale movements; SaleUpdated (a void, a
//! return) brings units back. Lines are locked in SKU order, so two sales over overlapping
//! SKUs never deadlock.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use events::inventory::{LevelSnapshot, StockLevelsChanged};
use events::sales::{SaleCreated, SaleUpdated};
use events::{Envelope, Outbox};
use kernel::SaleChange;
use kernel::serial::SerialChange;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::DatabaseKind;
use storage::clock::{from_millis, millis, now_ms};
use storage::db::retry_deadlocks;
use time::OffsetDateTime;

use super::ledger::{NewMovement, insert_movement};
use super::levels::{
    bump_levels, items_of, known_item, locked_level, locked_levels, usable_location, warning_for, write_level,
};
use super::{InventoryStore, OUTBOX_TABLE, placeholders, serials, stored};
use crate::SERVICE;
use crate::domain::serials::check_serials;
use crate::domain::{
    Cause, FieldError, Item, Level, LevelChange, LocationCode, MovementKind, Reservation, ReservationLine,
    ReservationStatus, SerialNumber, Shortage, low_stock, merged,
};
use crate::error::InventoryError;

impl InventoryStore {
    /// Holds `lines` (merged, in SKU order) at `location` for `ttl` under `id`, all or none;
    /// reserving again under an id finds the same reservation.
    pub async fn reserve(
        &self,
        id: &str,
        location: &LocationCode,
        lines: &[ReservationLine],
        ttl: Duration,
    ) -> Result<Reservation, InventoryError> {
        let lines = merged(lines);
        retry_deadlocks(|| self.reserve_once(id, location, &lines, ttl)).await
    }

    async fn reserve_once(
        &self,
        id: &str,
        location: &LocationCode,
        lines: &[ReservationLine],
        ttl: Duration,
    ) -> Result<Reservation, InventoryError> {
        let engine = self.db().kind();
        let mut tx = self.db().begin().await?;
        // A plain read (see `reservation_in`); two requests racing with one id are settled by
        // the primary key below.
        if let Some(existing) = reservation_in(&mut tx, "", id).await? {
            return Ok(existing);
        }
        let place = usable_location(&mut tx, location.as_str()).await?;
        // A handful of statements whatever the number of lines: the items in one read, the
        // levels locked in one read (in SKU order), the reservation in one update.
        let skus: Vec<String> = lines.iter().map(|l| l.sku.clone()).collect();
        let items = items_of(&mut tx, &skus).await?;
        let unknown: Vec<String> = skus
            .iter()
            .filter(|s| !items.iter().any(|i| &i.sku == *s))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InventoryError::Validation(
                unknown
                    .into_iter()
                    .map(|sku| FieldError::new("lines", format!("the catalog has no product with SKU {sku}")))
                    .collect(),
            ));
        }
        let levels = locked_levels(&mut tx, engine, &skus, &place.code).await?;
        let mut shortages = Vec::new();
        for (line, level) in lines.iter().zip(&levels) {
            if level.available() < line.quantity && !place.allow_negative {
                shortages.push(Shortage {
                    sku: line.sku.clone(),
                    requested: line.quantity,
                    available: level.available().max(0),
                });
            }
        }
        if !shortages.is_empty() {
            return Err(InventoryError::Shortages(shortages));
        }
        let refusals: Vec<FieldError> = lines
            .iter()
            .filter_map(|line| {
                let item = items.iter().find(|i| i.sku == line.sku).expect("checked above");
                check_serials(&line.sku, item.tracking, line.quantity, &line.serials, "lines").err()
            })
            .collect();
        if !refusals.is_empty() {
            return Err(InventoryError::Validation(refusals));
        }
        for line in lines {
            serials::hold(&mut tx, engine, &line.sku, &place.code, &line.serials, id).await?;
        }
        let now = OffsetDateTime::now_utc();
        let outbox = Outbox::new(OUTBOX_TABLE);
        let mut changes = Vec::with_capacity(lines.len());
        for (line, level) in lines.iter().zip(&levels) {
            let item = items.iter().find(|i| i.sku == line.sku).expect("checked above");
            let state = low_stock(
                level.available() - line.quantity,
                level.low_stock_threshold,
                level.warned,
                item.active,
            );
            changes.push(LevelChange {
                sku: line.sku.clone(),
                on_hand: 0,
                reserved: line.quantity,
                warned: state.warned,
            });
            if state.warn_now {
                let after = Level {
                    reserved: level.reserved + line.quantity,
                    ..level.clone()
                };
                let event = Envelope::new(SERVICE, None, now, &warning_for(&after));
                outbox.append(&mut tx, &event).await?;
            }
        }
        bump_levels(&mut tx, &place.code, &changes).await?;
        let expires_at = now + ttl;
        let inserted = sqlx::query(
            "INSERT INTO inventory_reservations (id, location, status, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id.to_owned())
        .bind(place.code.clone())
        .bind(ReservationStatus::Pending.as_str())
        .bind(millis(expires_at))
        .bind(millis(now))
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if storage::db::unique_violation(&e).is_some() {
                // The same sale reserved concurrently and won; its reservation is the answer.
                drop(tx);
                return self.reservation(id).await?.ok_or(InventoryError::Database(e));
            }
            return Err(e.into());
        }
        let sql = format!(
            "INSERT INTO inventory_reservation_lines (reservation_id, sku, quantity) VALUES {}",
            vec!["(?, ?, ?)"; lines.len()].join(", ")
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for line in lines {
            insert = insert
                .bind(id.to_owned())
                .bind(line.sku.clone())
                .bind(line.quantity);
        }
        insert.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(Reservation {
            id: id.to_owned(),
            location: place.code,
            status: ReservationStatus::Pending,
            expires_at,
            lines: lines.to_vec(),
            unit_costs: items
                .iter()
                .filter_map(|i| Some((i.sku.clone(), i.unit_cost_cents?)))
                .collect(),
        })
    }

    pub async fn reservation(&self, id: &str) -> Result<Option<Reservation>, InventoryError> {
        let mut conn = self.db().pool().acquire().await?;
        // A plain read: a lock means nothing outside a transaction.
        reservation_in(&mut conn, "", id).await
    }

    /// Gives a pending reservation's stock back. Releasing a committed or released one changes
    /// nothing. Returns the reservation as it is afterwards.
    pub async fn release(&self, id: &str) -> Result<Option<Reservation>, InventoryError> {
        retry_deadlocks(|| async {
            let engine = self.db().kind();
            let mut tx = self.db().begin().await?;
            let Some(reservation) = reservation_in(&mut tx, storage::db::for_update(engine), id).await?
            else {
                return Ok(None);
            };
            if reservation.status != ReservationStatus::Pending {
                return Ok(Some(reservation));
            }
            for line in &reservation.lines {
                locked_level(&mut tx, engine, &line.sku, &reservation.location).await?;
                unreserve(&mut tx, &line.sku, &reservation.location, line.quantity).await?;
            }
            serials::release(&mut tx, id).await?;
            set_status(&mut tx, id, ReservationStatus::Released).await?;
            tx.commit().await?;
            Ok(Some(Reservation {
                status: ReservationStatus::Released,
                ..reservation
            }))
        })
        .await
    }

    /// Up to 100 pending reservations past their expiry, oldest first.
    pub async fn expired_reservations(&self) -> Result<Vec<String>, InventoryError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM inventory_reservations WHERE status = ? AND expires_at < ? ORDER BY expires_at LIMIT 100",
        )
        .bind(ReservationStatus::Pending.as_str())
        .bind(now_ms())
        .fetch_all(self.db().pool())
        .await?)
    }

    /// Marks a pending reservation whose sale is recorded as confirmed: it no longer expires,
    /// and its SaleCreated event will commit it.
    pub async fn confirm_reservation(&self, id: &str) -> Result<(), InventoryError> {
        let mut tx = self.db().begin().await?;
        sqlx::query("UPDATE inventory_reservations SET status = ? WHERE id = ? AND status = ?")
            .bind(ReservationStatus::Confirmed.as_str())
            .bind(id.to_owned())
            .bind(ReservationStatus::Pending.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Applies a recorded sale inside the consumer's transaction; see [`apply_sales_created`].
pub async fn apply_sale_created(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    sale: &SaleCreated,
    cause: &Cause,
) -> Result<(), InventoryError> {
    apply_sales_created(conn, engine, &[(sale, cause.clone())]).await
}

/// Applies recorded sales inside the consumer's transaction, in order: each sale's reservation
/// becomes sale movements. A sale whose reservation lapsed still happened (the goods left the
/// shop), so its stock is taken anyway and the ledger says so. A sale already applied changes
/// nothing. However many sales and lines, each step is one statement (the levels' read per
/// location; serial numbers, where a line names them, per line), with the same effect as
/// applying the sales one after another.
pub async fn apply_sales_created(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    sales: &[(&SaleCreated, Cause)],
) -> Result<(), InventoryError> {
    let ids: Vec<String> = sales.iter().map(|(sale, _)| sale.sale_id.clone()).collect();
    let mut statuses = reservation_statuses(conn, storage::db::for_update(engine), &ids).await?;
    let mut pending = Vec::with_capacity(sales.len());
    for (sale, cause) in sales {
        let status = statuses.insert(sale.sale_id.clone(), ReservationStatus::Committed);
        if status == Some(ReservationStatus::Committed) {
            continue;
        }
        let lines = sale
            .lines
            .iter()
            .map(|l| {
                Ok(ReservationLine {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    serials: serial_numbers(&l.serials)?,
                })
            })
            .collect::<Result<Vec<_>, InventoryError>>()?;
        pending.push(RecordedSale {
            sale,
            cause,
            reserved: status.is_some(),
            held: matches!(
                status,
                Some(ReservationStatus::Pending | ReservationStatus::Confirmed)
            ),
            lines: merged(&lines),
        });
    }
    if pending.is_empty() {
        return Ok(());
    }
    let mut skus_at: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for recorded in &pending {
        let skus = skus_at.entry(recorded.sale.location.as_str()).or_default();
        skus.extend(recorded.lines.iter().map(|l| l.sku.clone()));
    }
    let mut skus: Vec<String> = skus_at.values().flatten().cloned().collect();
    skus.sort();
    skus.dedup();
    let items = items_of(conn, &skus).await?;
    if let Some(unknown) = skus.iter().find(|sku| !items.iter().any(|i| &i.sku == *sku)) {
        return Err(InventoryError::UnknownSku(unknown.clone()));
    }
    // Locations in order, each one's SKUs in order: the order every change locks levels in.
    let mut levels = HashMap::new();
    for (location, skus) in &skus_at {
        let skus: Vec<String> = skus.iter().cloned().collect();
        for level in locked_levels(conn, engine, &skus, location).await? {
            levels.insert((level.location.clone(), level.sku.clone()), level);
        }
    }
    let mut changes: BTreeMap<(String, String), LevelChange> = BTreeMap::new();
    let mut events = Vec::new();
    let mut moved = Vec::new();
    for recorded in &pending {
        let (sale, cause) = (recorded.sale, recorded.cause);
        let mut snapshots = Vec::with_capacity(recorded.lines.len());
        for line in &recorded.lines {
            let item = items.iter().find(|i| i.sku == line.sku).expect("checked above");
            let key = (sale.location.clone(), line.sku.clone());
            let level = levels.get_mut(&key).expect("locked above");
            let unreserved = if recorded.held { line.quantity } else { 0 };
            let after = Level {
                on_hand: level.on_hand - line.quantity,
                reserved: level.reserved - unreserved,
                ..level.clone()
            };
            let state = low_stock(
                after.available(),
                level.low_stock_threshold,
                level.warned,
                item.active,
            );
            let change = changes.entry(key).or_insert_with(|| LevelChange {
                sku: line.sku.clone(),
                on_hand: 0,
                reserved: 0,
                warned: level.warned,
            });
            change.on_hand -= line.quantity;
            change.reserved -= unreserved;
            change.warned = state.warned;
            if state.warn_now {
                events.push(Envelope::new(
                    SERVICE,
                    cause.correlation_id.clone(),
                    cause.at,
                    &warning_for(&after),
                ));
            }
            moved.push(SaleMovement {
                recorded,
                sku: &line.sku,
                quantity: -line.quantity,
                before: level.on_hand,
                after: after.on_hand,
            });
            snapshots.push(snapshot(&line.sku, &after));
            *level = Level {
                warned: state.warned,
                ..after
            };
        }
        let changed = StockLevelsChanged {
            location: sale.location.clone(),
            cause: MovementKind::Sale,
            reference: format!("sale {}", sale.sale_id),
            levels: snapshots,
        };
        events.push(Envelope::new(
            SERVICE,
            cause.correlation_id.clone(),
            cause.at,
            &changed,
        ));
    }
    for (location, skus) in &skus_at {
        let at_location: Vec<LevelChange> = skus
            .iter()
            .filter_map(|sku| changes.remove(&((*location).to_owned(), sku.clone())))
            .collect();
        bump_levels(conn, location, &at_location).await?;
    }
    for recorded in &pending {
        take_serials(conn, engine, recorded, &items).await?;
    }
    Outbox::new(OUTBOX_TABLE).append_all(conn, &events).await?;
    insert_sale_movements(conn, &moved).await?;
    commit_reservations(conn, &pending).await
}

/// A sale being applied, with what it needs from its reservation.
struct RecordedSale<'a> {
    sale: &'a SaleCreated,
    cause: &'a Cause,
    /// Whether a reservation row exists for it (to be marked committed) or not (to be created
    /// as committed).
    reserved: bool,
    /// Whether its reservation still held its units.
    held: bool,
    lines: Vec<ReservationLine>,
}

impl RecordedSale<'_> {
    fn note(&self) -> Option<String> {
        (!self.held).then(|| "sold after its reservation lapsed".to_owned())
    }
}

/// One line of the ledger a sale writes.
struct SaleMovement<'a> {
    recorded: &'a RecordedSale<'a>,
    sku: &'a str,
    quantity: i64,
    before: i64,
    after: i64,
}

/// The serial numbers a sale names leave the shelf with it.
async fn take_serials(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    recorded: &RecordedSale<'_>,
    items: &[Item],
) -> Result<(), InventoryError> {
    let sale = recorded.sale;
    let occurred_at = recorded.cause.at;
    for line in &recorded.lines {
        let item = items.iter().find(|i| i.sku == line.sku).expect("checked above");
        let sold = serials::Step {
            sku: &line.sku,
            change: SerialChange::Sold,
            on_shelf_at: Some(&sale.location),
            of_sale: None,
            to: &sale.location,
            held_by: Some(&sale.sale_id),
            details: serials::Details::Sale {
                sale_id: &sale.sale_id,
                customer_id: sale.customer_id.as_deref(),
                warranty_months: item.tracking.warranty_months,
                sold_at: occurred_at,
            },
            reference: Some(format!("sale {}", sale.sale_id)),
            note: recorded.note(),
            actor: sale.actor.clone(),
            at: occurred_at,
        };
        serials::step(conn, engine, &sold, &line.serials, "lines").await?;
    }
    Ok(())
}

/// The rows a statement inserting sale movements takes: ten parameters each.
const MOVEMENTS_PER_INSERT: usize = 100;

async fn insert_sale_movements(
    conn: &mut AnyConnection,
    moved: &[SaleMovement<'_>],
) -> Result<(), InventoryError> {
    for chunk in moved.chunks(MOVEMENTS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO inventory_movements (sku, location, kind, quantity, on_hand_before, on_hand_after, \
             reason, reference, note, actor, created_at) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for movement in chunk {
            let sale = movement.recorded.sale;
            insert = insert
                .bind(movement.sku.to_owned())
                .bind(sale.location.clone())
                .bind(MovementKind::Sale.as_str())
                .bind(movement.quantity)
                .bind(movement.before)
                .bind(movement.after)
                .bind(format!("sale {}", sale.sale_id))
                .bind(movement.recorded.note())
                .bind(sale.actor.clone())
                .bind(millis(movement.recorded.cause.at));
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Marks the sales' reservations committed, creating those of sales recorded without one.
async fn commit_reservations(
    conn: &mut AnyConnection,
    applied: &[RecordedSale<'_>],
) -> Result<(), InventoryError> {
    let (reserved, unreserved): (Vec<_>, Vec<_>) = applied.iter().partition(|r| r.reserved);
    if !reserved.is_empty() {
        let sql = format!(
            "UPDATE inventory_reservations SET status = ? WHERE id IN ({})",
            placeholders(reserved.len())
        );
        let mut update = sqlx::query(AssertSqlSafe(sql)).bind(ReservationStatus::Committed.as_str());
        for recorded in reserved {
            update = update.bind(recorded.sale.sale_id.clone());
        }
        update.execute(&mut *conn).await?;
    }
    if !unreserved.is_empty() {
        let sql = format!(
            "INSERT INTO inventory_reservations (id, location, status, expires_at, created_at) VALUES {}",
            vec!["(?, ?, ?, 0, ?)"; unreserved.len()].join(", ")
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for recorded in unreserved {
            insert = insert
                .bind(recorded.sale.sale_id.clone())
                .bind(recorded.sale.location.clone())
                .bind(ReservationStatus::Committed.as_str())
                .bind(now_ms());
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Applies a void or a return inside the consumer's transaction: restocked units come back,
/// written-off ones are recorded with no change of stock.
pub async fn apply_sale_updated(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    update: &SaleUpdated,
    cause: &Cause,
) -> Result<(), InventoryError> {
    let mut lines = update.lines.clone();
    lines.sort_by(|a, b| a.sku.cmp(&b.sku));
    let reference = format!("sale {}", update.sale_id);
    let mut snapshots = Vec::with_capacity(lines.len());
    for line in &lines {
        let kind = match (update.change, line.restock) {
            (SaleChange::Voided, _) => MovementKind::SaleVoid,
            (SaleChange::Returned, true) => MovementKind::Return,
            (SaleChange::Returned, false) => MovementKind::ReturnWrittenOff,
        };
        let item = known_item(conn, &line.sku).await?;
        // Units of a serialized product sold before it carried serial numbers come back without
        // them: they stay off the books, which hold only units with numbers, until a count
        // names them.
        let unnamed = if item.tracking.serialized {
            (line.quantity - line.serials.len() as i64).max(0)
        } else {
            0
        };
        let delta = if line.restock { line.quantity - unnamed } else { 0 };
        let note = (line.restock && unnamed > 0).then(|| {
            format!("{unnamed} unit(s) came back without serial numbers and were not put on the shelf: count them in with their numbers")
        });
        let level = locked_level(conn, engine, &line.sku, &update.location).await?;
        let (after, warning) = write_level(conn, &level, delta, &item, cause.at).await?;
        let movement = NewMovement {
            kind,
            delta,
            after: &after,
            reason: None,
            reference: Some(reference.clone()),
            note,
            actor: update.actor.clone(),
            at: cause.at,
        };
        insert_movement(conn, engine, &movement).await?;
        let back = serials::Step {
            sku: &line.sku,
            change: if line.restock {
                SerialChange::Restocked
            } else {
                SerialChange::WrittenOff
            },
            on_shelf_at: None,
            of_sale: Some(&update.sale_id),
            to: &update.location,
            held_by: None,
            details: serials::Details::Nothing,
            reference: Some(reference.clone()),
            note: None,
            actor: update.actor.clone(),
            at: cause.at,
        };
        serials::step(conn, engine, &back, &serial_numbers(&line.serials)?, "lines").await?;
        if let Some(warning) = warning {
            let event = Envelope::new(SERVICE, cause.correlation_id.clone(), cause.at, &warning);
            Outbox::new(OUTBOX_TABLE).append(conn, &event).await?;
        }
        snapshots.push(snapshot(&line.sku, &after));
    }
    let changed = StockLevelsChanged {
        location: update.location.clone(),
        cause: match update.change {
            SaleChange::Voided => MovementKind::SaleVoid,
            SaleChange::Returned => MovementKind::Return,
        },
        reference,
        levels: snapshots,
    };
    Outbox::new(OUTBOX_TABLE)
        .append(
            conn,
            &Envelope::new(SERVICE, cause.correlation_id.clone(), cause.at, &changed),
        )
        .await?;
    Ok(())
}

/// The serial numbers an event carries; one that is not a serial number is a broken event.
fn serial_numbers(raw: &[String]) -> Result<Vec<SerialNumber>, InventoryError> {
    raw.iter()
        .map(|s| {
            SerialNumber::parse(s).map_err(|reason| {
                InventoryError::Validation(vec![FieldError::new("serials", format!("{s}: {reason}"))])
            })
        })
        .collect()
}

fn snapshot(sku: &str, level: &Level) -> LevelSnapshot {
    LevelSnapshot {
        sku: sku.to_owned(),
        on_hand: level.on_hand,
        reserved: level.reserved,
        available: level.available(),
    }
}

async fn unreserve(
    conn: &mut AnyConnection,
    sku: &str,
    location: &str,
    quantity: i64,
) -> Result<(), InventoryError> {
    sqlx::query(
        "UPDATE inventory_levels SET reserved = reserved - ?, version = version + 1, updated_at = ? \
         WHERE sku = ? AND location = ?",
    )
    .bind(quantity)
    .bind(now_ms())
    .bind(sku.to_owned())
    .bind(location.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: ReservationStatus,
) -> Result<(), InventoryError> {
    sqlx::query("UPDATE inventory_reservations SET status = ? WHERE id = ?")
        .bind(status.as_str())
        .bind(id.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The statuses of the reservations among `ids` that exist; `lock` as for [`reservation_in`].
async fn reservation_statuses(
    conn: &mut AnyConnection,
    lock: &str,
    ids: &[String],
) -> Result<HashMap<String, ReservationStatus>, InventoryError> {
    let sql = format!(
        "SELECT id, status FROM inventory_reservations WHERE id IN ({}){lock}",
        placeholders(ids.len())
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.clone());
    }
    let mut statuses = HashMap::with_capacity(ids.len());
    for row in query.fetch_all(&mut *conn).await? {
        let status: String = row.try_get(1)?;
        statuses.insert(row.try_get(0)?, stored(&status, ReservationStatus::parse)?);
    }
    Ok(statuses)
}

/// The reservation `id` with its lines; `lock` is `""` or `storage::db::for_update(…)`.
/// Only lock rows known to exist: a locking read of a missing key takes a gap lock, and two
/// transactions inserting into the gap they both locked deadlock.
async fn reservation_in(
    conn: &mut AnyConnection,
    lock: &str,
    id: &str,
) -> Result<Option<Reservation>, InventoryError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, location, status, expires_at FROM inventory_reservations WHERE id = ?{lock}"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT l.sku, l.quantity, COALESCE(i.average_cost_cents, i.cost_cents) FROM inventory_reservation_lines l \
         LEFT JOIN inventory_items i ON i.sku = l.sku WHERE l.reservation_id = ? ORDER BY l.sku",
    )
    .bind(id.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut unit_costs = std::collections::BTreeMap::new();
    for row in &rows {
        let sku: String = row.try_get(0)?;
        if let Some(cost) = row.try_get::<Option<i64>, _>(2)? {
            unit_costs.insert(sku.clone(), cost);
        }
        lines.push(ReservationLine {
            sku,
            quantity: row.try_get(1)?,
            serials: Vec::new(),
        });
    }
    Ok(Some(Reservation {
        id: row.try_get(0)?,
        location: row.try_get(1)?,
        status: stored(&row.try_get::<String, _>(2)?, ReservationStatus::parse)?,
        expires_at: from_millis(row.try_get(3)?),
        lines,
        unit_costs,
    }))
}
