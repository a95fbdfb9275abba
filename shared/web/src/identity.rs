//! Who is asking, as the gateway vouches for it to the services.
//!
//! The gateway authenticates people and API clients; the services behind it must not trust a
//! request merely because it reached their port. So every request a service serves carries a
//! short-lived token signed (HMAC-SHA256, as a JWT) with the installation's internal secret:
//! the gateway signs the caller's identity, and a service calling another signs its own. A
//! request without a valid token is refused with 401 before any handler runs. The token also
//! brings the actor's name to the ledger and the sales records.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::Problem;

const ISSUER: &str = "inventory-tracker";
const AUDIENCE: &str = "inventory-tracker-services";
/// The audience of a proxy's word on a client's address: not an identity, so no service
/// accepts it as one, whoever captures it.
const FORWARDED_AUDIENCE: &str = "inventory-tracker-forwarded-client";
/// Long enough for one hop and clock skew between hosts; short enough that a token copied
/// from a log or a network capture is useless almost at once.
const LIFETIME: Duration = Duration::from_secs(60);
/// How long a signed identity is handed out again, and a checked token taken on its word,
/// before the work is done afresh. Signing and checking a token at every hop of every request
/// took 7 % of a cached product read (docs/benchmarks.md). A token handed out again has most
/// of its lifetime left; a remembered one is still refused once it expires.
const REUSE: Duration = Duration::from_secs(10);
/// How many identities each of those memories holds at most.
const REMEMBERED: u64 = 10_000;

/// The caller of a request: a person, an API token, or a service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    /// `user:<id>`, `token:<id>` or `service:<name>`.
    pub subject: String,
    /// On whose behalf the caller acts: `user:<id>` for a person's sessions and for their API
    /// tokens alike, `service:<name>` for a service. Idempotency keys are scoped to it.
    pub owner: String,
    /// What the ledger and the sales records show: a username or a service name.
    pub name: String,
    /// `admin`, `manager`, `clerk`, `viewer` or `service`.
    pub role: String,
    /// The manager who approved this one request with their own credentials (a discount
    /// beyond the shop's limit), as the gateway checked them; a username.
    pub approver: Option<String>,
}

impl Identity {
    pub fn service(name: &str) -> Identity {
        Identity {
            subject: format!("service:{name}"),
            owner: format!("service:{name}"),
            name: name.to_owned(),
            role: "service".to_owned(),
            approver: None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The owner (see [`Identity::owner`]); absent in tokens of earlier versions, whose
    /// subject is then the owner.
    #[serde(default)]
    own: String,
    name: String,
    role: String,
    /// See [`Identity::approver`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    apr: Option<String>,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ForwardedClaims {
    /// The proxy that vouches.
    sub: String,
    /// The client it forwards for.
    addr: std::net::IpAddr,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("internal_secret is not set (required when services run in separate processes)")]
    NoSecret,
    #[error("internal_secret must be at least 32 characters")]
    WeakSecret,
}

/// Signs and verifies identities with the installation's internal secret.
#[derive(Clone)]
pub struct Signer(Arc<Keys>);

/// One allocation behind the signer: middleware clones its state for every request.
struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    forwarded_validation: Validation,
    signed: moka::sync::Cache<Identity, Arc<str>>,
    /// Tokens that verified, with the identity they carry and their expiry (unix seconds).
    verified: moka::sync::Cache<Arc<str>, (Identity, u64)>,
}

