//! The middleware in front of every `/api/v1` route: rate limits, authentication, CSRF, the
//! forced password change, the role policy and a manager's approval, in that order.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{Auth, AuthError, approval};
use crate::client::ClientAddr;
use crate::policy::{self, Required};
use crate::ratelimit::RateLimiter;

pub struct Guard {
    pub auth: Arc<Auth>,
    pub limiter: Arc<RateLimiter>,
    pub max_body_bytes: usize,
}

/// Routes a user who must change their password may still use.
const DURING_PASSWORD_CHANGE: &[&str] = &["/api/v1/auth/me", "/api/v1/auth/logout", "/api/v1/auth/password"];

pub async fn guard(
    State(guard): State<Arc<Guard>>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Err(refused) = guard.limiter.check_address(client).await {
        return refused.into_response();
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let required = policy::required(&method, &path);
    if required == Required::Public {
        return next.run(request).await;
    }
    let principal = match guard.auth.authenticate(request.headers()).await {
        Ok(principal) => principal,
        Err(e) => return e.into_response(),
    };
    let safe = policy::is_safe(&method);
    if principal.via_cookie && !safe && !Auth::csrf_ok(&principal, request.headers()) {
        return AuthError::Csrf.into_response();
    }
    if principal.user.must_change_password && !DURING_PASSWORD_CHANGE.contains(&path.trim_end_matches('/')) {
        return AuthError::PasswordChangeRequired.into_response();
    }
    if let Err(refused) = guard.limiter.check_principal(&principal.rate_key()).await {
        return refused.into_response();
    }
    if matches!(required, Required::Session(_)) && principal.credential.kind_is_api {
        return AuthError::SessionRequired {
            method: method.to_string(),
            path,
        }
        .into_response();
    }
    if let Required::Role(needed) | Required::Session(needed) = required
        && !principal.role.allows(needed)
    {
        return AuthError::Forbidden {
            role: principal.role,
            required: needed,
            method: method.to_string(),
            path,
        }
        .into_response();
    }
    if !safe
        && !principal.user_acted
        && let Err(e) = guard.auth.store().mark_acted(principal.user.id).await
    {
        tracing::warn!(error = %e, "cannot record that a user acted");
    }
    request.extensions_mut().insert(principal);
    if approval::applies(&method, &path) {
        request = match approval::take(&guard.auth, request, client, guard.max_body_bytes).await {
            Ok(request) => request,
            Err(refused) => return refused,
        };
    }
    next.run(request).await
}
