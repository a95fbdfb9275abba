//! The search index on MySQL/MariaDB: every three-character piece (trigram) of each product's
//! searchable text, with the SKUs holding it (`catalog_search_grams`).
//!
//! InnoDB has no index for "contains" (`LIKE '%…%'`), so a search read the whole catalog.
//! Every product holding a text holds each of its trigrams, so the products holding the text's
//! rarest trigram are a short list to check when that trigram is rare. SQLite has the same in
//! its FTS5 trigram tokenizer (`catalog_search`, kept by triggers). Here the store writes the
//! rows itself: a trigger would do the same, but creating triggers needs privileges a managed
//! or replicated MariaDB often withholds.
//!
//! Writing a product only queues it (`catalog_search_pending`, in the product's transaction);
//! [`index_pending`] writes the trigrams of queued products afterwards, in batches, and until
//! then a search checks the queued products as well. An import of 100,000 products is some six
//! million trigrams, ten times the import's own writes, and would take ten times as long if it
//! wrote them itself.
//!
//! The column's collation is the products' (`utf8mb4_unicode_ci`), so a trigram matches the
//! same letters, whatever their case and accents, as the search's `LIKE` does.

use std::collections::BTreeSet;

use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use storage::DatabaseKind;
use storage::Db;

use crate::product::Product;
use crate::store::{COLUMNS, Narrowing, placeholders, product_from_row};

/// Rows written per statement.
const ROWS_PER_STATEMENT: usize = 1_000;

/// How many of a text's trigrams a search weighs to find the rarest.
const TRIGRAMS_WEIGHED: usize = 12;

/// Between the fields of a product's text, so no trigram spans two of them.
const SEPARATOR: char = '\u{1f}';

/// The distinct trigrams of `text`, lower-cased; none for a text shorter than three characters.
fn trigrams(text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    chars
        .windows(3)
        .filter(|w| !w.contains(&SEPARATOR))
        .map(|w| w.iter().collect())
        .collect()
}

