//! Recording, reading, listing and changing sales.

use std::collections::HashMap;

use events::sales::{SaleCreated, SaleLine, SalePayment, SaleTax, SaleUpdated};
use events::{Envelope, Event};
use kernel::SaleStatus;
use sales_api::views::{HistoryEntry, Line, Payment, Sale, TaxLine};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::clock::{from_millis, millis, stored_precision};
use time::OffsetDateTime;

use super::{ListFilter, Origin, SalesStore};
use crate::SERVICE;
use crate::domain::pricing::per_rate;
use crate::domain::{
    Priced, RefundDetails, RefundPolicy, SaleRequest, SaleUpdate, Settlement, TaxFigures, change_note,
};
use crate::error::SaleError;

/// A sale priced, paid and reserved, about to be recorded.
pub struct NewSale<'a> {
    pub id: &'a str,
    pub request: &'a SaleRequest,
    pub priced: &'a Priced,
    pub settlement: &'a Settlement,
    /// The customer's name: the shop's customer's when the sale names one.
    pub customer: Option<String>,
    /// The manager who approved discounts beyond the limit.
    pub approved_by: Option<String>,
    /// What a unit of each SKU cost the shop as its stock was held (SKUs with a known cost).
    pub unit_costs: &'a std::collections::BTreeMap<String, i64>,
}

