//! `/api/...` passed on to the gateway unchanged, both ways, as streams: request bodies are
//! not buffered here (the gateway enforces its body limit) and the live event stream flows
//! through as it arrives.
//!
//! The gateway counts failed logins and rate limits per client address; behind this server
//! every browser would share the dashboard's address, so the browser's address goes along in
//! `X-Proxy-Credential`, signed with the internal secret (`X-Forwarded-For` is added too, for
//! logs, but the gateway believes only the signed address).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures::TryStreamExt;
use settings::Settings;
use web::Problem;
use web::forwarding::{PROXY_CREDENTIAL, add_forwarded_for, without_hop_by_hop};
use web::replicas::Replicas;

use crate::BuildError;

/// How long a read from the gateway may take at least. The event stream sends a heartbeat
/// every `stream_heartbeat_secs`; three missed heartbeats mean the gateway is gone.
const MIN_READ_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Gateway {
    replicas: Replicas,
    client: reqwest::Client,
    signer: web::Signer,
}

impl Gateway {
    pub fn new(settings: &Settings) -> Result<Gateway, BuildError> {
        let replicas = Replicas::parse("gateway", &settings.gateway_upstream())
            .map_err(|e| BuildError::Gateway(e.to_string()))?;
        // No overall timeout: the event stream stays open for hours. The gateway applies
        // its own timeouts to the services behind it.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(settings.upstream_timeout_ms.min(2_000)))
            .read_timeout(MIN_READ_TIMEOUT.max(Duration::from_secs(3 * settings.stream_heartbeat_secs)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Gateway {
            replicas,
            client,
            signer: web::Signer::from_settings(settings)?,
        })
    }

    /// The gateway replicas' addresses, for the log.
    pub fn bases(&self) -> String {
        let bases: Vec<&str> = self.replicas.bases().map(url::Url::as_str).collect();
        bases.join(",")
    }

    /// `Ok` when a gateway replica's `/health` answers 200.
    pub async fn check_health(&self) -> Result<(), String> {
        self.replicas
            .check_health(&self.client, Duration::from_secs(2))
            .await
    }
}

pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/api/{*rest}", any(forward))
        .with_state(gateway)
}

async fn forward(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut headers = without_hop_by_hop(&parts.headers);
    add_forwarded_for(&mut headers, peer.ip());
    let credential = gateway.signer.vouch_for_client(crate::SERVICE, peer.ip());
    if let Ok(value) = HeaderValue::from_str(&credential) {
        headers.insert(PROXY_CREDENTIAL, value);
    }
    // A read has no body, so it can go to the next replica when one refuses the connection;
    // a write's body is streamed through and can be sent once.
    let reads = matches!(parts.method, Method::GET | Method::HEAD);
    let mut body = Some(body);
    let mut tries = gateway.replicas.count();
    let answer = loop {
        tries -= 1;
        let pick = match gateway.replicas.pick() {
            Ok(pick) => pick,
            Err(open) => return unreachable(open.retry_after.as_secs().max(1)),
        };
        let Some(url) = web::forwarding::upstream_url(pick.base(), &parts.uri) else {
            return web::forwarding::dot_segments_refused().into_response();
        };
        let request = gateway
            .client
            .request(parts.method.clone(), url)
            .headers(headers.clone());
        let request = match body.take() {
            Some(body) if !reads => request.body(reqwest::Body::wrap_stream(body.into_data_stream())),
            _ => request,
        };
        match request.send().await {
            Ok(answer) => {
                pick.reached();
                break answer;
            }
            Err(e) if e.is_connect() => {
                pick.failed(&e);
                tracing::warn!(error = %e, "gateway unreachable from the dashboard");
                if !reads || tries == 0 {
                    return unreachable(2);
                }
            }
            Err(e) => {
                pick.failed(&e);
                // Sent, but no answer: the request may have been carried out.
                tracing::warn!(error = %e, "the gateway did not answer the dashboard");
                return Problem::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    "gateway-timeout",
                    "No answer from the server",
                )
                .detail("The request was sent but not answered; it may have been carried out. Check before trying again.")
                .retry_after(2)
                .into_response();
            }
        }
    };
    let status = answer.status();
    let headers = without_hop_by_hop(answer.headers());
    let mut response = Response::new(Body::from_stream(
        answer.bytes_stream().map_err(std::io::Error::other),
    ));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// No gateway replica can be reached.
fn unreachable(retry_after_secs: u64) -> Response {
    Problem::new(
        StatusCode::BAD_GATEWAY,
        "gateway-unavailable",
        "The server is not answering",
    )
    .detail("The dashboard cannot reach the API gateway; try again in a moment.")
    .retry_after(retry_after_secs)
    .into_response()
}
