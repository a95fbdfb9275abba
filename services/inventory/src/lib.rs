//! The inventory service: how many of each SKU are at each location right now, every change
//! of it in an append-only ledger, and low-stock warnings the moment stock crosses a threshold.
//!
//! SKUs become known through the catalog's events (consumed idempotently through the inbox);
//! every stock change is one transaction with its ledger entry and its events in the outbox.
//!
//! # Layout
//! - [`domain`]: levels, changes, reservations and the low-stock rule; what orders to
//!   suppliers allow and the average cost ([`domain::purchasing`]); serialized units and their
//!   warranty ([`domain::serials`]); what each step of a warranty case does ([`domain::rma`]);
//!   no I/O.
//! - [`stock`], [`locations`], [`reservations`], [`suppliers`], [`reorder`], [`purchase_orders`],
//!   [`rmas`]: the use cases: inputs checked, then done through the store.
//! - [`store`]: the SQL: reads, and the locked, ledgered changes.
//! - [`catalog_events`], [`sales_events`]: the consumers of the catalog's and the sales
//!   service's events.
//! - [`http`]: the routes (the public ones are described by the `inventory_api` contract).
//! - [`error`]: [`InventoryError`] and the problem each variant becomes.

pub mod catalog_events;
pub mod domain;
pub mod error;
pub mod http;
pub mod locations;
pub mod purchase_orders;
pub mod reorder;
pub mod reservations;
pub mod rmas;
pub mod sales_events;
pub mod stock;
pub mod store;
pub mod suppliers;

use std::sync::Arc;

use axum::Router;
use events::{Bus, Consumer, Relay};
use secrecy::ExposeSecret;
use settings::{DatabaseKind, Settings};
use sqlx::migrate::Migrator;
use storage::Db;

pub use error::InventoryError;
pub use store::InventoryStore;

/// Name of this service in events, tables and metrics.
pub const SERVICE: &str = "inventory";

pub fn migrator(kind: DatabaseKind) -> Migrator {
    let mut migrator = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::MySql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.dangerous_set_table_name("inventory_schema_migrations");
    migrator
}

/// Connects to the inventory's database and applies pending migrations.
pub async fn connect(settings: &Settings) -> Result<Db, storage::DbError> {
    let db = Db::connect(
        settings.inventory_database_url().expose_secret(),
        settings.db_max_connections,
    )
    .await?;
    db.migrate(&migrator(db.kind())).await?;
    Ok(db)
}

