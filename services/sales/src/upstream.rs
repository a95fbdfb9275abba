//! Calls to the catalog and the inventory: each with a timeout, retried with exponential
//! back-off and jitter (backon) only when repeating is safe (reads, and reservations, which
//! carry the sale id as their idempotency key), behind a circuit breaker per upstream.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// Consecutive failures that open a breaker.
const FAILURES_TO_OPEN: u32 = 5;
/// How long an open breaker refuses calls before letting one probe through.
const OPEN_FOR: Duration = Duration::from_secs(5);

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

/// Closed → open after repeated failures → half-open (one probe) → closed on success.
///
/// Written here rather than taken from tower-resilience: its breaker is a tower `Layer` around
/// a `Service`, while these calls are reqwest requests with per-call retry rules; adapting them
/// to tower services would take more code than this state machine, which is small enough to
/// test completely (see the tests below).
pub struct Breaker {
    name: &'static str,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

impl Breaker {
    pub fn new(name: &'static str) -> Breaker {
        let breaker = Breaker {
            name,
            state: Mutex::new(State::Closed { failures: 0 }),
        };
        breaker.export(State::Closed { failures: 0 });
        breaker
    }

    /// `closed`, `open` or `half-open`, for readiness.
    pub fn state(&self) -> &'static str {
        match *self.state.lock().expect("breaker lock") {
            State::Closed { .. } => "closed",
            State::Open { until } if Instant::now() >= until => "half-open",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half-open",
        }
    }

    fn admit(&self) -> Result<(), UpstreamError> {
        let mut state = self.state.lock().expect("breaker lock");
        match *state {
            State::Closed { .. } => Ok(()),
            State::Open { until } if Instant::now() >= until => {
                *state = State::HalfOpen { probing: true };
                self.export(*state);
                Ok(())
            }
            State::Open { until } => Err(UpstreamError::Open {
                upstream: self.name,
                retry_after: until.saturating_duration_since(Instant::now()),
            }),
            State::HalfOpen { probing: true } => Err(UpstreamError::Open {
                upstream: self.name,
                retry_after: Duration::from_secs(1),
            }),
            State::HalfOpen { probing: false } => {
                *state = State::HalfOpen { probing: true };
                Ok(())
            }
        }
    }

    fn record(&self, healthy: bool) {
        let mut state = self.state.lock().expect("breaker lock");
        let next = match (*state, healthy) {
            (_, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, false) if failures + 1 < FAILURES_TO_OPEN => State::Closed {
                failures: failures + 1,
            },
            (_, false) => State::Open {
                until: Instant::now() + OPEN_FOR,
            },
        };
        if std::mem::discriminant(&next) != std::mem::discriminant(&*state) {
            tracing::warn!(upstream = self.name, from = ?*state, to = ?next, "circuit breaker changed state");
        }
        *state = next;
        self.export(next);
    }

    fn export(&self, state: State) {
        let value = match state {
            State::Closed { .. } => 0.0,
            State::Open { .. } => 1.0,
            State::HalfOpen { .. } => 2.0,
        };
        metrics::gauge!("circuit_breaker_state", "upstream" => self.name).set(value);
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
    catalog: String,
    inventory: String,
    pub catalog_breaker: Breaker,
    pub inventory_breaker: Breaker,
}

impl Upstreams {
    pub fn new(client: reqwest::Client, catalog: String, inventory: String) -> Upstreams {
        Upstreams {
            client,
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
            breaker.admit()?;
            let outcome = send(request(), upstream).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breaker_opens_after_repeated_failures_probes_once_and_closes_on_success() {
        let breaker = Breaker::new("test");
        for _ in 0..FAILURES_TO_OPEN - 1 {
            breaker.admit().unwrap();
            breaker.record(false);
        }
        assert_eq!(breaker.state(), "closed");
        breaker.admit().unwrap();
        breaker.record(false);
        assert_eq!(breaker.state(), "open");
        assert!(matches!(breaker.admit(), Err(UpstreamError::Open { .. })));
        // Past the open period: exactly one probe goes through.
        *breaker.state.lock().unwrap() = State::Open {
            until: Instant::now(),
        };
        breaker.admit().unwrap();
        assert!(
            matches!(breaker.admit(), Err(UpstreamError::Open { .. })),
            "only one probe"
        );
        breaker.record(true);
        assert_eq!(breaker.state(), "closed");
        // A failed probe opens it again.
        *breaker.state.lock().unwrap() = State::HalfOpen { probing: false };
        breaker.admit().unwrap();
        breaker.record(false);
        assert_eq!(breaker.state(), "open");
    }
}
