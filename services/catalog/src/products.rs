//! The catalog's use cases: each change is validated, stored with its event, then written to
//! the cache; reads go through the cache.

use bytes::Bytes;
use events::Envelope;
use events::catalog::{ProductArchived, ProductCreated, ProductUpdated, StockDefaults};
use storage::VersionedCache;

use crate::domain::{ProductDraft, ProductInput, ProductPatch, Sku};
use crate::error::CatalogError;
use crate::product::{Product, ProductRecord};
use crate::shop::domain::TaxCode;
use crate::shop::known_rate;
use crate::shop::store::ShopStore;
use crate::store::{CategoryCount, ListFilter, ProductStore, now};

/// Name of this service in events and metrics.
pub const SERVICE: &str = "catalog";

/// What the client asserted about the version it is changing (`If-Match`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: apply to whatever the current version is.
    None,
    /// `If-Match: *`: the product must exist.
    Exists,
    /// `If-Match: "vN", …`: the product must still be at one of these versions.
    Matches(Vec<i64>),
}

impl Precondition {
    fn check(&self, current: &Product) -> Result<(), CatalogError> {
        match self {
            Precondition::Matches(versions) if !versions.contains(&current.version) => {
                Err(CatalogError::StaleVersion {
                    what: "the product",
                    current: current.version,
                })
            }
            _ => Ok(()),
        }
    }
}

pub struct Products {
    store: ProductStore,
    cache: VersionedCache,
    /// The shop's tax rates, which a product's `tax_rate` must name.
    rates: ShopStore,
}

impl Products {
    pub fn new(store: ProductStore, cache: VersionedCache, rates: ShopStore) -> Products {
        Products { store, cache, rates }
    }

    /// Refuses a well-formed `tax_rate` that is not one of the shop's rates (a malformed one is
    /// left to the field validation). Rates are never deleted, so the answer holds.
    async fn check_tax_rate(&self, raw: Option<&str>) -> Result<(), CatalogError> {
        match raw.filter(|c| !c.trim().is_empty()).map(TaxCode::parse) {
            Some(Ok(code)) => known_rate(&self.rates, "tax_rate", &code).await.map(drop),
            _ => Ok(()),
        }
    }

    pub fn store(&self) -> &ProductStore {
        &self.store
    }

    pub fn cache(&self) -> &VersionedCache {
        &self.cache
    }

    pub async fn create(
        &self,
        input: ProductInput,
        correlation_id: Option<String>,
    ) -> Result<Product, CatalogError> {
        let draft = ProductDraft::from_input(input).map_err(CatalogError::Validation)?;
        self.check_tax_rate(draft.tax_rate.as_ref().map(TaxCode::as_str))
            .await?;
        // The shop's stock settings for new products, as they are now, go with the product.
        let settings = self.rates.settings().await?;
        let stock_defaults = StockDefaults {
            low_stock_threshold: settings.default_low_stock_threshold,
            reorder_quantity: settings.default_reorder_quantity,
        };
        let at = now();
        let product = draft.first_version(at);
        let event = Envelope::new(
            SERVICE,
            correlation_id,
            at,
            &ProductCreated {
                product: product.snapshot(),
                stock_defaults: Some(stock_defaults),
            },
        );
        self.store.insert(&product, &event).await?;
        self.remember(&product).await;
        Ok(product)
    }

    /// The product with `sku`, archived or not.
    pub async fn get(&self, sku: &str) -> Result<Product, CatalogError> {
        let sku = Sku::parse(sku).map_err(|_| CatalogError::NotFound(sku.to_owned()))?;
        if let Some(cached) = self.cache.get(sku.as_str()).await
            && let Ok(product) = serde_json::from_slice::<Product>(&cached)
        {
            return Ok(product);
        }
        let product = self
            .store
            .get(sku.as_str())
            .await?
            .ok_or_else(|| CatalogError::NotFound(sku.into_string()))?;
        self.remember(&product).await;
        Ok(product)
    }

