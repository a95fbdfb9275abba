//! The SQL of the rollups, the sales kept for their returns, the products and the closed
//! shifts; identical on SQLite and MySQL but for the upsert and the integer cast.

use std::collections::{BTreeMap, HashMap};

use events::catalog::ProductSnapshot;
use events::sales::ShiftClosed;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::{DatabaseKind, Db};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration};

use crate::domain::{Bucket, Dimension, RecordedSale, Tallies, Tally};

/// The rows of one statement that adds tallies: SQLite allows 32,766 parameters, 23 per row.
const ROWS_PER_INSERT: usize = 500;

/// Adds `tallies` to the daily rollups and to those of their months.
pub async fn add(conn: &mut AnyConnection, kind: DatabaseKind, tallies: &Tallies) -> Result<(), sqlx::Error> {
    let mut months: BTreeMap<Bucket, Tally> = BTreeMap::new();
    for (bucket, tally) in &tallies.0 {
        let month = Bucket {
            day: month_of(bucket.day),
            ..bucket.clone()
        };
        let entry = months.entry(month).or_default();
        *entry = entry.plus(tally).unwrap_or(*entry);
    }
    add_to(conn, kind, "reports_daily", "day", tallies.0.iter()).await?;
    add_to(conn, kind, "reports_monthly", "month", months.iter()).await
}

/// The first day of `day`'s month: the key of its monthly rollups.
pub fn month_of(day: Date) -> Date {
    day.replace_day(1).expect("every month has a first day")
}

