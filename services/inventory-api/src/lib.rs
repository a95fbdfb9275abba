//! The inventory's HTTP contract, shared by the inventory service (which serves it), the
//! gateway (which routes it and publishes its document) and the sales service (which calls
//! its reservations): the routes, what each takes and answers, and their OpenAPI description.
//! No behaviour lives here.
//!
//! # Layout
//! - [`inputs`]: request bodies and query parameters.
//! - [`views`]: what the routes answer.
//! - [`suppliers`]: the shop's suppliers and each product's.
//! - [`reorder`]: the reorder suggestions.
//! - [`purchase_orders`]: orders to suppliers and the deliveries received against them.
//! - [`rmas`]: warranty cases, from the unit taken in to its outcome.
//! - [`serials`]: serialized units, found by serial number, with warranty and history.
//! - [`reservations`]: the service-to-service calls the sales service makes (not public).
//! - [`valuation`]: the stock with its unit cost and price, for the reports (not public).
//! - [`paths`]: every public route with its OpenAPI description ([`InventoryApi`]).

pub mod inputs;
pub mod paths;
pub mod purchase_orders;
pub mod reorder;
pub mod reservations;
pub mod rmas;
pub mod serials;
pub mod suppliers;
pub mod valuation;
pub mod views;

pub use paths::InventoryApi;

/// The OpenAPI description of every public route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi as _;
    InventoryApi::openapi()
}
