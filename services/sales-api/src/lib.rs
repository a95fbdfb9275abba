//! The sales service's HTTP contract, shared by the sales service (which serves it) and the
//! gateway (which routes it and publishes its document): the routes, what each takes and
//! answers, and their OpenAPI description. No behaviour lives here.
//!
//! # Layout
//! - [`inputs`]: request bodies and query parameters.
//! - [`views`]: what the routes answer: sales, their lines and history, the summary.
//! - [`shifts`]: what the shift routes take and answer, the X and Z reports.
//! - [`paths`]: every route with its OpenAPI description ([`SalesApi`]).

pub mod inputs;
pub mod paths;
pub mod shifts;
pub mod views;

pub use paths::SalesApi;

/// The most lines one sale (or one return) may have.
pub const MAX_LINES: usize = 100;
/// The most units one line may have.
pub const MAX_QUANTITY: i64 = 1_000;
/// The most payments one sale may have.
pub const MAX_PAYMENTS: usize = 10;

/// The OpenAPI description of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi as _;
    SalesApi::openapi()
}