/// What a search looks in: the fields the search's `LIKE`s read.
fn searchable(product: &Product) -> String {
    [
        Some(product.sku.as_str()),
        Some(product.name.as_str()),
        product.description.as_deref(),
        product.brand.as_deref(),
        product.barcode.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(&SEPARATOR.to_string())
}

/// Whether a change from `before` to `after` changes what a search finds the product by.
pub fn text_changed(before: &Product, after: &Product) -> bool {
    searchable(before) != searchable(after)
}

/// Writes the trigrams of `products` in place of any they had.
async fn index(conn: &mut AnyConnection, products: &[Product]) -> Result<(), sqlx::Error> {
    if products.is_empty() {
        return Ok(());
    }
    let marks = placeholders(products.len());
    let sql = format!("DELETE FROM catalog_search_grams WHERE sku IN ({marks})");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for product in products {
        query = query.bind(product.sku.clone());
    }
    query.execute(&mut *conn).await?;
    let rows: Vec<(String, &str)> = products
        .iter()
        .flat_map(|p| {
            trigrams(&searchable(p))
                .into_iter()
                .map(|gram| (gram, p.sku.as_str()))
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        // IGNORE: two trigrams the collation holds equal ("caf", "cáf") are one row.
        let sql = format!(
            "INSERT IGNORE INTO catalog_search_grams (gram, sku) VALUES {}",
            vec!["(?, ?)"; chunk.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (gram, sku) in chunk {
            query = query.bind(gram.clone()).bind((*sku).to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Queues `skus` to have their trigrams written by [`index_pending`]. Nothing to do on SQLite.
pub async fn queue(conn: &mut AnyConnection, kind: DatabaseKind, skus: &[&str]) -> Result<(), sqlx::Error> {
    if kind != DatabaseKind::MySql {
        return Ok(());
    }
    for chunk in skus.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT IGNORE INTO catalog_search_pending (sku) VALUES {}",
            vec!["(?)"; chunk.len()].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for sku in chunk {
            query = query.bind((*sku).to_owned());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the trigrams of up to `batch` queued products and takes them off the queue, in one
/// transaction; returns how many it took. Replicas share the queue: each takes rows the others
/// have not locked. The products are read without a lock (writers lock a product, then queue
/// it; taking them the other way round could deadlock): a change committing meanwhile waits to
/// queue its product until this transaction has taken it off, so it is queued again.
pub async fn index_pending(db: &Db, batch: usize) -> Result<usize, sqlx::Error> {
    if db.kind() != DatabaseKind::MySql {
        return Ok(0);
    }
    let waiting: Option<i64> = sqlx::query_scalar("SELECT 1 FROM catalog_search_pending LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    if waiting.is_none() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let skus: Vec<String> = sqlx::query_scalar(
        "SELECT sku FROM catalog_search_pending ORDER BY sku LIMIT ? FOR UPDATE SKIP LOCKED",
    )
    .bind(i64::try_from(batch).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await?;
    if skus.is_empty() {
        return Ok(0);
    }
    let marks = placeholders(skus.len());
    let sql = format!("SELECT {COLUMNS} FROM catalog_products WHERE sku IN ({marks})");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in &skus {
        query = query.bind(sku.clone());
    }
    let products = query
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(product_from_row)
        .collect::<Result<Vec<Product>, _>>()?;
    index(&mut tx, &products).await?;
    let sql = format!("DELETE FROM catalog_search_pending WHERE sku IN ({marks})");
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for sku in &skus {
        query = query.bind(sku.clone());
    }
    query.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(skus.len())
}

/// How a search of `text` reads only the products that may hold it: those holding its rarest
/// trigram, and those still queued. None when the text is shorter than three characters or
/// when more than `most` products would have to be checked: a text that common fills a page
/// from the first products read in SKU order.
pub async fn narrowing(pool: &AnyPool, text: &str, most: i64) -> Result<Option<Narrowing>, sqlx::Error> {
    let grams = trigrams(text);
    if grams.is_empty() || text.contains(SEPARATOR) {
        return Ok(None);
    }
    // A long text weighs every n-th of its trigrams in sorted order: any of them narrows.
    let step = grams.len().div_ceil(TRIGRAMS_WEIGHED);
    let weighed: Vec<String> = grams.into_iter().step_by(step).collect();
    // Each count stops at `most + 1`: a common trigram costs no more than a rare one.
    let mut counts = vec!["(SELECT COUNT(*) FROM (SELECT 1 FROM catalog_search_pending LIMIT ?) t)"];
    counts.extend(vec![
        "(SELECT COUNT(*) FROM (SELECT 1 FROM catalog_search_grams WHERE gram = ? LIMIT ?) t)";
        weighed.len()
    ]);
    let sql = format!("SELECT {}", counts.join(", "));
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(most + 1);
    for gram in &weighed {
        query = query.bind(gram.clone()).bind(most + 1);
    }
    let row = query.fetch_one(pool).await?;
    let queued: i64 = row.try_get(0)?;
    let mut best: Option<(i64, &String)> = None;
    for (i, gram) in weighed.iter().enumerate() {
        let count: i64 = row.try_get(i + 1)?;
        if best.is_none_or(|(fewest, _)| count < fewest) {
            best = Some((count, gram));
        }
    }
    let Some((_, gram)) = best.filter(|(count, _)| count.saturating_add(queued) <= most) else {
        return Ok(None);
    };
    Ok(Some(if queued == 0 {
        // In the index's order, so a page of a text a thousand products hold reads one page
        // of them, not the thousand.
        Narrowing::Driven(
            "SELECT sku AS candidate FROM catalog_search_grams WHERE gram = ?",
            gram.clone(),
        )
    } else {
        // The union sits in a derived table: MariaDB runs `IN (… UNION …)` as a subquery per
        // product (a scan of the catalog), while `IN (SELECT … FROM (… UNION …))` is
        // materialised once and joined.
        Narrowing::Among(
            "sku IN (SELECT c.sku FROM (SELECT sku FROM catalog_search_grams WHERE gram = ? \
             UNION SELECT sku FROM catalog_search_pending) c)",
            gram.clone(),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_lower_case_distinct_and_never_span_two_fields() {
        let grams = trigrams("AbcAbc\u{1f}de");
        assert_eq!(
            grams.into_iter().collect::<Vec<_>>(),
            ["abc", "bca", "cab"].map(String::from)
        );
        assert!(trigrams("ab").is_empty());
        assert_eq!(trigrams("ÉTÉ").into_iter().collect::<Vec<_>>(), ["été"]);
    }
}
