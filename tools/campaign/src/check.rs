//! What must hold after the campaign, once every fault is healed and the system has settled:
//! each finding is an anomaly.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::Value;
use storage::Db;

use crate::workload::{Api, Kind, Outcome, Record};

/// Waits until nothing is left to publish or to apply and no stock is held for a sale; a
/// backlog that stops shrinking for `patience` is an anomaly.
pub async fn settle(db: &Db, patience: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    let mut least = i64::MAX;
    let mut progress = Instant::now();
    loop {
        let left = scalar(
            db,
            "SELECT (SELECT COUNT(*) FROM catalog_outbox WHERE published_at IS NULL) \
             + (SELECT COUNT(*) FROM inventory_outbox WHERE published_at IS NULL) \
             + (SELECT COUNT(*) FROM sales_outbox WHERE published_at IS NULL) \
             + (SELECT COUNT(*) FROM inventory_reservations WHERE status = 'pending') \
             + (SELECT CAST(COALESCE(SUM(reserved), 0) AS SIGNED) FROM inventory_levels)",
        )
        .await?;
        if left == 0 {
            return Ok(started.elapsed());
        }
        if left < least {
            least = left;
            progress = Instant::now();
        }
        if progress.elapsed() > patience {
            return Err(format!(
                "not settled: {left} unpublished events, pending reservations or reserved units, no progress for {patience:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Every invariant, as a list of anomalies (empty when all hold).
pub async fn invariants(db: &Db, api: &Api, records: &[Record]) -> Result<Vec<String>, String> {
    let mut anomalies = Vec::new();

    // Stock = ledger, per SKU and location, and never below zero.
    let mismatched: Vec<(String, String, i64, i64)> = rows(
        db,
        "SELECT l.sku, l.location, l.on_hand, CAST(COALESCE(SUM(m.quantity), 0) AS SIGNED) \
         FROM inventory_levels l LEFT JOIN inventory_movements m ON m.sku = l.sku AND m.location = l.location \
         GROUP BY l.sku, l.location, l.on_hand HAVING l.on_hand <> CAST(COALESCE(SUM(m.quantity), 0) AS SIGNED) \
         OR l.on_hand < 0",
    )
    .await?;
    for (sku, location, on_hand, ledger) in mismatched {
        anomalies.push(format!("{sku} at {location}: {on_hand} on hand, ledger {ledger}"));
    }

    // Each operation took effect once if acknowledged, never if refused, at most once if
    // its outcome is unknown.
    // Each operation's effect rows, read at once by the key written into them (one grouped
    // query per kind of row, not one per operation: a long run has tens of thousands).
    let mut effects: BTreeMap<Kind, HashMap<String, i64>> = BTreeMap::new();
    for (kinds, sql) in [
        (
            &[Kind::Sale][..],
            "SELECT note, COUNT(*) FROM sales_sales WHERE note IS NOT NULL GROUP BY note",
        ),
        (
            &[Kind::Void, Kind::Return][..],
            "SELECT note, COUNT(*) FROM sales_refunds WHERE note IS NOT NULL GROUP BY note",
        ),
        (
            &[Kind::Restock][..],
            "SELECT reference, COUNT(*) FROM inventory_movements WHERE kind = 'restock' AND reference IS NOT NULL GROUP BY reference",
        ),
        (
            &[Kind::Adjustment][..],
            "SELECT note, COUNT(*) FROM inventory_movements WHERE kind = 'adjustment' AND note IS NOT NULL GROUP BY note",
        ),
        (
            &[Kind::Count][..],
            "SELECT note, COUNT(*) FROM inventory_movements WHERE kind = 'count' AND note IS NOT NULL GROUP BY note",
        ),
        (
            &[Kind::Transfer][..],
            "SELECT note, COUNT(*) FROM inventory_movements WHERE kind IN ('transfer_out', 'transfer_in') AND note IS NOT NULL GROUP BY note",
        ),
        (
            &[Kind::Receipt][..],
            "SELECT reference, COUNT(*) FROM inventory_receipts WHERE reference IS NOT NULL GROUP BY reference",
        ),
        (
            &[Kind::CashMovement][..],
            "SELECT reason, COUNT(*) FROM sales_cash_movements GROUP BY reason",
        ),
    ] {
        let counted: HashMap<String, i64> = rows::<(String, i64)>(db, sql).await?.into_iter().collect();
        for kind in kinds {
            effects.insert(*kind, counted.clone());
        }
    }
    let sale_ids: HashMap<String, String> =
        rows::<(String, String)>(db, "SELECT note, id FROM sales_sales WHERE note IS NOT NULL")
            .await?
            .into_iter()
            .collect();
    let shift_status: HashMap<String, String> =
        rows::<(String, String)>(db, "SELECT id, status FROM sales_shifts")
            .await?
            .into_iter()
            .collect();

    for record in records {
        let expected_when_done = match record.kind {
            Kind::Transfer => 2,
            // A shift carries no note: an acknowledged opening or close is found by the shift's
            // id, and each shift's Z report is checked below.
            Kind::ShiftOpen | Kind::ShiftClose => {
                let (id, wanted) = match (&record.outcome, record.kind) {
                    (Outcome::Acked(answer), Kind::ShiftOpen) => (&answer["id"], None),
                    (Outcome::Acked(answer), _) => (&answer["shift"]["id"], Some("closed")),
                    _ => continue,
                };
                let id = id.as_str().unwrap_or_default();
                let status = shift_status.get(id).map(String::as_str);
                if status.is_none() || wanted.is_some_and(|wanted| status != Some(wanted)) {
                    anomalies.push(format!(
                        "{:?} {}: acknowledged, but shift {id} is {status:?}",
                        record.kind, record.key
                    ));
                }
                continue;
            }
            _ => 1,
        };
        let found = effects
            .get(&record.kind)
            .and_then(|counted| counted.get(&record.key))
            .copied()
            .unwrap_or(0);
        let fine = match (&record.outcome, record.kind) {
            // A count equal to the books writes nothing.
            (Outcome::Acked(_), Kind::Count) => found <= 1,
            (Outcome::Acked(_), _) => found == expected_when_done,
            (Outcome::Refused { .. }, _) => found == 0,
            (Outcome::Unknown(_), _) => {
                found == 0 || found == expected_when_done || (record.kind == Kind::Count && found <= 1)
            }
        };
        if !fine {
            anomalies.push(format!(
                "{:?} {}: {} effect rows for outcome {:?}",
                record.kind,
                record.key,
                found,
                brief(&record.outcome)
            ));
        }
        if let (Outcome::Acked(answer), Kind::Sale) = (&record.outcome, record.kind) {
            let id = answer["id"].as_str().unwrap_or_default();
            if sale_ids.get(&record.key).map(String::as_str) != Some(id) {
                anomalies.push(format!(
                    "sale {}: answered as {id}, recorded otherwise",
                    record.key
                ));
            }
        }
    }

    // Every sale has its sale movements, unit for unit.
    let unmoved: Vec<(String, String, i64, i64)> = rows(
        db,
        // Both sides grouped once and joined, only the lines that differ returned: a subquery
        // per line scanned the whole ledger for each of a 30-minute run's 74,000 lines.
        "SELECT l.sale_id, l.sku, l.quantity, CAST(COALESCE(m.moved, 0) AS SIGNED) \
         FROM (SELECT sale_id, sku, CAST(SUM(quantity) AS SIGNED) AS quantity FROM sales_lines GROUP BY sale_id, sku) l \
         LEFT JOIN (SELECT reference, sku, -SUM(quantity) AS moved FROM inventory_movements WHERE kind = 'sale' GROUP BY reference, sku) m \
         ON m.reference = CONCAT('sale ', l.sale_id) AND m.sku = l.sku \
         WHERE CAST(COALESCE(m.moved, 0) AS SIGNED) <> l.quantity",
    )
    .await?;
    for (sale, sku, sold, moved) in unmoved {
        anomalies.push(format!(
            "sale {sale}: {sold} × {sku} sold, {moved} moved out of stock"
        ));
    }

    // Refunds never exceed what was sold, and add up.
    let over_returned: Vec<(String, String)> = rows(
        db,
        "SELECT sale_id, sku FROM sales_lines WHERE returned_quantity > quantity OR returned_quantity < 0",
    )
    .await?;
    for (sale, sku) in over_returned {
        anomalies.push(format!("sale {sale}: more {sku} returned than sold"));
    }
    let over_refunded: Vec<(String, i64, i64, i64)> = rows(
        db,
        "SELECT s.id, s.total_cents, s.refunded_cents, CAST(COALESCE(SUM(r.amount_cents), 0) AS SIGNED) \
         FROM sales_sales s LEFT JOIN sales_refunds r ON r.sale_id = s.id GROUP BY s.id, s.total_cents, s.refunded_cents \
         HAVING s.refunded_cents > s.total_cents OR s.refunded_cents <> CAST(COALESCE(SUM(r.amount_cents), 0) AS SIGNED)",
    )
    .await?;
    for (sale, total, refunded, refunds) in over_refunded {
        anomalies.push(format!(
            "sale {sale}: total {total}, refunded {refunded}, refunds add up to {refunds}"
        ));
    }

    // Nothing left behind.
    for (what, sql) in [
        (
            "pending reservations",
            "SELECT COUNT(*) FROM inventory_reservations WHERE status = 'pending'",
        ),
        (
            "units still reserved",
            "SELECT CAST(COALESCE(SUM(reserved), 0) AS SIGNED) FROM inventory_levels",
        ),
        (
            "unpublished catalog events",
            "SELECT COUNT(*) FROM catalog_outbox WHERE published_at IS NULL",
        ),
        (
            "unpublished inventory events",
            "SELECT COUNT(*) FROM inventory_outbox WHERE published_at IS NULL",
        ),
        (
            "unpublished sales events",
            "SELECT COUNT(*) FROM sales_outbox WHERE published_at IS NULL",
        ),
        (
            "inventory dead letters",
            "SELECT COUNT(*) FROM inventory_dead_letters",
        ),
        (
            "reports dead letters",
            "SELECT COUNT(*) FROM reports_dead_letters",
        ),
    ] {
        let left = scalar(db, sql).await?;
        if left != 0 {
            anomalies.push(format!("{left} {what}"));
        }
    }

    // Every shift was closed, and each Z report is the sum of the shift's own sales, refunds
    // and cash.
    let open = scalar(db, "SELECT COUNT(*) FROM sales_shifts WHERE status = 'open'").await?;
    if open != 0 {
        anomalies.push(format!("{open} shifts left open"));
    }
    let shifts: Vec<(String,)> = rows(db, "SELECT id FROM sales_shifts WHERE status = 'closed'").await?;
    for (shift,) in &shifts {
        anomalies.extend(z_report(db, api, shift).await?);
    }

    // The sales summary adds up the sales that stand (voids left out, returns taken off), and
    // the reports count every sale, return and void once.
    let (count, revenue, units): (i64, i64, i64) = rows(
        db,
        "SELECT COUNT(*), CAST(COALESCE(SUM(s.total_cents - s.refunded_cents), 0) AS SIGNED), \
         CAST(COALESCE(SUM((SELECT SUM(l.quantity - l.returned_quantity) FROM sales_lines l WHERE l.sale_id = s.id)), 0) AS SIGNED) \
         FROM sales_sales s WHERE s.status <> 'voided'",
    )
    .await?
    .pop()
    .unwrap_or_default();
    let summary = api.get("/api/v1/sales/summary").await?;
    let shown = (&summary["count"], &summary["revenue_cents"], &summary["units"]);
    if shown != (&Value::from(count), &Value::from(revenue), &Value::from(units)) {
        anomalies.push(format!(
            "the sales summary shows {shown:?} (sales, revenue, units); the sales that stand add up to ({count}, {revenue}, {units})"
        ));
    }
    let expected = reported_totals(db).await?;
    if let Err(e) = reports_reach(api, &expected).await {
        anomalies.push(e);
    }
    Ok(anomalies)
}

/// What is wrong with the Z report of `shift`, compared with its rows.
async fn z_report(db: &Db, api: &Api, shift: &str) -> Result<Vec<String>, String> {
    let report = api.get(&format!("/api/v1/shifts/{shift}/report")).await?;
    let mut wrong = Vec::new();
    let (sales_count, total): (i64, i64) = rows_for(
        db,
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS SIGNED) FROM sales_sales WHERE shift_id = ?",
        shift,
    )
    .await?
    .pop()
    .unwrap_or_default();
    let sales = &report["sales"];
    if (sales["count"].as_i64(), sales["total_cents"].as_i64()) != (Some(sales_count), Some(total)) {
        wrong.push(format!(
            "shift {shift}: the Z report shows {sales}; its sales are {sales_count} for {total}"
        ));
    }
    let cash_taken: i64 = rows_for(
        db,
        "SELECT CAST(COALESCE(SUM(p.amount_cents), 0) AS SIGNED) FROM sales_payments p \
         JOIN sales_sales s ON s.id = p.sale_id WHERE s.shift_id = ? AND p.method = 'cash'",
        shift,
    )
    .await?
    .pop()
    .map_or(0, |(taken,): (i64,)| taken);
    let cash = &report["cash"];
    let figure = |name: &str| cash[name].as_i64().unwrap_or(0);
    if figure("cash_taken_cents") != cash_taken {
        wrong.push(format!(
            "shift {shift}: the Z report's cash taken is {}, its cash sales paid {cash_taken}",
            figure("cash_taken_cents")
        ));
    }
    for (field, sql) in [
        (
            "paid_in_cents",
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS SIGNED) FROM sales_cash_movements WHERE shift_id = ? AND kind = 'paid_in'",
        ),
        (
            "paid_out_cents",
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS SIGNED) FROM sales_cash_movements WHERE shift_id = ? AND kind = 'paid_out'",
        ),
        (
            "cash_refunds_cents",
            "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS SIGNED) FROM sales_refunds WHERE shift_id = ? AND method = 'cash'",
        ),
    ] {
        let rows: i64 = count(db, sql, &[shift]).await?;
        if figure(field) != rows {
            wrong.push(format!(
                "shift {shift}: the Z report's {field} is {}, its rows add up to {rows}",
                figure(field)
            ));
        }
    }
    let expected = figure("opening_float_cents") + figure("cash_taken_cents")
        - figure("change_given_cents")
        - figure("cash_refunds_cents")
        + figure("paid_in_cents")
        - figure("paid_out_cents");
    if figure("expected_cents") != expected {
        wrong.push(format!("shift {shift}: expected cash {} is not float + taken − change − refunds ± paid in/out = {expected}", figure("expected_cents")));
    }
    for (change, field) in [("voided", "voids"), ("returned", "returns")] {
        let (n, amount): (i64, i64) = rows_for(
            db,
            if change == "voided" {
                "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS SIGNED) FROM sales_refunds WHERE shift_id = ? AND change_kind = 'voided'"
            } else {
                "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS SIGNED) FROM sales_refunds WHERE shift_id = ? AND change_kind = 'returned'"
            },
            shift,
        )
        .await?
        .pop()
        .unwrap_or_default();
        let shown = &report[field];
        if (shown["count"].as_i64(), shown["amount_cents"].as_i64()) != (Some(n), Some(amount)) {
            wrong.push(format!(
                "shift {shift}: the Z report's {field} are {shown}; its refunds are {n} for {amount}"
            ));
        }
    }
    Ok(wrong)
}

/// What the reports' totals must be, from the sales service's own rows: every sale rung up
/// (voided or not), every return and every void.
async fn reported_totals(db: &Db) -> Result<Value, String> {
    let (sales, total): (i64, i64) = rows(
        db,
        "SELECT COUNT(*), CAST(COALESCE(SUM(total_cents), 0) AS SIGNED) FROM sales_sales",
    )
    .await?
    .pop()
    .unwrap_or_default();
    let changes: Vec<(String, i64, i64)> = rows(
        db,
        "SELECT change_kind, COUNT(*), CAST(SUM(amount_cents) AS SIGNED) FROM sales_refunds GROUP BY change_kind",
    )
    .await?;
    let of = |kind: &str| {
        changes
            .iter()
            .find(|c| c.0 == kind)
            .map_or((0, 0), |c| (c.1, c.2))
    };
    let (returns, refunded) = of("returned");
    let (voids, voided) = of("voided");
    Ok(serde_json::json!({
        "sales": sales, "total_cents": total,
        "returns": returns, "refund_cents": refunded,
        "voids": voids, "void_cents": voided,
    }))
}

/// Waits until the reports' totals are `expected` (the reports follow by event); totals that
/// stop changing for 60 s short of it are an anomaly.
async fn reports_reach(api: &Api, expected: &Value) -> Result<(), String> {
    let mut last = Value::Null;
    let mut progress = Instant::now();
    loop {
        let report = api.get("/api/v1/reports/sales").await?;
        let totals = &report["totals"];
        let shown: serde_json::Map<String, Value> = expected
            .as_object()
            .expect("an object")
            .keys()
            .map(|k| (k.clone(), totals[k].clone()))
            .collect();
        let shown = Value::Object(shown);
        if shown == *expected {
            return Ok(());
        }
        if shown != last {
            last = shown.clone();
            progress = Instant::now();
        }
        if progress.elapsed() > Duration::from_secs(60) {
            return Err(format!(
                "the reports show {shown}; the sales service recorded {expected}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn brief(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Acked(_) => "acknowledged".into(),
        Outcome::Refused { status, problem } => format!("refused {status} {problem}"),
        Outcome::Unknown(e) => format!("unknown ({e})"),
    }
}

async fn scalar(db: &Db, sql: &'static str) -> Result<i64, String> {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db.pool())
        .await
        .map_err(|e| format!("{sql}: {e}"))
}

/// The count `sql` answers for `parameters`.
async fn count(db: &Db, sql: &'static str, parameters: &[&str]) -> Result<i64, String> {
    let mut query = sqlx::query_scalar::<_, i64>(sql);
    for parameter in parameters {
        query = query.bind(parameter.to_string());
    }
    query
        .fetch_one(db.pool())
        .await
        .map_err(|e| format!("{sql}: {e}"))
}

async fn rows<T>(db: &Db, sql: &'static str) -> Result<Vec<T>, String>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as::<_, T>(sql)
        .fetch_all(db.pool())
        .await
        .map_err(|e| format!("{sql}: {e}"))
}

async fn rows_for<T>(db: &Db, sql: &'static str, parameter: &str) -> Result<Vec<T>, String>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as::<_, T>(sql)
        .bind(parameter.to_owned())
        .fetch_all(db.pool())
        .await
        .map_err(|e| format!("{sql}: {e}"))
}

/// Counts of records by kind and outcome (a refusal with its reason), for the report.
pub fn tally(records: &[Record]) -> BTreeMap<(Kind, String), usize> {
    let mut tally = BTreeMap::new();
    for record in records {
        let outcome = match &record.outcome {
            Outcome::Acked(_) => "acknowledged".to_owned(),
            Outcome::Refused { status, problem } => format!("refused {status} {problem}"),
            Outcome::Unknown(_) => "unknown".to_owned(),
        };
        *tally.entry((record.kind, outcome)).or_default() += 1;
    }
    tally
}
