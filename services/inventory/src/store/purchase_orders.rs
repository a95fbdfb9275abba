//! Orders to suppliers and the deliveries received against them. Every change of an order
//! locks its row first and then the levels it touches in SKU order (as every stock change
//! does), so two deliveries against one order queue up and never receive more than remains.
//! Ordering adds each line to the level's `incoming`; a delivery moves units from incoming to
//! on hand through the ledger; calling an order off takes what remained out of incoming.

use events::inventory::RestockReceived;
use inventory_api::purchase_orders::{PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine, ReceiptView};
use kernel::serial::SerialChange;
use kernel::{MovementKind, PurchaseOrderStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::clock::{from_millis, millis};
use storage::db::{for_update, retry_deadlocks};
use time::OffsetDateTime;

use super::costs::{CostedReceipt, record_cost, units_on_hand};
use super::ledger::{NewMovement, insert_movement, insert_restock};
use super::levels::{known_item, locked_level, usable_location, write_level};
use super::{InventoryStore, envelope, serials, stored};
use crate::domain::purchasing::{self, Delivered, OrderLine, Refusal};
use crate::domain::serials::check_serials;
use crate::domain::{Origin, Restock};
use crate::error::InventoryError;

/// A new draft, checked.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub supplier_id: String,
    pub location: String,
    pub expected_at: Option<String>,
    pub note: Option<String>,
    pub lines: Vec<NewLine>,
    pub created_by: Option<String>,
}

/// A line of a draft, checked, with its unit cost settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLine {
    pub sku: String,
    pub quantity: i64,
    pub unit_cost_cents: i64,
    pub allow_over_receipt: bool,
}

/// A change of a draft: `None` leaves a field, `Some(None)` clears it; lines replace all.
#[derive(Debug, Clone, Default)]
pub struct DraftChange {
    pub supplier_id: Option<String>,
    pub location: Option<String>,
    pub expected_at: Option<Option<String>>,
    pub note: Option<Option<String>>,
    pub lines: Option<Vec<NewLine>>,
}

/// Which orders a listing shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<PurchaseOrderStatus>,
    pub supplier_id: Option<String>,
    pub location: Option<String>,
    pub sku: Option<String>,
}

/// A delivery against an order, checked.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub lines: Vec<Delivered>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub origin: Origin,
}

/// The order row as a change sees it under its lock.
struct Locked {
    number: i64,
    status: PurchaseOrderStatus,
    location: String,
    supplier_name: String,
}

const ORDER_COLUMNS: &str = "o.id, o.number, o.supplier_id, s.name, o.location, o.status, o.expected_at, o.note, \
                             o.created_by, o.created_at, o.updated_at, o.ordered_at, o.received_at, o.cancelled_at";

/// How a refusal of the domain reads for order `number` doing `action`.
fn refused(number: i64, action: &'static str, refusal: Refusal) -> InventoryError {
    match refusal {
        Refusal::State(status) => InventoryError::OrderState {
            number,
            status,
            action,
        },
        Refusal::Lines(errors) => InventoryError::Validation(errors),
    }
}

impl InventoryStore {
    pub async fn create_order(&self, order: &NewOrder) -> Result<PurchaseOrder, InventoryError> {
        let id = uuid::Uuid::now_v7().to_string();
        retry_deadlocks(|| self.create_order_once(&id, order)).await?;
        self.order(&id)
            .await?
            .ok_or(InventoryError::PurchaseOrderNotFound(id))
    }

