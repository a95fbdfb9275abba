//! Every way authentication and authorization can refuse a request, as problems.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use web::{FieldProblem, Problem};

use super::domain::Role;
use super::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials")]
    Unauthenticated,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("unknown, expired or revoked token")]
    InvalidToken,
    #[error("too many failed logins")]
    LockedOut { retry_after_secs: u64 },
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("{role} may not {method} {path}")]
    Forbidden {
        role: Role,
        required: Role,
        method: String,
        path: String,
    },
    #[error("the approval was refused")]
    ApprovalRefused,
    #[error("an API token may not {method} {path}")]
    SessionRequired { method: String, path: String },
    #[error("{0}")]
    NotAllowed(String),
    #[error("invalid fields")]
    Invalid(Vec<FieldProblem>),
    #[error("{0} not found")]
    NotFound(String),
    #[error("the username is taken")]
    UsernameTaken,
    #[error("too many requests")]
    RateLimited {
        retry_after_secs: u64,
        scope: &'static str,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UsernameTaken => AuthError::UsernameTaken,
            StoreError::Database(e) => AuthError::Database(e),
        }
    }
}

impl AuthError {
    pub fn field(field: &str, reason: impl Into<String>) -> AuthError {
        AuthError::Invalid(vec![FieldProblem {
            field: field.to_owned(),
            reason: reason.into(),
        }])
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let challenge = matches!(self, AuthError::Unauthenticated | AuthError::InvalidToken);
        let problem = match self {
            AuthError::Unauthenticated => Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
                .detail("Log in (POST /api/v1/auth/login) and send the token as `Authorization: Bearer <token>`, or use the session cookie."),
            AuthError::InvalidCredentials => Problem::new(StatusCode::UNAUTHORIZED, "invalid-credentials", "Wrong username or password")
                .detail("The username or the password is wrong, or the account is disabled."),
            AuthError::InvalidToken => Problem::new(StatusCode::UNAUTHORIZED, "invalid-token", "Token not valid")
                .detail("The token is unknown, expired or revoked; log in again."),
            AuthError::LockedOut { retry_after_secs } => Problem::new(StatusCode::TOO_MANY_REQUESTS, "login-locked", "Too many failed logins")
                .detail(format!(
                    "Logging in is locked after repeated failures; try again in {} minute(s).",
                    retry_after_secs.div_ceil(60).max(1)
                ))
                .retry_after(retry_after_secs.max(1)),
            AuthError::Csrf => Problem::new(StatusCode::FORBIDDEN, "csrf-token-invalid", "CSRF token missing or wrong")
                .detail("Requests that change data with the session cookie must send the `X-CSRF-Token` header with the token given at login (also in the `it_csrf` cookie)."),
            AuthError::PasswordChangeRequired => Problem::new(StatusCode::FORBIDDEN, "password-change-required", "Password change required")
                .detail("Choose a new password with POST /api/v1/auth/password before doing anything else."),
            AuthError::Forbidden { role, required, method, path } => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed")
                .detail(format!("Your role ({role}) may not {method} {path}; it needs {required}."))
                .extension("role", role)
                .extension("required_role", required),
            AuthError::SessionRequired { method, path } => Problem::new(StatusCode::FORBIDDEN, "session-required", "A login session is required")
                .detail(format!("API tokens never manage credentials: {method} {path} needs a session from POST /api/v1/auth/login.")),
            AuthError::ApprovalRefused => Problem::new(StatusCode::FORBIDDEN, "approval-refused", "Approval refused")
                .detail("The approving username or password is wrong, or that user is not a manager or an admin."),
            AuthError::NotAllowed(why) => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed").detail(why),
            AuthError::Invalid(errors) => Problem::validation(errors),
            AuthError::NotFound(what) => Problem::not_found(format!("There is no {what}.")),
            AuthError::UsernameTaken => Problem::new(StatusCode::CONFLICT, "username-taken", "Username taken")
                .detail("Another user has this username."),
            AuthError::RateLimited { retry_after_secs, scope } => Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests")
                .detail(format!("The request limit per {scope} is reached; slow down and retry after {retry_after_secs} s."))
                .retry_after(retry_after_secs.max(1)),
            AuthError::Database(e) => {
                tracing::error!(error = %e, "gateway database error");
                Problem::unavailable("The gateway cannot reach its database; try again shortly.").retry_after(2)
            }
        };
        let mut response = problem.into_response();
        if challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"inventory-tracker\""),
            );
        }
        response
    }
}
