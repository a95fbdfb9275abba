//! What a server passing a request on to another (the gateway to a service, the dashboard to
//! the gateway) does to the headers, written once for both.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

/// Headers that describe one connection, not the message, so they are not forwarded
/// (RFC 9110 §7.6.1), plus `host`, which must name the next server, and `content-length`,
/// which the HTTP client sets for the body it really sends.
const HOP_BY_HOP: &[HeaderName] = &[
    header::CONNECTION,
    header::HOST,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::CONTENT_LENGTH,
];

/// The header in which the admin dashboard, passing a browser's request on to the gateway,
/// vouches for the browser's address (see `Signer::vouch_for_client`).
pub const PROXY_CREDENTIAL: &str = "x-proxy-credential";

/// `headers` without the hop-by-hop ones, including those the `Connection` header names and
/// the old `Keep-Alive` and `Proxy-Connection`.
pub fn without_hop_by_hop(headers: &HeaderMap) -> HeaderMap {
    let mut kept = headers.clone();
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    for name in named
        .iter()
        .map(String::as_str)
        .chain(["keep-alive", "proxy-connection"])
    {
        kept.remove(name);
    }
    for name in HOP_BY_HOP {
        kept.remove(name);
    }
    kept
}

/// `uri`'s path and query on `base`, the next server; `None` when the path has dot segments
/// (`/api/../metrics`, `%2e%2e`): resolved here they would reach routes the request's own
/// path never matched.
pub fn upstream_url(base: &url::Url, uri: &axum::http::Uri) -> Option<url::Url> {
    let mut url = base.clone();
    url.set_path(uri.path());
    url.set_query(uri.query());
    (url.path() == uri.path()).then_some(url)
}

/// The answer to a path [`upstream_url`] refused.
pub fn dot_segments_refused() -> crate::Problem {
    crate::Problem::new(
        axum::http::StatusCode::BAD_REQUEST,
        "bad-path",
        "Path not allowed",
    )
    .detail("Paths with `.` or `..` segments are not passed on.")
}

/// Appends `peer` (who connected to us) to the request's `X-Forwarded-For` chain.
pub fn add_forwarded_for(headers: &mut HeaderMap, peer: IpAddr) {
    let chain = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(earlier) => format!("{earlier}, {peer}"),
        None => peer.to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&chain) {
        headers.insert("x-forwarded-for", value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_dot_segments_are_not_passed_on() {
        let base: url::Url = "http://gateway:8000".parse().unwrap();
        let url = |path: &str| upstream_url(&base, &path.parse().unwrap()).map(|u| u.to_string());
        assert_eq!(
            url("/api/v1/products/SSD-1?x=1").as_deref(),
            Some("http://gateway:8000/api/v1/products/SSD-1?x=1")
        );
        for sneaky in [
            "/api/../metrics",
            "/api/%2e%2e/health",
            "/api/./v1",
            "/api/v1/%2E%2e/x",
        ] {
            assert_eq!(url(sneaky), None, "{sneaky}");
        }
    }

    #[test]
    fn the_chain_grows_and_connection_headers_stay_behind() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, X-Secret-Hop"),
        );
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert("x-secret-hop", HeaderValue::from_static("1"));
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        add_forwarded_for(&mut headers, "203.0.113.7".parse().unwrap());
        add_forwarded_for(&mut headers, "10.0.0.2".parse().unwrap());
        assert_eq!(headers["x-forwarded-for"], "203.0.113.7, 10.0.0.2");
        let kept = without_hop_by_hop(&headers);
        for gone in ["connection", "keep-alive", "x-secret-hop"] {
            assert!(!kept.contains_key(gone), "{gone} was forwarded");
        }
        assert!(kept.contains_key(header::ACCEPT));
    }
}
