//! The SQL of the rollups, the sales kept for their returns, the products and the closed
//! shifts; identical on SQLite and MySQL but for the upsert and the integer cast.

use std::collections::HashMap;

use events::catalog::ProductSnapshot;
use events::sales::ShiftClosed;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use storage::{DatabaseKind, Db};
use time::Date;
use time::format_description::well_known::Rfc3339;

use crate::domain::{Dimension, RecordedSale, Tallies, Tally};

/// The rows of one statement that adds tallies: SQLite allows 32,766 parameters, 18 per row.
const ROWS_PER_INSERT: usize = 500;

/// Adds `tallies` to the rollups.
pub async fn add(conn: &mut AnyConnection, kind: DatabaseKind, tallies: &Tallies) -> Result<(), sqlx::Error> {
    let buckets: Vec<_> = tallies.0.iter().collect();
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
                format!("ON CONFLICT (dimension, day, location, member) DO UPDATE SET {update}")
            }
            DatabaseKind::MySql => format!("ON DUPLICATE KEY UPDATE {update}"),
        };
        let sql = format!(
            "INSERT INTO reports_daily (dimension, day, location, member, {fields}) VALUES {} {conflict}",
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
        "AND d.location = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {key}, {sums} FROM reports_daily d {join} \
         WHERE d.dimension = ? AND d.day >= ? AND d.day <= ? {location} GROUP BY {key} ORDER BY {key}"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql))
        .bind(dimension.as_str())
        .bind(day_key(filter.from))
        .bind(day_key(filter.to));
    if let Some(location) = &filter.location {
        query = query.bind(location.clone());
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            let mut figures = [0i64; 14];
            for (i, figure) in figures.iter_mut().enumerate() {
                *figure = row.try_get(i + 1)?;
            }
            Ok((row.try_get(0)?, Tally::from_figures(figures)))
        })
        .collect()
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
