//! Till shifts: opening one (one open shift per till), cash paid in and out, closing it with
//! its Z number and ShiftClosed, and the figures of its X and Z reports.

use std::collections::{BTreeMap, HashMap};

use events::sales::{SalePayment, ShiftClosed};
use kernel::{Cents, PaymentMethod, Total};
use sales_api::shifts::{
    CashFigures, CashMovement, CashMovementKind, CountAndAmount, MethodTotal, ReportKind, Shift, ShiftReport,
    ShiftSales, ShiftStatus,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::clock::{from_millis, millis};
use time::OffsetDateTime;

use super::{Origin, SalesStore};
use crate::domain::pricing::per_rate;
use crate::domain::shift::{Closing, NewCashMovement, NewShift, drawer};
use crate::domain::{Payment, Settlement, TaxFigures};
use crate::error::SaleError;

const COLUMNS: &str = "id, number, till, location, status, opening_float_cents, opened_by, opened_at, closed_by, \
                       closed_at, counted_cash_cents, z_number, note, expected_cash_cents, over_short_cents";

/// Which shifts a listing shows.
#[derive(Debug, Clone, Default)]
pub struct ShiftFilter {
    pub till: Option<String>,
    pub status: Option<ShiftStatus>,
    /// Opened at or after, epoch milliseconds.
    pub from_ms: Option<i64>,
    /// Opened before.
    pub to_ms: Option<i64>,
}

impl SalesStore {
    /// Opens a shift on its till; `ShiftOpen` (with the open one's id) when the till has one.
    /// With `key`, the answer is stored with the shift.
    pub async fn open_shift(
        &self,
        new: &NewShift,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<Shift, SaleError> {
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO sales_shifts (id, till, open_till, location, status, opening_float_cents, opened_by, opened_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.clone())
        .bind(new.till.clone())
        .bind(new.till.clone())
        .bind(new.location.clone())
        .bind(ShiftStatus::Open.as_str())
        .bind(new.opening_float.get())
        .bind(origin.actor.clone())
        .bind(millis(OffsetDateTime::now_utc()))
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {
                let shift = load_shift(&mut tx, &id, "")
                    .await?
                    .ok_or_else(|| SaleError::ShiftNotFound(id.clone()))?;
                self.answer_with(&mut tx, key, 201, &shift).await?;
                tx.commit().await?;
                Ok(shift)
            }
            Err(e) if storage::db::unique_violation(&e).is_some() => {
                drop(tx);
                let open: Option<String> =
                    sqlx::query_scalar("SELECT id FROM sales_shifts WHERE open_till = ?")
                        .bind(new.till.clone())
                        .fetch_optional(self.db.pool())
                        .await?;
                Err(SaleError::ShiftAlreadyOpen {
                    till: new.till.clone(),
                    open: open.unwrap_or_default(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Stores `answer` as the answer of `key` in `tx`, the transaction of the work itself; a
    /// key answered meanwhile (its claim taken over) undoes the work.
    async fn answer_with(
        &self,
        tx: &mut storage::db::Tx,
        key: Option<&str>,
        status: u16,
        answer: &impl serde::Serialize,
    ) -> Result<(), SaleError> {
        if let Some(key) = key {
            let body = serde_json::to_string(answer).expect("answers serialize to JSON");
            if !self.keys.answer(tx, key, status, &body).await? {
                return Err(SaleError::KeyAnswered);
            }
        }
        Ok(())
    }

    pub async fn shift(&self, id: &str) -> Result<Option<Shift>, sqlx::Error> {
        let mut conn = self.db.pool().acquire().await?;
        load_shift(&mut conn, id, "").await
    }

    /// One page of shifts, newest first, before shift number `before`.
    pub async fn shifts(
        &self,
        filter: &ShiftFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Shift>, sqlx::Error> {
        let mut conditions = vec!["number < ?"];
        let mut ints = vec![before.unwrap_or(i64::MAX)];
        let mut args = Vec::new();
        if let Some(from) = filter.from_ms {
            conditions.push("opened_at >= ?");
            ints.push(from);
        }
        if let Some(to) = filter.to_ms {
            conditions.push("opened_at < ?");
            ints.push(to);
        }
        if let Some(till) = &filter.till {
            conditions.push("till = ?");
            args.push(till.clone());
        }
        if let Some(status) = filter.status {
            conditions.push("status = ?");
            args.push(status.as_str().to_owned());
        }
        // Only the fixed fragments above are in the SQL text; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM sales_shifts WHERE {} ORDER BY number DESC LIMIT ?",
            conditions.join(" AND ")
        );
        // Integers first, then texts, in the order their conditions were pushed.
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for int in ints {
            query = query.bind(int);
        }
        for arg in args {
            query = query.bind(arg);
        }
        query
            .bind(i64::from(limit))
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(shift_from_row)
            .collect()
    }

    /// Records cash paid into or out of an open shift's drawer.
    pub async fn move_cash(
        &self,
        shift_id: &str,
        movement: &NewCashMovement,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<CashMovement, SaleError> {
        let mut tx = self.db.begin().await?;
        open_shift_locked(&mut tx, self.db.kind(), shift_id).await?;
        let at = OffsetDateTime::now_utc();
        sqlx::query(
            "INSERT INTO sales_cash_movements (shift_id, kind, amount_cents, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(shift_id.to_owned())
        .bind(movement.kind.as_str())
        .bind(movement.amount.get())
        .bind(movement.reason.clone())
        .bind(origin.actor.clone())
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
        let id = storage::db::last_insert_id(&mut tx, self.db.kind()).await?;
        let moved = CashMovement {
            id,
            kind: movement.kind,
            amount_cents: movement.amount.get(),
            reason: movement.reason.clone(),
            actor: origin.actor.clone(),
            at: storage::clock::stored_precision(at),
        };
        self.answer_with(&mut tx, key, 201, &moved).await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Closes an open shift with the counted cash: its Z number is the till's next, and
    /// ShiftClosed with the Z report's totals is published with it.
    pub async fn close_shift(
        &self,
        id: &str,
        closing: &Closing,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<ShiftReport, SaleError> {
        let mut tx = self.db.begin().await?;
        let shift = open_shift_locked(&mut tx, self.db.kind(), id).await?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(z_number) FROM sales_shifts WHERE till = ?")
            .bind(shift.till.clone())
            .fetch_one(&mut *tx)
            .await?;
        let z_number = last.unwrap_or(0) + 1;
        let at = OffsetDateTime::now_utc();
        sqlx::query(
            "UPDATE sales_shifts SET status = ?, open_till = NULL, closed_by = ?, closed_at = ?, counted_cash_cents = ?, \
             z_number = ?, note = ? WHERE id = ?",
        )
        .bind(ShiftStatus::Closed.as_str())
        .bind(origin.actor.clone())
        .bind(millis(at))
        .bind(closing.counted.get())
        .bind(z_number)
        .bind(closing.note.clone())
        .bind(id.to_owned())
        .execute(&mut *tx)
        .await?;
        let closed = load_shift(&mut tx, id, "")
            .await?
            .ok_or_else(|| SaleError::ShiftNotFound(id.to_owned()))?;
        let report = report(&mut tx, closed).await?;
        sqlx::query("UPDATE sales_shifts SET expected_cash_cents = ?, over_short_cents = ? WHERE id = ?")
            .bind(report.cash.expected_cents)
            .bind(report.cash.over_short_cents)
            .bind(id.to_owned())
            .execute(&mut *tx)
            .await?;
        let report = ShiftReport {
            shift: Shift {
                expected_cash_cents: Some(report.cash.expected_cents),
                over_short_cents: report.cash.over_short_cents,
                ..report.shift
            },
            ..report
        };
        let event = ShiftClosed {
            shift_id: id.to_owned(),
            till: report.shift.till.clone(),
            location: report.shift.location.clone(),
            z_number,
            opened_at: report.shift.opened_at,
            closed_at: storage::clock::stored_precision(at),
            sales_count: report.sales.count,
            net_cents: report.sales.net_cents,
            tax_cents: report.sales.tax_cents,
            total_cents: report.sales.total_cents,
            payments: report
                .payments
                .iter()
                .map(|p| SalePayment {
                    method: p.method,
                    amount_cents: p.amount_cents,
                })
                .collect(),
            refunds_cents: report.refunds.iter().map(|r| r.amount_cents).sum(),
            expected_cash_cents: report.cash.expected_cents,
            counted_cash_cents: closing.counted.get(),
            over_short_cents: report.cash.over_short_cents.unwrap_or(0),
            actor: origin.actor.clone(),
        };
        self.outbox
            .append(&mut tx, &super::sales::envelope(origin, at, &event))
            .await?;
        self.answer_with(&mut tx, key, 200, &report).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The X report of an open shift, the Z report of a closed one.
    pub async fn shift_report(&self, id: &str) -> Result<ShiftReport, SaleError> {
        let mut conn = self.db.pool().acquire().await?;
        let shift = load_shift(&mut conn, id, "")
            .await?
            .ok_or_else(|| SaleError::ShiftNotFound(id.to_owned()))?;
        report(&mut conn, shift).await
    }
}

/// The shift `id`, locked until the transaction ends, if it is open; else why not.
pub(super) async fn open_shift_locked(
    conn: &mut AnyConnection,
    kind: storage::DatabaseKind,
    id: &str,
) -> Result<Shift, SaleError> {
    let shift = load_shift(conn, id, storage::db::for_update(kind))
        .await?
        .ok_or_else(|| SaleError::ShiftNotFound(id.to_owned()))?;
    if shift.status != ShiftStatus::Open {
        return Err(SaleError::ShiftClosed(id.to_owned()));
    }
    Ok(shift)
}

async fn load_shift(
    conn: &mut AnyConnection,
    id: &str,
    lock: &'static str,
) -> Result<Option<Shift>, sqlx::Error> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sales_shifts WHERE id = ?{lock}"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(shift_from_row)
    .transpose()
}

fn shift_from_row(row: &AnyRow) -> Result<Shift, sqlx::Error> {
    Ok(Shift {
        id: row.try_get(0)?,
        number: row.try_get(1)?,
        till: row.try_get(2)?,
        location: row.try_get(3)?,
        status: super::stored(&row.try_get::<String, _>(4)?, ShiftStatus::parse)?,
        opening_float_cents: row.try_get(5)?,
        opened_by: row.try_get(6)?,
        opened_at: from_millis(row.try_get(7)?),
        closed_by: row.try_get(8)?,
        closed_at: row.try_get::<Option<i64>, _>(9)?.map(from_millis),
        counted_cash_cents: row.try_get(10)?,
        expected_cash_cents: row.try_get(13)?,
        over_short_cents: row.try_get(14)?,
        z_number: row.try_get(11)?,
        note: row.try_get(12)?,
    })
}

fn too_large(_: kernel::Overflow) -> SaleError {
    SaleError::TooLarge("a figure of the shift report")
}

fn sum(amounts: impl IntoIterator<Item = i64>) -> Result<i64, SaleError> {
    amounts
        .into_iter()
        .map(Cents::new)
        .collect::<Total>()
        .cents()
        .map(Cents::get)
        .map_err(too_large)
}

/// Every figure of the shift's report, from its sales, their payments, the refunds given
/// during it and its cash movements. Sums are taken here (not in SQL), as for the summary.
async fn report(conn: &mut AnyConnection, shift: Shift) -> Result<ShiftReport, SaleError> {
    let sales = sqlx::query(
        "SELECT id, receipt_number, discount_cents, subtotal_cents, tax_cents, total_cents, tendered_cents, \
         change_due_cents FROM sales_sales WHERE shift_id = ? ORDER BY receipt_number",
    )
    .bind(shift.id.clone())
    .fetch_all(&mut *conn)
    .await?;
    let lines = sqlx::query(
        "SELECT l.unit_price_cents, l.quantity, l.tax_rate, l.rate_ppm, l.net_cents, l.tax_cents \
         FROM sales_lines l JOIN sales_sales s ON s.id = l.sale_id WHERE s.shift_id = ?",
    )
    .bind(shift.id.clone())
    .fetch_all(&mut *conn)
    .await?;
    let payments = sqlx::query(
        "SELECT s.id, p.method, p.amount_cents FROM sales_payments p JOIN sales_sales s ON s.id = p.sale_id \
         WHERE s.shift_id = ? ORDER BY s.receipt_number, p.payment_no",
    )
    .bind(shift.id.clone())
    .fetch_all(&mut *conn)
    .await?;
    let refunds = sqlx::query(
        "SELECT change_kind, method, amount_cents FROM sales_refunds WHERE shift_id = ? ORDER BY id",
    )
    .bind(shift.id.clone())
    .fetch_all(&mut *conn)
    .await?;
    let movements = sqlx::query(
        "SELECT id, kind, amount_cents, reason, actor, at FROM sales_cash_movements WHERE shift_id = ? ORDER BY id",
    )
    .bind(shift.id.clone())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| {
        Ok(CashMovement {
            id: row.try_get(0)?,
            kind: super::stored(&row.try_get::<String, _>(1)?, CashMovementKind::parse)?,
            amount_cents: row.try_get(2)?,
            reason: row.try_get(3)?,
            actor: row.try_get(4)?,
            at: from_millis(row.try_get(5)?),
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let column = |rows: &[AnyRow], i: usize| -> Result<Vec<i64>, sqlx::Error> {
        rows.iter().map(|r| r.try_get::<i64, _>(i)).collect()
    };
    let receipts = column(&sales, 1)?;
    let mut gross = Total::default();
    let mut taxes = Vec::with_capacity(lines.len());
    for line in &lines {
        gross.add_times(Cents::new(line.try_get(0)?), line.try_get(1)?);
        taxes.push(TaxFigures {
            code: line.try_get(2)?,
            rate: super::sales::stored_rate(line.try_get(3)?)?,
            net_cents: line.try_get(4)?,
            tax_cents: line.try_get(5)?,
        });
    }
    let sales_figures = ShiftSales {
        count: sales.len() as i64,
        gross_cents: gross.cents().map_err(too_large)?.get(),
        discount_cents: sum(column(&sales, 2)?)?,
        net_cents: sum(column(&sales, 3)?)?,
        tax_cents: sum(column(&sales, 4)?)?,
        total_cents: sum(column(&sales, 5)?)?,
        first_receipt: receipts.first().copied(),
        last_receipt: receipts.last().copied(),
    };

    // What each method took, per sale (cash net of its change), then summed.
    let change: HashMap<String, i64> = sales
        .iter()
        .map(|s| Ok((s.try_get(0)?, s.try_get(7)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut settlements: BTreeMap<String, Settlement> = BTreeMap::new();
    for row in &payments {
        let sale: String = row.try_get(0)?;
        let settlement = settlements.entry(sale.clone()).or_insert_with(|| Settlement {
            payments: Vec::new(),
            tendered_cents: 0,
            change_due_cents: change.get(&sale).copied().unwrap_or(0),
        });
        settlement.payments.push(Payment {
            method: super::stored(&row.try_get::<String, _>(1)?, PaymentMethod::parse)?,
            amount: Cents::new(row.try_get(2)?),
        });
    }
    let mut by_method: BTreeMap<PaymentMethod, (i64, Total)> = BTreeMap::new();
    for settlement in settlements.values() {
        for (method, taken) in settlement.taken_by_method() {
            let entry = by_method.entry(method).or_default();
            entry.0 += 1;
            entry.1.add(Cents::new(taken));
        }
    }
    let method_totals =
        |totals: BTreeMap<PaymentMethod, (i64, Total)>| -> Result<Vec<MethodTotal>, SaleError> {
            totals
                .into_iter()
                .map(|(method, (count, total))| {
                    Ok(MethodTotal {
                        method,
                        count,
                        amount_cents: total.cents().map_err(too_large)?.get(),
                    })
                })
                .collect()
        };

    let mut refunds_by_method: BTreeMap<PaymentMethod, (i64, Total)> = BTreeMap::new();
    let (mut returns, mut voids) = (CountAndAmount::default(), CountAndAmount::default());
    let mut cash_refunds = Total::default();
    for row in &refunds {
        let kind: String = row.try_get(0)?;
        let method = super::stored(&row.try_get::<String, _>(1)?, PaymentMethod::parse)?;
        let amount = Cents::new(row.try_get(2)?);
        let entry = refunds_by_method.entry(method).or_default();
        entry.0 += 1;
        entry.1.add(amount);
        if method == PaymentMethod::Cash {
            cash_refunds.add(amount);
        }
        let bucket = if kind == kernel::SaleChange::Voided.as_str() {
            &mut voids
        } else {
            &mut returns
        };
        bucket.count += 1;
        bucket.amount_cents = bucket
            .amount_cents
            .checked_add(amount.get())
            .ok_or(kernel::Overflow)
            .map_err(too_large)?;
    }

    let cash_taken = sum(payments
        .iter()
        .filter(|p| {
            p.try_get::<String, _>(1)
                .is_ok_and(|m| m == PaymentMethod::Cash.as_str())
        })
        .map(|p| p.try_get::<i64, _>(2).unwrap_or(0)))?;
    let moved = |kind: CashMovementKind| {
        sum(movements
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.amount_cents))
    };
    let parts = CashFigures {
        opening_float_cents: shift.opening_float_cents,
        cash_taken_cents: cash_taken,
        change_given_cents: sum(column(&sales, 7)?)?,
        cash_refunds_cents: cash_refunds.cents().map_err(too_large)?.get(),
        paid_in_cents: moved(CashMovementKind::PaidIn)?,
        paid_out_cents: moved(CashMovementKind::PaidOut)?,
        ..CashFigures::default()
    };
    let cash = drawer(parts, shift.counted_cash_cents).map_err(too_large)?;
    Ok(ShiftReport {
        kind: match shift.status {
            ShiftStatus::Open => ReportKind::X,
            ShiftStatus::Closed => ReportKind::Z,
        },
        taxes: per_rate(taxes)
            .map_err(too_large)?
            .into_iter()
            .map(sales_api::views::TaxLine::from)
            .collect(),
        payments: method_totals(by_method)?,
        refunds: method_totals(refunds_by_method)?,
        returns,
        voids,
        cash_movements: movements,
        cash,
        sales: sales_figures,
        shift,
    })
}
