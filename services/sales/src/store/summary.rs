//! The figures of a period: count, revenue, units, by payment method, tax per rate, by day,
//! best sellers.
//!
//! Figures are summed per hour. Settled hours (over for [`SETTLED_AFTER_MS`], so no sale can
//! still be recorded in them) have their figures kept in `sales_kept_figures`, a whole UTC day
//! as one row, with their revision; a void or a return counts the revision of its sale's hour
//! up in its own transaction (`bump_hour_revision`), which retires the kept figures holding
//! that hour. A summary reads the kept figures of its settled hours and sums the sales of the
//! rest: its edges, the last hour or so, and whatever was retired.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use kernel::money::spread;
use kernel::{Cents, Overflow, PaymentMethod, SaleStatus};
use sales_api::views::Summary;
use sqlx::Row;
use storage::clock::now_ms;
use storage::db::{DatabaseKind, Tx};

use super::SalesStore;
use crate::domain::figures::{Figures, HOUR_MS, LineFigures, hour_of, summarize};
use crate::domain::{Payment, Settlement, refund_for};
use crate::error::SaleError;

/// How long after its end an hour's figures are kept: longer than any sale's transaction can
/// take between stamping its time and committing.
const SETTLED_AFTER_MS: i64 = 10 * 60 * 1000;

/// Kept figures written per statement.
const KEPT_PER_STATEMENT: usize = 200;

const HOURS_A_DAY: i64 = 24;

fn too_large(_: Overflow) -> SaleError {
    SaleError::TooLarge("a figure of the summary")
}

impl SalesStore {
    /// Figures of the sales made in `[from_ms, to_ms)`.
    pub async fn summary(&self, from_ms: i64, to_ms: i64) -> Result<Summary, SaleError> {
        self.summary_at(from_ms, to_ms, now_ms()).await
    }

    /// Figures of the sales made in `[from_ms, to_ms)`, with `now_ms` deciding which hours
    /// are settled.
    async fn summary_at(&self, from_ms: i64, to_ms: i64, now_ms: i64) -> Result<Summary, SaleError> {
        if from_ms >= to_ms {
            return summarize([]).map_err(too_large);
        }
        let first_whole = from_ms.div_euclid(HOUR_MS) + i64::from(from_ms.rem_euclid(HOUR_MS) != 0);
        // Nothing is kept for the hours before the first sale: a summary since the year 480
        // would otherwise keep a row for every day since.
        let Some(first_sale_ms) = self.first_sale_at().await? else {
            return summarize([]).map_err(too_large);
        };
        let first_whole = first_whole.max(hour_of(first_sale_ms));
        let settled_end = hour_of(now_ms.saturating_sub(SETTLED_AFTER_MS));
        let keepable = first_whole..hour_of(to_ms).min(settled_end).max(first_whole);
        let spans = spans(&keepable);
        // The revisions are read before the sales: figures summed from sales read later are
        // at least that new, so a change committed meanwhile leaves them marked stale.
        let revisions = self.span_revisions(&keepable, &spans).await?;
        let mut kept = self.kept_figures(&keepable, &revisions).await?;
        let mut summed: HashMap<i64, Figures> = HashMap::new();
        for (start, end) in uncovered(from_ms, to_ms, &keepable, &spans, &kept) {
            self.sum_sales(start, end, &mut summed).await?;
        }
        let mut fresh = Vec::new();
        let unkept: Vec<Span> = spans
            .iter()
            .filter(|span| !kept.contains_key(span))
            .copied()
            .collect();
        for span in unkept {
            let mut figures = Figures::default();
            for hour in span.0..span.0 + span.1 {
                if let Some(later) = summed.remove(&hour) {
                    figures.add(later).map_err(too_large)?;
                }
            }
            let text = serde_json::to_string(&figures).map_err(|e| sqlx::Error::Encode(e.into()))?;
            fresh.push((span, revisions[&span], text));
            kept.insert(span, figures);
        }
        if let Err(error) = self.keep_figures(&fresh).await {
            // The summary is right without them; the next one sums those hours again.
            tracing::warn!(%error, spans = fresh.len(), "could not keep the figures of settled hours");
        }
        let mut hours: Vec<(i64, Figures)> = kept
            .into_iter()
            .map(|((first_hour, _), figures)| (first_hour, figures))
            .chain(summed)
            .collect();
        hours.sort_unstable_by_key(|(hour, _)| *hour);
        summarize(hours).map_err(too_large)
    }

    /// When the first sale was made, if any was.
    async fn first_sale_at(&self) -> Result<Option<i64>, SaleError> {
        Ok(sqlx::query_scalar("SELECT MIN(created_at) FROM sales_sales")
            .fetch_one(self.db.pool())
            .await?)
    }

