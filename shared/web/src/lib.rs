//! HTTP plumbing shared by every service, so each service's code is only its own routes.
//!
//! # Layout
//! - [`breaker`]: the circuit breaker every call to an upstream's replica goes through.
//! - [`costs`]: cost prices only for managers: what clerks and viewers are not sent.
//! - [`csv_export`]: lists as CSV, streamed page by page.
//! - [`cursor`]: the cursors of paged listings.
//! - [`extract`]: `Json` and `Query` extractors whose rejections are problems.
//! - [`forwarding`]: what a server passing a request on does to its headers.
//! - [`health`]: `/health`, `/health/ready` and `/metrics`.
//! - [`idempotency`]: the `Idempotency-Key` header, scoped to the caller, and the answers of
//!   retries.
//! - [`identity`]: the signed identity every request to a service must carry.
//! - [`local`]: calls to a service served by this same process, without sockets.
//! - [`middleware`]: request ids, tracing, request metrics, panics and stray errors as problems.
//! - [`paging`]: page sizes and cutting pages.
//! - [`problem`]: [`Problem`], the `application/problem+json` body of every error.
//! - [`replicas`]: an upstream's replicas: calls in turn, ejection, probing back.
//! - [`schema`]: the API document's description of each kind of input value.
//! - [`server`]: [`server::serve`] with graceful shutdown.
//! - [`telemetry`]: log output and trace export set-up.

pub mod breaker;
pub mod costs;
pub mod csv_export;
pub mod cursor;
pub mod extract;
pub mod forwarding;
pub mod health;
pub mod idempotency;
pub mod identity;
pub mod local;
pub mod middleware;
pub mod paging;
pub mod problem;
pub mod replicas;
pub mod schema;
pub mod server;
pub mod telemetry;

pub use extract::{Json, Query};
pub use health::{Readiness, metrics_handle};
pub use idempotency::IdempotencyKey;
pub use middleware::RequestIdHeader as RequestId;
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
    /// Whether the port serves `/metrics`: the services and the gateway do; a port that
    /// browsers use (the dashboard) does not.
    pub serves_metrics: bool,
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
            signer: Some(Signer::from_settings(settings)?),
            ..Access::gateway(settings)
        })
    }

    /// The gateway: the entry point for API clients, which authenticates its callers itself.
    pub fn gateway(settings: &Settings) -> Access {
        Access {
            max_body_bytes: settings.max_body_bytes,
            serves_metrics: true,
            metrics_token: settings.metrics_token.clone(),
            signer: None,
        }
    }

    /// A port for browsers (the dashboard), which has no API of its own and passes calls on
    /// to the gateway: health checks, but no metrics.
    pub fn browser(settings: &Settings) -> Access {
        Access {
            serves_metrics: false,
            metrics_token: None,
            ..Access::gateway(settings)
        }
    }
}

/// Wraps a service's API routes with everything every service has: health (and, where the
/// port serves them, metrics) endpoints, a problem for unknown routes, the identity check,
/// the body limit and the middleware stack. `/health` and `/health/ready` stay open to anyone
/// (load balancers and orchestrators call them without credentials).
pub fn service_router(service: &'static str, api: Router, readiness: Readiness, access: &Access) -> Router {
    let api = match &access.signer {
        Some(signer) => api.layer(axum::middleware::from_fn_with_state(
            signer.clone(),
            identity::require,
        )),
        None => api,
    };
    let mut routes = api.merge(health::router(service, readiness));
    if access.serves_metrics {
        routes = routes.merge(health::metrics_router(access.metrics_token.clone()));
    }
    middleware::apply(
        routes.fallback(middleware::unknown_route),
        service,
        access.max_body_bytes,
    )
}
