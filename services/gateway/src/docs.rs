//! API documentation: the OpenAPI document generated from the services' code, and Swagger UI
//! (its assets are compiled into the binary by utoipa-swagger-ui's `vendored` feature, so
//! the page works offline).

use axum::Router;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// The document describing everything the gateway serves.
pub fn openapi() -> OpenApi {
    let mut doc = catalog::openapi();
    doc.merge(inventory::openapi());
    doc.merge(sales::openapi());
    doc.info = utoipa::openapi::InfoBuilder::new()
        .title("inventory-tracker API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Inventory, sales and catalog for small computer shops. Every error is \
             `application/problem+json` with a stable `type`. Money is in integer cents; \
             times are UTC (RFC 3339).",
        ))
        .build();
    doc.servers = Some(vec![utoipa::openapi::server::Server::new("/")]);
    doc
}

pub fn router() -> Router {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi()))
}
