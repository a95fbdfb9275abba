//! Reservations: stock held for a sale while the sales service records it, so that a sale is
//! accepted only if every line is available, all lines or none.
//!
//! The sales service reserves under the sale's id (asking twice finds the same reservation),
//! then commits the sale with its SaleCreated event. Applying SaleCreated turns the reservation
//! into sale movements. A reservation whose sale never commits is released by the sales
//! service or, failing that, when it expires. Lines are locked in SKU order, so two sales over
//! overlapping SKUs never deadlock.

use std::collections::BTreeMap;
use std::time::Duration;

use events::inventory::{LevelSnapshot, StockLevelsChanged};
use events::sales::{SaleCreated, SaleUpdated};
use events::{Envelope, Outbox};
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::DatabaseKind;
use storage::clock::{from_millis, millis};
use time::OffsetDateTime;

use crate::SERVICE;
use crate::domain::{LocationCode, low_stock};
use crate::store::{
    InventoryStore, Level, OUTBOX_TABLE, StockChange, StoreError, bump_levels, insert_movement, items_of,
    lock_item, locked_level, locked_levels, now_ms, retry_deadlocks, usable_location, warning_for,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationLine {
    pub sku: String,
    pub quantity: i64,
}

/// A line that cannot be reserved: less is available than requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub sku: String,
    pub requested: i64,
    pub available: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: String,
    pub location: String,
    /// `pending`, `confirmed` (its sale is recorded; waiting for SaleCreated), `committed` or
    /// `released`.
    pub status: String,
    pub expires_at: OffsetDateTime,
    pub lines: Vec<ReservationLine>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    #[error("not enough stock for {} line(s)", .0.len())]
    Shortages(Vec<Shortage>),
    #[error("unknown SKUs: {}", .0.join(", "))]
    UnknownSkus(Vec<String>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ReserveError {
    fn from(e: sqlx::Error) -> Self {
        ReserveError::Store(StoreError::Database(e))
    }
}

/// Lines with one entry per SKU (quantities of repeated SKUs added up), in SKU order: the
/// order every transaction locks levels in.
pub fn merged(lines: &[ReservationLine]) -> Vec<ReservationLine> {
    let mut by_sku: BTreeMap<&str, i64> = BTreeMap::new();
    for line in lines {
        *by_sku.entry(&line.sku).or_default() += line.quantity;
    }
    by_sku
        .into_iter()
        .map(|(sku, quantity)| ReservationLine {
            sku: sku.to_owned(),
            quantity,
        })
        .collect()
}

impl InventoryStore {
    /// Holds `lines` at `location` for `ttl` under `id`, all or none.
    pub async fn reserve(
        &self,
        id: &str,
        location: &LocationCode,
        lines: &[ReservationLine],
        ttl: Duration,
    ) -> Result<Reservation, ReserveError> {
        let lines = merged(lines);
        // As `retry_deadlocks`, for this error type: a deadlock victim runs again.
        let mut tries = 0;
        loop {
            tries += 1;
            match self.reserve_once(id, location, &lines, ttl).await {
                Err(ReserveError::Store(StoreError::Database(e)))
                    if tries < 5 && storage::db::is_deadlock(&e) =>
                {
                    tokio::time::sleep(Duration::from_millis(5 * tries)).await;
                }
                other => return other,
            }
        }
    }

    async fn reserve_once(
        &self,
        id: &str,
        location: &LocationCode,
        lines: &[ReservationLine],
        ttl: Duration,
    ) -> Result<Reservation, ReserveError> {
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
            return Err(ReserveError::UnknownSkus(unknown));
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
            return Err(ReserveError::Shortages(shortages));
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
            changes.push((line.sku.clone(), 0, line.quantity, state.warned));
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
            "INSERT INTO inventory_reservations (id, location, status, expires_at, created_at) VALUES (?, ?, 'pending', ?, ?)",
        )
        .bind(id.to_owned())
        .bind(place.code.clone())
        .bind(millis(expires_at))
        .bind(millis(now))
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            if storage::db::unique_violation(&e).is_some() {
                // The same sale reserved concurrently and won; its reservation is the answer.
                drop(tx);
                return self
                    .reservation(id)
                    .await?
                    .ok_or(ReserveError::Store(StoreError::Database(e)));
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
            status: "pending".into(),
            expires_at,
            lines: lines.to_vec(),
        })
    }

    pub async fn reservation(&self, id: &str) -> Result<Option<Reservation>, StoreError> {
        let mut conn = self.db().pool().acquire().await?;
        // A plain read: a lock means nothing outside a transaction.
        reservation_in(&mut conn, "", id).await
    }

    /// Gives a pending reservation's stock back. Releasing a committed or released one changes
    /// nothing. Returns the reservation as it is afterwards.
    pub async fn release(&self, id: &str) -> Result<Option<Reservation>, StoreError> {
        retry_deadlocks(|| async {
            let engine = self.db().kind();
            let mut tx = self.db().begin().await?;
            let Some(reservation) = reservation_in(&mut tx, storage::db::for_update(engine), id).await?
            else {
                return Ok(None);
            };
            if reservation.status != "pending" {
                return Ok(Some(reservation));
            }
            for line in &reservation.lines {
                locked_level(&mut tx, engine, &line.sku, &reservation.location).await?;
                unreserve(&mut tx, &line.sku, &reservation.location, line.quantity).await?;
            }
            set_status(&mut tx, id, "released").await?;
            tx.commit().await?;
            Ok(Some(Reservation {
                status: "released".into(),
                ..reservation
            }))
        })
        .await
    }

    /// Releases every pending reservation past its expiry whose sale was never recorded, and
    /// returns how many. `sale_recorded` asks the sales service: `Some(true)` (recorded; its
    /// SaleCreated is on its way) confirms the reservation so it no longer expires,
    /// `Some(false)` releases it, `None` (sales unreachable) keeps holding the stock, the safe
    /// side, until the next round.
    pub async fn release_expired<F, Fut>(&self, sale_recorded: F) -> Result<usize, StoreError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Option<bool>>,
    {
        let expired: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM inventory_reservations WHERE status = 'pending' AND expires_at < ? ORDER BY expires_at LIMIT 100",
        )
        .bind(now_ms())
        .fetch_all(self.db().pool())
        .await?;
        let mut released = 0;
        for id in expired {
            match sale_recorded(id.clone()).await {
                Some(false) => {
                    tracing::info!(reservation = %id, "reservation expired without a sale; releasing its stock");
                    self.release(&id).await?;
                    released += 1;
                }
                Some(true) => {
                    let mut tx = self.db().begin().await?;
                    sqlx::query("UPDATE inventory_reservations SET status = 'confirmed' WHERE id = ? AND status = 'pending'")
                        .bind(id.clone())
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                }
                None => {
                    tracing::warn!(reservation = %id, "cannot ask the sales service about an expired reservation; holding it")
                }
            }
        }
        Ok(released)
    }
}