    async fn create_order_once(&self, id: &str, order: &NewOrder) -> Result<(), InventoryError> {
        let mut tx = self.db.begin().await?;
        let last: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT MAX(number) FROM inventory_purchase_orders{}",
            for_update(self.db.kind())
        )))
        .fetch_one(&mut *tx)
        .await?;
        let at = millis(OffsetDateTime::now_utc());
        sqlx::query(
            "INSERT INTO inventory_purchase_orders (id, number, supplier_id, location, status, expected_at, note, \
             created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_owned())
        .bind(last.unwrap_or(0) + 1)
        .bind(order.supplier_id.clone())
        .bind(order.location.clone())
        .bind(PurchaseOrderStatus::Draft.as_str())
        .bind(order.expected_at.clone())
        .bind(order.note.clone())
        .bind(order.created_by.clone())
        .bind(at)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        insert_lines(&mut tx, id, &order.lines).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn order(&self, id: &str) -> Result<Option<PurchaseOrder>, InventoryError> {
        let mut conn = self.db.pool().acquire().await?;
        order_view(&mut conn, id).await
    }

    /// Up to `limit` orders before number `before`, newest first.
    pub async fn orders(
        &self,
        filter: &OrderFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PurchaseOrder>, InventoryError> {
        let mut conditions = vec!["1 = 1"];
        let mut args: Vec<String> = Vec::new();
        if let Some(status) = filter.status {
            conditions.push("o.status = ?");
            args.push(status.as_str().to_owned());
        }
        if let Some(supplier) = &filter.supplier_id {
            conditions.push("o.supplier_id = ?");
            args.push(supplier.clone());
        }
        if let Some(location) = &filter.location {
            conditions.push("o.location = ?");
            args.push(location.clone());
        }
        if let Some(sku) = &filter.sku {
            conditions.push(
                "EXISTS (SELECT 1 FROM inventory_purchase_order_lines l WHERE l.purchase_order_id = o.id AND l.sku = ?)",
            );
            args.push(sku.clone());
        }
        if before.is_some() {
            conditions.push("o.number < ?");
        }
        // Only the fixed fragments above are in the SQL text; every value is bound.
        let sql = format!(
            "SELECT o.id FROM inventory_purchase_orders o WHERE {} ORDER BY o.number DESC LIMIT ?",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
        for arg in args {
            query = query.bind(arg);
        }
        if let Some(before) = before {
            query = query.bind(before);
        }
        let mut conn = self.db.pool().acquire().await?;
        let ids = query.bind(i64::from(limit)).fetch_all(&mut *conn).await?;
        let mut orders = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(order) = order_view(&mut conn, &id).await? {
                orders.push(order);
            }
        }
        Ok(orders)
    }

    /// Changes a draft.
    pub async fn change_draft(
        &self,
        id: &str,
        change: &DraftChange,
    ) -> Result<PurchaseOrder, InventoryError> {
        retry_deadlocks(|| self.change_draft_once(id, change)).await
    }

    async fn change_draft_once(
        &self,
        id: &str,
        change: &DraftChange,
    ) -> Result<PurchaseOrder, InventoryError> {
        let mut tx = self.db.begin().await?;
        let order = self.lock(&mut tx, id).await?;
        purchasing::editable(order.status).map_err(|r| refused(order.number, "change", r))?;
        let mut sets = Vec::new();
        let mut args: Vec<Option<String>> = Vec::new();
        if let Some(supplier) = &change.supplier_id {
            sets.push("supplier_id = ?");
            args.push(Some(supplier.clone()));
        }
        if let Some(location) = &change.location {
            sets.push("location = ?");
            args.push(Some(location.clone()));
        }
        if let Some(expected) = &change.expected_at {
            sets.push("expected_at = ?");
            args.push(expected.clone());
        }
        if let Some(note) = &change.note {
            sets.push("note = ?");
            args.push(note.clone());
        }
        // Only the fixed fragments above are in the SQL text; every value is bound.
        let sql = format!(
            "UPDATE inventory_purchase_orders SET {}updated_at = ?, version = version + 1 WHERE id = ?",
            sets.iter().map(|s| format!("{s}, ")).collect::<String>()
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for arg in args {
            query = query.bind(arg);
        }
        query
            .bind(millis(OffsetDateTime::now_utc()))
            .bind(id.to_owned())
            .execute(&mut *tx)
            .await?;
        if let Some(lines) = &change.lines {
            sqlx::query("DELETE FROM inventory_purchase_order_lines WHERE purchase_order_id = ?")
                .bind(id.to_owned())
                .execute(&mut *tx)
                .await?;
            insert_lines(&mut tx, id, lines).await?;
        }
        committed_view(tx, id).await
    }

    /// Sends a draft to its supplier: its lines become incoming stock at its location.
    pub async fn place_order(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        retry_deadlocks(|| self.place_order_once(id)).await
    }

    async fn place_order_once(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        let mut tx = self.db.begin().await?;
        let order = self.lock(&mut tx, id).await?;
        let lines = order_lines(&mut tx, id).await?;
        purchasing::orderable(order.status, lines.len()).map_err(|r| refused(order.number, "order", r))?;
        usable_location(&mut tx, &order.location).await?;
        self.move_incoming(&mut tx, &order.location, &lines, 1).await?;
        let at = millis(OffsetDateTime::now_utc());
        self.set_status(&mut tx, id, PurchaseOrderStatus::Ordered, "ordered_at", at)
            .await?;
        committed_view(tx, id).await
    }

    /// Calls off a draft or an order nothing of which arrived; what it had incoming goes.
    pub async fn cancel_order(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        retry_deadlocks(|| self.cancel_order_once(id)).await
    }

    async fn cancel_order_once(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        let mut tx = self.db.begin().await?;
        let order = self.lock(&mut tx, id).await?;
        purchasing::cancellable(order.status).map_err(|r| refused(order.number, "cancel", r))?;
        if order.status == PurchaseOrderStatus::Ordered {
            let lines = order_lines(&mut tx, id).await?;
            self.move_incoming(&mut tx, &order.location, &lines, -1).await?;
        }
        let at = millis(OffsetDateTime::now_utc());
        self.set_status(&mut tx, id, PurchaseOrderStatus::Cancelled, "cancelled_at", at)
            .await?;
        committed_view(tx, id).await
    }

    /// Receives a delivery against an order: each line into stock through the ledger (with
    /// its `RestockReceived` naming the order) and out of incoming, the average cost moved,
    /// the order's state advanced; and `key`'s answer stored, all in one transaction.
    pub async fn receive(
        &self,
        id: &str,
        delivery: &Delivery,
        key: Option<&str>,
    ) -> Result<ReceiptView, InventoryError> {
        let receipt_id = uuid::Uuid::now_v7().to_string();
        retry_deadlocks(|| self.receive_once(id, &receipt_id, delivery, key)).await
    }

    async fn receive_once(
        &self,
        id: &str,
        receipt_id: &str,
        delivery: &Delivery,
        key: Option<&str>,
    ) -> Result<ReceiptView, InventoryError> {
        let engine = self.db.kind();
        let mut tx = self.db.begin().await?;
        let order = self.lock(&mut tx, id).await?;
        let mut lines = order_lines(&mut tx, id).await?;
        let mut received = purchasing::receive(order.status, &lines, &delivery.lines)
            .map_err(|r| refused(order.number, "receive", r))?;
        received.sort_by(|a, b| a.sku.cmp(&b.sku));
        usable_location(&mut tx, &order.location).await?;
        let at = OffsetDateTime::now_utc();
        let number = format!("PO-{:06}", order.number);
        sqlx::query(
            "INSERT INTO inventory_receipts (id, purchase_order_id, reference, note, actor, received_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(receipt_id.to_owned())
        .bind(id.to_owned())
        .bind(delivery.reference.clone())
        .bind(delivery.note.clone())
        .bind(delivery.origin.actor.clone())
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
        for line in &received {
            let item = known_item(&mut tx, &line.sku).await?;
            let units_before = units_on_hand(&mut tx, &line.sku).await?;
            let level = locked_level(&mut tx, engine, &line.sku, &order.location).await?;
            if !kernel::quantity::within_level_limit(level.on_hand + line.quantity) {
                return Err(InventoryError::level_limit(&order.location, level.on_hand));
            }
            let serials = delivery
                .lines
                .iter()
                .find(|d| d.sku == line.sku)
                .map_or(&[][..], |d| &d.serials[..]);
            check_serials(&line.sku, item.tracking, line.quantity, serials, "lines")
                .map_err(|e| InventoryError::Validation(vec![e]))?;
            let (after, warning) = write_level(&mut tx, &level, line.quantity, &item, at).await?;
            sqlx::query("UPDATE inventory_levels SET incoming = incoming - ? WHERE sku = ? AND location = ?")
                .bind(line.no_longer_incoming)
                .bind(line.sku.clone())
                .bind(order.location.clone())
                .execute(&mut *tx)
                .await?;
            let restock = Restock {
                supplier: Some(order.supplier_name.clone()),
                unit_cost_cents: Some(line.unit_cost_cents),
                reference: delivery.reference.clone(),
            };
            let restock_id = insert_restock(
                &mut tx,
                engine,
                &after,
                line.quantity,
                &restock,
                delivery.note.as_deref(),
                at,
            )
            .await?;
            let movement = NewMovement {
                kind: MovementKind::Restock,
                delta: line.quantity,
                after: &after,
                reason: None,
                reference: Some(match &delivery.reference {
                    Some(reference) => format!("{number} {reference}"),
                    None => number.clone(),
                }),
                note: delivery.note.clone(),
                actor: delivery.origin.actor.clone(),
                at,
            };
            let movement_id = insert_movement(&mut tx, engine, &movement).await?;
            let into_stock = serials::Step {
                sku: &line.sku,
                change: SerialChange::Received,
                on_shelf_at: None,
                of_sale: None,
                to: &order.location,
                held_by: None,
                details: serials::Details::Receipt {
                    supplier: Some(&order.supplier_name),
                    purchase_order_id: Some(id),
                },
                reference: movement.reference.clone(),
                note: delivery.note.clone(),
                actor: delivery.origin.actor.clone(),
                at,
            };
            serials::step(&mut tx, engine, &into_stock, serials, "lines").await?;
            let costed = CostedReceipt {
                sku: &line.sku,
                quantity: line.quantity,
                unit_cost_cents: line.unit_cost_cents,
                purchase_order_id: Some(id),
                movement_id,
                at,
            };
            record_cost(&mut tx, units_before, &costed).await?;
            sqlx::query(
                "UPDATE inventory_purchase_order_lines SET received = received + ? \
                 WHERE purchase_order_id = ? AND line_no = ?",
            )
            .bind(line.quantity)
            .bind(id.to_owned())
            .bind(line.line_no)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO inventory_receipt_lines (receipt_id, sku, quantity, unit_cost_cents, movement_id) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(receipt_id.to_owned())
            .bind(line.sku.clone())
            .bind(line.quantity)
            .bind(line.unit_cost_cents)
            .bind(movement_id)
            .execute(&mut *tx)
            .await?;
            let event = RestockReceived {
                restock_id,
                sku: line.sku.clone(),
                location: order.location.clone(),
                quantity: line.quantity,
                on_hand_after: after.on_hand,
                supplier: Some(order.supplier_name.clone()),
                unit_cost_cents: Some(line.unit_cost_cents),
                reference: delivery.reference.clone(),
                purchase_order_id: Some(id.to_owned()),
                purchase_order_number: Some(number.clone()),
                receipt_id: Some(receipt_id.to_owned()),
                serials: super::changes::names(serials),
            };
            self.outbox
                .append(&mut tx, &envelope(&delivery.origin, at, &event))
                .await?;
            if let Some(warning) = warning {
                self.outbox
                    .append(&mut tx, &envelope(&delivery.origin, at, &warning))
                    .await?;
            }
            if let Some(l) = lines.iter_mut().find(|l| l.line_no == line.line_no) {
                l.received += line.quantity;
            }
        }
        let status = purchasing::status_after_receipt(&lines);
        let stamp = if status == PurchaseOrderStatus::Received {
            "received_at"
        } else {
            "updated_at"
        };
        self.set_status(&mut tx, id, status, stamp, millis(at)).await?;
        let purchase_order = order_view(&mut tx, id)
            .await?
            .ok_or_else(|| InventoryError::PurchaseOrderNotFound(id.to_owned()))?;
        let receipt = purchase_order
            .receipts
            .iter()
            .find(|r| r.id == receipt_id)
            .cloned()
            .expect("the receipt was just written");
        let view = ReceiptView {
            receipt,
            purchase_order,
        };
        if let Some(key) = key {
            let body = serde_json::to_string(&view).expect("views serialize to JSON");
            if !self.keys.answer(&mut tx, key, 201, &body).await? {
                return Err(InventoryError::KeyAnswered);
            }
        }
        tx.commit().await?;
        Ok(view)
    }

    /// Levels whose `incoming` is not what their open orders still expect: none, unless a
    /// row was changed behind the inventory's back.
    pub async fn incoming_mismatches(&self) -> Result<Vec<(String, String, i64, i64)>, InventoryError> {
        let expected = sqlx::query(
            "SELECT l.sku, o.location, l.quantity, l.received FROM inventory_purchase_order_lines l \
             JOIN inventory_purchase_orders o ON o.id = l.purchase_order_id WHERE o.status IN (?, ?)",
        )
        .bind(PurchaseOrderStatus::Ordered.as_str())
        .bind(PurchaseOrderStatus::PartiallyReceived.as_str())
        .fetch_all(self.db.pool())
        .await?;
        let mut open: std::collections::BTreeMap<(String, String), i64> = Default::default();
        for row in &expected {
            let remaining = (row.try_get::<i64, _>(2)? - row.try_get::<i64, _>(3)?).max(0);
            *open.entry((row.try_get(0)?, row.try_get(1)?)).or_default() += remaining;
        }
        let levels = sqlx::query("SELECT sku, location, incoming FROM inventory_levels")
            .fetch_all(self.db.pool())
            .await?;
        let mut mismatches = Vec::new();
        for row in &levels {
            let key: (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let incoming: i64 = row.try_get(2)?;
            let expected = open.remove(&key).unwrap_or(0);
            if incoming != expected {
                mismatches.push((key.0, key.1, incoming, expected));
            }
        }
        mismatches.extend(open.into_iter().map(|((sku, location), n)| (sku, location, 0, n)));
        Ok(mismatches)
    }

    /// The order's row, locked until commit.
    async fn lock(&self, tx: &mut AnyConnection, id: &str) -> Result<Locked, InventoryError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT o.number, o.status, o.location, s.name FROM inventory_purchase_orders o \
             JOIN inventory_suppliers s ON s.id = o.supplier_id WHERE o.id = ?{}",
            for_update(self.db.kind())
        )))
        .bind(id.to_owned())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| InventoryError::PurchaseOrderNotFound(id.to_owned()))?;
        Ok(Locked {
            number: row.try_get(0)?,
            status: stored(&row.try_get::<String, _>(1)?, PurchaseOrderStatus::parse)?,
            location: row.try_get(2)?,
            supplier_name: row.try_get(3)?,
        })
    }

    /// Adds (`sign` 1) or takes away (−1) what remains of `lines` to the incoming of their
    /// levels at `location`, locking them in SKU order.
    async fn move_incoming(
        &self,
        tx: &mut AnyConnection,
        location: &str,
        lines: &[OrderLine],
        sign: i64,
    ) -> Result<(), InventoryError> {
        let mut lines: Vec<&OrderLine> = lines.iter().collect();
        lines.sort_by(|a, b| a.sku.cmp(&b.sku));
        for line in lines {
            locked_level(tx, self.db.kind(), &line.sku, location).await?;
            sqlx::query(
                "UPDATE inventory_levels SET incoming = incoming + ?, version = version + 1 \
                 WHERE sku = ? AND location = ?",
            )
            .bind(sign * line.remaining())
            .bind(line.sku.clone())
            .bind(location.to_owned())
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    async fn set_status(
        &self,
        tx: &mut AnyConnection,
        id: &str,
        status: PurchaseOrderStatus,
        stamp: &'static str,
        at: i64,
    ) -> Result<(), InventoryError> {
        // `stamp` is one of the fixed column names the callers pass.
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE inventory_purchase_orders SET status = ?, {stamp} = ?, updated_at = ?, version = version + 1 \
             WHERE id = ?"
        )))
        .bind(status.as_str())
        .bind(at)
        .bind(at)
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

