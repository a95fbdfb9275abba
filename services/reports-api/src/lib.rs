//! The reporting service's HTTP contract, shared by the service (which serves it) and the
//! gateway (which routes it and publishes its document): the report routes, their filters and
//! answers, and their OpenAPI description. No behaviour lives here.
//!
//! # Layout
//! - [`inputs`]: the filters every report takes (a period of days, a location).
//! - [`views`]: what the reports answer.
//! - [`paths`]: every route with its OpenAPI description ([`ReportsApi`]).

pub mod inputs;
pub mod paths;
pub mod views;

pub use paths::ReportsApi;

/// The OpenAPI description of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi as _;
    ReportsApi::openapi()
}
