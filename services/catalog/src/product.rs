//! The product as stored and as the API shows it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{Barcode, Cents, ProductDraft, Sku};

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
    /// Purchase cost in cents.
    pub cost_cents: i64,
    /// EAN-13 or UPC-A.
    pub barcode: Option<String>,
    /// False once archived; archived products are hidden from default listings.
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Increases by one with every change; the `ETag` is derived from it.
    pub version: i64,
}

impl Product {
    /// The validated fields of this product, to patch or compare.
    pub fn draft(&self) -> ProductDraft {
        // Stored rows were validated on the way in, so parsing them again cannot fail.
        ProductDraft {
            sku: Sku::parse(&self.sku).expect("stored SKUs are valid"),
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            brand: self.brand.clone(),
            price: Cents::parse(self.price_cents).expect("stored prices are valid"),
            cost: Cents::parse(self.cost_cents).expect("stored costs are valid"),
            barcode: self
                .barcode
                .as_deref()
                .map(|b| Barcode::parse(b).expect("stored barcodes are valid")),
            active: self.active,
        }
    }

    /// The event snapshot of this product.
    pub fn snapshot(&self) -> events::catalog::ProductSnapshot {
        events::catalog::ProductSnapshot {
            sku: self.sku.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            brand: self.brand.clone(),
            price_cents: self.price_cents,
            cost_cents: self.cost_cents,
            barcode: self.barcode.clone(),
            active: self.active,
            version: self.version,
        }
    }

    /// This product with `draft`'s fields, one version later.
    pub fn revised(&self, draft: &ProductDraft, at: OffsetDateTime) -> Product {
        Product {
            updated_at: at,
            version: self.version + 1,
            ..Product::new(draft, self.created_at)
        }
    }

    /// Version 1 of a product made from `draft` at `at`.
    pub fn new(draft: &ProductDraft, at: OffsetDateTime) -> Product {
        Product {
            sku: draft.sku.as_str().to_owned(),
            name: draft.name.clone(),
            description: draft.description.clone(),
            category: draft.category.clone(),
            brand: draft.brand.clone(),
            price_cents: draft.price.get(),
            cost_cents: draft.cost.get(),
            barcode: draft.barcode.as_ref().map(|b| b.as_str().to_owned()),
            active: draft.active,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    /// The strong entity tag of this version.
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}
