//! The product catalog service: what the shop sells, at what price and cost, and on what
//! terms: the shop's settings (currency, whether prices include tax) and its tax rates.
//!
//! Every change is stored together with its event (ProductCreated, ProductUpdated,
//! ProductArchived) in the catalog's outbox, in one transaction. Single-product reads go
//! through a versioned cache (in-process, or Redis when configured).
//!
//! # Layout
//! - [`domain`]: SKUs, barcodes, money and the validation of product input; no I/O.
//! - [`product`]: what the catalog does with a [`Product`] record (the contract's shape).
//! - [`store`]: the SQL, identical on SQLite and MySQL.
//! - [`products`]: the use cases (create, read, list, replace, patch, archive).
//! - [`http`]: the HTTP routes; the contract crate `catalog_api` describes them.
//! - [`export`]: the products as CSV, streamed.
//! - [`import`]: products (and their opening stock) from CSV, all or nothing.
//! - [`search_grams`]: the search index of MySQL/MariaDB.
//! - [`shop`]: the shop's settings and tax rates, from domain to routes.
//! - [`error`]: [`CatalogError`] and the problem each variant becomes.
//! - [`demo`]: the demo catalog of `inventory-tracker seed-demo`.

pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod import;
pub mod product;
pub mod products;
pub mod search_grams;
pub mod shop;
pub mod store;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use secrecy::ExposeSecret;
use settings::{DatabaseKind, Settings};
use sqlx::migrate::Migrator;
use storage::{Db, VersionedCache};

pub use error::CatalogError;
pub use product::{Product, ProductRecord};
pub use products::{Products, SERVICE};

/// The catalog's migrations for `kind`, recorded in the catalog's own migrations table so
/// that services sharing one MySQL database never see each other's history.
pub fn migrator(kind: DatabaseKind) -> Migrator {
    let mut migrator = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::MySql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.dangerous_set_table_name("catalog_schema_migrations");
    migrator
}

