//! What the catalog does with a product record, the contract's [`Product`]: read its
//! validated fields back, revise it, describe it in events.

use time::OffsetDateTime;

pub use catalog_api::views::Product;

use crate::domain::{Barcode, Cents, ProductDraft, Sku, TaxCode, WarrantyMonths};

/// The catalog's operations on a stored product.
pub trait ProductRecord {
    /// The validated fields of this product, to patch or compare.
    fn draft(&self) -> ProductDraft;
    /// The event snapshot of this product.
    fn snapshot(&self) -> events::catalog::ProductSnapshot;
    /// This product with `draft`'s fields, one version later.
    fn revised(&self, draft: &ProductDraft, at: OffsetDateTime) -> Product;
}

impl ProductRecord for Product {
    fn draft(&self) -> ProductDraft {
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
            tax_rate: self
                .tax_rate
                .as_deref()
                .map(|c| TaxCode::parse(c).expect("stored tax codes are valid")),
            active: self.active,
            serialized: self.serialized,
            warranty: WarrantyMonths::parse(self.warranty_months).expect("stored warranties are valid"),
        }
    }

    fn snapshot(&self) -> events::catalog::ProductSnapshot {
        events::catalog::ProductSnapshot {
            sku: self.sku.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            brand: self.brand.clone(),
            price_cents: self.price_cents,
            cost_cents: self.cost_cents,
            barcode: self.barcode.clone(),
            tax_rate: self.tax_rate.clone(),
            active: self.active,
            serialized: self.serialized,
            warranty_months: self.warranty_months,
            version: self.version,
        }
    }

    fn revised(&self, draft: &ProductDraft, at: OffsetDateTime) -> Product {
        Product {
            updated_at: at,
            version: self.version + 1,
            ..draft.first_version(self.created_at)
        }
    }
}

impl ProductDraft {
    /// Version 1 of a product made from this draft at `at`.
    pub fn first_version(&self, at: OffsetDateTime) -> Product {
        Product {
            sku: self.sku.as_str().to_owned(),
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            brand: self.brand.clone(),
            price_cents: self.price.get(),
            cost_cents: self.cost.get(),
            barcode: self.barcode.as_ref().map(|b| b.as_str().to_owned()),
            tax_rate: self.tax_rate.as_ref().map(|c| c.as_str().to_owned()),
            active: self.active,
            serialized: self.serialized,
            warranty_months: self.warranty.get(),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }
}