/// A ready-to-serve inventory service.
pub struct Inventory {
    store: Arc<InventoryStore>,
    bus: Bus,
    exchange: String,
    /// The sales service's replicas, asked before an expired reservation is released: was its
    /// sale recorded after all?
    sales: Arc<web::replicas::Replicas>,
    max_attempts: u32,
    access: web::Access,
    /// Signs the sweeper's questions to the sales service.
    signer: web::Signer,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("inventory database: {0}")]
    Database(#[from] storage::DbError),
    #[error(transparent)]
    Identity(#[from] web::identity::IdentityError),
    #[error(transparent)]
    Upstream(#[from] web::replicas::InvalidReplicas),
}

impl Inventory {
    pub async fn build(settings: &Settings, bus: Bus) -> Result<Inventory, BuildError> {
        let access = web::Access::service(settings)?;
        let signer = web::Signer::from_settings(settings)?;
        let db = connect(settings).await?;
        tracing::info!(
            database = %settings::redact_url(settings.inventory_database_url().expose_secret()),
            events = bus.kind(),
            "inventory ready"
        );
        Ok(Inventory {
            store: Arc::new(InventoryStore::new(db)),
            bus,
            exchange: settings.event_exchange.clone(),
            sales: Arc::new(web::replicas::Replicas::parse(
                "sales",
                &settings.sales_upstream(),
            )?),
            max_attempts: settings.consumer_max_attempts,
            access,
            signer,
        })
    }

    pub fn store(&self) -> &Arc<InventoryStore> {
        &self.store
    }

    /// Publishes the inventory's outbox.
    pub fn relay(&self) -> Relay {
        Relay::new(
            SERVICE,
            events::inventory::PUBLISHED,
            self.store.db().clone(),
            self.bus.clone(),
        )
    }

    /// Follows the catalog's product events.
    pub fn catalog_consumer(&self) -> Consumer {
        Consumer::new(
            SERVICE,
            &self.exchange,
            &catalog_events::TYPES,
            self.store.db().clone(),
            self.bus.clone(),
            Arc::new(catalog_events::CatalogEvents {
                engine: self.store.db().kind(),
            }),
            self.max_attempts,
        )
    }

    /// Follows the sales service's events (SaleCreated, SaleUpdated).
    pub fn sales_consumer(&self) -> Consumer {
        Consumer::new(
            SERVICE,
            &format!("{}.sales", self.exchange),
            &sales_events::TYPES,
            self.store.db().clone(),
            self.bus.clone(),
            Arc::new(sales_events::SalesEvents {
                engine: self.store.db().kind(),
            }),
            self.max_attempts,
        )
    }

    /// Releases reservations whose sale never committed, every two seconds, until `shutdown`;
    /// one replica at a time.
    pub fn reservation_sweeper(
        &self,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let sales = self.sales.clone();
        let signer = self.signer.clone();
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(3))
            .build()
            .expect("a plain HTTP client builds");
        let reservations = Arc::new(reservations::Reservations::new(self.store.clone()));
        let every = std::time::Duration::from_secs(2);
        events::lease::one_replica_at_a_time(
            SERVICE,
            "reservation-sweeper",
            self.store.db().clone(),
            every,
            shutdown,
            move || {
                let (reservations, sales, signer, client) = (
                    reservations.clone(),
                    sales.clone(),
                    signer.clone(),
                    client.clone(),
                );
                async move {
                    let asked = reservations.release_expired(|id| {
                        let path = format!("/api/v1/sales/{id}");
                        let client = client.clone();
                        let sales = sales.clone();
                        let identity = signer.bearer(&web::Identity::service(SERVICE));
                        async move {
                            let asked = sales.send(|base| {
                                client
                                    .get(web::replicas::at(base, &path))
                                    .header(reqwest::header::AUTHORIZATION, identity.clone())
                            });
                            match asked.await.map(|r| r.status()) {
                                Ok(reqwest::StatusCode::OK) => Some(true),
                                Ok(reqwest::StatusCode::NOT_FOUND) => Some(false),
                                _ => None,
                            }
                        }
                    });
                    if let Err(e) = asked.await {
                        tracing::warn!(error = %e, "cannot release expired reservations");
                    }
                    every
                }
            },
        )
    }

    /// Keeps the `inventory_low_stock_levels` gauge current (every 15 s; a count that keeps
    /// rising is worth an alert before the shelves are empty) and checks every 10 minutes that
    /// each level equals the sum of its ledger (`inventory_ledger_mismatches`, logged by
    /// level) and a serialized SKU's level its units on the shelf (`inventory_serial_mismatches`),
    /// until `shutdown`.
    pub fn stock_gauges(
        &self,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let store = self.store.clone();
        async move {
            for round in 0u64.. {
                match store.low_stock_levels().await {
                    Ok(count) => metrics::gauge!("inventory_low_stock_levels").set(count as f64),
                    Err(e) => tracing::warn!(error = %e, "cannot count low-stock levels"),
                }
                if round % 40 == 0 {
                    match store.ledger_mismatches().await {
                        Ok(mismatches) => {
                            for m in &mismatches {
                                tracing::error!(sku = %m.sku, location = %m.location, on_hand = m.on_hand,
                                    ledger = m.ledger, "stock level differs from its ledger");
                            }
                            metrics::gauge!("inventory_ledger_mismatches").set(mismatches.len() as f64);
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot check the ledger"),
                    }
                    match store.serial_mismatches().await {
                        Ok(mismatches) => {
                            for m in &mismatches {
                                tracing::error!(sku = %m.sku, location = %m.location, on_hand = m.on_hand,
                                    in_stock = m.in_stock, "stock level differs from its serialized units on the shelf");
                            }
                            metrics::gauge!("inventory_serial_mismatches").set(mismatches.len() as f64);
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot check serialized units"),
                    }
                    match store.incoming_mismatches().await {
                        Ok(mismatches) => {
                            for (sku, location, incoming, expected) in &mismatches {
                                tracing::error!(%sku, %location, incoming, expected,
                                    "incoming stock differs from the open purchase orders");
                            }
                            metrics::gauge!("inventory_incoming_mismatches").set(mismatches.len() as f64);
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot check incoming stock"),
                    }
                }
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(std::time::Duration::from_secs(15)) => {}
                }
            }
        }
    }

    /// Every six hours (the first time at start-up), sets the threshold and reorder quantity
    /// of the levels that follow the forecast, until `shutdown`.
    pub fn forecast_thresholds(
        &self,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let reorder = Arc::new(reorder::Reorder::new(self.store.clone()));
        let every = std::time::Duration::from_secs(6 * 3600);
        events::lease::one_replica_at_a_time(
            SERVICE,
            "forecast-thresholds",
            self.store.db().clone(),
            every,
            shutdown,
            move || {
                let reorder = reorder.clone();
                async move {
                    match reorder.refresh_thresholds(storage::clock::now_ms()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(levels = n, "low-stock thresholds follow the forecast"),
                        Err(e) => tracing::warn!(error = %e, "cannot refresh the forecast thresholds"),
                    }
                    every
                }
            },
        )
    }

    pub fn router(&self) -> Router {
        let db = self.store.db().clone();
        let bus = self.bus.clone();
        let readiness = web::Readiness::new()
            .check("database", move || {
                let db = db.clone();
                Box::pin(async move { db.ping().await.map_err(|e| e.to_string()) })
            })
            .check("events", move || {
                let bus = bus.clone();
                Box::pin(async move { bus.ping().await.map_err(|e| e.to_string()) })
            });
        web::service_router(SERVICE, http::router(self.store.clone()), readiness, &self.access)
    }

    pub async fn close(&self) {
        self.store.db().close().await;
    }
}
