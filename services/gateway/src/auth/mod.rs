//! Who may use the API: users with roles, login sessions (bearer token and cookie with CSRF
//! protection), API tokens, and the lockout of repeated failed logins.
//!
//! # Layout
//! - [`domain`]: roles, usernames and the password policy (no HTTP, no SQL).
//! - [`secrets`]: random tokens, their digests, argon2id password hashes.
//! - [`store`]: the gateway's tables.
//! - [`api`]: `/api/v1/auth/...` and `/api/v1/users`.
//! - [`guard`]: the middleware in front of every route: who is asking, may they.
//! - [`error`]: every refusal as a problem.

pub mod api;
pub mod approval;
pub mod domain;
pub mod error;
pub mod guard;
pub mod secrets;
pub mod store;

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use secrecy::{ExposeSecret, SecretString};
use settings::Settings;
use storage::clock::now_ms;

pub use domain::Role;
use domain::{NewPassword, Username};
pub use error::AuthError;
use store::{AuthStore, Credential, Kind, NewCredential, User};

/// The cookie carrying the session token (HttpOnly: scripts cannot read it).
pub const SESSION_COOKIE: &str = "it_session";
/// The cookie carrying the CSRF token, readable by the page's scripts, which echo it in
/// [`CSRF_HEADER`]; another site can make the browser send cookies but cannot read them.
pub const CSRF_COOKIE: &str = "it_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Failed logins after which each further answer is slowed down.
const SLOW_AFTER_FAILURES: i64 = 2;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub credential: Credential,
    /// What the caller may do now: the user's role, capped by an API token's role.
    pub role: Role,
    /// The credential came in the session cookie (so state changes need the CSRF token).
    pub via_cookie: bool,
    /// The user has changed something before (see [`store::AuthStore::mark_acted`]).
    pub user_acted: bool,
}

impl Principal {
    /// The identity the services see: the user for sessions, the token (named after its
    /// owner) for API tokens.
    pub fn identity(&self) -> web::Identity {
        let subject = if self.credential.kind_is_api {
            format!("token:{}", self.credential.id)
        } else {
            format!("user:{}", self.user.id)
        };
        web::Identity {
            subject,
            owner: format!("user:{}", self.user.id),
            name: self.user.username.clone(),
            role: self.role.as_str().to_owned(),
            approver: None,
        }
    }

    /// The key rate limits count under.
    pub fn rate_key(&self) -> String {
        if self.credential.kind_is_api {
            format!("token:{}", self.credential.id)
        } else {
            format!("user:{}", self.user.id)
        }
    }
}

/// What a password was given for; each is counted toward the same lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Login,
    PasswordChange,
    Approval,
}

impl Attempt {
    /// Every value, for metrics that exist from start-up.
    pub const ALL: [Attempt; 3] = [Attempt::Login, Attempt::PasswordChange, Attempt::Approval];

    pub fn as_str(self) -> &'static str {
        match self {
            Attempt::Login => "login",
            Attempt::PasswordChange => "password_change",
            Attempt::Approval => "approval",
        }
    }
}

/// The lockout subjects a password guess counts against: the username (whether or not such
/// a user exists) and the client address.
struct Guesses {
    user: String,
    address: String,
    client: IpAddr,
}

impl Guesses {
    fn new(username: &str, client: IpAddr) -> Guesses {
        // Whatever a client types as a username is kept only as a bounded, printable key.
        let plain = username.len() <= 64 && username.bytes().all(|b| b.is_ascii_graphic());
        let user = if plain {
            format!("user:{username}")
        } else {
            format!("user:#{}", secrets::digest(username))
        };
        Guesses {
            user,
            address: format!("addr:{client}"),
            client,
        }
    }
}

/// A new login session; the secrets are shown to the client once and never stored.
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub credential: Credential,
    pub user: User,
}

pub struct Auth {
    store: AuthStore,
    session_ttl: Duration,
    max_failures: u32,
    address_max_failures: u32,
    lockout: Duration,
    secure_cookies: bool,
}

