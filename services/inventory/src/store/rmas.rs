//! Warranty cases: opened on a unit found by its serial number, moved from state to state
//! with what each step does to the unit, a replacement and stock (see
//! [`crate::domain::rma::plan`]), each in one transaction that first locks the case and the
//! level of its SKU where it is handled, as every change of that stock does.

use events::inventory::{LevelSnapshot, StockLevelsChanged};
use kernel::serial::{RmaState, SerialChange, SerialNumber, SerialState};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::clock::{from_millis, millis};
use storage::db::{for_update, retry_deadlocks};
use time::OffsetDateTime;

use super::ledger::{NewMovement, insert_movement};
use super::levels::{known_item, locked_level, usable_location, write_level};
use super::serials::{self, Details, Step};
use super::{InventoryStore, OUTBOX_TABLE, envelope, stored};
use crate::domain::rma::{self, CaseCustomer, Rma, RmaEntry, plan};
use crate::domain::serials::SerialUnit;
use crate::domain::{FieldError, LocationCode, MovementKind, Origin};
use crate::error::InventoryError;

/// A case to open: the unit (its SKU only needed when two products carry the number), where
/// it is handled (`main` unless named; a faulty unit of the shop's is handled where it is),
/// and what is wrong with it.
#[derive(Debug, Clone)]
pub struct NewRma {
    pub serial: SerialNumber,
    pub sku: Option<String>,
    pub location: Option<LocationCode>,
    pub fault: String,
    pub origin: Origin,
}

/// A step of a case: its next state, with the supplier it goes to or the replacement that
/// came back where the step needs one.
#[derive(Debug, Clone)]
pub struct RmaStep {
    pub to: RmaState,
    pub note: Option<String>,
    pub supplier_id: Option<String>,
    pub replacement: Option<SerialNumber>,
    pub origin: Origin,
}

const CASE_COLUMNS: &str = "r.id, r.number, r.sku, i.name, r.serial, r.location, r.state, r.customer_case, r.sale_id, \
     r.customer_id, r.supplier_id, s.name AS supplier_name, r.replacement_serial, r.fault, r.under_warranty, \
     r.opened_by, r.created_at, r.updated_at, r.version";
const CASE_FROM: &str = "inventory_rmas r JOIN inventory_items i ON i.sku = r.sku \
     LEFT JOIN inventory_suppliers s ON s.id = r.supplier_id";

/// Cases of a listing.
#[derive(Debug, Clone, Default)]
pub struct RmaFilter {
    pub state: Option<RmaState>,
    /// Only cases about units with this serial number.
    pub serial: Option<String>,
}

impl InventoryStore {
    pub async fn open_rma(&self, new: &NewRma) -> Result<Rma, InventoryError> {
        let id = uuid::Uuid::now_v7().to_string();
        retry_deadlocks(|| self.open_rma_once(&id, new)).await?;
        self.rma(&id).await?.ok_or(InventoryError::RmaNotFound(id))
    }

