//! Recomputing the rollups from their sources, for a shop whose sales began before its
//! reports did, or after a change to how figures are rolled up: the catalog's products (its
//! listing) and the sales service's whole event history (its `/internal/v1/events`), replayed
//! through the same code as the live events, so the figures equal the live ones.
//!
//! The history is read first and applied in one transaction: a live event that arrives
//! meanwhile is either replayed (its inbox row written by the rebuild, so its later delivery
//! changes nothing) or applied after the rebuild commits.

use sqlx::AssertSqlSafe;
use storage::Db;
use storage::clock::now_ms;

use crate::error::ReportsError;
use crate::sources::Sources;
use crate::{events as report_events, store};

/// What a rebuild read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub products: u64,
    pub events: u64,
}

/// Replaces the rollups, kept sales and shifts with those of the sources' whole history.
pub async fn rebuild(db: &Db, sources: &Sources) -> Result<Rebuilt, ReportsError> {
    let products = sources.products().await?;
    let history = sources.sales_history().await?;
    let kind = db.kind();
    let ignore = match kind {
        storage::DatabaseKind::Sqlite => "INSERT OR IGNORE",
        storage::DatabaseKind::MySql => "INSERT IGNORE",
    };
    let inbox = format!("{ignore} INTO reports_inbox (event_id, event_type, applied_at) VALUES (?, ?, ?)");
    let mut tx = db.begin().await?;
    for table in [
        "reports_daily",
        "reports_monthly",
        "reports_sales",
        "reports_shifts",
    ] {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    for product in &products {
        store::keep_product(&mut tx, kind, product).await?;
    }
    for envelope in &history {
        sqlx::query(AssertSqlSafe(inbox.as_str()))
            .bind(envelope.id.to_string())
            .bind(envelope.event_type.clone())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        report_events::apply(&mut tx, kind, envelope)
            .await
            .map_err(|e| ReportsError::Source(format!("event {} cannot be replayed: {e:?}", envelope.id)))?;
    }
    tx.commit().await?;
    Ok(Rebuilt {
        products: products.len() as u64,
        events: history.len() as u64,
    })
}
