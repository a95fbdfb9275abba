//! Which upstream serves which path, read from the services' contract crates.

use std::sync::Arc;

use axum::Router;
use axum::routing::any;

use crate::proxy::{Upstream, forward};

/// Each service behind the gateway with its contract: the OpenAPI description of the routes
/// it serves. The gateway forwards exactly these paths (unchanged: each service serves its
/// resources under the same `/api/v1/...` path); anything else never leaves the gateway.
pub fn contracts() -> [(&'static str, utoipa::openapi::OpenApi); 4] {
    [
        ("catalog", catalog_api::openapi()),
        ("inventory", inventory_api::openapi()),
        ("sales", sales_api::openapi()),
        ("reports", reports_api::openapi()),
    ]
}

pub fn router(upstreams: &[Arc<Upstream>]) -> Router {
    let mut router = Router::new();
    for (name, contract) in contracts() {
        let upstream = upstreams
            .iter()
            .find(|u| u.name() == name)
            .unwrap_or_else(|| panic!("the contracts name upstream {name}, which was not built"))
            .clone();
        for path in contract.paths.paths.keys() {
            router = router.route(path, any(forward).with_state(upstream.clone()));
        }
    }
    router
}

pub async fn index() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "name": "inventory-tracker",
        "version": env!("CARGO_PKG_VERSION"),
        "api": "/api/v1",
        "docs": "/api/docs",
        "openapi": "/api/openapi.json",
        "health": "/health",
    }))
}
