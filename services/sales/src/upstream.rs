//! Calls to the catalog and the inventory: to their replicas in turn, each with a timeout,
//! retried with exponential back-off and jitter (backon) only when repeating is safe (reads,
//! and reservations, which carry the sale id as their idempotency key), behind a circuit
//! breaker per replica.

use std::collections::BTreeMap;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use catalog_api::shop::{ShopSettings, TaxRate, TaxRateList};
use catalog_api::views::Product;
use inventory_api::reservations::{RESERVATION, RESERVATIONS, ReservationView, ReserveInput, ReserveLine};
use inventory_api::serials::{SERIAL, SerialLookup};
use inventory_api::views::LocationList;
use kernel::serial::SerialState;
use reqwest::StatusCode;
use web::replicas::{Replicas, Unanswered, at};

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

pub struct Upstreams {
    client: reqwest::Client,
    /// How long each call may take.
    timeout: Duration,
    /// Every call carries the sales service's signed identity: the other services refuse
    /// requests without one.
    signer: web::Signer,
    pub catalog: Replicas,
    pub inventory: Replicas,
}

impl Upstreams {
    pub fn new(
        client: reqwest::Client,
        timeout: Duration,
        signer: web::Signer,
        catalog: Replicas,
        inventory: Replicas,
    ) -> Upstreams {
        Upstreams {
            client,
            timeout,
            signer,
            catalog,
            inventory,
        }
    }

    /// The product `sku`, or `None` if the catalog has none.
    pub async fn product(&self, sku: &str) -> Result<Option<Product>, UpstreamError> {
        let path = catalog_api::product_path(sku);
        let result = self
            .call(&self.catalog, |base| self.client.get(at(base, &path)))
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

    /// The state of the unit of `sku` with serial number `serial` (`sold`, `returned`,
    /// `at_supplier`, …) and the sale it was sold on, or none when the inventory has no such
    /// unit.
    pub async fn unit_state(
        &self,
        sku: &str,
        serial: &str,
    ) -> Result<Option<(SerialState, Option<String>)>, UpstreamError> {
        // Of a serial number's characters (kernel::serial::SerialNumber) only '/' cannot stand
        // in a path segment.
        let path = SERIAL.replace("{serial}", &serial.replace('/', "%2F"));
        let result = self
            .call(&self.inventory, |base| self.client.get(at(base, &path)))
            .await;
        match result {
            Ok(body) => {
                let found: SerialLookup =
                    serde_json::from_value(body).map_err(|e| UpstreamError::Unavailable {
                        upstream: "inventory",
                        reason: format!("unexpected serial JSON: {e}"),
                    })?;
                Ok(found
                    .units
                    .into_iter()
                    .find(|u| u.sku == sku)
                    .map(|u| (u.state, u.sale_id)))
            }
            Err(UpstreamError::Refused {
                status: StatusCode::NOT_FOUND,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The shop's settings and tax rates, as the catalog has them now.
    pub async fn shop_terms(&self) -> Result<(ShopSettings, Vec<TaxRate>), UpstreamError> {
        let (settings, rates) = futures::future::try_join(
            self.shop_settings(),
            self.call(&self.catalog, |base| {
                self.client.get(at(base, catalog_api::TAX_RATES))
            }),
        )
        .await?;
        let rates: TaxRateList = serde_json::from_value(rates).map_err(|e| unexpected("tax rates", e))?;
        Ok((settings, rates.items))
    }

    /// The shop's settings alone (a refund needs no tax rates).
    pub async fn shop_settings(&self) -> Result<ShopSettings, UpstreamError> {
        let settings = self
            .call(&self.catalog, |base| {
                self.client.get(at(base, catalog_api::SHOP_SETTINGS))
            })
            .await?;
        serde_json::from_value(settings).map_err(|e| unexpected("settings", e))
    }

    /// Whether the inventory has `location` and it is active.
    pub async fn known_location(&self, location: &str) -> Result<bool, UpstreamError> {
        let body = self
            .call(&self.inventory, |base| {
                self.client.get(at(base, "/api/v1/locations"))
            })
            .await?;
        let list: LocationList = serde_json::from_value(body).map_err(|e| UpstreamError::Unavailable {
            upstream: "inventory",
            reason: format!("unexpected locations JSON: {e}"),
        })?;
        Ok(list.items.iter().any(|l| l.code == location && l.active))
    }

    /// Reserves the lines under `sale_id` (repeatable: the same id finds the same reservation),
    /// and answers what a unit of each SKU costs the shop (those with a known cost).
    pub async fn reserve(
        &self,
        sale_id: &str,
        location: &str,
        lines: &[ReserveLine],
        ttl: Duration,
    ) -> Result<BTreeMap<String, i64>, UpstreamError> {
        let body = ReserveInput {
            id: sale_id.to_owned(),
            location: Some(location.to_owned()),
            lines: lines.to_vec(),
            ttl_secs: Some(ttl.as_secs().max(1)),
        };
        let answer = self
            .call(&self.inventory, |base| {
                self.client.post(at(base, RESERVATIONS)).json(&body)
            })
            .await?;
        let reservation: ReservationView =
            serde_json::from_value(answer).map_err(|e| UpstreamError::Unavailable {
                upstream: "inventory",
                reason: format!("unexpected reservation JSON: {e}"),
            })?;
        Ok(reservation
            .lines
            .into_iter()
            .filter_map(|l| Some((l.sku, l.unit_cost_cents?)))
            .collect())
    }

    /// Gives the reservation's stock back (repeatable).
    pub async fn release(&self, sale_id: &str) -> Result<(), UpstreamError> {
        let path = RESERVATION.replace("{id}", sale_id);
        self.call(&self.inventory, |base| self.client.delete(at(base, &path)))
            .await
            .map(|_| ())
    }

    /// Calls an upstream, retrying when it did not answer: every call the sales service makes
    /// is safe to repeat (reads, and reservations keyed by the sale's id).
    async fn call(
        &self,
        upstream: &Replicas,
        request: impl Fn(&reqwest::Url) -> reqwest::RequestBuilder,
    ) -> Result<serde_json::Value, UpstreamError> {
        let once = || async {
            let identity = self.signer.bearer(&web::Identity::service(crate::SERVICE));
            let sent = upstream
                .send(|base| {
                    web::middleware::passing_request_id(
                        request(base)
                            .timeout(self.timeout)
                            .header(reqwest::header::AUTHORIZATION, identity.clone()),
                    )
                })
                .await;
            answer(sent, upstream.upstream()).await
        };
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

/// The body of a successful answer; a 5xx or no answer is `Unavailable` (retried), a 4xx is
/// the upstream's refusal.
async fn answer(
    sent: Result<reqwest::Response, Unanswered>,
    upstream: &'static str,
) -> Result<serde_json::Value, UpstreamError> {
    let response = match sent {
        Ok(response) => response,
        Err(Unanswered::Open { retry_after, .. }) => {
            return Err(UpstreamError::Open {
                upstream,
                retry_after,
            });
        }
        Err(Unanswered::Failed { error, .. }) => {
            return Err(UpstreamError::Unavailable {
                upstream,
                reason: if error.is_timeout() {
                    "timed out".into()
                } else {
                    error.to_string()
                },
            });
        }
    };
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

/// A catalog answer that does not have the contract's shape.
fn unexpected(what: &str, e: serde_json::Error) -> UpstreamError {
    UpstreamError::Unavailable {
        upstream: "catalog",
        reason: format!("unexpected {what} JSON: {e}"),
    }
}