impl SalesStore {
    /// Records a sale with its payments, its SaleCreated event and, if given, the sale as the
    /// key's stored answer.
    pub async fn record(
        &self,
        new: &NewSale<'_>,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<Sale, SaleError> {
        let NewSale {
            id,
            request,
            priced,
            settlement,
            ref customer,
            ref approved_by,
            unit_costs,
        } = *new;
        let Priced {
            lines, taxes, totals, ..
        } = priced;
        let at = OffsetDateTime::now_utc();
        let mut tx = self.db.begin().await?;
        // A shift closing meanwhile takes no more sales: its row is locked until this commits.
        if let Some(shift) = &request.shift_id {
            super::shifts::open_shift_locked(&mut tx, self.db.kind(), shift)
                .await
                .map_err(named_shift)?;
        }
        sqlx::query(
            "INSERT INTO sales_sales (id, status, location, payment_method, customer, customer_id, note, \
             subtotal_cents, discount_cents, tax_cents, total_cents, refunded_cents, units, tendered_cents, \
             change_due_cents, created_at, updated_at, recorded_by, approved_by, shift_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_owned())
        .bind(SaleStatus::Completed.as_str())
        .bind(request.location.clone())
        .bind(settlement.main_method().as_str())
        .bind(customer.clone())
        .bind(request.customer_id.clone())
        .bind(request.note.clone())
        .bind(totals.subtotal_cents)
        .bind(totals.discount_cents)
        .bind(totals.tax_cents)
        .bind(totals.total_cents)
        .bind(totals.units)
        .bind(settlement.tendered_cents)
        .bind(settlement.change_due_cents)
        .bind(millis(at))
        .bind(millis(at))
        .bind(origin.actor.clone())
        .bind(approved_by.clone())
        .bind(request.shift_id.clone())
        .execute(&mut *tx)
        .await?;
        let receipt_number = storage::db::last_insert_id(&mut tx, self.db.kind()).await?;
        let sql = format!(
            "INSERT INTO sales_lines (sale_id, line_no, sku, name, quantity, unit_price_cents, discount_cents, \
             tax_rate, rate_ppm, net_cents, tax_cents, line_total_cents, returned_quantity, serials, warranty_months, \
             receipt_number) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)"; lines.len()].join(", ")
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for (i, line) in lines.iter().enumerate() {
            insert = insert
                .bind(id.to_owned())
                .bind(i as i64 + 1)
                .bind(line.sku.clone())
                .bind(line.name.clone())
                .bind(line.quantity)
                .bind(line.unit_price_cents)
                .bind(line.discount_cents)
                .bind(line.tax_code.clone())
                .bind(i64::from(line.tax_rate.ppm()))
                .bind(line.net_cents)
                .bind(line.tax_cents)
                .bind(line.line_total_cents)
                .bind(joined(&line.serials))
                .bind(line.warranty_months)
                .bind(receipt_number);
        }
        insert.execute(&mut *tx).await?;
        let sql = format!(
            "INSERT INTO sales_payments (sale_id, payment_no, method, amount_cents) VALUES {}",
            vec!["(?, ?, ?, ?)"; settlement.payments.len()].join(", ")
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for (i, payment) in settlement.payments.iter().enumerate() {
            insert = insert
                .bind(id.to_owned())
                .bind(i as i64 + 1)
                .bind(payment.method.as_str())
                .bind(payment.amount.get());
        }
        insert.execute(&mut *tx).await?;
        history(
            &mut tx,
            id,
            SaleStatus::Completed,
            None,
            origin,
            approved_by.clone(),
            at,
        )
        .await?;
        let event = SaleCreated {
            sale_id: id.to_owned(),
            receipt_number,
            location: request.location.clone(),
            payment_method: settlement.main_method(),
            subtotal_cents: totals.subtotal_cents,
            discount_cents: totals.discount_cents,
            tax_cents: totals.tax_cents,
            total_cents: totals.total_cents,
            taxes: taxes
                .iter()
                .map(|t| SaleTax {
                    code: t.code.clone(),
                    rate_bp: t.rate,
                    net_cents: t.net_cents,
                    tax_cents: t.tax_cents,
                })
                .collect(),
            payments: settlement
                .payments
                .iter()
                .map(|p| SalePayment {
                    method: p.method,
                    amount_cents: p.amount.get(),
                })
                .collect(),
            tendered_cents: settlement.tendered_cents,
            change_due_cents: settlement.change_due_cents,
            lines: lines
                .iter()
                .map(|l| SaleLine {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                    line_total_cents: l.line_total_cents,
                    tax_cents: l.tax_cents,
                    discount_cents: l.discount_cents,
                    rate_bp: Some(l.tax_rate),
                    tax_code: l.tax_code.clone(),
                    unit_cost_cents: unit_costs.get(&l.sku).copied(),
                    serials: l.serials.clone(),
                })
                .collect(),
            actor: origin.actor.clone(),
            approved_by: approved_by.clone(),
            shift_id: request.shift_id.clone(),
            customer_id: request.customer_id.clone(),
        };
        self.outbox.append(&mut tx, &envelope(origin, at, &event)).await?;
        // Built from what was written rather than read back: the write lock is held meanwhile.
        let sale = Sale {
            id: id.to_owned(),
            receipt_number,
            status: SaleStatus::Completed,
            location: request.location.clone(),
            payment_method: settlement.main_method(),
            customer: customer.clone(),
            customer_id: request.customer_id.clone(),
            shift_id: request.shift_id.clone(),
            note: request.note.clone(),
            subtotal_cents: totals.subtotal_cents,
            discount_cents: totals.discount_cents,
            tax_cents: totals.tax_cents,
            total_cents: totals.total_cents,
            taxes: taxes.iter().cloned().map(TaxLine::from).collect(),
            payments: settlement
                .payments
                .iter()
                .map(|p| Payment {
                    method: p.method,
                    amount_cents: p.amount.get(),
                })
                .collect(),
            tendered_cents: settlement.tendered_cents,
            change_due_cents: settlement.change_due_cents,
            refunded_cents: 0,
            refunded_tax_cents: 0,
            units: totals.units,
            recorded_by: origin.actor.clone(),
            approved_by: approved_by.clone(),
            created_at: stored_precision(at),
            updated_at: stored_precision(at),
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, l)| Line {
                    line_no: i as i64 + 1,
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                    discount_cents: l.discount_cents,
                    tax_rate: l.tax_code.clone(),
                    rate_bp: l.tax_rate,
                    net_cents: l.net_cents,
                    tax_cents: l.tax_cents,
                    line_total_cents: l.line_total_cents,
                    returned_quantity: 0,
                    serials: l.serials.clone(),
                    returned_serials: Vec::new(),
                    warranty_months: l.warranty_months,
                })
                .collect(),
            history: vec![HistoryEntry {
                status: SaleStatus::Completed,
                detail: None,
                actor: origin.actor.clone(),
                approved_by: approved_by.clone(),
                at: stored_precision(at),
            }],
        };
        if let Some(key) = key
            && !self
                .keys
                .answer(
                    &mut tx,
                    key,
                    201,
                    &serde_json::to_string(&sale).expect("sales serialize to JSON"),
                )
                .await?
        {
            return Err(SaleError::KeyAnswered);
        }
        tx.commit().await?;
        Ok(sale)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Sale>, sqlx::Error> {
        let mut conn = self.db.pool().acquire().await?;
        load(&mut conn, id, "").await
    }

    /// One page of sales, newest first, before receipt number `before`.
    pub async fn list(
        &self,
        filter: &ListFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Sale>, sqlx::Error> {
        let before = before.unwrap_or(i64::MAX);
        if let Some(sku) = filter.sku.as_deref().filter(|_| filter.names_only_a_sku()) {
            // Straight from the lines' (sku, receipt number) index: as many lines read as the
            // page holds, however often the product sold.
            let ids = sqlx::query_scalar::<_, String>(
                "SELECT s.id FROM (SELECT DISTINCT receipt_number FROM sales_lines WHERE sku = ? AND receipt_number < ? \
                 ORDER BY receipt_number DESC LIMIT ?) r JOIN sales_sales s ON s.receipt_number = r.receipt_number \
                 ORDER BY s.receipt_number DESC",
            )
            .bind(sku.to_owned())
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(self.db.pool())
            .await?;
            let mut conn = self.db.pool().acquire().await?;
            return load_all(&mut conn, &ids, "").await;
        }
        let mut conditions = vec!["receipt_number < ?"];
        let mut args: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = vec![before];
        if let Some(from) = filter.from_ms {
            conditions.push("created_at >= ?");
            ints.push(from);
        }
        if let Some(to) = filter.to_ms {
            conditions.push("created_at < ?");
            ints.push(to);
        }
        if filter.payment_method.is_some() {
            conditions.push("id IN (SELECT sale_id FROM sales_payments WHERE method = ?)");
        }
        if filter.status.is_some() {
            conditions.push("status = ?");
        }
        if filter.sku.is_some() {
            conditions.push("receipt_number IN (SELECT receipt_number FROM sales_lines WHERE sku = ?)");
        }
        if filter.customer_id.is_some() {
            conditions.push("customer_id = ?");
        }
        args.extend(filter.payment_method.map(|m| m.as_str().to_owned()));
        args.extend(filter.status.map(|s| s.as_str().to_owned()));
        args.extend(filter.sku.clone());
        args.extend(filter.customer_id.clone());
        // Only fixed fragments are in the SQL text; every value is bound, integers first.
        let sql = format!(
            "SELECT id FROM sales_sales WHERE {} ORDER BY receipt_number DESC LIMIT ?",
            conditions.join(" AND ")
        );
        let mut query = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
        for i in ints {
            query = query.bind(i);
        }
        for a in args {
            query = query.bind(a);
        }
        let ids = query.bind(i64::from(limit)).fetch_all(self.db.pool()).await?;
        let mut conn = self.db.pool().acquire().await?;
        load_all(&mut conn, &ids, "").await
    }

    /// Locks the sale, lets `decide` work out what changes (a void, a return), checks the
    /// refund against `policy`, and writes it with its refund record (in its shift, if named),
    /// SaleUpdated and, if given, the key's stored answer.
    pub async fn update(
        &self,
        id: &str,
        key: Option<&str>,
        origin: &Origin,
        (details, policy): (&RefundDetails, &RefundPolicy),
        decide: impl FnOnce(&Sale) -> Result<SaleUpdate, SaleError>,
    ) -> Result<Sale, SaleError> {
        let lock = storage::db::for_update(self.db.kind());
        let mut tx = self.db.begin().await?;
        let sale = load(&mut tx, id, lock)
            .await?
            .ok_or_else(|| SaleError::NotFound(id.to_owned()))?;
        let update = decide(&sale)?;
        let at = OffsetDateTime::now_utc();
        let refund = update.refund(&sale)?;
        let method = details.method.unwrap_or(sale.payment_method);
        policy.check(refund.total, method, details.shift_id.as_deref())?;
        if let Some(shift) = &details.shift_id {
            super::shifts::open_shift_locked(&mut tx, self.db.kind(), shift)
                .await
                .map_err(named_shift)?;
        }
        let approved_by = policy.approver(refund.total);
        super::summary::bump_hour_revision(&mut tx, self.db.kind(), millis(sale.created_at)).await?;
        sqlx::query(
            "INSERT INTO sales_refunds (sale_id, shift_id, change_kind, method, amount_cents, tax_cents, reason, note, \
             actor, approved_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_owned())
        .bind(details.shift_id.clone())
        .bind(update.change.as_str())
        .bind(method.as_str())
        .bind(refund.total.get())
        .bind(refund.tax.get())
        .bind(details.reason.map(|r| r.as_str()))
        .bind(details.note.clone())
        .bind(origin.actor.clone())
        .bind(approved_by.clone())
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
        // Units given back per line, those before and those of this change: one line may be
        // named by several parts of a return (restocked and written off).
        let mut given_back: Vec<Vec<String>> =
            sale.lines.iter().map(|l| l.returned_serials.clone()).collect();
        for taken in &update.lines {
            let returned_serials = &mut given_back[(taken.line_no - 1) as usize];
            returned_serials.extend(taken.returned.serials.iter().cloned());
            sqlx::query(
                "UPDATE sales_lines SET returned_quantity = returned_quantity + ?, returned_serials = ? \
                 WHERE sale_id = ? AND line_no = ?",
            )
            .bind(taken.returned.quantity)
            .bind(joined(returned_serials))
            .bind(id.to_owned())
            .bind(taken.line_no)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE sales_sales SET status = ?, refunded_cents = refunded_cents + ?, \
             refunded_tax_cents = refunded_tax_cents + ?, updated_at = ? WHERE id = ?",
        )
        .bind(update.status.as_str())
        .bind(refund.total.get())
        .bind(refund.tax.get())
        .bind(millis(at))
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await?;
        let note = change_note(update.change, update.units(), refund.total.get(), details, method);
        history(
            &mut tx,
            id,
            update.status,
            Some(note),
            origin,
            approved_by.clone(),
            at,
        )
        .await?;
        let event = SaleUpdated {
            sale_id: id.to_owned(),
            receipt_number: sale.receipt_number,
            location: sale.location.clone(),
            change: update.change,
            status: update.status,
            lines: update.lines.into_iter().map(|l| l.returned).collect(),
            refund_cents: refund.total.get(),
            refund_tax_cents: refund.tax.get(),
            actor: origin.actor.clone(),
            approved_by: approved_by.clone(),
        };
        self.outbox.append(&mut tx, &envelope(origin, at, &event)).await?;
        let updated = load(&mut tx, id, "")
            .await?
            .ok_or_else(|| SaleError::NotFound(id.to_owned()))?;
        if let Some(key) = key {
            let body = serde_json::to_string(&updated).expect("sales serialize to JSON");
            if !self.keys.answer(&mut tx, key, 200, &body).await? {
                return Err(SaleError::KeyAnswered);
            }
        }
        tx.commit().await?;
        Ok(updated)
    }
}

pub(super) fn envelope<E: Event>(origin: &Origin, at: OffsetDateTime, event: &E) -> Envelope {
    Envelope::new(SERVICE, origin.correlation_id.clone(), at, event)
}

async fn history(
    conn: &mut AnyConnection,
    id: &str,
    status: SaleStatus,
    detail: Option<String>,
    origin: &Origin,
    approved_by: Option<String>,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sales_history (sale_id, status, detail, actor, approved_by, at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(id.to_owned())
        .bind(status.as_str())
        .bind(detail)
        .bind(origin.actor.clone())
        .bind(approved_by)
        .bind(millis(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn load(conn: &mut AnyConnection, id: &str, lock: &'static str) -> Result<Option<Sale>, sqlx::Error> {
    Ok(load_all(conn, &[id.to_owned()], lock).await?.pop())
}

/// The sales with these ids, in their order (an unknown id is left out), in four statements
/// whatever their number; `lock` applies to the sales' own rows.
async fn load_all(
    conn: &mut AnyConnection,
    ids: &[String],
    lock: &'static str,
) -> Result<Vec<Sale>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    // Only the placeholders and the fixed lock clause are in the SQL text; every id is bound.
    let select = |sql: String| {
        ids.iter().fold(sqlx::query(AssertSqlSafe(sql)), |query, id| {
            query.bind(id.clone())
        })
    };
    let rows = select(format!(
        "SELECT id, receipt_number, status, location, payment_method, customer, note, subtotal_cents, discount_cents, \
         total_cents, refunded_cents, units, created_at, updated_at, recorded_by, tax_cents, tendered_cents, \
         change_due_cents, customer_id, approved_by, refunded_tax_cents, shift_id FROM sales_sales WHERE id IN ({marks}){lock}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut lines: HashMap<String, Vec<Line>> = HashMap::new();
    for row in select(format!(
        "SELECT line_no, sku, name, quantity, unit_price_cents, discount_cents, line_total_cents, returned_quantity, \
         tax_rate, rate_ppm, net_cents, tax_cents, serials, returned_serials, warranty_months, sale_id \
         FROM sales_lines WHERE sale_id IN ({marks}) ORDER BY sale_id, line_no"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        lines.entry(row.try_get(15)?).or_default().push(line_from_row(&row)?);
    }
    let mut payments: HashMap<String, Vec<Payment>> = HashMap::new();
    for row in select(format!(
        "SELECT method, amount_cents, sale_id FROM sales_payments WHERE sale_id IN ({marks}) ORDER BY sale_id, payment_no"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        payments.entry(row.try_get(2)?).or_default().push(Payment {
            method: super::stored(&row.try_get::<String, _>(0)?, kernel::PaymentMethod::parse)?,
            amount_cents: row.try_get(1)?,
        });
    }
    let mut history: HashMap<String, Vec<HistoryEntry>> = HashMap::new();
    for row in select(format!(
        "SELECT status, detail, at, actor, approved_by, sale_id FROM sales_history WHERE sale_id IN ({marks}) \
         ORDER BY sale_id, id"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        history.entry(row.try_get(5)?).or_default().push(HistoryEntry {
            status: super::stored(&row.try_get::<String, _>(0)?, SaleStatus::parse)?,
            detail: row.try_get(1)?,
            at: from_millis(row.try_get(2)?),
            actor: row.try_get(3)?,
            approved_by: row.try_get(4)?,
        });
    }
    let mut sales: HashMap<String, Sale> = HashMap::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get(0)?;
        let lines = lines.remove(&id).unwrap_or_default();
        let sale = Sale {
            receipt_number: row.try_get(1)?,
            status: super::stored(&row.try_get::<String, _>(2)?, SaleStatus::parse)?,
            location: row.try_get(3)?,
            payment_method: super::stored(&row.try_get::<String, _>(4)?, kernel::PaymentMethod::parse)?,
            customer: row.try_get(5)?,
            customer_id: row.try_get(18)?,
            shift_id: row.try_get(21)?,
            note: row.try_get(6)?,
            subtotal_cents: row.try_get(7)?,
            discount_cents: row.try_get(8)?,
            tax_cents: row.try_get(15)?,
            total_cents: row.try_get(9)?,
            taxes: taxes_of(&lines)?,
            payments: payments.remove(&id).unwrap_or_default(),
            tendered_cents: row.try_get(16)?,
            change_due_cents: row.try_get(17)?,
            refunded_cents: row.try_get(10)?,
            refunded_tax_cents: row.try_get(20)?,
            units: row.try_get(11)?,
            recorded_by: row.try_get(14)?,
            approved_by: row.try_get(19)?,
            created_at: from_millis(row.try_get(12)?),
            updated_at: from_millis(row.try_get(13)?),
            lines,
            history: history.remove(&id).unwrap_or_default(),
            id: id.clone(),
        };
        sales.insert(id, sale);
    }
    Ok(ids.iter().filter_map(|id| sales.remove(id)).collect())
}

/// Net and tax per rate, from the lines as sold.
fn taxes_of(lines: &[Line]) -> Result<Vec<TaxLine>, sqlx::Error> {
    let figures = per_rate(lines.iter().map(|l| TaxFigures {
        code: l.tax_rate.clone(),
        rate: l.rate_bp,
        net_cents: l.net_cents,
        tax_cents: l.tax_cents,
    }))
    .map_err(|e| sqlx::Error::Decode(e.into()))?;
    Ok(figures.into_iter().map(TaxLine::from).collect())
}

/// A stored rate, in parts per million.
pub(super) fn stored_rate(ppm: i64) -> Result<kernel::TaxRate, sqlx::Error> {
    u32::try_from(ppm)
        .ok()
        .and_then(kernel::TaxRate::from_ppm)
        .ok_or_else(|| sqlx::Error::Decode(format!("a tax rate of {ppm} ppm is out of range").into()))
}

fn line_from_row(row: &AnyRow) -> Result<Line, sqlx::Error> {
    Ok(Line {
        line_no: row.try_get(0)?,
        sku: row.try_get(1)?,
        name: row.try_get(2)?,
        quantity: row.try_get(3)?,
        unit_price_cents: row.try_get(4)?,
        discount_cents: row.try_get(5)?,
        tax_rate: row.try_get(8)?,
        rate_bp: stored_rate(row.try_get(9)?)?,
        net_cents: row.try_get(10)?,
        tax_cents: row.try_get(11)?,
        line_total_cents: row.try_get(6)?,
        returned_quantity: row.try_get(7)?,
        serials: split(row.try_get(12)?),
        returned_serials: split(row.try_get(13)?),
        warranty_months: row.try_get(14)?,
    })
}

/// Serial numbers as a line keeps them: separated by spaces, which no serial number contains;
/// none is NULL.
fn joined(serials: &[String]) -> Option<String> {
    (!serials.is_empty()).then(|| serials.join(" "))
}

fn split(stored: Option<String>) -> Vec<String> {
    stored
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A shift a request names that does not exist is the request's `shift_id` at fault.
fn named_shift(e: SaleError) -> SaleError {
    match e {
        SaleError::ShiftNotFound(_) => SaleError::field("shift_id", "names no shift"),
        other => other,
    }
}