    /// The revision of each span: the sum of its hours' revisions, which grows with every
    /// change of a sale in it.
    async fn span_revisions(
        &self,
        hours: &Range<i64>,
        spans: &[Span],
    ) -> Result<HashMap<Span, i64>, SaleError> {
        let mut revisions: HashMap<Span, i64> = spans.iter().map(|span| (*span, 0)).collect();
        if hours.is_empty() {
            return Ok(revisions);
        }
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT hour, revision FROM sales_hour_revisions WHERE hour >= ? AND hour < ?")
                .bind(hours.start)
                .bind(hours.end)
                .fetch_all(self.db.pool())
                .await?;
        for (hour, revision) in rows {
            if let Some(span) = spans
                .iter()
                .find(|(first, len)| (*first..first + len).contains(&hour))
            {
                let sum = revisions.entry(*span).or_default();
                *sum = sum.checked_add(revision).ok_or(Overflow).map_err(too_large)?;
            }
        }
        Ok(revisions)
    }

    /// The kept figures of the spans of `hours` that are still good.
    async fn kept_figures(
        &self,
        hours: &Range<i64>,
        revisions: &HashMap<Span, i64>,
    ) -> Result<HashMap<Span, Figures>, SaleError> {
        if hours.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT first_hour, hours, revision, figures FROM sales_kept_figures WHERE first_hour >= ? AND first_hour < ?",
        )
        .bind(hours.start)
        .bind(hours.end)
        .fetch_all(self.db.pool())
        .await?;
        let mut kept = HashMap::with_capacity(rows.len());
        for (first_hour, len, revision, figures) in rows {
            let span = (first_hour, len);
            if revisions.get(&span) != Some(&revision) {
                continue;
            }
            match serde_json::from_str(&figures) {
                Ok(figures) => {
                    kept.insert(span, figures);
                }
                Err(error) => tracing::warn!(first_hour, %error, "kept figures unreadable; summed again"),
            }
        }
        Ok(kept)
    }

    /// Writes figures to keep: each span with its revision and its figures as JSON.
    async fn keep_figures(&self, fresh: &[(Span, i64, String)]) -> Result<(), SaleError> {
        for chunk in fresh.chunks(KEPT_PER_STATEMENT) {
            let rows = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "REPLACE INTO sales_kept_figures (first_hour, hours, revision, figures) VALUES {rows}"
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ((first_hour, len), revision, figures) in chunk {
                query = query
                    .bind(*first_hour)
                    .bind(*len)
                    .bind(*revision)
                    .bind(figures.clone());
            }
            let mut tx = self.db.begin().await?;
            query.execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Adds the sales made in `[from_ms, to_ms)` to `hours`, each in the hour it was made.
    async fn sum_sales(
        &self,
        from_ms: i64,
        to_ms: i64,
        hours: &mut HashMap<i64, Figures>,
    ) -> Result<(), SaleError> {
        let rows = sqlx::query(
            "SELECT s.id, s.refunded_cents, s.created_at, s.total_cents - s.refunded_cents, \
             l.quantity - l.returned_quantity, l.sku, l.name, l.line_total_cents, l.quantity, l.returned_quantity, \
             l.tax_rate, l.rate_ppm, l.tax_cents \
             FROM sales_sales s JOIN sales_lines l ON l.sale_id = s.id \
             WHERE s.status <> ? AND s.created_at >= ? AND s.created_at < ? ORDER BY s.created_at",
        )
        .bind(SaleStatus::Voided.as_str())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.db.pool())
        .await?;
        let payments = self.payments_in(from_ms, to_ms).await?;
        let mut seen = HashSet::new();
        for row in rows {
            let id: String = row.try_get(0)?;
            let refunded = Cents::new(row.try_get(1)?);
            let figures = hours.entry(hour_of(row.try_get(2)?)).or_default();
            let sold: i64 = row.try_get(8)?;
            let returned: i64 = row.try_get(9)?;
            // What is left of the line after its returns, and of its tax.
            let kept = |amount: Cents| {
                refund_for(amount, sold, 0, returned).and_then(|refund| amount.checked_sub(refund))
            };
            if seen.insert(id.clone()) {
                // Payments are never changed, so every sale read above has them.
                let settlement = payments
                    .get(&id)
                    .ok_or(SaleError::Database(sqlx::Error::RowNotFound))?;
                let taken = taken_after_refund(settlement, refunded);
                figures.add_sale(row.try_get(3)?, &taken).map_err(too_large)?;
            }
            figures
                .add_line(LineFigures {
                    sku: row.try_get(5)?,
                    name: row.try_get(6)?,
                    units: row.try_get(4)?,
                    revenue_cents: kept(Cents::new(row.try_get(7)?)).map_err(too_large)?.get(),
                    tax_code: row.try_get(10)?,
                    rate: super::sales::stored_rate(row.try_get(11)?)?,
                    tax_cents: kept(Cents::new(row.try_get(12)?)).map_err(too_large)?.get(),
                })
                .map_err(too_large)?;
        }
        Ok(())
    }

    /// The payments and change of every sale made in `[from_ms, to_ms)`, by sale id. Voided
    /// sales are not left out: their payments cannot change, and a sale voided between this
    /// read and the read of the lines must still find its own.
    async fn payments_in(&self, from_ms: i64, to_ms: i64) -> Result<HashMap<String, Settlement>, SaleError> {
        let rows = sqlx::query(
            "SELECT s.id, s.tendered_cents, s.change_due_cents, p.method, p.amount_cents \
             FROM sales_sales s JOIN sales_payments p ON p.sale_id = s.id \
             WHERE s.created_at >= ? AND s.created_at < ? ORDER BY s.created_at, p.payment_no",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.db.pool())
        .await?;
        let mut sales: HashMap<String, Settlement> = HashMap::new();
        for row in rows {
            let settlement = sales.entry(row.try_get(0)?).or_insert(Settlement {
                payments: Vec::new(),
                tendered_cents: row.try_get(1)?,
                change_due_cents: row.try_get(2)?,
            });
            settlement.payments.push(Payment {
                method: super::stored(&row.try_get::<String, _>(3)?, PaymentMethod::parse)?,
                amount: Cents::new(row.try_get(4)?),
            });
        }
        Ok(sales)
    }
}