impl Auth {
    pub fn new(store: AuthStore, settings: &Settings) -> Auth {
        Auth {
            store,
            session_ttl: Duration::from_secs(settings.session_ttl_secs),
            max_failures: settings.login_max_failures,
            address_max_failures: settings.login_address_max_failures,
            lockout: Duration::from_secs(settings.login_lockout_secs),
            secure_cookies: settings.secure_cookies,
        }
    }

    pub fn store(&self) -> &AuthStore {
        &self.store
    }

    /// On first start (no user at all), creates `admin` with `password`, or with a random
    /// one-time password that is printed once in the log and must be changed at first login.
    pub async fn bootstrap(&self, password: Option<&SecretString>) -> Result<(), BootstrapError> {
        if self.store.count_users().await? > 0 {
            return Ok(());
        }
        let username = Username::parse(FIRST_ADMIN).expect("a valid username");
        let (hash, generated) = match check_admin_password(password)? {
            Some(checked) => (secrets::hash_password(checked.expose().to_owned()).await, None),
            None => {
                let one_time = secrets::random_token()[..20].to_owned();
                (secrets::hash_password(one_time.clone()).await, Some(one_time))
            }
        };
        match self
            .store
            .create_user(
                &username,
                "Administrator",
                Role::Admin,
                &hash,
                generated.is_some(),
            )
            .await
        {
            Ok(_) => {}
            // Another gateway starting at the same moment created it.
            Err(store::StoreError::UsernameTaken) => return Ok(()),
            Err(store::StoreError::Database(e)) => return Err(e.into()),
        }
        match generated {
            // The one secret ever written to the log, by design: the operator needs it once,
            // and it stops working at the first login, which must replace it.
            Some(one_time) => tracing::warn!(
                username = FIRST_ADMIN,
                one_time_password = %one_time,
                "first start: created user `admin` with a one-time password; log in and choose a new one \
                 (set INVENTORY_ADMIN_PASSWORD to choose it yourself)"
            ),
            None => tracing::info!(
                username = FIRST_ADMIN,
                "first start: created user `admin` with the password from INVENTORY_ADMIN_PASSWORD"
            ),
        }
        Ok(())
    }