impl Signer {
    pub fn new(secret: &str) -> Result<Signer, IdentityError> {
        if secret.is_empty() {
            return Err(IdentityError::NoSecret);
        }
        if secret.len() < 32 {
            return Err(IdentityError::WeakSecret);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 5;
        let mut forwarded_validation = validation.clone();
        forwarded_validation.set_audience(&[FORWARDED_AUDIENCE]);
        Ok(Signer(Arc::new(Keys {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            forwarded_validation,
            signed: remembered(),
            verified: remembered(),
        })))
    }

    /// The signer of the installation's `internal_secret`.
    pub fn from_settings(settings: &settings::Settings) -> Result<Signer, IdentityError> {
        use secrecy::ExposeSecret;
        let secret = settings.internal_secret.as_ref().ok_or(IdentityError::NoSecret)?;
        Signer::new(secret.expose_secret())
    }

    /// A token vouching for `identity` for the next minute, or the one handed out for it in
    /// the last `REUSE` (which has most of its minute left).
    pub fn sign(&self, identity: &Identity) -> String {
        if let Some(token) = self.0.signed.get(identity) {
            return token.to_string();
        }
        let token = self.sign_for(identity, LIFETIME);
        self.0.signed.insert(identity.clone(), token.as_str().into());
        token
    }

    /// A token vouching for `identity` for `lifetime` (tests and tools that talk to a
    /// service directly for longer than a minute).
    pub fn sign_for(&self, identity: &Identity, lifetime: Duration) -> String {
        let now = unix_now();
        let claims = Claims {
            sub: identity.subject.clone(),
            own: identity.owner.clone(),
            name: identity.name.clone(),
            role: identity.role.clone(),
            apr: identity.approver.clone(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + lifetime.as_secs(),
        };
        self.encode(&claims)
    }

    /// `Authorization` header value carrying a fresh token for `identity`.
    pub fn bearer(&self, identity: &Identity) -> HeaderValue {
        HeaderValue::try_from(format!("Bearer {}", self.sign(identity)))
            .expect("a JWT is a valid header value")
    }

    /// The identity in `token`, if it was signed with our secret and has not expired.
    pub fn verify(&self, token: &str) -> Option<Identity> {
        if let Some((identity, expires)) = self.0.verified.get(token)
            && unix_now() <= expires + self.0.validation.leeway
        {
            return Some(identity);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.0.decoding, &self.0.validation).ok()?;
        let owner = match data.claims.own {
            own if own.is_empty() => data.claims.sub.clone(),
            own => own,
        };
        let identity = Identity {
            owner,
            subject: data.claims.sub,
            name: data.claims.name,
            role: data.claims.role,
            approver: data.claims.apr,
        };
        self.0
            .verified
            .insert(token.into(), (identity.clone(), data.claims.exp));
        Some(identity)
    }

    fn encode(&self, claims: &impl Serialize) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.0.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// `proxy`'s signed word that it forwards a request from `client`, for the next minute.
    /// The address is inside the signature, so a captured credential can only ever name the
    /// client it was made for.
    pub fn vouch_for_client(&self, proxy: &str, client: std::net::IpAddr) -> String {
        let now = unix_now();
        let claims = ForwardedClaims {
            sub: proxy.to_owned(),
            addr: client,
            iss: ISSUER.to_owned(),
            aud: FORWARDED_AUDIENCE.to_owned(),
            iat: now,
            exp: now + LIFETIME.as_secs(),
        };
        self.encode(&claims)
    }

    /// The proxy and the client address `token` vouches for, if we signed it and it is fresh.
    pub fn vouched_client(&self, token: &str) -> Option<(String, std::net::IpAddr)> {
        let data =
            jsonwebtoken::decode::<ForwardedClaims>(token, &self.0.decoding, &self.0.forwarded_validation)
                .ok()?;
        Some((data.claims.sub, data.claims.addr))
    }
}

/// A bounded memory whose entries last `REUSE`.
fn remembered<K, V>() -> moka::sync::Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::sync::Cache::builder()
        .max_capacity(REMEMBERED)
        .time_to_live(REUSE)
        .build()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The token in an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// Middleware refusing any request without a valid internal token, and handing the identity
/// to the handlers (see [`Actor`]).
pub async fn require(State(signer): State<Signer>, mut request: Request, next: Next) -> Response {
    match bearer_token(request.headers()).and_then(|token| signer.verify(token)) {
        Some(identity) => {
            request.extensions_mut().insert(identity);
            next.run(request).await
        }
        None => Problem::new(
            StatusCode::UNAUTHORIZED,
            "internal-credential-required",
            "Internal credential required",
        )
        .detail("This service answers only requests that come through the gateway or from another service of this installation.")
        .into_response(),
    }
}

/// The caller's name for the records, in a handler behind [`require`]; `None` elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub Option<Identity>);

impl Actor {
    pub fn name(&self) -> Option<String> {
        self.0.as_ref().map(|i| i.name.clone())
    }

    /// The manager who approved this request, if the gateway checked one.
    pub fn approver(&self) -> Option<String> {
        self.0.as_ref().and_then(|i| i.approver.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Actor(parts.extensions.get::<Identity>().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn clerk(name: &str) -> Identity {
        Identity {
            subject: format!("user:{name}"),
            owner: format!("user:{name}"),
            name: name.into(),
            role: "clerk".into(),
            approver: None,
        }
    }

    #[test]
    fn an_identity_signed_again_soon_gets_the_same_token_and_another_identity_its_own() {
        let signer = Signer::new(SECRET).unwrap();
        let token = signer.sign(&clerk("alice"));
        // Past the second a fresh token's issue time would change with.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(signer.sign(&clerk("alice")), token);
        let promoted = Identity {
            role: "manager".into(),
            ..clerk("alice")
        };
        for other in [clerk("bob"), promoted] {
            let theirs = signer.sign(&other);
            assert_ne!(theirs, token);
            assert_eq!(signer.verify(&theirs), Some(other));
        }
    }

    #[test]
    fn a_remembered_token_is_refused_once_it_has_expired() {
        let signer = Signer::new(SECRET).unwrap();
        let now = unix_now();
        signer
            .0
            .verified
            .insert("remembered".into(), (clerk("alice"), now + 30));
        assert_eq!(signer.verify("remembered"), Some(clerk("alice")));
        signer.0.verified.insert(
            "remembered".into(),
            (clerk("alice"), now - signer.0.validation.leeway - 1),
        );
        assert_eq!(signer.verify("remembered"), None);
    }

    #[test]
    fn a_signed_identity_verifies_only_with_the_same_secret() {
        let signer = Signer::new(SECRET).unwrap();
        let alice = Identity {
            subject: "user:1".into(),
            owner: "user:1".into(),
            name: "alice".into(),
            role: "clerk".into(),
            approver: None,
        };
        let token = signer.sign(&alice);
        assert_eq!(signer.verify(&token), Some(alice.clone()));
        let approved = Identity {
            approver: Some("maria".into()),
            ..alice
        };
        assert_eq!(signer.verify(&signer.sign(&approved)), Some(approved));
        let other = Signer::new("another secret of at least 32 chars!").unwrap();
        assert_eq!(other.verify(&token), None);
        let mut tampered = token.clone();
        tampered.replace_range(tampered.len() - 3.., "AAA");
        assert_eq!(signer.verify(&tampered), None);
        assert_eq!(signer.verify("not a token"), None);
    }

    #[test]
    fn a_vouched_client_address_is_no_identity_and_no_identity_vouches() {
        let signer = Signer::new(SECRET).unwrap();
        let client: std::net::IpAddr = "198.51.100.7".parse().unwrap();
        let vouched = signer.vouch_for_client("admin", client);
        assert_eq!(
            signer.vouched_client(&vouched),
            Some(("admin".to_owned(), client))
        );
        assert_eq!(
            signer.verify(&vouched),
            None,
            "a service must not take it as a caller"
        );
        let identity = signer.sign(&Identity::service("admin"));
        assert_eq!(signer.vouched_client(&identity), None);
        let other = Signer::new("another secret of at least 32 chars!").unwrap();
        assert_eq!(other.vouched_client(&vouched), None);
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(matches!(Signer::new(""), Err(IdentityError::NoSecret)));
        assert!(matches!(Signer::new("short"), Err(IdentityError::WeakSecret)));
    }

    #[test]
    fn an_expired_identity_is_refused() {
        let signer = Signer::new(SECRET).unwrap();
        let claims = Claims {
            sub: "user:1".into(),
            own: String::new(),
            name: "alice".into(),
            role: "admin".into(),
            apr: None,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: unix_now() - 600,
            exp: unix_now() - 300,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &signer.0.encoding).unwrap();
        assert_eq!(signer.verify(&token), None);
    }
}