/// Retires the kept figures of the hour a sale was made in; called in the transaction that
/// changes the sale.
pub(super) async fn bump_hour_revision(
    tx: &mut Tx,
    kind: DatabaseKind,
    made_at_ms: i64,
) -> Result<(), sqlx::Error> {
    let upsert = match kind {
        DatabaseKind::Sqlite => "ON CONFLICT (hour) DO UPDATE SET revision = revision + 1",
        DatabaseKind::MySql => "ON DUPLICATE KEY UPDATE revision = revision + 1",
    };
    let sql = format!("INSERT INTO sales_hour_revisions (hour, revision) VALUES (?, 1) {upsert}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(hour_of(made_at_ms))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A stretch of settled hours whose figures are kept as one: its first hour and how many.
type Span = (i64, i64);

/// The spans `hours` is kept in: each whole UTC day as one, the hours before the first and
/// after the last one by one. A month is then some thirty rows, a year a few hundred.
fn spans(hours: &Range<i64>) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut hour = hours.start;
    while hour < hours.end {
        let len = if hour.rem_euclid(HOURS_A_DAY) == 0 && hours.end - hour >= HOURS_A_DAY {
            HOURS_A_DAY
        } else {
            1
        };
        spans.push((hour, len));
        hour += len;
    }
    spans
}

/// The stretches of `[from_ms, to_ms)` whose sales must be summed: all but the spans of the
/// `keepable` hours whose figures are `kept`.
fn uncovered(
    from_ms: i64,
    to_ms: i64,
    keepable: &Range<i64>,
    spans: &[Span],
    kept: &HashMap<Span, Figures>,
) -> Vec<(i64, i64)> {
    let mut stretches: Vec<(i64, i64)> = Vec::new();
    let mut add = |start: i64, end: i64| match stretches.last_mut() {
        Some(last) if last.1 == start => last.1 = end,
        _ if start < end => stretches.push((start, end)),
        _ => {}
    };
    if keepable.is_empty() {
        add(from_ms, to_ms);
        return stretches;
    }
    add(from_ms, keepable.start * HOUR_MS);
    for (first, len) in spans.iter().filter(|span| !kept.contains_key(span)) {
        add(first * HOUR_MS, (first + len) * HOUR_MS);
    }
    add(keepable.end * HOUR_MS, to_ms);
    stretches
}

/// What each method of a sale brought in, the sale's refunds taken off in proportion to what
/// each method took (to the cent, as a basket discount is spread), so the methods add up to
/// the sale's revenue.
fn taken_after_refund(settlement: &Settlement, refunded: Cents) -> Vec<(PaymentMethod, i64)> {
    let taken = settlement.taken_by_method();
    let amounts: Vec<Cents> = taken.iter().map(|(_, cents)| Cents::new(*cents)).collect();
    let refunds = spread(refunded, &amounts);
    taken
        .into_iter()
        .zip(refunds)
        .map(|((method, cents), refund)| (method, cents - refund.get()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_are_one_span_and_the_hours_around_them_one_each() {
        let day = HOURS_A_DAY;
        assert_eq!(
            spans(&(day - 2..3 * day + 1)),
            [
                (day - 2, 1),
                (day - 1, 1),
                (day, day),
                (2 * day, day),
                (3 * day, 1)
            ]
        );
        assert_eq!(spans(&(day..2 * day - 1)).len(), day as usize - 1);
        assert!(spans(&(5..5)).is_empty());
    }

    #[test]
    fn only_spans_without_kept_figures_and_the_edges_are_summed() {
        let h = HOUR_MS;
        let hours = 11..14;
        let spans = spans(&hours);
        let kept: HashMap<Span, Figures> =
            [((11, 1), Figures::default()), ((13, 1), Figures::default())].into();
        assert_eq!(
            uncovered(10 * h + 5, 14 * h + 7, &hours, &spans, &kept),
            [(10 * h + 5, 11 * h), (12 * h, 13 * h), (14 * h, 14 * h + 7)]
        );
        assert_eq!(
            uncovered(
                10 * h,
                14 * h,
                &(10..14),
                &[(10, 1), (11, 1), (12, 1), (13, 1)],
                &HashMap::new()
            ),
            [(10 * h, 14 * h)]
        );
        assert_eq!(uncovered(5, 7, &(1..1), &[], &HashMap::new()), [(5, 7)]);
    }
}