async fn add_to<'a>(
    conn: &mut AnyConnection,
    kind: DatabaseKind,
    table: &str,
    period: &str,
    tallies: impl Iterator<Item = (&'a Bucket, &'a Tally)>,
) -> Result<(), sqlx::Error> {
    let buckets: Vec<_> = tallies.collect();
    let fields = Tally::FIELDS.join(", ");
    let update = Tally::FIELDS
        .iter()
        .map(|f| match kind {
            DatabaseKind::Sqlite => format!("{f} = {f} + excluded.{f}"),
            DatabaseKind::MySql => format!("{f} = {f} + VALUES({f})"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let placeholders = format!("(?, ?, ?, ?, {})", vec!["?"; Tally::FIELDS.len()].join(", "));
    for chunk in buckets.chunks(ROWS_PER_INSERT) {
        let conflict = match kind {
            DatabaseKind::Sqlite => {
                format!("ON CONFLICT (dimension, {period}, location, member) DO UPDATE SET {update}")
            }
            DatabaseKind::MySql => format!("ON DUPLICATE KEY UPDATE {update}"),
        };
        let sql = format!(
            "INSERT INTO {table} (dimension, {period}, location, member, {fields}) VALUES {} {conflict}",
            vec![placeholders.as_str(); chunk.len()].join(", ")
        );
        let mut insert = sqlx::query(AssertSqlSafe(sql));
        for (bucket, tally) in chunk {
            insert = insert
                .bind(bucket.dimension.as_str())
                .bind(day_key(bucket.day))
                .bind(bucket.location.clone())
                .bind(bucket.member.clone());
            for figure in tally.figures() {
                insert = insert.bind(figure);
            }
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `YYYY-MM-DD`: the rollups' day, ordered as text as in time.
pub fn day_key(day: Date) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
}

pub async fn keep_sale(
    conn: &mut AnyConnection,
    sale_id: &str,
    sale: &RecordedSale,
) -> Result<(), sqlx::Error> {
    let recorded = serde_json::to_string(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("INSERT INTO reports_sales (sale_id, recorded) VALUES (?, ?)")
        .bind(sale_id.to_owned())
        .bind(recorded)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn kept_sale(conn: &mut AnyConnection, sale_id: &str) -> Result<Option<RecordedSale>, sqlx::Error> {
    let recorded: Option<String> = sqlx::query_scalar("SELECT recorded FROM reports_sales WHERE sale_id = ?")
        .bind(sale_id.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    recorded
        .map(|r| serde_json::from_str(&r).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

/// What the reports keep of a product: its name and groups, at a catalog version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct KeptProduct {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub brand: Option<String>,
    pub version: i64,
}

impl From<&ProductSnapshot> for KeptProduct {
    fn from(p: &ProductSnapshot) -> KeptProduct {
        KeptProduct {
            sku: p.sku.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            brand: p.brand.clone(),
            version: p.version,
        }
    }
}

/// Keeps a product's name and groups, unless a later version is kept already.
pub async fn keep_product(
    conn: &mut AnyConnection,
    kind: DatabaseKind,
    product: &KeptProduct,
) -> Result<(), sqlx::Error> {
    let upsert = match kind {
        DatabaseKind::Sqlite => {
            "INSERT INTO reports_products (sku, name, category, brand, version) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, \
             brand = excluded.brand, version = excluded.version WHERE excluded.version > reports_products.version"
        }
        DatabaseKind::MySql => {
            "INSERT INTO reports_products (sku, name, category, brand, version) VALUES (?, ?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE name = IF(VALUES(version) > version, VALUES(name), name), \
             category = IF(VALUES(version) > version, VALUES(category), category), \
             brand = IF(VALUES(version) > version, VALUES(brand), brand), \
             version = GREATEST(version, VALUES(version))"
        }
    };
    sqlx::query(upsert)
        .bind(product.sku.clone())
        .bind(product.name.clone())
        .bind(product.category.clone())
        .bind(product.brand.clone())
        .bind(product.version)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn keep_shift(conn: &mut AnyConnection, shift: &ShiftClosed) -> Result<(), sqlx::Error> {
    let closed_at = shift
        .closed_at
        .format(&Rfc3339)
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO reports_shifts (shift_id, till, location, z_number, day, closed_at, closed_by, sales, \
         total_cents, refunds_cents, expected_cash_cents, counted_cash_cents, over_short_cents) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(shift.shift_id.clone())
    .bind(shift.till.clone())
    .bind(shift.location.clone())
    .bind(shift.z_number)
    .bind(day_key(shift.closed_at.to_offset(time::UtcOffset::UTC).date()))
    .bind(closed_at)
    .bind(shift.actor.clone())
    .bind(shift.sales_count)
    .bind(shift.total_cents)
    .bind(shift.refunds_cents)
    .bind(shift.expected_cash_cents)
    .bind(shift.counted_cash_cents)
    .bind(shift.over_short_cents)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How rollup rows are summed into report rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Day,
    Location,
    Member,
    /// The SKUs' category, from the products kept.
    Category,
    /// The SKUs' brand (empty without one).
    Brand,
}

/// A period of days, both included, and maybe one location.
#[derive(Debug, Clone)]
pub struct Filter {
    pub from: Date,
    pub to: Date,
    pub location: Option<String>,
}

/// The rollups of `dimension` within `filter`, summed per `group`.
pub async fn grouped(
    db: &Db,
    dimension: Dimension,
    group: Group,
    filter: &Filter,
) -> Result<Vec<(String, Tally)>, sqlx::Error> {
    let integer = match db.kind() {
        DatabaseKind::Sqlite => "INTEGER",
        DatabaseKind::MySql => "SIGNED",
    };
    let sums = Tally::FIELDS
        .iter()
        .map(|f| format!("CAST(SUM(d.{f}) AS {integer})"))
        .collect::<Vec<_>>()
        .join(", ");
    let fields = Tally::FIELDS.join(", ");
    let (key, join) = match group {
        Group::Day => ("d.day", ""),
        Group::Location => ("d.location", ""),
        Group::Member => ("d.member", ""),
        Group::Category => (
            "COALESCE(p.category, '')",
            "LEFT JOIN reports_products p ON p.sku = d.member",
        ),
        Group::Brand => (
            "COALESCE(p.brand, '')",
            "LEFT JOIN reports_products p ON p.sku = d.member",
        ),
    };
    let location = if filter.location.is_some() {
        "AND location = ?"
    } else {
        ""
    };
    // By day, the days; otherwise the whole months of the period from the monthly rollups
    // and the days of its part-months from the daily ones.
    let spans = match group {
        Group::Day => Spans::days(filter.from, filter.to),
        _ => Spans::of(filter.from, filter.to),
    };
    let sql = format!(
        "SELECT {key}, {sums} FROM (\
         SELECT day, location, member, {fields} FROM reports_daily WHERE dimension = ? \
         AND ((day >= ? AND day <= ?) OR (day >= ? AND day <= ?)) {location} \
         UNION ALL SELECT month, location, member, {fields} FROM reports_monthly WHERE dimension = ? \
         AND month >= ? AND month <= ? {location}) d {join} GROUP BY {key} ORDER BY {key}"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(dimension.as_str());
    for (from, to) in spans.days {
        query = query.bind(from).bind(to);
    }
    if let Some(location) = &filter.location {
        query = query.bind(location.clone());
    }
    query = query
        .bind(dimension.as_str())
        .bind(spans.months.0)
        .bind(spans.months.1);
    if let Some(location) = &filter.location {
        query = query.bind(location.clone());
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            let mut figures = [0i64; Tally::COUNT];
            for (i, figure) in figures.iter_mut().enumerate() {
                *figure = row.try_get(i + 1)?;
            }
            Ok((row.try_get(0)?, Tally::from_figures(figures)))
        })
        .collect()
}

/// The rollup keys a period reads: two ranges of days and one of months (first days), each
/// from–to included; an empty range is `("~", "")`, which no key is within.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spans {
    days: [(String, String); 2],
    months: (String, String),
}

impl Spans {
    fn none() -> (String, String) {
        ("~".to_owned(), String::new())
    }

    /// Every day from `from` to `to`.
    fn days(from: Date, to: Date) -> Spans {
        Spans {
            days: [(day_key(from), day_key(to)), Spans::none()],
            months: Spans::none(),
        }
    }

    /// The whole months from `from` to `to`, and the days before and after them.
    fn of(from: Date, to: Date) -> Spans {
        let first = if from.day() == 1 { from } else { next_month(from) };
        let after_last = next_month(to);
        let end = if after_last - Duration::days(1) == to {
            after_last
        } else {
            month_of(to)
        };
        if first >= end {
            return Spans::days(from, to);
        }
        let range = |a: Date, b: Date| {
            if a <= b {
                (day_key(a), day_key(b))
            } else {
                Spans::none()
            }
        };
        Spans {
            days: [range(from, first - Duration::days(1)), range(end, to)],
            months: (day_key(first), day_key(end - Duration::days(1))),
        }
    }
}

/// The first day of the month after `day`'s.
fn next_month(day: Date) -> Date {
    let first = month_of(day);
    month_of(first + Duration::days(31))
}

/// The last day each SKU sold on up to `to` (at `location`).
pub async fn last_sold(
    db: &Db,
    to: Date,
    location: Option<&str>,
) -> Result<HashMap<String, String>, sqlx::Error> {
    let at = if location.is_some() {
        "AND location = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT member, MAX(day) FROM reports_daily WHERE dimension = ? AND sales > 0 AND day <= ? {at} GROUP BY member"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(Dimension::Sku.as_str())
        .bind(day_key(to));
    if let Some(location) = location {
        query = query.bind(location.to_owned());
    }
    query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

/// The kept name and category of each of `skus` that is known.
pub async fn product_groups(
    db: &Db,
    skus: &[String],
) -> Result<HashMap<String, (String, String)>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in skus.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT sku, name, category FROM reports_products WHERE sku IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind(sku.clone());
        }
        for row in query.fetch_all(db.pool()).await? {
            found.insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
        }
    }
    Ok(found)
}

/// A closed shift as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptShift {
    pub shift_id: String,
    pub till: String,
    pub location: String,
    pub z_number: i64,
    pub closed_at: String,
    pub closed_by: Option<String>,
    pub sales: i64,
    pub total_cents: i64,
    pub refunds_cents: i64,
    pub expected_cash_cents: i64,
    pub counted_cash_cents: i64,
    pub over_short_cents: i64,
}

/// The shifts closed within `filter`, most recent first.
pub async fn shifts(db: &Db, filter: &Filter) -> Result<Vec<KeptShift>, sqlx::Error> {
    let location = if filter.location.is_some() {
        "AND location = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT shift_id, till, location, z_number, closed_at, closed_by, sales, total_cents, refunds_cents, \
         expected_cash_cents, counted_cash_cents, over_short_cents FROM reports_shifts \
         WHERE day >= ? AND day <= ? {location} ORDER BY closed_at DESC, shift_id"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(day_key(filter.from))
        .bind(day_key(filter.to));
    if let Some(location) = &filter.location {
        query = query.bind(location.clone());
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(KeptShift {
                shift_id: r.try_get(0)?,
                till: r.try_get(1)?,
                location: r.try_get(2)?,
                z_number: r.try_get(3)?,
                closed_at: r.try_get(4)?,
                closed_by: r.try_get(5)?,
                sales: r.try_get(6)?,
                total_cents: r.try_get(7)?,
                refunds_cents: r.try_get(8)?,
                expected_cash_cents: r.try_get(9)?,
                counted_cash_cents: r.try_get(10)?,
                over_short_cents: r.try_get(11)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn keys(spans: &Spans) -> Vec<(&str, &str)> {
        spans
            .days
            .iter()
            .chain([&spans.months])
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect()
    }

    #[test]
    fn a_period_reads_whole_months_and_the_days_around_them() {
        let year = Spans::of(date!(2026 - 01 - 15), date!(2026 - 12 - 14));
        assert_eq!(
            keys(&year),
            [
                ("2026-01-15", "2026-01-31"),
                ("2026-12-01", "2026-12-14"),
                ("2026-02-01", "2026-11-30")
            ]
        );
        let whole = Spans::of(date!(2026 - 02 - 01), date!(2026 - 02 - 28));
        assert_eq!(keys(&whole), [("~", ""), ("~", ""), ("2026-02-01", "2026-02-28")]);
        let across = Spans::of(date!(2026 - 12 - 01), date!(2027 - 01 - 31));
        assert_eq!(
            keys(&across),
            [("~", ""), ("~", ""), ("2026-12-01", "2027-01-31")]
        );
    }

    #[test]
    fn a_period_without_a_whole_month_reads_days() {
        for (from, to) in [
            (date!(2026 - 01 - 15), date!(2026 - 02 - 14)),
            (date!(2026 - 03 - 02), date!(2026 - 03 - 31)),
            (date!(2026 - 03 - 01), date!(2026 - 03 - 30)),
        ] {
            assert_eq!(Spans::of(from, to), Spans::days(from, to), "{from} {to}");
        }
    }
}
