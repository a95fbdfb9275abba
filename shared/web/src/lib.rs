//! HTTP plumbing shared by every service, so each service's code is only its own routes.
//!
//! # Layout
//! - [`problem`]: [`Problem`], the `application/problem+json` body of every error.
//! - [`extract`]: `Json` and `Query` extractors whose rejections are problems.
//! - [`middleware`]: request ids, tracing, request metrics, panics and stray errors as problems.
//! - [`health`]: `/health`, `/health/ready` and `/metrics`.
//! - [`server`]: [`server::serve`] with graceful shutdown.
//! - [`telemetry`]: log output set-up.

pub mod cursor;
pub mod extract;
pub mod health;
pub mod middleware;
pub mod problem;
pub mod server;
pub mod telemetry;

pub use extract::{Json, Query};
pub use health::{Readiness, metrics_handle};
pub use problem::{FieldProblem, Problem};
pub use server::{Shutdown, serve};

use axum::Router;

/// Wraps a service's API routes with everything every service has: health and metrics
/// endpoints, a problem for unknown routes, the body limit and the middleware stack.
pub fn service_router(
    service: &'static str,
    api: Router,
    readiness: Readiness,
    max_body_bytes: usize,
) -> Router {
    let routes = api
        .merge(health::router(service, readiness))
        .fallback(middleware::unknown_route);
    middleware::apply(routes, service, max_body_bytes)
}