/// Applies a recorded sale inside the consumer's transaction: the reservation becomes sale
/// movements. A sale whose reservation lapsed still happened (the goods left the shop), so its
/// stock is taken anyway and the ledger says so.
pub async fn apply_sale_created(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    sale: &SaleCreated,
    cause: &Cause,
) -> Result<(), StoreError> {
    let occurred_at = cause.at;
    let reservation = reservation_in(conn, storage::db::for_update(engine), &sale.sale_id).await?;
    let held = reservation
        .as_ref()
        .is_some_and(|r| r.status == "pending" || r.status == "confirmed");
    if reservation.as_ref().is_some_and(|r| r.status == "committed") {
        return Ok(());
    }
    let lines = merged(
        &sale
            .lines
            .iter()
            .map(|l| ReservationLine {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect::<Vec<_>>(),
    );
    let note = (!held).then(|| "sold after its reservation lapsed".to_owned());
    // One statement per step, whatever the number of lines.
    let skus: Vec<String> = lines.iter().map(|l| l.sku.clone()).collect();
    let items = items_of(conn, &skus).await?;
    if items.len() != skus.len() {
        return Err(StoreError::UnknownSku);
    }
    let levels = locked_levels(conn, engine, &skus, &sale.location).await?;
    let mut changes = Vec::with_capacity(lines.len());
    let mut moved = Vec::with_capacity(lines.len());
    let mut snapshots = Vec::with_capacity(lines.len());
    for (line, level) in lines.iter().zip(&levels) {
        let item = items.iter().find(|i| i.sku == line.sku).expect("checked above");
        let unreserved = if held { line.quantity } else { 0 };
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
        changes.push((line.sku.clone(), -line.quantity, -unreserved, state.warned));
        if state.warn_now {
            let event = Envelope::new(
                SERVICE,
                cause.correlation_id.clone(),
                occurred_at,
                &warning_for(&after),
            );
            Outbox::new(OUTBOX_TABLE).append(conn, &event).await?;
        }
        moved.push((line.sku.clone(), -line.quantity, level.on_hand, after.on_hand));
        snapshots.push(snapshot(&line.sku, &after));
    }
    bump_levels(conn, &sale.location, &changes).await?;
    let changed = StockLevelsChanged {
        location: sale.location.clone(),
        cause: "sale".to_owned(),
        reference: format!("sale {}", sale.sale_id),
        levels: snapshots,
    };
    Outbox::new(OUTBOX_TABLE)
        .append(
            conn,
            &Envelope::new(SERVICE, cause.correlation_id.clone(), occurred_at, &changed),
        )
        .await?;
    let sql = format!(
        "INSERT INTO inventory_movements (sku, location, kind, quantity, on_hand_before, on_hand_after, \
         reason, reference, note, actor, created_at) VALUES {}",
        vec!["(?, ?, 'sale', ?, ?, ?, NULL, ?, ?, ?, ?)"; moved.len()].join(", ")
    );
    let mut insert = sqlx::query(AssertSqlSafe(sql));
    for (sku, quantity, before, after) in moved {
        insert = insert
            .bind(sku)
            .bind(sale.location.clone())
            .bind(quantity)
            .bind(before)
            .bind(after)
            .bind(format!("sale {}", sale.sale_id))
            .bind(note.clone())
            .bind(sale.actor.clone())
            .bind(millis(occurred_at));
    }
    insert.execute(&mut *conn).await?;
    match reservation {
        Some(_) => set_status(conn, &sale.sale_id, "committed").await?,
        None => {
            sqlx::query("INSERT INTO inventory_reservations (id, location, status, expires_at, created_at) VALUES (?, ?, 'committed', 0, ?)")
                .bind(sale.sale_id.clone())
                .bind(sale.location.clone())
                .bind(now_ms())
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// What a stock change made for an event comes from: when the event happened, and the request
/// that started it all, carried on to the events the change causes so that one sale can be
/// followed through every service's logs.
#[derive(Debug, Clone)]
pub struct Cause {
    pub at: OffsetDateTime,
    pub correlation_id: Option<String>,
}

impl Cause {
    pub fn of(envelope: &Envelope) -> Cause {
        Cause {
            at: envelope.occurred_at,
            correlation_id: envelope.correlation_id.clone(),
        }
    }
}

/// Applies a void or a return: restocked units come back, written-off ones are recorded with
/// no change of stock.
pub async fn apply_sale_updated(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    update: &SaleUpdated,
    cause: &Cause,
) -> Result<(), StoreError> {
    let occurred_at = cause.at;
    let mut lines = update.lines.clone();
    lines.sort_by(|a, b| a.sku.cmp(&b.sku));
    let sale = SaleCreated {
        sale_id: update.sale_id.clone(),
        receipt_number: update.receipt_number,
        location: update.location.clone(),
        payment_method: String::new(),
        total_cents: 0,
        lines: Vec::new(),
        actor: update.actor.clone(),
    };
    let mut snapshots = Vec::with_capacity(lines.len());
    for line in &lines {
        let kind = match (update.change.as_str(), line.restock) {
            ("voided", _) => "sale_void",
            (_, true) => "return",
            (_, false) => "return_written_off",
        };
        let delta = if line.restock { line.quantity } else { 0 };
        let after = move_stock(conn, engine, &sale, &line.sku, delta, kind, None, cause).await?;
        snapshots.push(snapshot(&line.sku, &after));
    }
    let changed = StockLevelsChanged {
        location: update.location.clone(),
        cause: if update.change == "voided" {
            "sale_void"
        } else {
            "return"
        }
        .to_owned(),
        reference: format!("sale {}", update.sale_id),
        levels: snapshots,
    };
    Outbox::new(OUTBOX_TABLE)
        .append(
            conn,
            &Envelope::new(SERVICE, cause.correlation_id.clone(), occurred_at, &changed),
        )
        .await?;
    Ok(())
}

/// One ledgered change of on-hand for a sale, with its low-stock transition.
#[allow(clippy::too_many_arguments)] // The sale, the line and the ledger entry's fields.
async fn move_stock(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    sale: &SaleCreated,
    sku: &str,
    delta: i64,
    kind: &'static str,
    note: Option<String>,
    cause: &Cause,
) -> Result<Level, StoreError> {
    let at = cause.at;
    let item = lock_item(conn, sku).await?;
    let level = locked_level(conn, engine, sku, &sale.location).await?;
    let after = Level {
        on_hand: level.on_hand + delta,
        ..level.clone()
    };
    let state = low_stock(
        after.available(),
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
    .bind(now_ms())
    .bind(sku.to_owned())
    .bind(sale.location.clone())
    .execute(&mut *conn)
    .await?;
    let change = StockChange {
        sku: sku.to_owned(),
        location: LocationCode::parse(&sale.location)
            .map_err(|_| StoreError::UnknownLocation(sale.location.clone()))?,
        amount: crate::store::Amount::By(delta),
        kind,
        reason: None,
        note,
        actor: sale.actor.clone(),
        reference: Some(format!("sale {}", sale.sale_id)),
        restock: None,
        correlation_id: cause.correlation_id.clone(),
    };
    insert_movement(conn, engine, &change, delta, &after, kind, at).await?;
    if state.warn_now {
        let event = Envelope::new(SERVICE, cause.correlation_id.clone(), at, &warning_for(&after));
        Outbox::new(OUTBOX_TABLE).append(conn, &event).await?;
    }
    Ok(after)
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
) -> Result<(), StoreError> {
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

async fn set_status(conn: &mut AnyConnection, id: &str, status: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE inventory_reservations SET status = ? WHERE id = ?")
        .bind(status.to_owned())
        .bind(id.to_owned())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The reservation `id` with its lines; `lock` is `""` or `storage::db::for_update(…)`.
/// Only lock rows known to exist: a locking read of a missing key takes a gap lock, and two
/// transactions inserting into the gap they both locked deadlock.
async fn reservation_in(
    conn: &mut AnyConnection,
    lock: &str,
    id: &str,
) -> Result<Option<Reservation>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, location, status, expires_at FROM inventory_reservations WHERE id = ?{lock}"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let lines = sqlx::query(
        "SELECT sku, quantity FROM inventory_reservation_lines WHERE reservation_id = ? ORDER BY sku",
    )
    .bind(id.to_owned())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|l| {
        Ok(ReservationLine {
            sku: l.try_get(0)?,
            quantity: l.try_get(1)?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(Reservation {
        id: row.try_get(0)?,
        location: row.try_get(1)?,
        status: row.try_get(2)?,
        expires_at: from_millis(row.try_get(3)?),
        lines,
    }))
}