    async fn open_rma_once(&self, id: &str, new: &NewRma) -> Result<(), InventoryError> {
        let engine = self.db().kind();
        let mut tx = self.db().begin().await?;
        // The unit's row locked first: two people opening a case on it are taken in turn, and
        // the second reads the first's case (MySQL reads after the lock, not before it).
        let unit = the_unit(&mut tx, &new.serial, new.sku.as_deref(), for_update(engine)).await?;
        let location = match (unit.state, &new.location) {
            (SerialState::Faulty, _) => unit.location.clone(),
            (_, Some(location)) => location.as_str().to_owned(),
            (_, None) => LocationCode::main().as_str().to_owned(),
        };
        usable_location(&mut tx, &location).await?;
        known_item(&mut tx, &unit.sku).await?;
        locked_level(&mut tx, engine, &unit.sku, &location).await?;
        let open: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM inventory_rmas WHERE sku = ? AND serial = ? AND state <> ?{}",
            for_update(engine)
        )))
        .bind(unit.sku.clone())
        .bind(unit.serial.clone())
        .bind(RmaState::Closed.as_str())
        .fetch_one(&mut *tx)
        .await?;
        if open > 0 {
            return Err(field(
                "serial",
                format!("{} has an open warranty case already", unit.serial),
            ));
        }
        let taking_back = rma::opening(unit.state).map_err(|reason| field("serial", reason))?;
        let last: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT MAX(number) FROM inventory_rmas{}",
            for_update(engine)
        )))
        .fetch_one(&mut *tx)
        .await?;
        let number = last.unwrap_or(0) + 1;
        let now = OffsetDateTime::now_utc();
        if let Some(change) = taking_back {
            let step = Step {
                sku: &unit.sku,
                change,
                on_shelf_at: None,
                of_sale: None,
                to: &location,
                held_by: None,
                details: Details::Nothing,
                reference: Some(rma::reference(number)),
                note: Some(new.fault.clone()),
                actor: new.origin.actor.clone(),
                at: now,
            };
            serials::step(
                &mut tx,
                engine,
                &step,
                std::slice::from_ref(&new.serial),
                "serial",
            )
            .await?;
        }
        let customers = taking_back.is_some();
        sqlx::query(
            "INSERT INTO inventory_rmas (id, number, sku, serial, location, state, customer_case, sale_id, customer_id, \
             supplier_id, replacement_serial, fault, under_warranty, opened_by, created_at, updated_at, version) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 1)",
        )
        .bind(id.to_owned())
        .bind(number)
        .bind(unit.sku.clone())
        .bind(unit.serial.clone())
        .bind(location.clone())
        .bind(RmaState::Received.as_str())
        .bind(i64::from(customers))
        .bind(unit.sale_id.clone().filter(|_| customers))
        .bind(unit.customer_id.clone().filter(|_| customers))
        .bind(new.fault.clone())
        .bind(i64::from(unit.under_warranty(now.date())))
        .bind(new.origin.actor.clone())
        .bind(millis(now))
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            id,
            RmaState::Received,
            Some(&new.fault),
            &new.origin,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves case `id` on; answers the case after. Two people moving one case at once are taken in turn, and the second finds
    /// the case moved (a step its new state does not allow is refused).
    pub async fn move_rma(&self, id: &str, step: &RmaStep) -> Result<Rma, InventoryError> {
        retry_deadlocks(|| self.move_rma_once(id, step)).await?;
        self.rma(id)
            .await?
            .ok_or_else(|| InventoryError::RmaNotFound(id.to_owned()))
    }

    async fn move_rma_once(&self, id: &str, step: &RmaStep) -> Result<(), InventoryError> {
        let engine = self.db().kind();
        let mut tx = self.db().begin().await?;
        let case = case_in(&mut tx, id, for_update(engine))
            .await?
            .ok_or_else(|| InventoryError::RmaNotFound(id.to_owned()))?;
        let now = OffsetDateTime::now_utc();
        let case_serial = SerialNumber::parse(&case.serial).map_err(|e| sqlx::Error::Decode(e.into()))?;
        let item = known_item(&mut tx, &case.sku).await?;
        let level = locked_level(&mut tx, engine, &case.sku, &case.location).await?;
        let supplier_id = match (step.to, &step.supplier_id) {
            (RmaState::SentToSupplier, None) => {
                return Err(field(
                    "supplier_id",
                    "is required to send a unit to its supplier".into(),
                ));
            }
            (RmaState::SentToSupplier, Some(supplier)) => Some(usable_supplier(&mut tx, supplier).await?),
            _ => case.supplier_id.clone(),
        };
        let replacement = match (step.to, &step.replacement) {
            (RmaState::Replaced, None) => {
                return Err(field(
                    "replacement_serial",
                    "is required when the unit is replaced".into(),
                ));
            }
            (RmaState::Replaced, Some(serial)) if *serial == case_serial => {
                return Err(field(
                    "replacement_serial",
                    "must be another unit than the one replaced".into(),
                ));
            }
            (RmaState::Replaced, Some(serial)) => {
                let on_shelf = serials::on_shelf(&mut tx, engine, &case.sku, &case.location).await?;
                Some((serial, on_shelf.iter().any(|s| s == serial.as_str())))
            }
            _ => None,
        };
        let plan = plan(
            &case,
            step.to,
            replacement.as_ref().is_some_and(|(_, shelf)| *shelf),
        )
        .map_err(|reason| InventoryError::RmaState {
            number: case.number,
            state: case.state,
            reason,
        })?;
        let reference = case.reference();
        let original = the_unit(&mut tx, &case_serial, Some(&case.sku), for_update(engine)).await?;
        if let Some(change) = plan.unit {
            let unit = case_step((&case, step, now), change, None, Details::Nothing);
            serials::step(
                &mut tx,
                engine,
                &unit,
                std::slice::from_ref(&case_serial),
                "serial",
            )
            .await?;
        }
        if let Some((serial, _)) = replacement {
            let supplier = supplier_name(&mut tx, supplier_id.as_deref()).await?;
            for change in &plan.replacement {
                let details = match change {
                    SerialChange::Received => Details::Receipt {
                        supplier: supplier.as_deref(),
                        purchase_order_id: None,
                    },
                    _ => Details::Sale {
                        sale_id: original.sale_id.as_deref().unwrap_or_default(),
                        customer_id: original.customer_id.as_deref(),
                        warranty_months: original.warranty_months,
                        // The replacement takes over the warranty of the unit it replaces.
                        sold_at: original.sold_at.unwrap_or(now),
                    },
                };
                // A replacement leaves the shelf to its customer; one received goes onto it.
                let place = (*change != SerialChange::Received).then_some(case.location.as_str());
                let moved = case_step((&case, step, now), *change, place, details);
                serials::step(
                    &mut tx,
                    engine,
                    &moved,
                    std::slice::from_ref(serial),
                    "replacement_serial",
                )
                .await?;
            }
        }
        if plan.stock != 0 {
            let (after, warning) = write_level(&mut tx, &level, plan.stock, &item, now).await?;
            let movement = NewMovement {
                kind: MovementKind::Rma,
                delta: plan.stock,
                after: &after,
                reason: None,
                reference: Some(reference.clone()),
                note: step.note.clone(),
                actor: step.origin.actor.clone(),
                at: now,
            };
            insert_movement(&mut tx, engine, &movement).await?;
            let changed = StockLevelsChanged {
                location: case.location.clone(),
                cause: MovementKind::Rma,
                reference: reference.clone(),
                levels: vec![LevelSnapshot {
                    sku: case.sku.clone(),
                    on_hand: after.on_hand,
                    reserved: after.reserved,
                    available: after.available(),
                }],
            };
            let outbox = events::Outbox::new(OUTBOX_TABLE);
            outbox
                .append(&mut tx, &envelope(&step.origin, now, &changed))
                .await?;
            if let Some(warning) = warning {
                outbox
                    .append(&mut tx, &envelope(&step.origin, now, &warning))
                    .await?;
            }
        }
        sqlx::query(
            "UPDATE inventory_rmas SET state = ?, supplier_id = ?, replacement_serial = COALESCE(?, replacement_serial), \
             updated_at = ?, version = version + 1 WHERE id = ?",
        )
        .bind(step.to.as_str())
        .bind(supplier_id)
        .bind(step.replacement.as_ref().map(|s| s.as_str().to_owned()))
        .bind(millis(now))
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await?;
        record(&mut tx, id, step.to, step.note.as_deref(), &step.origin, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Notes on case `id` (in the state it is in); answers the case after.
    pub async fn note_rma(&self, id: &str, note: &str, origin: &Origin) -> Result<Rma, InventoryError> {
        let mut tx = self.db().begin().await?;
        let case = case_in(&mut tx, id, for_update(self.db().kind()))
            .await?
            .ok_or_else(|| InventoryError::RmaNotFound(id.to_owned()))?;
        let now = OffsetDateTime::now_utc();
        record(&mut tx, id, case.state, Some(note), origin, now).await?;
        touch(&mut tx, &case, now).await?;
        tx.commit().await?;
        self.rma(id)
            .await?
            .ok_or_else(|| InventoryError::RmaNotFound(id.to_owned()))
    }

    /// A case with its history.
    pub async fn rma(&self, id: &str) -> Result<Option<Rma>, InventoryError> {
        let mut conn = self.db().pool().acquire().await?;
        let Some(mut case) = case_in(&mut conn, id, "").await? else {
            return Ok(None);
        };
        case.history = sqlx::query(
            "SELECT state, note, actor, at FROM inventory_rma_history WHERE rma_id = ? ORDER BY id",
        )
        .bind(id.to_owned())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            Ok(RmaEntry {
                state: stored(&row.try_get::<String, _>(0)?, RmaState::parse)?,
                note: row.try_get(1)?,
                actor: row.try_get(2)?,
                at: from_millis(row.try_get(3)?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
        Ok(Some(case))
    }

    /// Up to `limit` cases before number `before`, newest first, without their history.
    pub async fn rmas(
        &self,
        filter: &RmaFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Rma>, InventoryError> {
        let mut conditions = vec!["r.number < ?"];
        if filter.state.is_some() {
            conditions.push("r.state = ?");
        }
        if filter.serial.is_some() {
            conditions.push("r.serial = ?");
        }
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE {} ORDER BY r.number DESC LIMIT ?",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(before.unwrap_or(i64::MAX));
        if let Some(state) = filter.state {
            query = query.bind(state.as_str());
        }
        if let Some(serial) = &filter.serial {
            query = query.bind(serial.clone());
        }
        let rows = query.bind(i64::from(limit)).fetch_all(self.db().pool()).await?;
        Ok(rows.iter().map(case_from_row).collect::<Result<_, _>>()?)
    }
}

/// A unit's step made by a step of `case`, named by the case in its history.
fn case_step<'a>(
    (case, step, at): (&'a Rma, &'a RmaStep, OffsetDateTime),
    change: SerialChange,
    on_shelf_at: Option<&'a str>,
    details: Details<'a>,
) -> Step<'a> {
    Step {
        sku: &case.sku,
        change,
        on_shelf_at,
        of_sale: None,
        to: &case.location,
        held_by: None,
        details,
        reference: Some(case.reference()),
        note: step.note.clone(),
        actor: step.origin.actor.clone(),
        at,
    }
}

fn field(name: &str, reason: String) -> InventoryError {
    InventoryError::Validation(vec![FieldError::new(name, reason)])
}

/// The unit with `serial` (of `sku`, when named); one product's when no SKU is named. `lock`
/// as for [`serials::units_with`].
async fn the_unit(
    tx: &mut AnyConnection,
    serial: &SerialNumber,
    sku: Option<&str>,
    lock: &str,
) -> Result<SerialUnit, InventoryError> {
    let mut units = serials::units_with(tx, serial, lock).await?;
    if let Some(sku) = sku {
        units.retain(|u| u.sku == sku);
    }
    match units.len() {
        0 => Err(InventoryError::SerialNotFound(serial.to_string())),
        1 => Ok(units.remove(0)),
        _ => Err(field(
            "sku",
            format!("{serial} is the serial number of units of several products: name the SKU"),
        )),
    }
}

async fn usable_supplier(tx: &mut AnyConnection, id: &str) -> Result<String, InventoryError> {
    let archived: Option<i64> = sqlx::query_scalar("SELECT archived FROM inventory_suppliers WHERE id = ?")
        .bind(id.to_owned())
        .fetch_optional(&mut *tx)
        .await?;
    match archived {
        None => Err(field("supplier_id", format!("there is no supplier {id}"))),
        Some(1) => Err(field("supplier_id", "names an archived supplier".into())),
        Some(_) => Ok(id.to_owned()),
    }
}

async fn supplier_name(tx: &mut AnyConnection, id: Option<&str>) -> Result<Option<String>, InventoryError> {
    let Some(id) = id else { return Ok(None) };
    Ok(
        sqlx::query_scalar("SELECT name FROM inventory_suppliers WHERE id = ?")
            .bind(id.to_owned())
            .fetch_optional(&mut *tx)
            .await?,
    )
}

async fn record(
    tx: &mut AnyConnection,
    id: &str,
    state: RmaState,
    note: Option<&str>,
    origin: &Origin,
    at: OffsetDateTime,
) -> Result<(), InventoryError> {
    sqlx::query("INSERT INTO inventory_rma_history (rma_id, state, note, actor, at) VALUES (?, ?, ?, ?, ?)")
        .bind(id.to_owned())
        .bind(state.as_str())
        .bind(note.map(str::to_owned))
        .bind(origin.actor.clone())
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn touch(tx: &mut AnyConnection, case: &Rma, at: OffsetDateTime) -> Result<(), InventoryError> {
    sqlx::query("UPDATE inventory_rmas SET updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(millis(at))
        .bind(case.id.clone())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn case_in(conn: &mut AnyConnection, id: &str, lock: &str) -> Result<Option<Rma>, InventoryError> {
    // MySQL locks no joined row it need not: the lock is taken on the case alone first.
    if !lock.is_empty() {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT id FROM inventory_rmas WHERE id = ?{lock}"
        )))
        .bind(id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    }
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE r.id = ?"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().map(case_from_row).transpose()?)
}

fn case_from_row(row: &AnyRow) -> Result<Rma, sqlx::Error> {
    let customers = row.try_get::<i64, _>("customer_case")? != 0;
    Ok(Rma {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        sku: row.try_get("sku")?,
        name: row.try_get("name")?,
        serial: row.try_get("serial")?,
        location: row.try_get("location")?,
        state: stored(&row.try_get::<String, _>("state")?, RmaState::parse)?,
        customer: customers
            .then(|| {
                Ok::<_, sqlx::Error>(CaseCustomer {
                    sale_id: row.try_get("sale_id")?,
                    customer_id: row.try_get("customer_id")?,
                })
            })
            .transpose()?,
        supplier_id: row.try_get("supplier_id")?,
        supplier_name: row.try_get("supplier_name")?,
        replacement_serial: row.try_get("replacement_serial")?,
        fault: row.try_get("fault")?,
        under_warranty: row.try_get::<i64, _>("under_warranty")? != 0,
        opened_by: row.try_get("opened_by")?,
        created_at: from_millis(row.try_get("created_at")?),
        updated_at: from_millis(row.try_get("updated_at")?),
        version: row.try_get("version")?,
        history: Vec::new(),
    })
}
