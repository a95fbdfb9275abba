//! What the catalog's routes answer: products, pages of them, categories.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "sku": "CPU-AMD-7800X3D", "name": "AMD Ryzen 7 7800X3D",
    "description": "8 cores, 96 MB L3 cache, AM5", "category": "CPUs", "brand": "AMD",
    "price_cents": 44900, "cost_cents": 36500, "barcode": "2000000000015", "active": true,
    "created_at": "2026-11-25T09:00:00Z", "updated_at": "2026-11-25T09:00:00Z", "version": 1
}))]
pub struct Product {
    /// Upper case, `[A-Z0-9][A-Z0-9._-]{1,63}`.
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub category: String,
    pub brand: Option<String>,
    /// Selling price in cents.
    pub price_cents: i64,
    /// Purchase cost in cents; left out for clerks and viewers.
    #[schema(required = false)]
    pub cost_cents: i64,
    /// EAN-13 or UPC-A.
    pub barcode: Option<String>,
    /// The code of the product's tax rate; none: the shop's default rate.
    pub tax_rate: Option<String>,
    /// False once archived; archived products are hidden from default listings.
    pub active: bool,
    /// Each unit carries a serial number. (Read as false from a catalog that predates it.)
    #[serde(default)]
    pub serialized: bool,
    /// The warranty a customer gets, in months; 0: none. (Read as 0 from a catalog that
    /// predates it.)
    #[serde(default)]
    pub warranty_months: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Increases by one with every change; the `ETag` is derived from it.
    pub version: i64,
}

impl Product {
    /// The strong entity tag of this version, as `ETag` sends it and `If-Match` expects it.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Category {
    pub name: String,
    pub product_count: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CategoryList {
    pub items: Vec<Category>,
}
