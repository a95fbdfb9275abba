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
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use futures::TryStreamExt;
use settings::Settings;
use web::Problem;
use web::forwarding::{PROXY_CREDENTIAL, add_forwarded_for, without_hop_by_hop};

use crate::BuildError;

/// How long a read from the gateway may take at least. The event stream sends a heartbeat
/// every `stream_heartbeat_secs`; three missed heartbeats mean the gateway is gone.
const MIN_READ_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Gateway {
    base: url::Url,
    client: reqwest::Client,
    signer: web::Signer,
}

impl Gateway {
    pub fn new(settings: &Settings) -> Result<Gateway, BuildError> {
        let base =
            url::Url::parse(&settings.gateway_upstream()).map_err(|e| BuildError::Gateway(e.to_string()))?;
        // No overall timeout: the event stream stays open for hours. The gateway applies
        // its own timeouts to the services behind it.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(settings.upstream_timeout_ms.min(2_000)))
            .read_timeout(MIN_READ_TIMEOUT.max(Duration::from_secs(3 * settings.stream_heartbeat_secs)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Gateway {
            base,
            client,
            signer: web::Signer::from_settings(settings)?,
        })
    }

    pub fn base(&self) -> &url::Url {
        &self.base
    }

    /// `Ok` when the gateway's `/health` answers 200.
    pub async fn check_health(&self) -> Result<(), String> {
        let url = self.base.join("/health").map_err(|e| e.to_string())?;
        let answer = self
            .client
            .get(url)
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(format!("/health answered {}", answer.status()))
        }
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
    let Some(url) = web::forwarding::upstream_url(&gateway.base, &parts.uri) else {
        return web::forwarding::dot_segments_refused().into_response();
    };
    let mut headers = without_hop_by_hop(&parts.headers);
    add_forwarded_for(&mut headers, peer.ip());
    let credential = gateway.signer.vouch_for_client(crate::SERVICE, peer.ip());
    if let Ok(value) = HeaderValue::from_str(&credential) {
        headers.insert(PROXY_CREDENTIAL, value);
    }
    let sent = gateway
        .client
        .request(parts.method, url)
        .headers(headers)
        .body(reqwest::Body::wrap_stream(body.into_data_stream()))
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) if e.is_connect() => {
            tracing::warn!(error = %e, "gateway unreachable from the dashboard");
            return Problem::new(
                StatusCode::BAD_GATEWAY,
                "gateway-unavailable",
                "The server is not answering",
            )
            .detail("The dashboard cannot reach the API gateway; try again in a moment.")
            .retry_after(2)
            .into_response();
        }
        Err(e) => {
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
