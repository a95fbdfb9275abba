//! The address a request comes from, for login lockouts and rate limits.
//!
//! Normally the connection's peer. The admin dashboard passes browsers' requests on, so its
//! requests would all share its address; it names the browser in `X-Forwarded-For` and
//! proves it is one of ours with a service identity signed with the internal secret in
//! `X-Proxy-Credential`. Anyone else's `X-Forwarded-For` is ignored: believing it would let a
//! client dodge the per-address limits by making up addresses.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use web::forwarding::PROXY_CREDENTIAL;

/// Where the request really comes from, as far as the gateway can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// Middleware: works out the [`ClientAddr`] and removes the proxy credential, which goes no
/// further.
pub async fn resolve(
    State(signer): State<web::Signer>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let vouched = headers
        .get(PROXY_CREDENTIAL)
        .and_then(|v| v.to_str().ok())
        .and_then(|token| signer.verify(token))
        .is_some_and(|identity| identity.role == "service");
    let client = vouched
        .then(|| web::forwarding::last_forwarded_for(headers))
        .flatten()
        .unwrap_or(peer.ip());
    request.headers_mut().remove(PROXY_CREDENTIAL);
    request.extensions_mut().insert(ClientAddr(client));
    next.run(request).await
}