/// Queued products whose search trigrams are written in one transaction.
const INDEXED_PER_BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("catalog database: {0}")]
    Database(#[from] storage::DbError),
    #[error("catalog cache: {0}")]
    Cache(#[from] storage::CacheError),
    #[error(transparent)]
    Identity(#[from] web::identity::IdentityError),
    #[error(transparent)]
    Locations(#[from] import::locations::LocationsError),
}

/// A ready-to-serve catalog: connected, migrated, with its cache.
pub struct Catalog {
    products: Arc<Products>,
    shop: Arc<shop::Shop>,
    importer: Arc<import::Importer>,
    access: web::Access,
}

impl Catalog {
    /// Connects to the database (creating and migrating it as needed) and sets up the caches.
    pub async fn build(settings: &Settings) -> Result<Catalog, BuildError> {
        let access = web::Access::service(settings)?;
        let db = connect(settings).await?;
        let product_cache = cache(settings, "catalog_products", "product")?;
        let shop_cache = cache(settings, "catalog_shop", "shop")?;
        tracing::info!(
            database = %settings::redact_url(settings.catalog_database_url().expose_secret()),
            cache = product_cache.kind(),
            "catalog ready"
        );
        let products = Arc::new(Products::new(
            store::ProductStore::new(db.clone()),
            product_cache,
            shop::store::ShopStore::new(db.clone()),
        ));
        let locations = import::locations::Locations::new(
            &settings.inventory_upstream(),
            web::Signer::from_settings(settings)?,
            Duration::from_millis(settings.upstream_timeout_ms),
        )?;
        Ok(Catalog {
            shop: Arc::new(shop::Shop::new(
                shop::store::ShopStore::new(db.clone()),
                shop_cache,
            )),
            importer: Arc::new(import::Importer::new(
                products.clone(),
                shop::store::ShopStore::new(db),
                locations,
            )),
            products,
            access,
        })
    }

    /// Publishes the catalog's outbox on `bus`.
    pub fn relay(&self, bus: events::Bus) -> events::Relay {
        events::Relay::new(
            SERVICE,
            events::catalog::PUBLISHED,
            self.products.store().db().clone(),
            bus,
        )
    }

    /// Writes the search trigrams of queued products (an import's) in batches until
    /// `shutdown`, looking for more every second when there are none; one replica at a time.
    /// MySQL only: SQLite's index is kept by triggers.
    pub fn search_indexer(
        &self,
        shutdown: web::server::Shutdown,
    ) -> impl Future<Output = ()> + Send + 'static {
        let db = self.products.store().db().clone();
        async move {
            if db.kind() != DatabaseKind::MySql {
                return shutdown.cancelled().await;
            }
            let indexing = db.clone();
            events::lease::one_replica_at_a_time(
                SERVICE,
                "search-indexer",
                db,
                Duration::from_secs(1),
                shutdown,
                || {
                    let db = indexing.clone();
                    async move {
                        match search_grams::index_pending(&db, INDEXED_PER_BATCH).await {
                            Ok(0) => Duration::from_secs(1),
                            Ok(_) => Duration::ZERO,
                            Err(error) => {
                                tracing::warn!(%error, "cannot write the search index of queued products");
                                Duration::from_secs(5)
                            }
                        }
                    }
                },
            )
            .await;
        }
    }

    pub fn products(&self) -> &Arc<Products> {
        &self.products
    }

    /// The service's whole HTTP surface. Readiness also reports `bus`, the transport the
    /// catalog's events leave on.
    pub fn router(&self, bus: &events::Bus) -> Router {
        let db = self.products.store().db().clone();
        let products = self.products.clone();
        let bus = bus.clone();
        let readiness = web::Readiness::new()
            .check("database", move || {
                let db = db.clone();
                Box::pin(async move { db.ping().await.map_err(|e| e.to_string()) })
            })
            .check("cache", move || {
                let products = products.clone();
                Box::pin(async move { products.cache().ping().await.map_err(|e| e.to_string()) })
            })
            .check("events", move || {
                let bus = bus.clone();
                Box::pin(async move { bus.ping().await.map_err(|e| e.to_string()) })
            });
        web::service_router(
            SERVICE,
            http::router(self.products.clone())
                .merge(shop::http::router(self.shop.clone()))
                .merge(import::http::router(self.importer.clone())),
            readiness,
            &self.access,
        )
    }

    pub async fn close(&self) {
        self.products.store().db().close().await;
    }
}

/// Connects to the catalog's database and applies pending migrations.
pub async fn connect(settings: &Settings) -> Result<Db, storage::DbError> {
    let db = Db::connect(
        settings.catalog_database_url().expose_secret(),
        settings.db_max_connections,
    )
    .await?;
    db.migrate(&migrator(db.kind())).await?;
    Ok(db)
}

/// The cache `name` (in metrics), in this process or in Redis under `…:catalog:<kind>`.
fn cache(settings: &Settings, name: &'static str, kind: &str) -> Result<VersionedCache, storage::CacheError> {
    let ttl = Duration::from_secs(settings.cache_ttl_secs);
    Ok(match &settings.redis_url {
        Some(url) => {
            let prefix = format!("{}:catalog:{kind}", settings.redis_key_prefix);
            VersionedCache::redis(name, url.expose_secret(), &prefix, ttl)?
        }
        None => VersionedCache::in_process(name, settings.cache_capacity, ttl),
    })
}

/// Adds the demo catalog; products whose SKU already exists are left as they are.
/// Returns how many were added.
pub async fn seed_demo(products: &Products) -> Result<usize, CatalogError> {
    let mut added = 0;
    for demo in demo::DEMO_PRODUCTS {
        let input = domain::ProductInput {
            sku: Some(demo.sku.to_owned()),
            name: Some(demo.name.to_owned()),
            description: Some(demo.description.to_owned()),
            category: Some(demo.category.to_owned()),
            brand: Some(demo.brand.to_owned()),
            price_cents: Some(demo.price_cents),
            cost_cents: Some(demo.cost_cents),
            barcode: demo.barcode.map(str::to_owned),
            tax_rate: None,
            active: Some(true),
            serialized: Some(demo.serial_and_warranty().0),
            warranty_months: Some(demo.serial_and_warranty().1),
        };
        match products.create(input, Some("seed-demo".to_owned())).await {
            Ok(_) => added += 1,
            Err(CatalogError::DuplicateSku(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(added)
}