    /// At most `limit` products after `after_sku`, in SKU order.
    pub async fn list(
        &self,
        filter: &ListFilter,
        after_sku: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Product>, CatalogError> {
        Ok(self.store.list(filter, after_sku, limit).await?)
    }

    pub async fn categories(&self) -> Result<Vec<CategoryCount>, CatalogError> {
        Ok(self.store.categories().await?)
    }

    /// PUT: replaces every field of the product.
    pub async fn replace(
        &self,
        sku: &str,
        input: ProductInput,
        precondition: Precondition,
        correlation_id: Option<String>,
    ) -> Result<Product, CatalogError> {
        self.check_tax_rate(input.tax_rate.as_deref()).await?;
        // Invalid fields are reported before a stale version: they need fixing either way.
        self.change(sku, |current| {
            let draft =
                ProductDraft::replace(&current.draft().sku, input).map_err(CatalogError::Validation)?;
            precondition.check(current)?;
            Ok(revision(current, &draft, correlation_id))
        })
        .await
    }

    /// PATCH: changes the fields present in `patch`, on whatever version is current when the
    /// change runs (or only on the version `precondition` names).
    pub async fn patch(
        &self,
        sku: &str,
        patch: ProductPatch,
        precondition: Precondition,
        correlation_id: Option<String>,
    ) -> Result<Product, CatalogError> {
        if let Some(code) = &patch.tax_rate {
            self.check_tax_rate(code.as_deref()).await?;
        }
        self.change(sku, |current| {
            let draft = current.draft().patched(patch).map_err(CatalogError::Validation)?;
            precondition.check(current)?;
            Ok(revision(current, &draft, correlation_id))
        })
        .await
    }

    /// DELETE: archives the product. Archiving an archived product changes nothing.
    pub async fn archive(
        &self,
        sku: &str,
        precondition: Precondition,
        correlation_id: Option<String>,
    ) -> Result<(), CatalogError> {
        self.change(sku, |current| {
            precondition.check(current)?;
            let mut draft = current.draft();
            draft.active = false;
            Ok(revision(current, &draft, correlation_id))
        })
        .await?;
        Ok(())
    }

    /// Runs `change` on the current row of `sku` in one transaction (see
    /// [`ProductStore::modify`]), then caches the result.
    async fn change(
        &self,
        sku: &str,
        change: impl FnOnce(&Product) -> Result<Option<(Product, Envelope)>, CatalogError>,
    ) -> Result<Product, CatalogError> {
        let parsed = Sku::parse(sku).map_err(|_| CatalogError::NotFound(sku.to_owned()))?;
        let stored = self.store.modify(parsed.as_str(), change).await?;
        self.remember(&stored).await;
        Ok(stored)
    }

    /// Puts `product` in the cache (or drops its entry, see `VersionedCache::put_or_drop`).
    async fn remember(&self, product: &Product) {
        let bytes = Bytes::from(serde_json::to_vec(product).expect("products serialize to JSON"));
        self.cache.put_or_drop(&product.sku, product.version, bytes).await;
    }
}

/// The next version of `current` with `draft`'s fields and the event telling so, or `None`
/// when nothing would change.
pub(crate) fn revision(
    current: &Product,
    draft: &ProductDraft,
    correlation_id: Option<String>,
) -> Option<(Product, Envelope)> {
    let changed = changed_fields(&current.draft(), draft);
    if changed.is_empty() {
        return None;
    }
    let at = now();
    let revised = current.revised(draft, at);
    let event = if current.active && !revised.active {
        Envelope::new(
            SERVICE,
            correlation_id,
            at,
            &ProductArchived {
                sku: revised.sku.clone(),
                version: revised.version,
            },
        )
    } else {
        Envelope::new(
            SERVICE,
            correlation_id,
            at,
            &ProductUpdated {
                product: revised.snapshot(),
                changed,
            },
        )
    };
    Some((revised, event))
}

/// Names of the fields that differ between two versions, for `ProductUpdated.changed`.
fn changed_fields(before: &ProductDraft, after: &ProductDraft) -> Vec<String> {
    let mut changed = Vec::new();
    let mut note = |field: &str, differs: bool| {
        if differs {
            changed.push(field.to_owned());
        }
    };
    note("name", before.name != after.name);
    note("description", before.description != after.description);
    note("category", before.category != after.category);
    note("brand", before.brand != after.brand);
    note("price_cents", before.price != after.price);
    note("cost_cents", before.cost != after.cost);
    note("barcode", before.barcode != after.barcode);
    note("tax_rate", before.tax_rate != after.tax_rate);
    note("active", before.active != after.active);
    note("serialized", before.serialized != after.serialized);
    note("warranty_months", before.warranty != after.warranty);
    changed
}