    /// Checks a username and password, with lockout per username and per client address.
    /// Every failure looks the same whether or not the user exists.
    pub async fn login(&self, username: &str, password: &str, client: IpAddr) -> Result<Session, AuthError> {
        let name = username.trim().to_ascii_lowercase();
        let guesses = Guesses::new(&name, client);
        self.refuse_if_locked(&guesses).await?;
        let candidate = self.store.login_candidate(&name).await?;
        let hash = match &candidate {
            Some((_, hash)) => hash.clone(),
            None => secrets::dummy_hash().await.to_owned(),
        };
        let matches = secrets::verify_password(password.to_owned(), hash).await;
        let mut user = match candidate {
            Some((user, _)) if matches && !user.disabled => user,
            _ => {
                self.wrong_guess(&guesses, Attempt::Login).await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        self.store.clear_failures(&guesses.user).await?;
        let logged_in_at = now_ms();
        self.store.record_login(user.id, logged_in_at).await?;
        user.last_login_at = Some(storage::clock::from_millis(logged_in_at));
        metrics::counter!("auth_logins_total").increment(1);
        let token = secrets::random_token();
        let csrf_token = secrets::random_token();
        let expires_at = now_ms() + i64::try_from(self.session_ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let credential = self
            .store
            .insert_credential(NewCredential {
                kind: Kind::Session,
                token_digest: &secrets::digest(&token),
                csrf_digest: Some(&secrets::digest(&csrf_token)),
                user_id: user.id,
                name: None,
                role: user.role,
                created_by: user.id,
                expires_at: Some(expires_at),
            })
            .await?;
        Ok(Session {
            token,
            csrf_token,
            credential,
            user,
        })
    }

    /// Changes the caller's own password after checking the current one. A wrong current
    /// password counts toward the same lockout as a failed login (per user and per address),
    /// so a stolen session cannot be used to guess it. The user's other sessions end.
    pub async fn change_password(
        &self,
        me: &Principal,
        current: &str,
        new: &str,
        client: IpAddr,
    ) -> Result<User, AuthError> {
        let guesses = Guesses::new(&me.user.username, client);
        self.refuse_if_locked(&guesses).await?;
        let hash = self
            .store
            .password_hash(me.user.id)
            .await?
            .ok_or_else(|| AuthError::NotFound("such user".into()))?;
        if !secrets::verify_password(current.to_owned(), hash).await {
            self.wrong_guess(&guesses, Attempt::PasswordChange).await?;
            return Err(AuthError::field(
                "current_password",
                "is not your current password",
            ));
        }
        self.store.clear_failures(&guesses.user).await?;
        let username = Username::parse(&me.user.username).map_err(|e| AuthError::field("username", e))?;
        let checked = NewPassword::parse(new, &username).map_err(|e| AuthError::field("new_password", e))?;
        if new == current {
            return Err(AuthError::field(
                "new_password",
                "must differ from the current password",
            ));
        }
        let hash = secrets::hash_password(checked.expose().to_owned()).await;
        self.store.set_password(me.user.id, &hash, false).await?;
        self.store
            .revoke_sessions(me.user.id, Some(me.credential.id.as_str()))
            .await?;
        tracing::info!(username = %me.user.username, "password changed");
        self.store
            .user(me.user.id)
            .await?
            .ok_or_else(|| AuthError::NotFound("such user".into()))
    }

    /// Checks a manager's credentials given at the counter to approve one request. A wrong
    /// password counts toward that manager's lockout (and the address's) like a failed login;
    /// a right password of someone who may not approve (a clerk, a disabled user) is refused
    /// the same way but is no guess.
    pub async fn approve(&self, username: &str, password: &str, client: IpAddr) -> Result<User, AuthError> {
        let name = username.trim().to_ascii_lowercase();
        let guesses = Guesses::new(&name, client);
        self.refuse_if_locked(&guesses).await?;
        let candidate = self.store.login_candidate(&name).await?;
        let hash = match &candidate {
            Some((_, hash)) => hash.clone(),
            None => secrets::dummy_hash().await.to_owned(),
        };
        let matches = secrets::verify_password(password.to_owned(), hash).await;
        match candidate {
            Some((user, _)) if matches => {
                self.store.clear_failures(&guesses.user).await?;
                if user.disabled || !user.role.allows(Role::Manager) {
                    tracing::info!(approver = %user.username, "approval by someone who may not approve");
                    return Err(AuthError::ApprovalRefused);
                }
                Ok(user)
            }
            _ => {
                self.wrong_guess(&guesses, Attempt::Approval).await?;
                Err(AuthError::ApprovalRefused)
            }
        }
    }

    /// Refuses while the user or the address is locked out after too many wrong guesses.
    async fn refuse_if_locked(&self, guesses: &Guesses) -> Result<(), AuthError> {
        for subject in [&guesses.user, &guesses.address] {
            if let Some(until) = self.store.locked_until(subject).await? {
                return Err(AuthError::LockedOut {
                    retry_after_secs: u64::try_from((until - now_ms()).max(1000) / 1000).unwrap_or(1),
                });
            }
        }
        Ok(())
    }

    /// Counts a wrong password against the user and the address (locking them once they
    /// reach their limits), logs and counts it, and makes each further guess slower.
    async fn wrong_guess(&self, guesses: &Guesses, attempt: Attempt) -> Result<(), AuthError> {
        let lockout_ms = i64::try_from(self.lockout.as_millis()).unwrap_or(i64::MAX);
        let failures = self
            .store
            .record_failure(&guesses.user, self.max_failures, lockout_ms)
            .await?;
        self.store
            .record_failure(&guesses.address, self.address_max_failures, lockout_ms)
            .await?;
        metrics::counter!("auth_login_failures_total", "attempt" => attempt.as_str()).increment(1);
        tracing::info!(
            subject = %guesses.user,
            client = %guesses.client,
            failures,
            attempt = attempt.as_str(),
            "wrong password"
        );
        if failures > SLOW_AFTER_FAILURES {
            // Each further guess costs more: 0.5 s, 1 s, 2 s, … up to 4 s.
            let shift = u32::try_from(failures - SLOW_AFTER_FAILURES - 1)
                .unwrap_or(3)
                .min(3);
            tokio::time::sleep(Duration::from_millis(500 << shift)).await;
        }
        Ok(())
    }

    /// Who presents the request's credential: the bearer token, else the session cookie.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AuthError> {
        let (token, via_cookie) = match web::identity::bearer_token(headers) {
            Some(token) => (token.to_owned(), false),
            None => match cookie(headers, SESSION_COOKIE) {
                Some(token) => (token.to_owned(), true),
                None => return Err(AuthError::Unauthenticated),
            },
        };
        let presented = self
            .store
            .present(&secrets::digest(&token))
            .await?
            .ok_or(AuthError::InvalidToken)?;
        if presented.user.disabled {
            return Err(AuthError::InvalidToken);
        }
        let role = if presented.credential.kind_is_api {
            presented.credential.role.min(presented.user.role)
        } else {
            presented.user.role
        };
        Ok(Principal {
            user: presented.user,
            credential: presented.credential,
            role,
            via_cookie,
            user_acted: presented.user_acted,
        })
    }

    /// Whether `headers` carry the CSRF token of the principal's session.
    pub fn csrf_ok(principal: &Principal, headers: &HeaderMap) -> bool {
        let given = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        match (given, &principal.credential.csrf_digest) {
            // Digests are compared, not the tokens: equal-length hex, nothing learned from timing.
            (Some(given), Some(expected)) => secrets::digest(given) == *expected,
            _ => false,
        }
    }

    /// `Set-Cookie` values for a new session (`Secure` when served over TLS).
    pub fn session_cookies(&self, session: &Session, over_tls: bool) -> [HeaderValue; 2] {
        let secure = if self.secure_cookies || over_tls {
            "; Secure"
        } else {
            ""
        };
        let max_age = self.session_ttl.as_secs();
        [
            HeaderValue::try_from(format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
                session.token
            ))
            .expect("a base64url token is a valid cookie value"),
            HeaderValue::try_from(format!(
                "{CSRF_COOKIE}={}; Path=/; SameSite=Strict; Max-Age={max_age}{secure}",
                session.csrf_token
            ))
            .expect("a base64url token is a valid cookie value"),
        ]
    }

    /// `Set-Cookie` values that delete the session cookies.
    pub fn cleared_cookies() -> [HeaderValue; 2] {
        [
            HeaderValue::from_static("it_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
            HeaderValue::from_static("it_csrf=; Path=/; SameSite=Strict; Max-Age=0"),
        ]
    }
}

/// The user created on first start.
const FIRST_ADMIN: &str = "admin";

/// Checks the configured first admin password (`INVENTORY_ADMIN_PASSWORD`) against the
/// password policy. Every command checks it at start, whether or not it will be used, so a
/// password that `serve` would refuse is refused by every command alike. Empty means unset
/// (e.g. `${INVENTORY_ADMIN_PASSWORD:-}` in compose).
pub fn check_admin_password(password: Option<&SecretString>) -> Result<Option<NewPassword>, BootstrapError> {
    let Some(given) = password.filter(|p| !p.expose_secret().is_empty()) else {
        return Ok(None);
    };
    let username = Username::parse(FIRST_ADMIN).expect("a valid username");
    NewPassword::parse(given.expose_secret(), &username)
        .map(Some)
        .map_err(BootstrapError::WeakPassword)
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("INVENTORY_ADMIN_PASSWORD does not meet the password policy: it {0}")]
    WeakPassword(String),
    #[error("gateway database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; it_session=abc; it_csrf=def"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, CSRF_COOKIE), Some("def"));
        assert_eq!(cookie(&headers, "missing"), None);
        headers.insert(header::COOKIE, HeaderValue::from_static("it_session="));
        assert_eq!(cookie(&headers, SESSION_COOKIE), None);
    }
}
