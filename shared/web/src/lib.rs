//! HTTP plumbing shared by every service, so each service's code is only its own routes.
//!
//! # Layout
//! - [`problem`]: [`Problem`], the `application/problem+json` body of every error.
//! - [`extract`]: `Json` and `Query` extractors whose rejections are problems.
//! - [`middleware`]: request ids, tracing, request metrics, panics and stray errors as problems.
//! - [`health`]: `/health`, `/health/ready` and `/metrics`.
//! - [`breaker`]: the circuit breaker every HTTP client of an upstream goes through.
//! - [`idempotency`]: the `Idempotency-Key` header, scoped to the caller, and the answers of
//!   retries.
//! - [`identity`]: the signed identity every request to a service must carry.
//! - [`server`]: [`server::serve`] with graceful shutdown.
//! - [`telemetry`]: log output set-up.

pub mod breaker;
pub mod cursor;
pub mod extract;
pub mod forwarding;
pub mod health;
pub mod idempotency;
pub mod identity;
pub mod middleware;
pub mod problem;
pub mod server;
pub mod telemetry;

pub use extract::{Json, Query};
pub use health::{Readiness, metrics_handle};
pub use idempotency::IdempotencyKey;
pub use problem::{FieldProblem, Problem};
pub use server::{Shutdown, serve};

use axum::Router;
pub use identity::{Actor, Identity, Signer};
use secrecy::SecretString;
use settings::Settings;

/// Who may use a service's routes.
#[derive(Clone)]
pub struct Access {
    pub max_body_bytes: usize,
    /// When set, `/metrics` answers only `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    /// Checks the internal identity on every API route. `None` for the gateway, which
    /// authenticates its callers itself.
    pub signer: Option<Signer>,
}

impl Access {
    /// A service's access rules: callers must carry an identity signed with the
    /// installation's `internal_secret`.
    pub fn service(settings: &Settings) -> Result<Access, identity::IdentityError> {
        Ok(Access {
            max_body_bytes: settings.max_body_bytes,
            metrics_token: settings.metrics_token.clone(),
            signer: Some(Signer::from_settings(settings)?),
        })
    }

    /// An entry point for clients: the gateway, which authenticates its callers itself, or
    /// the dashboard, which has no API of its own and passes calls on to the gateway.
    pub fn public(settings: &Settings) -> Access {
        Access {
            max_body_bytes: settings.max_body_bytes,
            metrics_token: settings.metrics_token.clone(),
            signer: None,
        }
    }
}

/// Wraps a service's API routes with everything every service has: health and metrics
/// endpoints, a problem for unknown routes, the identity check, the body limit and the
/// middleware stack. `/health` and `/health/ready` stay open to anyone (load balancers and
/// orchestrators call them without credentials).
pub fn service_router(service: &'static str, api: Router, readiness: Readiness, access: &Access) -> Router {
    let api = match &access.signer {
        Some(signer) => api.layer(axum::middleware::from_fn_with_state(
            signer.clone(),
            identity::require,
        )),
        None => api,
    };
    let routes = api
        .merge(health::router(service, readiness, access.metrics_token.clone()))
        .fallback(middleware::unknown_route);
    middleware::apply(routes, service, access.max_body_bytes)
}
