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
/// proves with a signed service identity that its `X-Forwarded-For` can be believed.
pub const PROXY_CREDENTIAL: &str = "x-proxy-credential";

/// `headers` without the hop-by-hop ones.
pub fn without_hop_by_hop(headers: &HeaderMap) -> HeaderMap {
    let mut kept = headers.clone();
    for name in HOP_BY_HOP {
        kept.remove(name);
    }
    kept
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

/// The last address of the `X-Forwarded-For` chain: the client as the nearest proxy saw it.
/// Only worth believing when that proxy is known to be ours.
pub fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_grows_and_its_last_address_is_the_nearest_client() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive"));
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        add_forwarded_for(&mut headers, "203.0.113.7".parse().unwrap());
        add_forwarded_for(&mut headers, "10.0.0.2".parse().unwrap());
        assert_eq!(headers["x-forwarded-for"], "203.0.113.7, 10.0.0.2");
        assert_eq!(last_forwarded_for(&headers), Some("10.0.0.2".parse().unwrap()));
        let kept = without_hop_by_hop(&headers);
        assert!(!kept.contains_key(header::CONNECTION));
        assert!(kept.contains_key(header::ACCEPT));
        headers.insert("x-forwarded-for", HeaderValue::from_static("not an address"));
        assert_eq!(last_forwarded_for(&headers), None);
    }
}
