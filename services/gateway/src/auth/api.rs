//! `/api/v1/auth/...` (login, logout, me, password, API tokens) and `/api/v1/users` (admins).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use storage::clock::now_ms;
use time::OffsetDateTime;
use web::{Json, Problem, Query};

use super::domain::{NewPassword, Role, Username};
use super::store::{Credential, Kind, NewCredential, Removal, User};
use super::{Auth, AuthError, Principal, secrets};
use crate::client::ClientAddr;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(login, logout, me, change_password, list_tokens, create_token, revoke_token,
          list_users, create_user, get_user, update_user, reset_password, remove_user),
    components(schemas(LoginInput, LoginOutput, Me, PasswordInput, TokenInput, NewToken, TokenView,
                       UserInput, UserPatch, ResetInput, User, Credential, Role)),
    tags((name = "auth", description = "Logging in and out, one's own password and API tokens"),
         (name = "users", description = "Users and their roles (admins only)"))
)]
pub struct AuthApi;

type AppState = Arc<Auth>;

pub fn router(auth: Arc<Auth>) -> Router {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/me", get(me))
        .route("/api/v1/auth/password", post(change_password))
        .route("/api/v1/auth/tokens", get(list_tokens).post(create_token))
        .route("/api/v1/auth/tokens/{id}", delete(revoke_token))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route(
            "/api/v1/users/{id}",
            get(get_user).patch(update_user).delete(remove_user),
        )
        .route("/api/v1/users/{id}/password", post(reset_password))
        .with_state(auth)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "alice", "password": "correct horse battery"}))]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginOutput {
    /// Send as `Authorization: Bearer <token>`. The same session is also set as the
    /// `it_session` cookie (HttpOnly) for browsers.
    pub token: String,
    pub token_type: &'static str,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Send as `X-CSRF-Token` on requests that change data with the cookie (also in the
    /// readable `it_csrf` cookie).
    pub csrf_token: String,
    pub user: User,
}

/// Log in with a username and password.
///
/// Repeated failures slow the answers down and then lock the username (and, separately, the
/// client address) for a while; the answer never tells whether the username exists.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput, security(()),
    responses((status = 200, body = LoginOutput, description = "Logged in; also sets the `it_session` and `it_csrf` cookies"),
              (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "Locked after repeated failures (Retry-After)", body = Problem, content_type = "application/problem+json")))]
async fn login(
    State(auth): State<AppState>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    headers: HeaderMap,
    Json(input): Json<LoginInput>,
) -> Result<Response, AuthError> {
    let session = auth.login(&input.username, &input.password, client).await?;
    let over_tls = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let cookies = auth.session_cookies(&session, over_tls);
    let body = LoginOutput {
        token: session.token,
        token_type: "Bearer",
        expires_at: session
            .credential
            .expires_at
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        csrf_token: session.csrf_token,
        user: session.user,
    };
    let mut response = (no_store(), axum::Json(body)).into_response();
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Log out: ends this session and clears its cookies.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Session ended"),
              (status = 403, description = "An API token cannot log out; revoke it instead", body = Problem, content_type = "application/problem+json")))]
async fn logout(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
) -> Result<Response, AuthError> {
    if me.credential.kind_is_api {
        return Err(AuthError::NotAllowed(
            "An API token does not log out; revoke it with DELETE /api/v1/auth/tokens/{id}.".into(),
        ));
    }
    auth.store().revoke(&me.credential.id, Some(me.user.id)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in Auth::cleared_cookies() {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: User,
    /// What this credential may do now (an API token's role caps its owner's).
    pub role: Role,
    /// `session` or `api`.
    pub credential: &'static str,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Every role there is, lowest first: a role may do what every role before it may.
    pub roles: [Role; 4],
}

/// The signed-in user and what this credential may do.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me)))]
async fn me(Extension(me): Extension<Principal>) -> impl IntoResponse {
    (
        no_store(),
        axum::Json(Me {
            role: me.role,
            credential: if me.credential.kind_is_api {
                "api"
            } else {
                "session"
            },
            expires_at: me.credential.expires_at,
            user: me.user,
            roles: Role::ALL,
        }),
    )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(value_type = web::schema::Password)]
    pub new_password: String,
}

/// Change one's own password; other sessions of the user end. Needs a login session (API
/// tokens never manage credentials). A wrong current password counts toward the same lockout
/// as a failed login.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordInput,
    responses((status = 200, body = User),
              (status = 422, description = "Current password wrong, or the new one breaks the policy (the reason is given)", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "Locked after repeated wrong passwords (Retry-After)", body = Problem, content_type = "application/problem+json")))]
