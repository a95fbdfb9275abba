//! Which upstream serves which path. Paths are forwarded unchanged: each service serves its
//! resources under the same `/api/v1/...` path the gateway exposes.

use std::sync::Arc;

use axum::Router;
use axum::routing::any;

use crate::proxy::{Upstream, forward};

/// `(upstream name, path patterns it owns)`.
pub const ROUTES: &[(&str, &[&str])] = &[
    (
        "catalog",
        &[
            "/api/v1/products",
            "/api/v1/products/{*rest}",
            "/api/v1/categories",
        ],
    ),
    (
        "inventory",
        &[
            "/api/v1/inventory",
            "/api/v1/inventory/{*rest}",
            "/api/v1/alerts",
            "/api/v1/stock-value",
            "/api/v1/locations",
            "/api/v1/locations/{*rest}",
        ],
    ),
    ("sales", &["/api/v1/sales", "/api/v1/sales/{*rest}"]),
];

pub fn router(upstreams: &[Arc<Upstream>]) -> Router {
    let mut router = Router::new();
    for (name, paths) in ROUTES {
        let upstream = upstreams
            .iter()
            .find(|u| u.name() == *name)
            .unwrap_or_else(|| panic!("the routing table names upstream {name}, which was not built"))
            .clone();
        for path in *paths {
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
