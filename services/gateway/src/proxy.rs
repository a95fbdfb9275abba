//! Forwarding a request to an upstream service: to its replicas in turn (one that refuses the
//! connection is ejected and the next one tried), with the caller's identity signed for the
//! service (the caller's own credentials are not passed on), a timeout, a circuit breaker per
//! replica, and retries after an answer only for requests that are safe to repeat.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use backon::{ExponentialBuilder, Retryable};
use web::Problem;
use web::forwarding::{add_forwarded_for, without_hop_by_hop};
use web::replicas::{Replicas, Unanswered, describe, said_by_a_proxy};

use crate::BuildError;
use crate::auth::Principal;
use crate::auth::approval::Approver;

/// A service the gateway forwards to, with its replicas.
pub struct Upstream {
    replicas: Replicas,
    client: reqwest::Client,
    /// How long the upstream may take to answer (bulk routes have their own).
    timeout: Duration,
    max_body_bytes: usize,
    signer: web::Signer,
}

/// The caller's credentials for the gateway, which the services must never see.
const CREDENTIALS: &[&str] = &["authorization", "cookie", "x-csrf-token"];

impl Upstream {
    /// The upstream `name` at `bases`, a comma list of its replicas' base URLs.
    pub fn new(
        name: &'static str,
        bases: &str,
        client: reqwest::Client,
        timeout: Duration,
        max_body_bytes: usize,
        signer: web::Signer,
    ) -> Result<Upstream, BuildError> {
        let replicas = Replicas::parse(name, bases).map_err(|e| BuildError::Upstream {
            name,
            reason: e.to_string(),
        })?;
        Ok(Upstream {
            replicas,
            client,
            timeout,
            max_body_bytes,
            signer,
        })
    }

    pub fn name(&self) -> &'static str {
        self.replicas.upstream()
    }

    /// `Ok` when a replica's `/health` answers 200.
    pub async fn check_health(&self) -> Result<(), String> {
        self.replicas.check_health(&self.client, self.timeout).await
    }
}

/// Sends the request to `upstream` with the same method, path, query, headers and body, and
/// returns its answer. An upstream that does not answer in time is a 504; one that cannot be
/// reached is a 502.
pub async fn forward(
    State(upstream): State<Arc<Upstream>>,
    ConnectInfo(client_addr): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let bulk = crate::policy::bulk(&parts.method, parts.uri.path());
    let max_body_bytes = bulk.map_or(upstream.max_body_bytes, |b| b.max_body_bytes);
    let body = match axum::body::to_bytes(body, max_body_bytes).await {
        Ok(body) => body,
        Err(_) => {
            return Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
            )
            .detail(format!("The body must be at most {max_body_bytes} bytes."))
            .into_response();
        }
    };
    let Some(url) = upstream
        .replicas
        .bases()
        .next()
        .and_then(|base| web::forwarding::upstream_url(base, &parts.uri))
    else {
        return web::forwarding::dot_segments_refused().into_response();
    };

    let mut headers = without_hop_by_hop(&parts.headers);
    for name in CREDENTIALS {
        headers.remove(*name);
    }
    add_forwarded_for(&mut headers, client_addr.ip());
    let identity = match parts.extensions.get::<Principal>() {
        Some(principal) => web::Identity {
            approver: parts.extensions.get::<Approver>().map(|a| a.0.clone()),
            ..principal.identity()
        },
        // The guard lets nothing through unauthenticated to a proxied route; if that ever
        // changed, the services would see an anonymous caller and refuse it.
        None => web::Identity {
            subject: "anonymous".into(),
            owner: "anonymous".into(),
            name: "anonymous".into(),
            role: "none".into(),
            approver: None,
        },
    };
    headers.insert(header::AUTHORIZATION, upstream.signer.bearer(&identity));

    let once = || async {
        let sent = upstream
            .replicas
            .send(|base| {
                let mut at = base.clone();
                at.set_path(url.path());
                at.set_query(url.query());
                upstream
                    .client
                    .request(parts.method.clone(), at)
                    .headers(headers.clone())
                    .body(body.clone())
                    .timeout(bulk.map_or(upstream.timeout, |b| b.timeout))
            })
            .await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(Unanswered::Open { retry_after, .. }) => return Err(Failure::Open(retry_after)),
            Err(Unanswered::Failed { error, .. }) => return Err(Failure::Transport(error)),
        };
        let status = answer.status();
        let unhealthy = said_by_a_proxy(status);
        let headers = without_hop_by_hop(answer.headers());
        let bytes = answer.bytes().await.map_err(Failure::Transport)?;
        let mut response = Response::new(Body::from(bytes));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        if unhealthy && crate::policy::is_safe(&parts.method) {
            return Err(Failure::Unhealthy(response));
        }
        Ok(response)
    };
    let outcome = if crate::policy::is_safe(&parts.method) {
        once.retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(50))
                .with_max_delay(Duration::from_millis(400))
                .with_max_times(2)
                .with_jitter(),
        )
        .when(|failure| {
            matches!(failure, Failure::Unhealthy(_))
                || matches!(failure, Failure::Transport(e) if e.is_connect())
        })
        .await
    } else {
        once().await
    };
    match outcome {
        Ok(response) | Err(Failure::Unhealthy(response)) => response,
        Err(Failure::Transport(e)) => upstream_failure(&upstream, &e),
        Err(Failure::Open(retry_after)) => Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "upstream-circuit-open",
            "Upstream unavailable",
        )
        .detail(format!(
            "The {} service failed repeatedly and is given a moment to recover; try again shortly.",
            upstream.name()
        ))
        .retry_after(retry_after.as_secs().max(1))
        .into_response(),
    }
}

/// Why one attempt did not produce an answer to pass on.
enum Failure {
    Open(Duration),
    Transport(reqwest::Error),
    /// Something between us and the upstream answered 502/504 to a safe request (worth one
    /// more try).
    Unhealthy(Response),
}

fn upstream_failure(upstream: &Upstream, error: &reqwest::Error) -> Response {
    tracing::warn!(upstream = upstream.name(), error = %describe(error), "upstream request failed");
    if error.is_timeout() {
        Problem::new(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream-timeout",
            "Upstream timed out",
        )
        .detail(format!("The {} service did not answer in time.", upstream.name()))
        .into_response()
    } else {
        Problem::new(
            StatusCode::BAD_GATEWAY,
            "upstream-unavailable",
            "Upstream unavailable",
        )
        .detail(format!(
            "The {} service cannot be reached; try again shortly.",
            upstream.name()
        ))
        .retry_after(2)
        .into_response()
    }
}
