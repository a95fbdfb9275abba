//! The sales service: the shop counter. A sale is accepted only if every line's stock could be
//! reserved in the inventory (all lines or none); it is then recorded with its SaleCreated
//! event in one transaction, and the inventory turns the reservation into stock movements when
//! it applies the event. Voids and returns emit SaleUpdated. `Idempotency-Key` makes retries
//! of a sale or a return harmless.
//!
//! The routes and their OpenAPI description are the contract crate `sales_api`'s.
//!
//! # Layout
//! - [`domain`]: the sale request, totals in cents, discounts, voids and returns; no I/O.
//! - [`counter`]: the use cases: sell, void, take a return, read sales and figures.
//! - [`customers`]: the customers' use cases: record, change, archive, find, history.
//! - [`shifts`]: the shifts' use cases: open, move cash, close, the X and Z reports.
//! - [`upstream`]: calls to the catalog (prices) and the inventory (reservations) with
//!   timeouts, retries with back-off, and a circuit breaker per upstream.
//! - [`store`]: the SQL of sales, their history, idempotency keys and the outbox.
//! - [`http`]: the HTTP routes of sales and customers.
//! - [`error`]: every way a request can fail, and its problem.

pub mod counter;
pub mod customers;
pub mod domain;
pub mod error;
pub mod http;
pub mod shifts;
pub mod store;
pub mod upstream;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use events::{Bus, Relay};
use secrecy::ExposeSecret;
use settings::{DatabaseKind, Settings};
use sqlx::migrate::Migrator;
use storage::Db;
use web::replicas::Replicas;

pub use counter::Counter;
pub use store::SalesStore;

pub const SERVICE: &str = "sales";

/// Idempotency keys are kept this long (at least the 24 hours clients may retry within).
const KEEP_KEYS_MS: i64 = 48 * 3600 * 1000;

pub fn migrator(kind: DatabaseKind) -> Migrator {
    let mut migrator = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::MySql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.dangerous_set_table_name("sales_schema_migrations");
    migrator
}

pub async fn connect(settings: &Settings) -> Result<Db, storage::DbError> {
    let db = Db::connect(
        settings.sales_database_url().expose_secret(),
        settings.db_max_connections,
    )
    .await?;
    db.migrate(&migrator(db.kind())).await?;
    Ok(db)
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("sales database: {0}")]
    Database(#[from] storage::DbError),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error(transparent)]
    Identity(#[from] web::identity::IdentityError),
    #[error(transparent)]
    Upstream(#[from] web::replicas::InvalidReplicas),
}

pub struct Sales {
    counter: Arc<Counter>,
    bus: Bus,
    access: web::Access,
}

impl Sales {
    pub async fn build(settings: &Settings, bus: Bus) -> Result<Sales, BuildError> {
        let access = web::Access::service(settings)?;
        let signer = web::Signer::from_settings(settings)?;
        let db = connect(settings).await?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.upstream_timeout_ms))
            .connect_timeout(Duration::from_millis(settings.upstream_timeout_ms.min(2_000)))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let upstreams = upstream::Upstreams::new(
            client,
            Duration::from_millis(settings.upstream_timeout_ms),
            signer,
            Replicas::parse("catalog", &settings.catalog_upstream())?.counting_server_errors(),
            Replicas::parse("inventory", &settings.inventory_upstream())?.counting_server_errors(),
        );
        // The series exist from start-up, so the first sale after a restart shows in rates.
        for method in kernel::PaymentMethod::ALL {
            metrics::counter!("sales_recorded_total", "payment_method" => method.as_str()).increment(0);
        }
        metrics::counter!("sales_revenue_cents_total").increment(0);
        tracing::info!(
            database = %settings::redact_url(settings.sales_database_url().expose_secret()),
            events = bus.kind(),
            "sales ready"
        );
        Ok(Sales {
            counter: Arc::new(Counter {
                store: SalesStore::new(db),
                upstreams,
                reservation_ttl: Duration::from_secs(settings.reservation_ttl_secs),
                max_discount_percent: settings.max_discount_percent,
            }),
            bus,
            access,
        })
    }

    pub fn store(&self) -> &SalesStore {
        &self.counter.store
    }

    pub fn relay(&self) -> Relay {
        Relay::new(
            SERVICE,
            events::sales::PUBLISHED,
            self.counter.store.db().clone(),
            self.bus.clone(),
        )
    }

    /// Forgets idempotency keys older than two days, hourly, until `shutdown`; one replica at a
    /// time.
    pub fn key_sweeper(
        &self,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let counter = self.counter.clone();
        let every = Duration::from_secs(3600);
        events::lease::one_replica_at_a_time(
            SERVICE,
            "key-sweeper",
            counter.store.db().clone(),
            every,
            shutdown,
            move || {
                let counter = counter.clone();
                async move {
                    if let Err(e) = counter.store.purge_keys(KEEP_KEYS_MS).await {
                        tracing::warn!(error = %e, "cannot purge old idempotency keys");
                    }
                    every
                }
            },
        )
    }

    pub fn router(&self) -> Router {
        let db = self.counter.store.db().clone();
        let bus = self.bus.clone();
        let counter = self.counter.clone();
        let readiness = web::Readiness::new()
            .check("database", move || {
                let db = db.clone();
                Box::pin(async move { db.ping().await.map_err(|e| e.to_string()) })
            })
            .check("events", move || {
                let bus = bus.clone();
                Box::pin(async move { bus.ping().await.map_err(|e| e.to_string()) })
            })
            .check("inventory", move || {
                let counter = counter.clone();
                Box::pin(async move {
                    if counter.upstreams.inventory.all_open() {
                        Err("circuit breaker open on every replica".to_owned())
                    } else {
                        Ok(())
                    }
                })
            });
        web::service_router(
            SERVICE,
            http::router(self.counter.clone()),
            readiness,
            &self.access,
        )
    }

    pub async fn close(&self) {
        self.counter.store.db().close().await;
    }
}