async fn change_password(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Extension(ClientAddr(client)): Extension<ClientAddr>,
    Json(input): Json<PasswordInput>,
) -> Result<Json<User>, AuthError> {
    auth.change_password(&me, &input.current_password, &input.new_password, client)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "accounting export", "role": "viewer", "expires_in_days": 90}))]
pub struct TokenInput {
    #[schema(value_type = web::schema::RequiredLine<100>)]
    pub name: String,
    /// At most the creator's role; defaults to it.
    pub role: Option<Role>,
    /// Omitted: the token does not expire (it can be revoked).
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewToken {
    /// Shown this once; only its digest is kept.
    pub token: String,
    #[serde(flatten)]
    pub details: Credential,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    #[serde(flatten)]
    pub details: Credential,
    pub owner: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TokenListQuery {
    /// Admins only: every user's tokens.
    #[serde(default)]
    pub all: bool,
}

/// API tokens: one's own, or (admins, `all=true`) everyone's.
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", params(TokenListQuery),
    responses((status = 200, body = [TokenView])))]
async fn list_tokens(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Query(query): Query<TokenListQuery>,
) -> Result<Json<Vec<TokenView>>, AuthError> {
    let owner = if query.all && me.role == Role::Admin {
        None
    } else {
        Some(me.user.id)
    };
    let tokens = auth.store().api_tokens(owner).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|(details, owner)| TokenView { details, owner })
            .collect(),
    ))
}

/// Create an API token for an integration. The token is in the answer, once. Needs a login
/// session: tokens never mint tokens.
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", request_body = TokenInput,
    responses((status = 201, body = NewToken),
              (status = 403, description = "The role asked for is higher than the creator's", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_token(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Json(input): Json<TokenInput>,
) -> Result<Response, AuthError> {
    let name = kernel::text::required_line(&input.name, 100).map_err(|e| AuthError::field("name", e))?;
    let name = name.as_str();
    let role = input.role.unwrap_or(me.role);
    if !me.role.allows(role) {
        return Err(AuthError::NotAllowed(format!(
            "A token may have at most your role ({}), not {role}.",
            me.role
        )));
    }
    let expires_at = match input.expires_in_days {
        Some(0) => return Err(AuthError::field("expires_in_days", "must be at least 1")),
        Some(days) if days > 3650 => return Err(AuthError::field("expires_in_days", "must be at most 3650")),
        Some(days) => Some(now_ms() + i64::from(days) * 86_400_000),
        None => None,
    };
    let token = format!("itk_{}", secrets::random_token());
    let details = auth
        .store()
        .insert_credential(NewCredential {
            kind: Kind::Api,
            token_digest: &secrets::digest(&token),
            csrf_digest: None,
            user_id: me.user.id,
            name: Some(name),
            role,
            created_by: me.user.id,
            expires_at,
        })
        .await?;
    tracing::info!(token = %details.id, owner = %me.user.username, %role, "API token created");
    Ok((
        StatusCode::CREATED,
        no_store(),
        axum::Json(NewToken { token, details }),
    )
        .into_response())
}

/// Revoke an API token (one's own; admins: anyone's). Takes effect at once. Needs a login
/// session.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn revoke_token(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, AuthError> {
    let owner = (me.role != Role::Admin).then_some(me.user.id);
    let is_api = auth.store().credential(&id).await?.is_some_and(|c| c.kind_is_api);
    if !is_api || !auth.store().revoke(&id, owner).await? {
        return Err(AuthError::NotFound(format!("API token {id} of yours")));
    }
    tracing::info!(token = %id, by = %me.user.username, "API token revoked");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "bob", "display_name": "Bob at the counter", "role": "clerk", "password": "a long first password"}))]
pub struct UserInput {
    #[schema(value_type = web::schema::Username)]
    pub username: String,
    /// The username when left out.
    #[schema(value_type = Option<web::schema::RequiredLine<200>>)]
    pub display_name: Option<String>,
    pub role: Role,
    /// The first password; the user must change it at first login unless
    /// `must_change_password` is false.
    #[schema(value_type = web::schema::Password)]
    pub password: String,
    pub must_change_password: Option<bool>,
}

