//! The inventory's HTTP routes: the public ones the contract (`inventory_api`) describes, and
//! the reservations the sales service calls. Handlers take the request apart, call the use
//! cases and turn the outcome into a view; they decide nothing about stock.
//!
//! # Layout
//! - [`stock`]: `/api/v1/inventory/...`, alerts and the stock value.
//! - [`locations`]: the routes under `/api/v1/locations`.
//! - [`suppliers`]: `/api/v1/suppliers`, each product's suppliers, the reorder suggestions.
//! - [`purchase_orders`]: `/api/v1/purchase-orders`, drafts from the reorder suggestions, and
//!   each SKU's average cost.
//! - [`serials`]: `/api/v1/serials/{serial}` and each SKU's units.
//! - [`rmas`]: `/api/v1/rmas`, warranty cases.
//! - [`reservations`]: `/internal/v1/reservations`, for the sales service only.
//! - [`valuation`]: `/internal/v1/stock-values`, for the reports only.
//! - [`exports`]: stock, movements and purchase orders as CSV.
//! - [`views`]: the contract's views made from the domain's values.

pub mod exports;
pub mod locations;
pub mod purchase_orders;
pub mod reservations;
pub mod rmas;
pub mod serials;
pub mod stock;
pub mod suppliers;
pub mod valuation;
pub mod views;

use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use inventory_api::reservations::{RESERVATION, RESERVATIONS};
use web::Problem;
use web::idempotency::{self, ScopedKey};

use crate::domain::Origin;
use crate::error::InventoryError;
use crate::locations::Locations;
use crate::purchase_orders::PurchaseOrders;
use crate::reorder::Reorder;
use crate::reservations::Reservations;
use crate::rmas::Rmas;
use crate::stock::Stock;
use crate::store::InventoryStore;
use crate::suppliers::Suppliers;

/// What the handlers work with.
pub struct Services {
    pub stock: Stock,
    pub locations: Locations,
    pub reservations: Reservations,
    pub suppliers: Suppliers,
    pub reorder: Reorder,
    pub purchase_orders: PurchaseOrders,
    pub rmas: Rmas,
}

type AppState = Arc<Services>;

pub fn router(store: Arc<InventoryStore>) -> Router {
    let services = Arc::new(Services {
        stock: Stock::new(store.clone()),
        locations: Locations::new(store.clone()),
        reservations: Reservations::new(store.clone()),
        suppliers: Suppliers::new(store.clone()),
        reorder: Reorder::new(store.clone()),
        purchase_orders: PurchaseOrders::new(store.clone()),
        rmas: Rmas::new(store),
    });
    Router::new()
        .route("/api/v1/inventory", get(stock::list))
        .route("/api/v1/inventory/export.csv", get(exports::stock))
        .route("/api/v1/movements/export.csv", get(exports::movements))
        .route(
            "/api/v1/purchase-orders/export.csv",
            get(exports::purchase_orders),
        )
        .route(
            "/api/v1/purchase-orders/{id}/export.csv",
            get(exports::purchase_order),
        )
        .route("/api/v1/inventory/{sku}", get(stock::get))
        .route("/api/v1/inventory/{sku}/restock", post(stock::restock))
        .route("/api/v1/inventory/{sku}/adjustments", post(stock::adjust))
        .route("/api/v1/inventory/{sku}/count", post(stock::count))
        .route("/api/v1/inventory/{sku}/transfers", post(stock::transfer))
        .route("/api/v1/inventory/{sku}/settings", put(stock::settings))
        .route("/api/v1/inventory/{sku}/movements", get(stock::movements))
        .route(inventory_api::serials::ITEM_SERIALS, get(serials::of_item))
        .route(inventory_api::serials::SERIAL, get(serials::lookup))
        .route(inventory_api::rmas::RMAS, get(rmas::list).post(rmas::open))
        .route(inventory_api::rmas::RMA, get(rmas::one))
        .route(inventory_api::rmas::RMA_STEPS, post(rmas::step))
        .route(inventory_api::rmas::RMA_NOTES, post(rmas::note))
        .route(
            "/api/v1/inventory/{sku}/suppliers",
            get(suppliers::of_item).put(suppliers::set_items),
        )
        .route("/api/v1/suppliers", get(suppliers::list).post(suppliers::create))
        .route("/api/v1/reorder-suggestions", get(suppliers::reorder))
        .route(
            "/api/v1/reorder-suggestions/thresholds",
            post(suppliers::refresh_thresholds),
        )
        .route(
            "/api/v1/suppliers/{id}",
            get(suppliers::one)
                .patch(suppliers::change)
                .delete(suppliers::archive),
        )
        .route("/api/v1/inventory/{sku}/costs", get(purchase_orders::costs))
        .route(
            "/api/v1/purchase-orders",
            get(purchase_orders::list).post(purchase_orders::create),
        )
        .route(
            "/api/v1/purchase-orders/{id}",
            get(purchase_orders::one).patch(purchase_orders::change),
        )
        .route("/api/v1/purchase-orders/{id}/order", post(purchase_orders::place))
        .route(
            "/api/v1/purchase-orders/{id}/cancel",
            post(purchase_orders::cancel),
        )
        .route(
            "/api/v1/purchase-orders/{id}/receipts",
            post(purchase_orders::receive),
        )
        .route(
            "/api/v1/reorder-suggestions/purchase-orders",
            post(purchase_orders::from_suggestions),
        )
        .route("/api/v1/alerts", get(stock::alerts))
        .route("/api/v1/stock-value", get(stock::value))
        .route("/api/v1/locations", get(locations::list).post(locations::create))
        .route("/api/v1/locations/{code}", patch(locations::update))
        .route(RESERVATIONS, post(reservations::reserve))
        .route(
            inventory_api::valuation::STOCK_VALUES,
            get(valuation::stock_values),
        )
        .route(RESERVATION, get(reservations::get).delete(reservations::release))
        .with_state(services)
}

/// Who asked, for the ledger and the events.
fn origin(actor: &web::Actor, request_id: web::RequestId) -> Origin {
    Origin {
        actor: actor.name(),
        correlation_id: request_id.0,
    }
}

/// Claims the request's idempotency key, if it sent one. `Err` carries the answer to give
/// instead of doing the work: the first answer (replay), or a problem.
async fn claim(
    store: &InventoryStore,
    key: Option<ScopedKey>,
    request: &str,
) -> Result<Option<String>, Response> {
    let Some(key) = key else {
        return Ok(None);
    };
    match store.keys().claim(store.db(), key.as_str(), request).await {
        Ok(claim) => match idempotency::answer_instead(claim) {
            Some(answer) => Err(answer),
            None => Ok(Some(key.as_str().to_owned())),
        },
        Err(e) => Err(Problem::from(InventoryError::from(e)).into_response()),
    }
}

/// After a keyed operation failed: the key's answer, when an earlier attempt it took over from
/// (after 10 s without an answer) committed meanwhile, since its failure is then only the
/// consequence of that attempt's success; else the key is freed for the client's retry.
async fn after_failure(store: &InventoryStore, key: Option<&str>) -> Option<Response> {
    let key = key?;
    match store.keys().after_failure(store.db(), key).await {
        Ok(answered) => answered.and_then(idempotency::answer_instead),
        Err(e) => {
            tracing::warn!(error = %e, "could not release an idempotency key");
            None
        }
    }
}

/// A location named in a query; 400 when it cannot be one.
fn location_param(location: Option<&str>) -> Result<Option<kernel::LocationCode>, Problem> {
    location
        .map(kernel::LocationCode::parse)
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("location {reason}")))
}
