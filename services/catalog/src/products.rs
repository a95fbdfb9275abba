//! The catalog's use cases: each change is validated, stored with its event, then written to
//! the cache; reads go through the cache.

use bytes::Bytes;
use events::Envelope;
use events::catalog::{ProductArchived, ProductCreated, ProductUpdated};
use storage::VersionedCache;

use crate::domain::{ProductDraft, ProductInput, ProductPatch, Sku};
use crate::error::CatalogError;
use crate::product::Product;
use crate::store::{CategoryCount, ListFilter, ProductStore, StoreError, now};

/// Name of this service in events and metrics.
pub const SERVICE: &str = "catalog";

/// How often a PATCH without `If-Match` re-reads and re-applies itself when another write
/// got in between, before reporting a conflict.
const PATCH_ATTEMPTS: usize = 5;

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
}

/// One page of a listing.
pub struct Page {
    pub items: Vec<Product>,
    pub has_more: bool,
}

impl Products {
    pub fn new(store: ProductStore, cache: VersionedCache) -> Products {
        Products { store, cache }
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
        let at = now();
        let product = Product::new(&draft, at);
        let event = Envelope::new(
            SERVICE,
            correlation_id,
            at,
            &ProductCreated {
                product: product.snapshot(),
            },
        );
        self.store.insert(&product, &event).await.map_err(|e| match e {
            StoreError::DuplicateSku => CatalogError::DuplicateSku(product.sku.clone()),
            other => other.into(),
        })?;
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

    pub async fn list(
        &self,
        filter: &ListFilter,
        after_sku: Option<&str>,
        limit: u32,
    ) -> Result<Page, CatalogError> {
        let mut items = self.store.list(filter, after_sku, limit + 1).await?;
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Ok(Page { items, has_more })
    }

    pub async fn categories(&self) -> Result<Vec<CategoryCount>, CatalogError> {
        Ok(self.store.categories().await?)
    }

    /// PUT: replaces every field.
    pub async fn replace(
        &self,
        sku: &str,
        input: ProductInput,
        precondition: Precondition,
        correlation_id: Option<String>,
    ) -> Result<Product, CatalogError> {
        let current = self.current(sku).await?;
        precondition.check(&current)?;
        let draft = ProductDraft::replace(&Sku::parse(&current.sku).expect("stored SKUs are valid"), input)
            .map_err(CatalogError::Validation)?;
        self.revise(&current, &draft, correlation_id).await
    }

    /// PATCH: changes the fields present in `patch`. Without a precondition a concurrent write
    /// makes it start again from the new version, so no change is silently lost.
    pub async fn patch(
        &self,
        sku: &str,
        patch: ProductPatch,
        precondition: Precondition,
        correlation_id: Option<String>,
    ) -> Result<Product, CatalogError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let current = self.current(sku).await?;
            precondition.check(&current)?;
            let draft = current
                .draft()
                .patched(patch.clone())
                .map_err(CatalogError::Validation)?;
            match self.revise(&current, &draft, correlation_id.clone()).await {
                Err(CatalogError::StaleVersion { .. })
                    if precondition == Precondition::None && attempt < PATCH_ATTEMPTS => {}
                result => return result,
            }
        }
    }

    /// DELETE: archives the product. Archiving an archived product changes nothing.
    pub async fn archive(
        &self,
        sku: &str,
        precondition: Precondition,
        correlation_id: Option<String>,
    ) -> Result<(), CatalogError> {
        let current = self.current(sku).await?;
        precondition.check(&current)?;
        if !current.active {
            return Ok(());
        }
        let mut draft = current.draft();
        draft.active = false;
        let at = now();
        let archived = current.revised(&draft, at);
        let event = Envelope::new(
            SERVICE,
            correlation_id,
            at,
            &ProductArchived {
                sku: archived.sku.clone(),
                version: archived.version,
            },
        );
        self.store.update(&archived, &event).await?;
        self.remember(&archived).await;
        Ok(())
    }

    /// Writes `draft` as the next version of `current`, unless nothing changed.
    async fn revise(
        &self,
        current: &Product,
        draft: &ProductDraft,
        correlation_id: Option<String>,
    ) -> Result<Product, CatalogError> {
        let changed = changed_fields(&current.draft(), draft);
        if changed.is_empty() {
            return Ok(current.clone());
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
        self.store.update(&revised, &event).await?;
        self.remember(&revised).await;
        Ok(revised)
    }

    /// The current row, read from the database (never the cache) because a write is about to
    /// be based on it.
    async fn current(&self, sku: &str) -> Result<Product, CatalogError> {
        let parsed = Sku::parse(sku).map_err(|_| CatalogError::NotFound(sku.to_owned()))?;
        self.store
            .get(parsed.as_str())
            .await?
            .ok_or_else(|| CatalogError::NotFound(parsed.into_string()))
    }

    /// Puts `product` in the cache. If that fails the old entry is dropped instead, so no
    /// reader sees a version older than one already committed.
    async fn remember(&self, product: &Product) {
        let bytes = Bytes::from(serde_json::to_vec(product).expect("products serialize to JSON"));
        if let Err(e) = self.cache.put(&product.sku, product.version, bytes).await {
            tracing::warn!(sku = %product.sku, error = %e, "cache write failed; dropping the entry");
            if let Err(e) = self.cache.remove(&product.sku).await {
                tracing::error!(sku = %product.sku, error = %e, "cache entry could not be dropped; it expires by its TTL");
            }
        }
    }
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
    note("active", before.active != after.active);
    changed
}
