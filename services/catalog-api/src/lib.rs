//! The catalog's HTTP contract, shared by the catalog service (which serves it), the gateway
//! (which routes it and publishes its document) and the sales service (which reads prices
//! through it): the routes, what each takes and answers, and their OpenAPI description. No
//! behaviour lives here.
//!
//! # Layout
//! - [`inputs`]: request bodies and query parameters.
//! - [`imports`]: the products import, taken as CSV and answered with a report.
//! - [`views`]: what the routes answer: products, pages of them, categories.
//! - [`shop`]: the shop's settings and tax rates, taken and answered.
//! - [`paths`]: every route with its OpenAPI description ([`CatalogApi`]).

pub mod imports;
pub mod inputs;
pub mod paths;
pub mod shop;
pub mod views;

pub use paths::CatalogApi;

/// The path of one product, by SKU.
pub fn product_path(sku: &str) -> String {
    format!("/api/v1/products/{sku}")
}

/// The shop's settings.
pub const SHOP_SETTINGS: &str = "/api/v1/settings/shop";
/// Every tax rate of the shop.
pub const TAX_RATES: &str = "/api/v1/tax-rates";

/// The path of one tax rate, by code.
pub fn tax_rate_path(code: &str) -> String {
    format!("/api/v1/tax-rates/{code}")
}

/// The OpenAPI description of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi as _;
    let mut doc = CatalogApi::openapi();
    paths::document_create_and_replace(&mut doc);
    doc
}
