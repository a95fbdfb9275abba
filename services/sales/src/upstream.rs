//! Calls to the catalog and the inventory: each with a timeout, retried with exponential
//! back-off and jitter (backon) only when repeating is safe (reads, and reservations, which
//! carry the sale id as their idempotency key), behind a circuit breaker per upstream.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
pub use web::breaker::Breaker;

#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The breaker is open: the upstream failed repeatedly and is not called for a while.
    #[error("{upstream} is unavailable (circuit open)")]
    Open {
        upstream: &'static str,
        retry_after: Duration,
    },
    #[error("{upstream} did not answer: {reason}")]
    Unavailable { upstream: &'static str, reason: String },
    /// The upstream answered with a problem; its status and body are passed on.
    #[error("{upstream} answered {status}")]
    Refused {
        upstream: &'static str,
        status: StatusCode,
        body: serde_json::Value,
    },
}

impl UpstreamError {
    fn retryable(&self) -> bool {
        matches!(self, UpstreamError::Unavailable { .. })
    }
}

/// A product as the sales service needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct PricedProduct {
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
    pub active: bool,
}

#[derive(Debug, Serialize)]
struct ReserveRequest<'a> {
    id: &'a str,
    location: &'a str,
    lines: Vec<ReserveLine<'a>>,
    ttl_secs: u64,
}

#[derive(Debug, Serialize)]
struct ReserveLine<'a> {
    sku: &'a str,
    quantity: i64,
}

pub struct Upstreams {
    client: reqwest::Client,
    /// Every call carries the sales service's signed identity: the other services refuse
    /// requests without one.
    signer: web::Signer,
    catalog: String,
    inventory: String,
    pub catalog_breaker: Breaker,
    pub inventory_breaker: Breaker,
}

impl Upstreams {
    pub fn new(
        client: reqwest::Client,
        signer: web::Signer,
        catalog: String,
        inventory: String,
    ) -> Upstreams {
        Upstreams {
            client,
            signer,
            catalog,
            inventory,
            catalog_breaker: Breaker::new("catalog"),
            inventory_breaker: Breaker::new("inventory"),
        }
    }

    /// The product `sku`, or `None` if the catalog has none.
    pub async fn product(&self, sku: &str) -> Result<Option<PricedProduct>, UpstreamError> {
        let url = format!("{}/api/v1/products/{sku}", self.catalog);
        let result = self
            .call(&self.catalog_breaker, true, || self.client.get(&url), "catalog")
            .await;
        match result {
            Ok(body) => Ok(Some(serde_json::from_value(body).map_err(|e| {
                UpstreamError::Unavailable {
                    upstream: "catalog",
                    reason: format!("unexpected product JSON: {e}"),
                }
            })?)),
            Err(UpstreamError::Refused {
                status: StatusCode::NOT_FOUND,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reserves the lines under `sale_id` (repeatable: the same id finds the same reservation).
    pub async fn reserve(
        &self,
        sale_id: &str,
        location: &str,
        lines: &[(String, i64)],
        ttl: Duration,
    ) -> Result<(), UpstreamError> {
        let url = format!("{}/internal/v1/reservations", self.inventory);
        let body = ReserveRequest {
            id: sale_id,
            location,
            lines: lines
                .iter()
                .map(|(sku, quantity)| ReserveLine {
                    sku,
                    quantity: *quantity,
                })
                .collect(),
            ttl_secs: ttl.as_secs().max(1),
        };
        self.call(
            &self.inventory_breaker,
            true,
            || self.client.post(&url).json(&body),
            "inventory",
        )
        .await
        .map(|_| ())
    }

    /// Gives the reservation's stock back (repeatable).
    pub async fn release(&self, sale_id: &str) -> Result<(), UpstreamError> {
        let url = format!("{}/internal/v1/reservations/{sale_id}", self.inventory);
        self.call(
            &self.inventory_breaker,
            true,
            || self.client.delete(&url),
            "inventory",
        )
        .await
        .map(|_| ())
    }

    async fn call(
        &self,
        breaker: &Breaker,
        repeatable: bool,
        request: impl Fn() -> reqwest::RequestBuilder,
        upstream: &'static str,
    ) -> Result<serde_json::Value, UpstreamError> {
        let once = || async {
            breaker.admit().map_err(|open| UpstreamError::Open {
                upstream,
                retry_after: open.retry_after,
            })?;
            let identity = self.signer.bearer(&web::Identity::service(crate::SERVICE));
            let mut request = request().header(reqwest::header::AUTHORIZATION, identity);
            if let Some(id) = web::middleware::current_request_id() {
                request = request.header(web::middleware::REQUEST_ID, id);
            }
            let outcome = send(request, upstream).await;
            // A refusal (4xx) is an answer from a healthy upstream; only silence and 5xx count.
            breaker.record(!matches!(outcome, Err(UpstreamError::Unavailable { .. })));
            outcome
        };
        if !repeatable {
            return once().await;
        }
        once.retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(50))
                .with_max_delay(Duration::from_millis(800))
                .with_max_times(3)
                .with_jitter(),
        )
        .when(UpstreamError::retryable)
        .await
    }
}

async fn send(
    request: reqwest::RequestBuilder,
    upstream: &'static str,
) -> Result<serde_json::Value, UpstreamError> {
    let response = request.send().await.map_err(|e| UpstreamError::Unavailable {
        upstream,
        reason: if e.is_timeout() {
            "timed out".into()
        } else {
            e.to_string()
        },
    })?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    if status.is_success() {
        Ok(body)
    } else if status.is_server_error() {
        Err(UpstreamError::Unavailable {
            upstream,
            reason: format!("answered {status}"),
        })
    } else {
        Err(UpstreamError::Refused {
            upstream,
            status,
            body,
        })
    }
}
