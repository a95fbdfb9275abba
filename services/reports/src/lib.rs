//! The reporting service: what earns money, over any period, answered from daily rollups
//! rather than from the sales themselves, so a year of sales answers as fast as a day.
//!
//! The rollups are fed by the events the other services publish: every sale adds to its day,
//! location, SKU, staff member, payment methods and tax rates; every return and void takes
//! off on the day it happened; products and closed shifts are kept beside them. The inbox
//! applies each event exactly once, in the transaction that adds its figures.
//!
//! The routes and their OpenAPI description are the contract crate `reports_api`'s.
//!
//! # Layout
//! - [`domain`]: what each event adds to which rollups; no I/O.
//! - [`events`]: the consumer of the sales service's and the catalog's events.
//! - [`store`]: the SQL of the rollups, kept sales, products and shifts.
//! - [`reports`]: the use cases: a period checked, rollups summed into reports.
//! - [`stock`]: today's stock set against a window of sales: value, dead stock, ABC.
//! - [`sources`]: the services the reports ask (catalog, sales history, inventory).
//! - [`rebuild`]: the rollups recomputed from the catalog and the sales service's history.
//! - [`generate`]: a made-up history of sales for benchmarks and demonstrations.
//! - [`http`]: the routes, JSON or CSV.
//! - [`error`]: [`ReportsError`] and the problem each variant becomes.

pub mod domain;
pub mod error;
pub mod events;
pub mod generate;
pub mod http;
pub mod rebuild;
pub mod reports;
pub mod sources;
pub mod stock;
pub mod store;

use std::sync::Arc;

use ::events::{Bus, Consumer};
use axum::Router;
use secrecy::ExposeSecret;
use settings::{DatabaseKind, Settings};
use sqlx::migrate::Migrator;
use storage::Db;

pub use error::ReportsError;
pub use reports::Reports;

/// Name of this service in events, tables and metrics.
pub const SERVICE: &str = "reports";

pub fn migrator(kind: DatabaseKind) -> Migrator {
    let mut migrator = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::MySql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.dangerous_set_table_name("reports_schema_migrations");
    migrator
}

/// Connects to the reports' database and applies pending migrations.
pub async fn connect(settings: &Settings) -> Result<Db, storage::DbError> {
    let db = Db::connect(
        settings.reports_database_url().expose_secret(),
        settings.db_max_connections,
    )
    .await?;
    db.migrate(&migrator(db.kind())).await?;
    Ok(db)
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("reports database: {0}")]
    Database(#[from] storage::DbError),
    #[error(transparent)]
    Identity(#[from] web::identity::IdentityError),
    #[error(transparent)]
    Upstream(#[from] web::replicas::InvalidReplicas),
}

/// A ready-to-serve reporting service.
pub struct ReportsService {
    reports: Arc<Reports>,
    bus: Bus,
    exchange: String,
    max_attempts: u32,
    access: web::Access,
}

impl ReportsService {
    pub async fn build(settings: &Settings, bus: Bus) -> Result<ReportsService, BuildError> {
        let access = web::Access::service(settings)?;
        let sources = Arc::new(sources::Sources::new(
            web::Signer::from_settings(settings)?,
            &settings.catalog_upstream(),
            &settings.sales_upstream(),
            &settings.inventory_upstream(),
        )?);
        let db = connect(settings).await?;
        tracing::info!(
            database = %settings::redact_url(settings.reports_database_url().expose_secret()),
            events = bus.kind(),
            "reports ready"
        );
        Ok(ReportsService {
            reports: Arc::new(Reports::with_sources(db, sources)),
            bus,
            exchange: settings.event_exchange.clone(),
            max_attempts: settings.consumer_max_attempts,
            access,
        })
    }

    pub fn reports(&self) -> &Arc<Reports> {
        &self.reports
    }

    fn consumer(&self, queue_prefix: &str, types: &[&'static str]) -> Consumer {
        let db = self.reports.db().clone();
        Consumer::new(
            SERVICE,
            queue_prefix,
            types,
            db.clone(),
            self.bus.clone(),
            Arc::new(events::ReportEvents { engine: db.kind() }),
            self.max_attempts,
        )
    }

    /// Follows the sales service's events (sales, returns, voids, closed shifts).
    pub fn sales_consumer(&self) -> Consumer {
        self.consumer(&format!("{}.sales", self.exchange), &events::SALES_TYPES)
    }

    /// Follows the catalog's product events (names, categories, brands).
    pub fn catalog_consumer(&self) -> Consumer {
        self.consumer(&self.exchange, &events::CATALOG_TYPES)
    }

    pub fn router(&self) -> Router {
        let db = self.reports.db().clone();
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
        web::service_router(
            SERVICE,
            http::router(self.reports.clone()),
            readiness,
            &self.access,
        )
    }

    pub async fn close(&self) {
        self.reports.db().close().await;
    }
}
