//! Recomputing the rollups from their sources, for a shop whose sales began before its
//! reports did, or after a change to how figures are rolled up: the catalog's products (its
//! listing) and the sales service's whole event history (its `/internal/v1/events`), replayed
//! through the same code as the live events, so the figures equal the live ones.
//!
//! The history is read first and applied in one transaction: a live event that arrives
//! meanwhile is either replayed (its inbox row written by the rebuild, so its later delivery
//! changes nothing) or applied after the rebuild commits.

use std::time::Duration;

use catalog_page::ProductPage;
use events::{Envelope, HistoryPage};
use reqwest::header::AUTHORIZATION;
use sqlx::AssertSqlSafe;
use storage::Db;
use storage::clock::now_ms;

use crate::error::ReportsError;
use crate::store::KeptProduct;
use crate::{SERVICE, events as report_events, store};

/// Where the sources are, and the identity to ask them with.
pub struct Sources {
    client: reqwest::Client,
    signer: web::Signer,
    catalog: String,
    sales: String,
}

/// What a rebuild read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub products: u64,
    pub events: u64,
}

impl Sources {
    pub fn new(signer: web::Signer, catalog: String, sales: String) -> Sources {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a plain HTTP client builds");
        Sources {
            client,
            signer,
            catalog,
            sales,
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: String) -> Result<T, ReportsError> {
        let failed = |e: String| ReportsError::Source(format!("{url}: {e}"));
        let response = self
            .client
            .get(&url)
            .header(
                AUTHORIZATION,
                self.signer.bearer(&web::Identity::service(SERVICE)),
            )
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("answered {}", response.status())));
        }
        response.json().await.map_err(|e| failed(e.to_string()))
    }

    async fn products(&self) -> Result<Vec<KeptProduct>, ReportsError> {
        let mut products = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{}/api/v1/products?active=any&limit=200", self.catalog);
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={cursor}"));
            }
            let page: ProductPage = self.get(url).await?;
            products.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(products),
            }
        }
    }

    async fn sales_history(&self) -> Result<Vec<Envelope>, ReportsError> {
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let url = format!("{}/internal/v1/events?after={after}", self.sales);
            let page: HistoryPage = self.get(url).await?;
            events.extend(page.events);
            match page.next {
                Some(next) => after = next,
                None => return Ok(events),
            }
        }
    }
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
    for table in ["reports_daily", "reports_sales", "reports_shifts"] {
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

/// The catalog listing's page, as much of it as a rebuild reads: the products' snapshots.
mod catalog_page {
    use serde::Deserialize;

    use crate::store::KeptProduct;

    #[derive(Deserialize)]
    pub struct ProductPage {
        pub items: Vec<KeptProduct>,
        pub next_cursor: Option<String>,
    }
}
