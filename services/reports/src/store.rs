//! The SQL of the rollups, the sales kept for their returns, the products and the closed
//! shifts; identical on SQLite and MySQL but for the upsert and the integer cast.

use std::collections::{BTreeMap, HashMap, HashSet};

use events::catalog::ProductSnapshot;
use events::sales::ShiftClosed;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::{DatabaseKind, Db};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration};

use crate::domain::{Bucket, Dimension, RecordedSale, Tallies, Tally};

/// The rows of one statement that adds tallies: SQLite allows 32,766 parameters, 23 per row.
const ROWS_PER_INSERT: usize = 500;

/// The location under which the rollups also keep every bucket summed over all locations, so
/// that a report of the whole shop reads one row where it would read one per location. No
/// location code can be it.
pub const ALL_LOCATIONS: &str = "*";

/// Adds `tallies` to the daily rollups and to those of their months, each under its location
/// and under [`ALL_LOCATIONS`].
pub async fn add(conn: &mut AnyConnection, kind: DatabaseKind, tallies: &Tallies) -> Result<(), sqlx::Error> {
    let mut days: BTreeMap<Bucket, Tally> = BTreeMap::new();
    let mut months: BTreeMap<Bucket, Tally> = BTreeMap::new();
    for (bucket, tally) in &tallies.0 {
        let everywhere = Bucket {
            location: ALL_LOCATIONS.to_owned(),
            ..bucket.clone()
        };
        for day in [bucket.clone(), everywhere] {
            let month = Bucket {
                day: month_of(day.day),
                ..day.clone()
            };
            for (rollup, key) in [(&mut days, day), (&mut months, month)] {
                let entry = rollup.entry(key).or_default();
                *entry = entry.plus(tally).unwrap_or(*entry);
            }
        }
    }
    add_to(conn, kind, "reports_daily", "day", days.iter()).await?;
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

/// Keeps the sales for their returns, in one statement.
pub async fn keep_sales(
    conn: &mut AnyConnection,
    sales: &[(String, RecordedSale)],
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO reports_sales (sale_id, recorded) VALUES {}",
        vec!["(?, ?)"; sales.len()].join(", ")
    );
    let mut insert = sqlx::query(AssertSqlSafe(sql));
    for (sale_id, sale) in sales {
        let recorded = serde_json::to_string(sale).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        insert = insert.bind(sale_id.clone()).bind(recorded);
    }
    insert.execute(&mut *conn).await?;
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

/// The rollups of `dimension` within `filter`, summed per `group`, in order of the group.
///
/// Each part of the period (see [`Spans`]) is summed per member (or day, or location) by the
/// database on its own and the parts are added here: one plain indexed aggregate each, which
/// both engines run without a temporary table of the period's rows. Categories and brands are
/// those of the members' kept products.
pub async fn grouped(
    db: &Db,
    dimension: Dimension,
    group: Group,
    filter: &Filter,
) -> Result<Vec<(String, Tally)>, sqlx::Error> {
    let spans = match group {
        Group::Day => Spans::days(filter.from, filter.to),
        _ => Spans::of(filter.from, filter.to),
    };
    let key = match group {
        Group::Day => "day",
        Group::Location => "location",
        Group::Member | Group::Category | Group::Brand => "member",
    };
    let parts = spans
        .days
        .iter()
        .map(|range| ("reports_daily", "day", range, false))
        .chain([("reports_monthly", "month", &spans.months, false)])
        .chain(
            spans
                .less
                .iter()
                .map(|range| ("reports_daily", "day", range, true)),
        );
    let mut sums: BTreeMap<String, Tally> = BTreeMap::new();
    for (table, period, range, taken_off) in parts {
        if range.0 > range.1 {
            continue;
        }
        for (member, tally) in summed(db, table, period, key, dimension, range, filter, group).await? {
            let tally = if taken_off {
                tally.negated().ok_or_else(too_large)?
            } else {
                tally
            };
            let entry = sums.entry(member).or_default();
            *entry = entry.plus(&tally).ok_or_else(too_large)?;
        }
    }
    if !matches!(group, Group::Category | Group::Brand) {
        return Ok(sums.into_iter().collect());
    }
    let skus: Vec<String> = sums.keys().cloned().collect();
    let products = product_groups(db, &skus).await?;
    let mut by_group: BTreeMap<String, Tally> = BTreeMap::new();
    for (sku, tally) in sums {
        let name = products.get(&sku).map_or_else(String::new, |p| match group {
            Group::Brand => p.brand.clone().unwrap_or_default(),
            _ => p.category.clone(),
        });
        let entry = by_group.entry(name).or_default();
        *entry = entry.plus(&tally).ok_or_else(too_large)?;
    }
    Ok(by_group.into_iter().collect())
}

fn too_large() -> sqlx::Error {
    sqlx::Error::Decode("a report's figure is beyond 64 bits".into())
}

/// One part of a period (`range` of `period` keys of `table`), summed per `key`.
#[allow(clippy::too_many_arguments)]
async fn summed(
    db: &Db,
    table: &str,
    period: &str,
    key: &str,
    dimension: Dimension,
    range: &(String, String),
    filter: &Filter,
    group: Group,
) -> Result<Vec<(String, Tally)>, sqlx::Error> {
    let integer = match db.kind() {
        DatabaseKind::Sqlite => "INTEGER",
        DatabaseKind::MySql => "SIGNED",
    };
    let sums = Tally::FIELDS
        .iter()
        .map(|f| format!("CAST(SUM({f}) AS {integer})"))
        .collect::<Vec<_>>()
        .join(", ");
    let location = match (&filter.location, group) {
        (Some(_), _) => "location = ?".to_owned(),
        (None, Group::Location) => format!("location <> '{ALL_LOCATIONS}'"),
        (None, _) => format!("location = '{ALL_LOCATIONS}'"),
    };
    // Only the fixed fragments above are in the SQL text; every value is bound.
    let sql = format!(
        "SELECT {key}, {sums} FROM {table} WHERE dimension = ? AND {location} \
         AND {period} >= ? AND {period} <= ? GROUP BY {key}"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(dimension.as_str());
    if let Some(location) = &filter.location {
        query = query.bind(location.clone());
    }
    let rows = query
        .bind(range.0.clone())
        .bind(range.1.clone())
        .fetch_all(db.pool())
        .await?;
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

/// The rollup keys a period reads, each range from–to included: days added, whole months
/// added, and days taken off. A month of which the period holds more days than it leaves out
/// is read whole, less the days left out; otherwise its days are read. So a period reads its
/// months and at most half a month of days at each end. An empty range is `("~", "")`, which no
/// key is within.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spans {
    days: [(String, String); 2],
    months: (String, String),
    less: [(String, String); 2],
}

impl Spans {
    fn none() -> (String, String) {
        ("~".to_owned(), String::new())
    }

    /// `from`–`to` as keys; empty when `to` comes first.
    fn range(from: Date, to: Date) -> (String, String) {
        if from <= to {
            (day_key(from), day_key(to))
        } else {
            Spans::none()
        }
    }

    /// Every day from `from` to `to`.
    fn days(from: Date, to: Date) -> Spans {
        Spans {
            days: [Spans::range(from, to), Spans::none()],
            months: Spans::none(),
            less: [Spans::none(), Spans::none()],
        }
    }

    fn of(from: Date, to: Date) -> Spans {
        let (first, last) = (month_of(from), month_of(to));
        let end_of = |day: Date| next_month(day) - Duration::days(1);
        let one_day = Duration::days(1);
        if first == last {
            let inside = (to - from).whole_days() + 1;
            let month = (end_of(to) - first).whole_days() + 1;
            if month - inside >= inside {
                return Spans::days(from, to);
            }
            return Spans {
                days: [Spans::none(), Spans::none()],
                months: Spans::range(first, first),
                less: [
                    Spans::range(first, from - one_day),
                    Spans::range(to + one_day, end_of(to)),
                ],
            };
        }
        let mut spans = Spans::days(first, first - one_day);
        // The first month: read whole (less the days before `from`) or by its days.
        let mut months_from = first;
        if from != first {
            let before = (from - first).whole_days();
            let inside = (end_of(from) - from).whole_days() + 1;
            if before < inside {
                spans.less[0] = Spans::range(first, from - one_day);
            } else {
                spans.days[0] = Spans::range(from, end_of(from));
                months_from = next_month(from);
            }
        }
        // The last month likewise, less the days after `to`.
        let mut months_to = last;
        if to != end_of(to) {
            let after = (end_of(to) - to).whole_days();
            let inside = (to - last).whole_days() + 1;
            if after < inside {
                spans.less[1] = Spans::range(to + one_day, end_of(to));
            } else {
                spans.days[1] = Spans::range(last, to);
                months_to = month_of(last - one_day);
            }
        }
        spans.months = if months_from <= months_to {
            (day_key(months_from), day_key(months_to))
        } else {
            Spans::none()
        };
        spans
    }
}

/// The first day of the month after `day`'s.
fn next_month(day: Date) -> Date {
    let first = month_of(day);
    month_of(first + Duration::days(31))
}

/// The last day each SKU sold on up to `to` (at `location`): the days of `to`'s month for
/// those that sold in it; for the others, the last earlier month they sold in (from the monthly
/// rollups), then the days of that month only.
pub async fn last_sold(
    db: &Db,
    to: Date,
    location: Option<&str>,
) -> Result<HashMap<String, String>, sqlx::Error> {
    let at = location.unwrap_or(ALL_LOCATIONS).to_owned();
    let this_month = month_of(to);
    let mut last = last_days(db, &at, this_month, to).await?;
    let earlier: Vec<(String, String)> = sqlx::query(
        "SELECT member, MAX(month) FROM reports_monthly WHERE dimension = ? AND location = ? AND sales > 0 \
         AND month < ? GROUP BY member",
    )
    .bind(Dimension::Sku.as_str())
    .bind(at.clone())
    .bind(day_key(this_month))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
    .collect::<Result<_, sqlx::Error>>()?;
    let mut by_month: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for (sku, month) in earlier {
        if !last.contains_key(&sku) {
            by_month.entry(month).or_default().insert(sku);
        }
    }
    // One pass over each month's days, whatever the number of products last sold in it.
    for (month, skus) in by_month {
        let first = Date::parse(&month, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let end = next_month(first) - Duration::days(1);
        let days = last_days(db, &at, first, end).await?;
        last.extend(days.into_iter().filter(|(sku, _)| skus.contains(sku)));
    }
    Ok(last)
}

/// The last day from `from` to `to` that each SKU sold on at `location`.
async fn last_days(
    db: &Db,
    location: &str,
    from: Date,
    to: Date,
) -> Result<HashMap<String, String>, sqlx::Error> {
    sqlx::query(
        "SELECT member, MAX(day) FROM reports_daily WHERE dimension = ? AND day >= ? AND day <= ? \
         AND location = ? AND sales > 0 GROUP BY member",
    )
    .bind(Dimension::Sku.as_str())
    .bind(day_key(from))
    .bind(day_key(to))
    .bind(location.to_owned())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
    .collect()
}

/// The kept name and groups of each of `skus` that is known.
pub async fn product_groups(db: &Db, skus: &[String]) -> Result<HashMap<String, KeptProduct>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in skus.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "SELECT sku, name, category, brand, version FROM reports_products WHERE sku IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind(sku.clone());
        }
        for row in query.fetch_all(db.pool()).await? {
            let product = KeptProduct {
                sku: row.try_get(0)?,
                name: row.try_get(1)?,
                category: row.try_get(2)?,
                brand: row.try_get(3)?,
                version: row.try_get(4)?,
            };
            found.insert(product.sku.clone(), product);
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
            .chain(&spans.less)
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect()
    }

    #[test]
    fn a_period_reads_whole_months_and_at_most_half_a_month_of_days_at_each_end() {
        // The last 365 days: December 2025 whole less its first day, the months to November,
        // and the one day of December 2026.
        let year = Spans::of(date!(2025 - 12 - 02), date!(2026 - 12 - 01));
        assert_eq!(
            keys(&year),
            [
                ("~", ""),
                ("2026-12-01", "2026-12-01"),
                ("2025-12-01", "2026-11-01"),
                ("2025-12-01", "2025-12-01"),
                ("~", "")
            ]
        );
        let halves = Spans::of(date!(2026 - 01 - 20), date!(2026 - 03 - 10));
        assert_eq!(
            keys(&halves),
            [
                ("2026-01-20", "2026-01-31"),
                ("2026-03-01", "2026-03-10"),
                ("2026-02-01", "2026-02-01"),
                ("~", ""),
                ("~", "")
            ]
        );
        let across = Spans::of(date!(2026 - 12 - 01), date!(2027 - 01 - 31));
        assert_eq!(
            keys(&across),
            [
                ("~", ""),
                ("~", ""),
                ("2026-12-01", "2027-01-01"),
                ("~", ""),
                ("~", "")
            ]
        );
        let most_of_a_month = Spans::of(date!(2026 - 03 - 02), date!(2026 - 03 - 30));
        assert_eq!(
            keys(&most_of_a_month),
            [
                ("~", ""),
                ("~", ""),
                ("2026-03-01", "2026-03-01"),
                ("2026-03-01", "2026-03-01"),
                ("2026-03-31", "2026-03-31")
            ]
        );
    }

    #[test]
    fn a_short_period_reads_days() {
        for (from, to) in [
            (date!(2026 - 01 - 15), date!(2026 - 01 - 20)),
            (date!(2026 - 02 - 01), date!(2026 - 02 - 14)),
        ] {
            assert_eq!(Spans::of(from, to), Spans::days(from, to), "{from} {to}");
        }
        // Across a month's end, each part-month by its days.
        let spans = Spans::of(date!(2026 - 01 - 25), date!(2026 - 02 - 05));
        assert_eq!(
            keys(&spans),
            [
                ("2026-01-25", "2026-01-31"),
                ("2026-02-01", "2026-02-05"),
                ("~", ""),
                ("~", ""),
                ("~", "")
            ]
        );
    }
}
