//! The API gateway: the single entry point for clients. It forwards `/api/v1/...` to the
//! service that owns the resource and serves the API documentation.
//!
//! # Layout
//! - [`routes`]: the routing table, which upstream serves which path.
//! - [`proxy`]: forwarding one request to an upstream over HTTP, with a timeout.
//! - [`docs`]: `/api/openapi.json` (generated from the services' code) and Swagger UI at
//!   `/api/docs`, served from assets compiled into the binary.

pub mod docs;
pub mod proxy;
pub mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use settings::Settings;

pub use proxy::Upstream;

pub const SERVICE: &str = "gateway";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid upstream URL for {name}: {reason}")]
    Upstream { name: &'static str, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

pub struct Gateway {
    upstreams: Vec<Arc<Upstream>>,
    max_body_bytes: usize,
}

impl Gateway {
    pub fn build(settings: &Settings) -> Result<Gateway, BuildError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.upstream_timeout_ms))
            .connect_timeout(Duration::from_millis(settings.upstream_timeout_ms.min(2_000)))
            .pool_idle_timeout(Duration::from_secs(30))
            // Upstream redirects are the client's business, not ours to follow.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let catalog = Upstream::new(
            "catalog",
            &settings.catalog_upstream(),
            client.clone(),
            settings.max_body_bytes,
        )?;
        let inventory = Upstream::new(
            "inventory",
            &settings.inventory_upstream(),
            client.clone(),
            settings.max_body_bytes,
        )?;
        let sales = Upstream::new(
            "sales",
            &settings.sales_upstream(),
            client,
            settings.max_body_bytes,
        )?;
        tracing::info!(catalog = %catalog.base(), inventory = %inventory.base(), "gateway routes ready");
        Ok(Gateway {
            upstreams: vec![Arc::new(catalog), Arc::new(inventory), Arc::new(sales)],
            max_body_bytes: settings.max_body_bytes,
        })
    }

    pub fn router(&self) -> Router {
        let mut readiness = web::Readiness::new();
        for upstream in &self.upstreams {
            let upstream = upstream.clone();
            readiness = readiness.check(upstream.name(), move || {
                let upstream = upstream.clone();
                Box::pin(async move { upstream.check_health().await })
            });
        }
        let api = routes::router(&self.upstreams).merge(docs::router());
        web::service_router(SERVICE, api, readiness, self.max_body_bytes)
    }
}
