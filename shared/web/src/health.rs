//! `/health` (the process is alive), `/health/ready` (its dependencies answer) and `/metrics`.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::future::BoxFuture;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Problem;

/// How long one dependency check may take before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

type Check = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// The dependencies a service needs to serve requests, each with a way to check it, and
/// those it can serve without (shown, but never making it unready).
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, Check, Need)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
}

impl Readiness {
    pub fn new() -> Readiness {
        Readiness::default()
    }

    /// Adds a dependency named `name` (e.g. `database`); `check` fails with a short reason.
    pub fn check<F>(mut self, name: &'static str, check: F) -> Readiness
    where
        F: Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    {
        self.checks.push((name, Arc::new(check), Need::Required));
        self
    }

    /// Adds a dependency whose absence takes away some routes but not the service's purpose
    /// (the reports behind the gateway: the counter must go on when they are down). It shows
    /// as `degraded` when it fails; the service stays ready.
    pub fn optional<F>(mut self, name: &'static str, check: F) -> Readiness
    where
        F: Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    {
        self.checks.push((name, Arc::new(check), Need::Optional));
        self
    }

    async fn run(&self) -> Vec<DependencyStatus> {
        let checks = self.checks.iter().map(|(name, check, need)| {
            let (check, need) = (check.clone(), *need);
            async move {
                let outcome = match tokio::time::timeout(CHECK_TIMEOUT, check()).await {
                    Ok(result) => result,
                    Err(_) => Err(format!("no answer within {}s", CHECK_TIMEOUT.as_secs())),
                };
                DependencyStatus {
                    name,
                    status: match (outcome.is_ok(), need) {
                        (true, _) => "ok",
                        (false, Need::Required) => "down",
                        (false, Need::Optional) => "degraded",
                    },
                    error: outcome.err(),
                }
            }
        });
        futures::future::join_all(checks).await
    }
}

#[derive(Debug, Serialize)]
struct DependencyStatus {
    name: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The process-wide Prometheus recorder, installed on first use. Every service in a process
/// shares it; their series differ by the `service` label.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets(&[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ])
                .expect("bucket list is not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed")
        })
        .clone()
}

/// `/health` and `/health/ready`, open to anyone (load balancers and orchestrators).
pub(crate) fn router(service: &'static str, readiness: Readiness) -> Router {
    Router::new()
        .route(
            "/health",
            get(move || async move {
                axum::Json(serde_json::json!({
                    "status": "ok",
                    "service": service,
                    "version": env!("CARGO_PKG_VERSION"),
                }))
            }),
        )
        .route("/health/ready", get(move || ready(service, readiness.clone())))
}

/// `/metrics` in Prometheus' text format; with `metrics_token` set, only for a caller
/// presenting it.
pub(crate) fn metrics_router(metrics_token: Option<SecretString>) -> Router {
    let metrics = metrics_handle();
    Router::new().route(
        "/metrics",
        get(move |headers: HeaderMap| {
            let metrics = metrics.clone();
            let metrics_token = metrics_token.clone();
            async move {
                if let Some(expected) = &metrics_token
                    && !same_secret(crate::identity::bearer_token(&headers), expected.expose_secret())
                {
                    return Problem::new(
                        StatusCode::UNAUTHORIZED,
                        "metrics-token-required",
                        "Metrics token required",
                    )
                    .detail("Send the configured metrics token as `Authorization: Bearer <token>`.")
                    .into_response();
                }
                metrics.run_upkeep();
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    metrics.render(),
                )
                    .into_response()
            }
        }),
    )
}

async fn ready(service: &'static str, readiness: Readiness) -> Response {
    let checks = readiness.run().await;
    let down: Vec<&str> = checks
        .iter()
        .filter(|c| c.status == "down")
        .map(|c| c.name)
        .collect();
    if down.is_empty() {
        axum::Json(serde_json::json!({ "status": "ready", "service": service, "checks": checks }))
            .into_response()
    } else {
        Problem::unavailable(format!("{service} is not ready: {} down", down.join(", ")))
            .extension("service", service)
            .extension("checks", &checks)
            .into_response()
    }
}

/// Compares digests rather than the strings, so the time taken says nothing about how much of
/// a guess was right.
fn same_secret(given: Option<&str>, expected: &str) -> bool {
    given.is_some_and(|given| Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes()))
}

/// The status code `/health/ready` answers with, for callers that only need the verdict.
pub fn is_ready(status: StatusCode) -> bool {
    status == StatusCode::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing() -> BoxFuture<'static, Result<(), String>> {
        Box::pin(async { Err("refused".to_owned()) })
    }

    fn answering() -> BoxFuture<'static, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    #[tokio::test]
    async fn an_optional_dependency_down_degrades_but_a_required_one_stops() {
        let degraded = Readiness::new()
            .check("database", answering)
            .optional("reports", failing);
        let answer = ready("gateway", degraded).await;
        assert_eq!(answer.status(), StatusCode::OK);
        let body = axum::body::to_bytes(answer.into_body(), 10_000).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("\"degraded\""));

        let down = Readiness::new()
            .check("database", failing)
            .optional("reports", answering);
        assert_eq!(
            ready("gateway", down).await.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