async fn insert_lines(tx: &mut AnyConnection, id: &str, lines: &[NewLine]) -> Result<(), InventoryError> {
    for (line_no, line) in (1_i64..).zip(lines) {
        sqlx::query(
            "INSERT INTO inventory_purchase_order_lines (purchase_order_id, line_no, sku, quantity, received, \
             unit_cost_cents, allow_over_receipt) VALUES (?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(id.to_owned())
        .bind(line_no)
        .bind(line.sku.clone())
        .bind(line.quantity)
        .bind(line.unit_cost_cents)
        .bind(i64::from(line.allow_over_receipt))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn order_lines(tx: &mut AnyConnection, id: &str) -> Result<Vec<OrderLine>, InventoryError> {
    let rows = sqlx::query(
        "SELECT line_no, sku, quantity, received, unit_cost_cents, allow_over_receipt \
         FROM inventory_purchase_order_lines WHERE purchase_order_id = ? ORDER BY line_no",
    )
    .bind(id.to_owned())
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(OrderLine {
                line_no: row.try_get(0)?,
                sku: row.try_get(1)?,
                quantity: row.try_get(2)?,
                received: row.try_get(3)?,
                unit_cost_cents: row.try_get(4)?,
                allow_over_receipt: row.try_get::<i64, _>(5)? != 0,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(InventoryError::from)
}

/// The order `id` as the API shows it, read on `conn` (inside a transaction, it sees that
/// transaction's writes).
/// The order as the changes in `tx` left it, once they are committed.
async fn committed_view(mut tx: storage::Tx, id: &str) -> Result<PurchaseOrder, InventoryError> {
    let view = order_view(&mut tx, id)
        .await?
        .ok_or_else(|| InventoryError::PurchaseOrderNotFound(id.to_owned()))?;
    tx.commit().await?;
    Ok(view)
}

async fn order_view(conn: &mut AnyConnection, id: &str) -> Result<Option<PurchaseOrder>, InventoryError> {
    let Some(row) = sqlx::query(AssertSqlSafe(format!(
        "SELECT {ORDER_COLUMNS} FROM inventory_purchase_orders o \
         JOIN inventory_suppliers s ON s.id = o.supplier_id WHERE o.id = ?"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let supplier_id: String = row.try_get(2)?;
    let lines = sqlx::query(
        "SELECT l.sku, COALESCE(i.name, l.sku), si.supplier_sku, l.quantity, l.received, l.unit_cost_cents, \
         l.allow_over_receipt FROM inventory_purchase_order_lines l \
         LEFT JOIN inventory_items i ON i.sku = l.sku \
         LEFT JOIN inventory_supplier_items si ON si.sku = l.sku AND si.supplier_id = ? \
         WHERE l.purchase_order_id = ? ORDER BY l.line_no",
    )
    .bind(supplier_id.clone())
    .bind(id.to_owned())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        let quantity: i64 = row.try_get(3)?;
        let received: i64 = row.try_get(4)?;
        Ok(PurchaseOrderLine {
            sku: row.try_get(0)?,
            name: row.try_get(1)?,
            supplier_sku: row.try_get(2)?,
            quantity,
            received,
            remaining: (quantity - received).max(0),
            unit_cost_cents: row.try_get(5)?,
            allow_over_receipt: row.try_get::<i64, _>(6)? != 0,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let receipts = receipts(conn, id).await?;
    // At most 200 lines of 10⁶ units at 10¹⁰ cents: within i64.
    let total: i128 = lines
        .iter()
        .map(|l| i128::from(l.quantity) * i128::from(l.unit_cost_cents))
        .sum();
    Ok(Some(PurchaseOrder {
        id: row.try_get(0)?,
        number: row.try_get(1)?,
        supplier_id,
        supplier_name: row.try_get(3)?,
        location: row.try_get(4)?,
        status: stored(&row.try_get::<String, _>(5)?, PurchaseOrderStatus::parse)?,
        expected_at: row.try_get(6)?,
        note: row.try_get(7)?,
        total_cost_cents: i64::try_from(total).map_err(|_| InventoryError::TooLarge("the order's total"))?,
        lines,
        created_by: row.try_get(8)?,
        created_at: from_millis(row.try_get(9)?),
        updated_at: from_millis(row.try_get(10)?),
        ordered_at: optional_time(&row, 11)?,
        received_at: optional_time(&row, 12)?,
        cancelled_at: optional_time(&row, 13)?,
        receipts,
    }))
}

fn optional_time(row: &AnyRow, index: usize) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(index)?.map(from_millis))
}

async fn receipts(conn: &mut AnyConnection, id: &str) -> Result<Vec<Receipt>, InventoryError> {
    let heads = sqlx::query(
        "SELECT id, reference, note, actor, received_at FROM inventory_receipts \
         WHERE purchase_order_id = ? ORDER BY received_at, id",
    )
    .bind(id.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    let lines = sqlx::query(
        "SELECT r.id, rl.sku, rl.quantity, rl.unit_cost_cents, rl.movement_id FROM inventory_receipt_lines rl \
         JOIN inventory_receipts r ON r.id = rl.receipt_id WHERE r.purchase_order_id = ? ORDER BY rl.sku",
    )
    .bind(id.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    let mut receipts = Vec::with_capacity(heads.len());
    for head in &heads {
        let receipt_id: String = head.try_get(0)?;
        let mut of_receipt = Vec::new();
        for line in &lines {
            if line.try_get::<String, _>(0)? == receipt_id {
                of_receipt.push(ReceiptLine {
                    sku: line.try_get(1)?,
                    quantity: line.try_get(2)?,
                    unit_cost_cents: line.try_get(3)?,
                    movement_id: line.try_get(4)?,
                });
            }
        }
        receipts.push(Receipt {
            id: receipt_id,
            reference: head.try_get(1)?,
            note: head.try_get(2)?,
            actor: head.try_get(3)?,
            received_at: from_millis(head.try_get(4)?),
            lines: of_receipt,
        });
    }
    Ok(receipts)
}
