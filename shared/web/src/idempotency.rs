//! The `Idempotency-Key` header, the same for every service: parsed and checked once,
//! scoped to the caller, and turned into the answer a retry gets.
//!
//! A key belongs to whoever sent it: it is scoped to the caller's owner (a user, for their
//! sessions and API tokens alike, or a service) and to the request's method and path. Another
//! user sending the same key does new work, never gets someone else's answer.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use storage::Claim;

use crate::{Identity, Problem};

pub const HEADER: &str = "idempotency-key";
/// The longest key a client may send.
pub const MAX_LEN: usize = 150;

/// The key a request's work is recorded under: a digest of the caller's owner, the method,
/// the path and the client's key (fixed length and case, whatever the client sent, so it fits
/// any key column and never collides across users under a case-insensitive collation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedKey(String);

impl ScopedKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The request's idempotency key, if it sent one; a malformed one is refused with 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<ScopedKey>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(HEADER) else {
            return Ok(IdempotencyKey(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|key| (1..=MAX_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                Problem::bad_request(
                    "invalid-idempotency-key",
                    format!(
                        "Idempotency-Key must be 1 to {MAX_LEN} visible ASCII characters, without spaces."
                    ),
                )
            })?;
        let owner = parts
            .extensions
            .get::<Identity>()
            .map_or("anonymous", |identity| identity.owner.as_str());
        Ok(IdempotencyKey(Some(scoped(
            owner,
            parts.method.as_str(),
            parts.uri.path(),
            key,
        ))))
    }
}

fn scoped(owner: &str, method: &str, path: &str, key: &str) -> ScopedKey {
    let mut digest = Sha256::new();
    for part in [owner, method, path, key] {
        // Lengths first, so that no two different tuples hash the same text.
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    ScopedKey(digest.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What to answer instead of doing the work, when the key was not freshly claimed: the first
/// answer again (marked `Idempotent-Replayed: true`), 409 while the first request still runs,
/// or 422 when the key came with another request body.
pub fn answer_instead(claim: Claim) -> Option<Response> {
    match claim {
        Claim::Claimed => None,
        Claim::Replay { status, body } => {
            let mut response = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                body,
            )
                .into_response();
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Some(response)
        }
        Claim::InProgress => Some(Problem::idempotency_key_in_use().into_response()),
        Claim::Mismatch => Some(
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
            )
            .detail("This key was used with a different request body; use a new key for a new request.")
            .into_response(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_scoped_to_its_owner_method_and_path() {
        let key = scoped("user:1", "POST", "/api/v1/sales", "k-1");
        assert_eq!(key, scoped("user:1", "POST", "/api/v1/sales", "k-1"));
        assert_eq!(key.as_str().len(), 64);
        for other in [
            scoped("user:2", "POST", "/api/v1/sales", "k-1"),
            scoped("user:1", "PUT", "/api/v1/sales", "k-1"),
            scoped("user:1", "POST", "/api/v1/sales/x/returns", "k-1"),
            scoped("user:1", "POST", "/api/v1/sales", "K-1"),
            scoped("user:1", "POST", "/api/v1/sale", "sk-1"),
        ] {
            assert_ne!(key, other);
        }
    }
}
