//! Calls between the services of one process without sockets. Every server started with
//! [`crate::serve`] is also registered here under its address, for as long as it accepts
//! requests; [`send`] hands a request for such an address straight to that server's router (the
//! same router, middleware and handlers the socket serves), and any other request to the
//! network. In the embedded default every service runs in one process, so a sale no longer
//! crosses loopback four times; a service in another process, or behind a proxy, is still
//! called over HTTP.
//!
//! Written here because no crate carries a `reqwest` request to an in-process tower service:
//! the calling code keeps its `reqwest` builders, breakers and retries, and only the transport
//! changes (tower's `oneshot` does the call).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use tower::ServiceExt;

use crate::Problem;

/// The routers this process serves, by the port they listen on.
static SERVED: LazyLock<RwLock<HashMap<u16, Served>>> = LazyLock::new(Default::default);

/// Tells registrations apart, so that one that ends removes only itself.
static REGISTRATIONS: AtomicU64 = AtomicU64::new(0);

struct Served {
    ip: IpAddr,
    router: Router,
    registration: u64,
}

/// How long an in-process call may take when its request sets no timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The peer address in-process requests appear to come from.
const LOOPBACK: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// A router reachable in-process until this is dropped (when its server stops accepting).
pub struct Registration {
    port: u16,
    id: u64,
}

/// Makes `router`, which listens on `addr`, reachable in-process.
pub fn register(addr: SocketAddr, router: Router) -> Registration {
    let id = REGISTRATIONS.fetch_add(1, Ordering::Relaxed);
    let served = Served {
        ip: addr.ip(),
        router,
        registration: id,
    };
    SERVED
        .write()
        .expect("served routers lock")
        .insert(addr.port(), served);
    Registration {
        port: addr.port(),
        id,
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut served = SERVED.write().expect("served routers lock");
        // Only its own entry: a later server may have taken the port since.
        if served.get(&self.port).is_some_and(|s| s.registration == self.id) {
            served.remove(&self.port);
        }
    }
}

/// The router serving `url` in this process, if any.
fn served(url: &url::Url) -> Option<Router> {
    let port = url.port_or_known_default()?;
    let host: IpAddr = match url.host()? {
        url::Host::Ipv4(ip) => ip.into(),
        url::Host::Ipv6(ip) => ip.into(),
        url::Host::Domain("localhost") => Ipv4Addr::LOCALHOST.into(),
        url::Host::Domain(_) => return None,
    };
    let served = SERVED.read().expect("served routers lock");
    let served = served.get(&port)?;
    let reaches = served.ip == host || (served.ip.is_unspecified() && host.is_loopback());
    (url.scheme() == "http" && reaches).then(|| served.router.clone())
}

/// Sends `request`: in-process when its address is served here and its body is in memory (every
/// call between the services has one), else over the network.
pub async fn send(request: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
    let (client, request) = request.build_split();
    let request = request?;
    let streamed = request.body().is_some_and(|body| body.as_bytes().is_none());
    match served(request.url()).filter(|_| !streamed) {
        Some(router) => Ok(call(router, request).await),
        None => client.execute(request).await,
    }
}

async fn call(router: Router, request: reqwest::Request) -> reqwest::Response {
    let timeout = request.timeout().copied().unwrap_or(DEFAULT_TIMEOUT);
    let path = match request.url().query() {
        Some(query) => format!("{}?{query}", request.url().path()),
        None => request.url().path().to_owned(),
    };
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .map(bytes::Bytes::copy_from_slice)
        .unwrap_or_default();
    let mut builder = http::Request::builder()
        .method(request.method().clone())
        .uri(path)
        .extension(ConnectInfo(LOOPBACK));
    if let Some(headers) = builder.headers_mut() {
        *headers = request.headers().clone();
    }
    let Ok(inner) = builder.body(Body::from(body)) else {
        return failed(StatusCode::BAD_REQUEST, "The request could not be passed on.").await;
    };
    let response = match tokio::time::timeout(timeout, router.oneshot(inner)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => return failed(StatusCode::GATEWAY_TIMEOUT, "The service did not answer in time.").await,
    };
    match tokio::time::timeout(timeout, collected(response)).await {
        Ok(Some(response)) => response,
        _ => failed(StatusCode::BAD_GATEWAY, "The service's answer broke off.").await,
    }
}

/// What a proxy between the caller and the service would answer when the call fails: the
/// same statuses a timed-out or broken connection gets.
async fn failed(status: StatusCode, detail: &str) -> reqwest::Response {
    let problem = Problem::new(status, "upstream-failed", "Upstream failed").detail(detail.to_owned());
    collected(problem.into_response())
        .await
        .expect("a problem's body is in memory")
}

async fn collected(response: axum::response::Response) -> Option<reqwest::Response> {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.ok()?;
    Some(reqwest::Response::from(http::Response::from_parts(parts, bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};

    fn service() -> Router {
        Router::new()
            .route(
                "/echo",
                post(
                    |uri: http::Uri, headers: http::HeaderMap, body: bytes::Bytes| async move {
                        let test = headers.get("x-test").and_then(|v| v.to_str().ok()).unwrap_or("");
                        format!("{uri} {test} {}", String::from_utf8_lossy(&body))
                    },
                ),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    "late"
                }),
            )
    }

    /// A loopback port nothing listens on: an answer from it can only come in-process.
    fn closed_port() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn a_served_address_is_called_in_process_until_it_stops() {
        let port = closed_port();
        let client = reqwest::Client::new();
        let registration = register(SocketAddr::from(([127, 0, 0, 1], port)), service());
        let request = client
            .post(format!("http://localhost:{port}/echo?a=1"))
            .header("x-test", "passed")
            .body("the body");
        let answer = send(request).await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.text().await.unwrap(), "/echo?a=1 passed the body");

        drop(registration);
        let gone = send(client.post(format!("http://127.0.0.1:{port}/echo"))).await;
        assert!(
            gone.unwrap_err().is_connect(),
            "over the network to a closed port"
        );
    }

    #[tokio::test]
    async fn another_address_on_the_same_port_is_called_over_the_network() {
        let port = closed_port();
        let _registration = register(SocketAddr::from(([127, 0, 0, 1], port)), service());
        let elsewhere = send(reqwest::Client::new().post(format!("http://127.0.0.2:{port}/echo"))).await;
        assert!(elsewhere.unwrap_err().is_connect());
    }

    #[tokio::test]
    async fn a_streamed_body_goes_over_the_network() {
        let port = closed_port();
        let _registration = register(SocketAddr::from(([127, 0, 0, 1], port)), service());
        let chunks = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("part"))]);
        let request = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/echo"))
            .body(reqwest::Body::wrap_stream(chunks));
        assert!(send(request).await.unwrap_err().is_connect());
    }

    #[tokio::test]
    async fn a_call_that_outlasts_its_timeout_answers_504_as_a_proxy_would() {
        let port = closed_port();
        let _registration = register(SocketAddr::from(([127, 0, 0, 1], port)), service());
        let request = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/slow"))
            .timeout(Duration::from_millis(50));
        let answer = send(request).await.unwrap();
        assert_eq!(answer.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(answer.headers()["content-type"], "application/problem+json");
    }
}
