//! The services the reports ask: the catalog (products, for a rebuild), the sales service
//! (its event history, for a rebuild) and the inventory (today's stock and its value), each
//! at their replicas in turn, with the reports' own signed identity and a timeout.

use std::time::Duration;

use events::{Envelope, HistoryPage};
use inventory_api::valuation::{STOCK_VALUES, StockValueLine, StockValuePage};
use reqwest::header::AUTHORIZATION;
use web::replicas::{InvalidReplicas, Replicas, at};

use crate::SERVICE;
use crate::error::ReportsError;
use crate::store::KeptProduct;

/// Where the sources are, and the identity to ask them with.
pub struct Sources {
    client: reqwest::Client,
    signer: web::Signer,
    catalog: Replicas,
    sales: Replicas,
    inventory: Replicas,
}

/// The catalog listing's page, as much of it as a rebuild reads.
#[derive(serde::Deserialize)]
struct ProductPage {
    items: Vec<KeptProduct>,
    next_cursor: Option<String>,
}

impl Sources {
    /// The sources at their replicas' comma-separated base URLs.
    pub fn new(
        signer: web::Signer,
        catalog: &str,
        sales: &str,
        inventory: &str,
    ) -> Result<Sources, InvalidReplicas> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a plain HTTP client builds");
        Ok(Sources {
            client,
            signer,
            catalog: Replicas::parse("catalog", catalog)?,
            sales: Replicas::parse("sales", sales)?,
            inventory: Replicas::parse("inventory", inventory)?,
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        source: &Replicas,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, ReportsError> {
        let failed = |e: String| ReportsError::Source(format!("{} {path}: {e}", source.upstream()));
        let response = source
            .send(|base| {
                self.client.get(at(base, path)).query(query).header(
                    AUTHORIZATION,
                    self.signer.bearer(&web::Identity::service(SERVICE)),
                )
            })
            .await
            .map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("answered {}", response.status())));
        }
        response.json().await.map_err(|e| failed(e.to_string()))
    }

    /// Every product, archived ones too.
    pub async fn products(&self) -> Result<Vec<KeptProduct>, ReportsError> {
        let mut products = Vec::new();
        let mut query = vec![("active", "any".to_owned()), ("limit", "200".to_owned())];
        loop {
            let page: ProductPage = self.get(&self.catalog, "/api/v1/products", &query).await?;
            products.extend(page.items);
            match page.next_cursor {
                Some(next) => {
                    query.retain(|(k, _)| *k != "cursor");
                    query.push(("cursor", next));
                }
                None => return Ok(products),
            }
        }
    }

    /// The sales service's every event, in the order they were written.
    pub async fn sales_history(&self) -> Result<Vec<Envelope>, ReportsError> {
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let page: HistoryPage = self
                .get(
                    &self.sales,
                    "/internal/v1/events",
                    &[("after", after.to_string())],
                )
                .await?;
            events.extend(page.events);
            match page.next {
                Some(next) => after = next,
                None => return Ok(events),
            }
        }
    }

    /// Every level with stock (at `location`), with its unit cost and price.
    pub async fn stock_values(&self, location: Option<&str>) -> Result<Vec<StockValueLine>, ReportsError> {
        let mut lines = Vec::new();
        let mut query: Vec<(&str, String)> =
            location.map(|l| ("location", l.to_owned())).into_iter().collect();
        loop {
            let page: StockValuePage = self.get(&self.inventory, STOCK_VALUES, &query).await?;
            lines.extend(page.items);
            match page.next {
                Some((sku, at)) => {
                    query.retain(|(k, _)| *k == "location");
                    query.push(("after_sku", sku));
                    query.push(("after_location", at));
                }
                None => return Ok(lines),
            }
        }
    }
}
