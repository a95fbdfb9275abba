//! The address a request comes from, for login lockouts and rate limits.
//!
//! Normally the connection's peer. The admin dashboard passes browsers' requests on, so its
//! requests would all share its address; it vouches for the browser's address in
//! `X-Proxy-Credential`, a token signed with the internal secret that holds the address and
//! the proxy's name (and that no service accepts as an identity). `X-Forwarded-For` itself is
//! never believed: that would let a client dodge the per-address limits by making up
//! addresses.

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
    let vouched = request
        .headers()
        .get(PROXY_CREDENTIAL)
        .map(|v| v.to_str().ok().and_then(|token| signer.vouched_client(token)));
    let client = match vouched {
        None => peer.ip(),
        Some(Some((proxy, client))) if proxy == "admin" => client,
        Some(_) => {
            // A dashboard with another secret or a skewed clock: every browser behind it would
            // share one address for lockouts, so say so.
            tracing::warn!(%peer, "proxy credential refused; counting the request against its peer");
            peer.ip()
        }
    };
    request.headers_mut().remove(PROXY_CREDENTIAL);
    request.extensions_mut().insert(ClientAddr(client));
    next.run(request).await
}
