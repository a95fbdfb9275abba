//! SQL for the sales tables. A sale, its status history, its SaleCreated event and the
//! idempotency key's stored response commit in one transaction.

use events::sales::{ReturnedLine, SaleCreated, SaleLine, SaleUpdated};
use events::{Envelope, Event, Outbox};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::Db;
use storage::clock::{from_millis, stored_precision};
pub(crate) use storage::clock::{millis, now_ms};
use time::OffsetDateTime;

use crate::SERVICE;
use crate::domain::{PricedLine, Totals, change_note, refund_for};
use kernel::{Cents, Overflow};

pub const OUTBOX_TABLE: &str = "sales_outbox";

#[derive(Debug, thiserror::Error)]
pub enum SaleError {
    #[error("no sale {0}")]
    NotFound(String),
    #[error("the sale is {status}; {action} is not possible")]
    WrongStatus { status: String, action: &'static str },
    #[error("only {returnable} of {sku} can still be returned")]
    TooMany { sku: String, returnable: i64 },
    #[error("{0} was not sold on this sale")]
    NotOnSale(String),
    /// Another request with the same idempotency key was answered first; this one's work
    /// was rolled back.
    #[error("another request with this idempotency key was answered first")]
    KeyAnswered,
    #[error("an amount is too large to be represented")]
    TooLarge,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub line_no: i64,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub discount_cents: i64,
    pub line_total_cents: i64,
    pub returned_quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub status: String,
    pub detail: Option<String>,
    /// Who made the change; none for sales recorded before actors were kept.
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A sale as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Sale {
    pub id: String,
    pub receipt_number: i64,
    /// `completed`, `partially_returned`, `returned` or `voided`.
    pub status: String,
    pub location: String,
    pub payment_method: String,
    pub customer: Option<String>,
    pub note: Option<String>,
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub units: i64,
    /// Who recorded the sale at the counter; none for sales recorded before actors were kept.
    pub recorded_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub lines: Vec<Line>,
    pub history: Vec<HistoryEntry>,
}

/// Sales figures over a time range, for the dashboard. Voided sales are left out; returns are
/// taken off revenue and units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, utoipa::ToSchema)]
pub struct Summary {
    pub count: i64,
    pub revenue_cents: i64,
    pub units: i64,
    /// Revenue per sale, rounded down.
    pub average_basket_cents: i64,
    pub by_payment_method: Vec<MethodFigures>,
    pub by_day: Vec<DayFigures>,
    /// The best sellers by units (then revenue), at most [`TOP_PRODUCTS`].
    pub top_products: Vec<ProductFigures>,
}

/// Why a summary could not be given.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("a figure of the summary is too large to be represented")]
    TooLarge(#[from] Overflow),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Adds `by` to a figure, refusing to wrap.
fn grow(figure: &mut i64, by: i64) -> Result<(), Overflow> {
    *figure = figure.checked_add(by).ok_or(Overflow)?;
    Ok(())
}

/// How many best sellers the summary lists.
pub const TOP_PRODUCTS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProductFigures {
    pub sku: String,
    /// The name on the most recent sale of the SKU.
    pub name: String,
    pub units: i64,
    /// What its lines brought in, after returns.
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MethodFigures {
    pub payment_method: String,
    pub count: i64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayFigures {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub count: i64,
    pub revenue_cents: i64,
    pub units: i64,
}

pub use storage::Claim;

/// Who asked for a change and under which request it travels: stored with the sale and its
/// history, and carried by the event to the inventory's ledger.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// A username, or `service:<name>`; none for calls without an identity (tests of the store).
    pub actor: Option<String>,
    pub correlation_id: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub sku: Option<String>,
    pub payment_method: Option<String>,
    pub status: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SalesStore {
    db: Db,
    outbox: Outbox,
    keys: storage::IdempotencyKeys,
}

impl SalesStore {
    pub fn new(db: Db) -> SalesStore {
        SalesStore {
            db,
            outbox: Outbox::new(OUTBOX_TABLE),
            keys: storage::IdempotencyKeys::new("sales_idempotency"),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Claims `key` for `request` (its canonical JSON), or tells what became of it before.
    pub async fn claim(&self, key: &str, request: &str) -> Result<Claim, sqlx::Error> {
        self.keys.claim(&self.db, key, request).await
    }

    /// Gives up a claimed key whose request failed, so that the client may retry with it.
    pub async fn release_claim(&self, key: &str) -> Result<(), sqlx::Error> {
        self.keys.release(&self.db, key).await
    }

    /// Keys older than `age_ms` are forgotten (they are kept at least 24 hours).
    pub async fn purge_keys(&self, age_ms: i64) -> Result<u64, sqlx::Error> {
        self.keys.purge(&self.db, age_ms).await
    }

    /// Records a sale with its SaleCreated event and, if given, the key's stored response
    /// (`respond` renders it from the stored sale).
    #[allow(clippy::too_many_arguments)] // The parts of a sale, as the use case assembled them.
    pub async fn record(
        &self,
        id: &str,
        request: &crate::domain::SaleRequest,
        lines: &[PricedLine],
        totals: Totals,
        key: Option<&str>,
        origin: &Origin,
        respond: impl FnOnce(&Sale) -> String,
    ) -> Result<Sale, SaleError> {
        let at = OffsetDateTime::now_utc();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO sales_sales (id, status, location, payment_method, customer, note, subtotal_cents, \
             discount_cents, total_cents, refunded_cents, units, created_at, updated_at, recorded_by) \
             VALUES (?, 'completed', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
        )
        .bind(id.to_owned())
        .bind(request.location.clone())
        .bind(request.payment_method.as_str().to_owned())
        .bind(request.customer.clone())
        .bind(request.note.clone())
        .bind(totals.subtotal_cents)
        .bind(totals.discount_cents)
        .bind(totals.total_cents)
        .bind(totals.units)
        .bind(millis(at))
        .bind(millis(at))
        .bind(origin.actor.clone())
        .execute(&mut *tx)
        .await?;
        let receipt_number = storage::db::last_insert_id(&mut tx, self.db.kind()).await?;
        let sql = format!(
            "INSERT INTO sales_lines (sale_id, line_no, sku, name, quantity, unit_price_cents, discount_cents, \
             line_total_cents, returned_quantity) VALUES {}",
            vec!["(?, ?, ?, ?, ?, ?, ?, ?, 0)"; lines.len()].join(", ")
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
                .bind(line.line_total_cents);
        }
        insert.execute(&mut *tx).await?;
        history(&mut tx, id, "completed", None, origin, at).await?;
        let event = SaleCreated {
            sale_id: id.to_owned(),
            receipt_number,
            location: request.location.clone(),
            payment_method: request.payment_method.as_str().to_owned(),
            total_cents: totals.total_cents,
            lines: lines
                .iter()
                .map(|l| SaleLine {
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    unit_price_cents: l.unit_price_cents,
                    line_total_cents: l.line_total_cents,
                })
                .collect(),
            actor: origin.actor.clone(),
        };
        self.outbox.append(&mut tx, &envelope(origin, at, &event)).await?;
        let sale = Sale {
            id: id.to_owned(),
            receipt_number,
            status: "completed".into(),
            location: request.location.clone(),
            payment_method: request.payment_method.as_str().to_owned(),
            customer: request.customer.clone(),
            note: request.note.clone(),
            subtotal_cents: totals.subtotal_cents,
            discount_cents: totals.discount_cents,
            total_cents: totals.total_cents,
            refunded_cents: 0,
            units: totals.units,
            recorded_by: origin.actor.clone(),
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
                    line_total_cents: l.line_total_cents,
                    returned_quantity: 0,
                })
                .collect(),
            history: vec![HistoryEntry {
                status: "completed".into(),
                detail: None,
                actor: origin.actor.clone(),
                at: stored_precision(at),
            }],
        };
        if let Some(key) = key
            && !self.keys.answer(&mut tx, key, 201, &respond(&sale)).await?
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
        let mut conditions = vec!["receipt_number < ?"];
        let mut args: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = vec![before.unwrap_or(i64::MAX)];
        if let Some(from) = filter.from_ms {
            conditions.push("created_at >= ?");
            ints.push(from);
        }
        if let Some(to) = filter.to_ms {
            conditions.push("created_at < ?");
            ints.push(to);
        }
        if filter.payment_method.is_some() {
            conditions.push("payment_method = ?");
        }
        if filter.status.is_some() {
            conditions.push("status = ?");
        }
        if filter.sku.is_some() {
            conditions.push("id IN (SELECT sale_id FROM sales_lines WHERE sku = ?)");
        }
        args.extend(filter.payment_method.clone());
        args.extend(filter.status.clone());
        args.extend(filter.sku.clone());
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
        let mut sales = Vec::with_capacity(ids.len());
        let mut conn = self.db.pool().acquire().await?;
        for id in ids {
            if let Some(sale) = load(&mut conn, &id, "").await? {
                sales.push(sale);
            }
        }
        Ok(sales)
    }

    /// Figures of the sales made in `[from_ms, to_ms)`.
    pub async fn summary(&self, from_ms: i64, to_ms: i64) -> Result<Summary, SummaryError> {
        // One row per sale line; the few thousand sales of a shop's range are summed here, which
        // keeps the SQL the same on both engines (no DECIMAL sums, no date functions).
        let rows = sqlx::query(
            "SELECT s.id, s.payment_method, s.created_at, s.total_cents - s.refunded_cents, \
             l.quantity - l.returned_quantity, l.sku, l.name, l.line_total_cents, l.quantity, l.returned_quantity \
             FROM sales_sales s JOIN sales_lines l ON l.sale_id = s.id \
             WHERE s.status <> 'voided' AND s.created_at >= ? AND s.created_at < ? ORDER BY s.created_at",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.db.pool())
        .await?;
        let mut summary = Summary::default();
        let mut methods: std::collections::BTreeMap<String, MethodFigures> = Default::default();
        let mut days: std::collections::BTreeMap<String, DayFigures> = Default::default();
        let mut products: std::collections::HashMap<String, ProductFigures> = Default::default();
        let mut seen = std::collections::HashSet::new();
        for row in rows {
            let id: String = row.try_get(0)?;
            let method: String = row.try_get(1)?;
            let at = from_millis(row.try_get(2)?);
            let revenue: i64 = row.try_get(3)?;
            let units: i64 = row.try_get(4)?;
            let sku: String = row.try_get(5)?;
            let line_total = Cents::new(row.try_get(7)?);
            let sold: i64 = row.try_get(8)?;
            let line_revenue = line_total
                .checked_sub(refund_for(line_total, sold, row.try_get(9)?)?)?
                .get();
            let product = products.entry(sku.clone()).or_insert_with(|| ProductFigures {
                sku,
                name: String::new(),
                units: 0,
                revenue_cents: 0,
            });
            // Rows come oldest first, so the last name seen is the newest.
            product.name = row.try_get(6)?;
            grow(&mut product.units, units)?;
            grow(&mut product.revenue_cents, line_revenue)?;
            let day = format!("{:04}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day());
            let day_figures = days.entry(day.clone()).or_insert(DayFigures {
                day,
                count: 0,
                revenue_cents: 0,
                units: 0,
            });
            grow(&mut day_figures.units, units)?;
            grow(&mut summary.units, units)?;
            if seen.insert(id) {
                summary.count += 1;
                grow(&mut summary.revenue_cents, revenue)?;
                day_figures.count += 1;
                grow(&mut day_figures.revenue_cents, revenue)?;
                let m = methods.entry(method.clone()).or_insert(MethodFigures {
                    payment_method: method,
                    count: 0,
                    revenue_cents: 0,
                });
                m.count += 1;
                grow(&mut m.revenue_cents, revenue)?;
            }
        }
        summary.average_basket_cents = if summary.count > 0 {
            summary.revenue_cents / summary.count
        } else {
            0
        };
        summary.by_payment_method = methods.into_values().collect();
        summary.by_day = days.into_values().collect();
        let mut top: Vec<ProductFigures> = products.into_values().filter(|p| p.units > 0).collect();
        top.sort_by(|a, b| (b.units, b.revenue_cents, &a.sku).cmp(&(a.units, a.revenue_cents, &b.sku)));
        top.truncate(TOP_PRODUCTS);
        summary.top_products = top;
        Ok(summary)
    }

    /// Voids a sale: every unit not yet returned comes back to stock.
    pub async fn void(&self, id: &str, origin: &Origin) -> Result<Sale, SaleError> {
        self.update(id, None, origin, |sale| {
            if !matches!(sale.status.as_str(), "completed" | "partially_returned") {
                return Err(SaleError::WrongStatus {
                    status: sale.status.clone(),
                    action: "voiding",
                });
            }
            let lines: Vec<(i64, ReturnedLine)> = sale
                .lines
                .iter()
                .filter(|l| l.quantity > l.returned_quantity)
                .map(|l| {
                    (
                        l.line_no,
                        ReturnedLine {
                            sku: l.sku.clone(),
                            quantity: l.quantity - l.returned_quantity,
                            restock: true,
                        },
                    )
                })
                .collect();
            Ok(("voided", "voided", lines))
        })
        .await
    }

    /// Takes back units of a sale: restocked, or written off.
    pub async fn return_lines(
        &self,
        id: &str,
        returned: &[ReturnedLine],
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<Sale, SaleError> {
        self.update(id, key, origin, |sale| {
            if !matches!(sale.status.as_str(), "completed" | "partially_returned") {
                return Err(SaleError::WrongStatus {
                    status: sale.status.clone(),
                    action: "a return",
                });
            }
            // Spread each returned SKU over the sale's lines of that SKU, in line order.
            let mut left: Vec<i64> = sale
                .lines
                .iter()
                .map(|l| l.quantity - l.returned_quantity)
                .collect();
            let mut taken = Vec::new();
            for r in returned {
                if !sale.lines.iter().any(|l| l.sku == r.sku) {
                    return Err(SaleError::NotOnSale(r.sku.clone()));
                }
                let returnable: i64 = sale
                    .lines
                    .iter()
                    .zip(&left)
                    .filter(|(l, _)| l.sku == r.sku)
                    .map(|(_, q)| q)
                    .sum();
                if r.quantity > returnable {
                    return Err(SaleError::TooMany {
                        sku: r.sku.clone(),
                        returnable,
                    });
                }
                let mut wanted = r.quantity;
                for (line, rest) in sale.lines.iter().zip(left.iter_mut()) {
                    if line.sku != r.sku || wanted == 0 {
                        continue;
                    }
                    let q = wanted.min(*rest);
                    if q > 0 {
                        *rest -= q;
                        wanted -= q;
                        taken.push((
                            line.line_no,
                            ReturnedLine {
                                sku: r.sku.clone(),
                                quantity: q,
                                restock: r.restock,
                            },
                        ));
                    }
                }
            }
            let all_back = left.iter().all(|q| *q == 0);
            let status = if all_back {
                "returned"
            } else {
                "partially_returned"
            };
            Ok(("returned", status, taken))
        })
        .await
    }

    /// Locks the sale, lets `decide` work out the change, and writes it with SaleUpdated.
    async fn update(
        &self,
        id: &str,
        key: Option<&str>,
        origin: &Origin,
        decide: impl FnOnce(&Sale) -> Result<(&'static str, &'static str, Vec<(i64, ReturnedLine)>), SaleError>,
    ) -> Result<Sale, SaleError> {
        let lock = storage::db::for_update(self.db.kind());
        let mut tx = self.db.begin().await?;
        let sale = load(&mut tx, id, lock)
            .await?
            .ok_or_else(|| SaleError::NotFound(id.to_owned()))?;
        let (change, status, lines) = decide(&sale)?;
        let at = OffsetDateTime::now_utc();
        let mut refund = Cents::ZERO;
        for (line_no, returned) in &lines {
            let line = &sale.lines[(*line_no - 1) as usize];
            let line_refund = refund_for(
                Cents::new(line.line_total_cents),
                line.quantity,
                returned.quantity,
            )
            .map_err(|_| SaleError::TooLarge)?;
            refund = refund.checked_add(line_refund).map_err(|_| SaleError::TooLarge)?;
            sqlx::query("UPDATE sales_lines SET returned_quantity = returned_quantity + ? WHERE sale_id = ? AND line_no = ?")
                .bind(returned.quantity)
                .bind(id.to_owned())
                .bind(*line_no)
                .execute(&mut *tx)
                .await?;
        }
        let refund = if status == "voided" {
            sale.total_cents - sale.refunded_cents
        } else {
            refund.get()
        };
        sqlx::query("UPDATE sales_sales SET status = ?, refunded_cents = refunded_cents + ?, updated_at = ? WHERE id = ?")
            .bind(status.to_owned())
            .bind(refund)
            .bind(millis(at))
            .bind(id.to_owned())
            .execute(&mut *tx)
            .await?;
        let units: i64 = lines.iter().map(|(_, l)| l.quantity).sum();
        history(
            &mut tx,
            id,
            status,
            Some(change_note(change, units, refund)),
            origin,
            at,
        )
        .await?;
        let event = SaleUpdated {
            sale_id: id.to_owned(),
            receipt_number: sale.receipt_number,
            location: sale.location.clone(),
            change: change.to_owned(),
            status: status.to_owned(),
            lines: lines.into_iter().map(|(_, l)| l).collect(),
            actor: origin.actor.clone(),
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

fn envelope<E: Event>(origin: &Origin, at: OffsetDateTime, event: &E) -> Envelope {
    Envelope::new(SERVICE, origin.correlation_id.clone(), at, event)
}

async fn history(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    detail: Option<String>,
    origin: &Origin,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sales_history (sale_id, status, detail, actor, at) VALUES (?, ?, ?, ?, ?)")
        .bind(id.to_owned())
        .bind(status.to_owned())
        .bind(detail)
        .bind(origin.actor.clone())
        .bind(millis(at))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn load(conn: &mut AnyConnection, id: &str, lock: &'static str) -> Result<Option<Sale>, sqlx::Error> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, receipt_number, status, location, payment_method, customer, note, subtotal_cents, discount_cents, \
         total_cents, refunded_cents, units, created_at, updated_at, recorded_by FROM sales_sales WHERE id = ?{lock}"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let lines = sqlx::query(
        "SELECT line_no, sku, name, quantity, unit_price_cents, discount_cents, line_total_cents, returned_quantity \
         FROM sales_lines WHERE sale_id = ? ORDER BY line_no",
    )
    .bind(id.to_owned())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(line_from_row)
    .collect::<Result<_, _>>()?;
    let history =
        sqlx::query("SELECT status, detail, at, actor FROM sales_history WHERE sale_id = ? ORDER BY id")
            .bind(id.to_owned())
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|h| {
                Ok(HistoryEntry {
                    status: h.try_get(0)?,
                    detail: h.try_get(1)?,
                    at: from_millis(h.try_get(2)?),
                    actor: h.try_get(3)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(Sale {
        id: row.try_get(0)?,
        receipt_number: row.try_get(1)?,
        status: row.try_get(2)?,
        location: row.try_get(3)?,
        payment_method: row.try_get(4)?,
        customer: row.try_get(5)?,
        note: row.try_get(6)?,
        subtotal_cents: row.try_get(7)?,
        discount_cents: row.try_get(8)?,
        total_cents: row.try_get(9)?,
        refunded_cents: row.try_get(10)?,
        units: row.try_get(11)?,
        recorded_by: row.try_get(14)?,
        created_at: from_millis(row.try_get(12)?),
        updated_at: from_millis(row.try_get(13)?),
        lines,
        history,
    }))
}

fn line_from_row(row: &AnyRow) -> Result<Line, sqlx::Error> {
    Ok(Line {
        line_no: row.try_get(0)?,
        sku: row.try_get(1)?,
        name: row.try_get(2)?,
        quantity: row.try_get(3)?,
        unit_price_cents: row.try_get(4)?,
        discount_cents: row.try_get(5)?,
        line_total_cents: row.try_get(6)?,
        returned_quantity: row.try_get(7)?,
    })
}