/// Every user.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = [User])))]
async fn list_users(State(auth): State<AppState>) -> Result<Json<Vec<User>>, AuthError> {
    Ok(Json(auth.store().users().await?))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UserInput,
    responses((status = 201, body = User),
              (status = 409, description = "Username taken", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_user(
    State(auth): State<AppState>,
    Json(input): Json<UserInput>,
) -> Result<Response, AuthError> {
    let mut errors = Vec::new();
    let username = Username::parse(&input.username)
        .map_err(|e| errors.push(field("username", e)))
        .ok();
    let display_name = match &input.display_name {
        Some(name) => kernel::text::required_line(name, 200)
            .map_err(|e| errors.push(field("display_name", e)))
            .ok(),
        None => username.as_ref().map(|name| name.as_str().to_owned()),
    };
    let password = username.as_ref().and_then(|name| {
        NewPassword::parse(&input.password, name)
            .map_err(|e| errors.push(field("password", e)))
            .ok()
    });
    let (Some(username), Some(password), Some(display_name), true) =
        (username, password, display_name, errors.is_empty())
    else {
        return Err(AuthError::Invalid(errors));
    };
    let hash = secrets::hash_password(password.expose().to_owned()).await;
    let user = auth
        .store()
        .create_user(
            &username,
            &display_name,
            input.role,
            &hash,
            input.must_change_password.unwrap_or(true),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(user)).into_response())
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_user(State(auth): State<AppState>, Path(id): Path<i64>) -> Result<Json<User>, AuthError> {
    auth.store()
        .user(id)
        .await?
        .map(Json)
        .ok_or_else(|| AuthError::NotFound(format!("user {id}")))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "manager"}))]
pub struct UserPatch {
    #[schema(value_type = Option<web::schema::RequiredLine<200>>)]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// A disabled user cannot log in; their sessions end and their API tokens are revoked
    /// for good (enabling the user again does not bring them back).
    pub disabled: Option<bool>,
}

/// Change a user's name, role, or disable/enable them. Admins cannot demote or disable
/// themselves (so an installation always keeps an admin).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserPatch,
    responses((status = 200, body = User), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn update_user(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
    Json(patch): Json<UserPatch>,
) -> Result<Json<User>, AuthError> {
    if id == me.user.id && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r != Role::Admin)) {
        return Err(AuthError::NotAllowed(
            "You cannot demote or disable yourself; ask another admin.".into(),
        ));
    }
    let display_name = patch
        .display_name
        .as_deref()
        .map(|name| kernel::text::required_line(name, 200))
        .transpose()
        .map_err(|e| AuthError::field("display_name", e))?;
    let user = auth
        .store()
        .update_user(id, display_name.as_deref(), patch.role, patch.disabled)
        .await?
        .ok_or_else(|| AuthError::NotFound(format!("user {id}")))?;
    if patch.disabled == Some(true) {
        auth.store().revoke_all(id).await?;
    }
    Ok(Json(user))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetInput {
    #[schema(value_type = web::schema::Password)]
    pub password: String,
}

/// Reset another user's password; they must choose a new one at their next login, and their
/// sessions end. One's own password changes only with the current one (`/auth/password`).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = ResetInput,
    responses((status = 200, body = User), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn reset_password(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
    Json(input): Json<ResetInput>,
) -> Result<Json<User>, AuthError> {
    if id == me.user.id {
        return Err(AuthError::NotAllowed(
            "Change your own password with POST /api/v1/auth/password, which asks for the current one."
                .into(),
        ));
    }
    let user = auth
        .store()
        .user(id)
        .await?
        .ok_or_else(|| AuthError::NotFound(format!("user {id}")))?;
    let username = Username::parse(&user.username).map_err(|e| AuthError::field("username", e))?;
    let password =
        NewPassword::parse(&input.password, &username).map_err(|e| AuthError::field("password", e))?;
    let hash = secrets::hash_password(password.expose().to_owned()).await;
    auth.store().set_password(id, &hash, true).await?;
    auth.store().revoke_sessions(id, None).await?;
    let user = auth
        .store()
        .user(id)
        .await?
        .ok_or_else(|| AuthError::NotFound(format!("user {id}")))?;
    Ok(Json(user))
}

/// Delete a user who never changed anything; a user who did is disabled instead (the ledger
/// and the sales name them), and the answer is 200 with the disabled user.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 204, description = "Deleted"), (status = 200, description = "Kept and disabled: the user has acted", body = User),
              (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn remove_user(
    State(auth): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<Response, AuthError> {
    if id == me.user.id {
        return Err(AuthError::NotAllowed("You cannot remove yourself.".into()));
    }
    match auth.store().remove_user(id).await? {
        Removal::Deleted => Ok(StatusCode::NO_CONTENT.into_response()),
        Removal::Disabled(user) => {
            auth.store().revoke_all(id).await?;
            Ok(axum::Json(*user).into_response())
        }
        Removal::NotFound => Err(AuthError::NotFound(format!("user {id}"))),
    }
}

fn field(name: &str, reason: String) -> web::FieldProblem {
    web::FieldProblem {
        field: name.to_owned(),
        reason,
    }
}

/// Answers carrying secrets or identities must not be cached anywhere.
fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}
