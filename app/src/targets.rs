//! The services one process can run, in one static table (after Grafana Loki's modules). Each
//! entry knows its name and port, how other processes reach it, its database (to migrate and
//! back up), how to build it with what runs beside it, and which targets it calls. The table's
//! order is the start order, checked against those dependencies; processes stop in the
//! reverse order, so a target stops before the targets it calls.
//!
//! `serve --target catalog,gateway` picks from this table; `all` (the default) runs every one,
//! which is the embedded default. Infrastructure a service needs (its database pool, cache,
//! metrics recorder) is built by the service itself and is never a target.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Router;
use events::{Bus, Relay};
use futures::future::BoxFuture;
use secrecy::SecretString;
use settings::Settings;
use web::Shutdown;

use crate::launch::StartError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Catalog,
    Inventory,
    Sales,
    Reports,
    Gateway,
    Admin,
}

pub struct TargetInfo {
    pub target: Target,
    pub name: &'static str,
    pub description: &'static str,
    /// The targets whose routes this one calls while it serves requests: they start before
    /// it and stop after it. (Background calls that tolerate an absent target do not count.)
    pub depends_on: &'static [Target],
    pub port: fn(&Settings) -> u16,
    /// The setting through which other processes reach this target; when the configuration
    /// leaves it empty, it is filled with the address this process listens on.
    pub address: Option<fn(&mut Settings) -> &mut Option<String>>,
    pub database: Option<Database>,
    /// Builds the service and what runs beside it.
    pub build: for<'a> fn(&'a Context) -> BoxFuture<'a, Result<Built, StartError>>,
}

/// A target's own database.
pub struct Database {
    pub url: fn(&Settings) -> SecretString,
    /// Connects (creating an embedded database) and applies pending migrations.
    pub migrate: for<'a> fn(&'a Settings) -> BoxFuture<'a, Result<(), storage::DbError>>,
}

/// What a target is built with.
pub struct Context {
    pub settings: Settings,
    pub bus: Bus,
    /// Ends the consumers and housekeeping tasks, after the relays.
    pub background: Shutdown,
    /// Ends this target's server (and the gateway's live streams).
    pub shutdown: Shutdown,
}

/// A built target.
pub struct Built {
    pub router: Router,
    /// Publishes its outbox.
    pub relay: Option<Relay>,
    /// Event consumers (already subscribed) and housekeeping, until `Context::background`.
    pub workers: Vec<BoxFuture<'static, ()>>,
    /// Closes its database once everything has stopped.
    pub close: Option<Close>,
}

/// Closes a target's databases.
pub type Close = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

/// Every target, in start order.
pub const TARGETS: &[TargetInfo] = &[
    TargetInfo {
        target: Target::Catalog,
        name: "catalog",
        description: "product catalog service (default port 8001)",
        depends_on: &[],
        port: |s| s.catalog_port,
        address: Some(|s| &mut s.catalog_url),
        database: Some(Database {
            url: Settings::catalog_database_url,
            migrate: |s| {
                Box::pin(async move {
                    catalog::connect(s).await?.close().await;
                    Ok(())
                })
            },
        }),
        build: |cx| Box::pin(build_catalog(cx)),
    },
    TargetInfo {
        target: Target::Inventory,
        name: "inventory",
        description: "stock per SKU and location, ledger and alerts (default port 8002)",
        depends_on: &[],
        port: |s| s.inventory_port,
        address: Some(|s| &mut s.inventory_url),
        database: Some(Database {
            url: Settings::inventory_database_url,
            migrate: |s| {
                Box::pin(async move {
                    inventory::connect(s).await?.close().await;
                    Ok(())
                })
            },
        }),
        build: |cx| Box::pin(build_inventory(cx)),
    },
    TargetInfo {
        target: Target::Sales,
        name: "sales",
        description: "the counter: sales, voids, returns (default port 8003)",
        depends_on: &[Target::Catalog, Target::Inventory],
        port: |s| s.sales_port,
        address: Some(|s| &mut s.sales_url),
        database: Some(Database {
            url: Settings::sales_database_url,
            migrate: |s| {
                Box::pin(async move {
                    sales::connect(s).await?.close().await;
                    Ok(())
                })
            },
        }),
        build: |cx| Box::pin(build_sales(cx)),
    },
    TargetInfo {
        target: Target::Reports,
        name: "reports",
        description: "reports: rollups fed by the other services' events (default port 8004)",
        depends_on: &[],
        port: |s| s.reports_port,
        address: Some(|s| &mut s.reports_url),
        database: Some(Database {
            url: Settings::reports_database_url,
            migrate: |s| {
                Box::pin(async move {
                    reports::connect(s).await?.close().await;
                    Ok(())
                })
            },
        }),
        build: |cx| Box::pin(build_reports(cx)),
    },
    TargetInfo {
        target: Target::Gateway,
        name: "gateway",
        description: "API gateway: users and roles, rate limits, live events, API docs (default port 8000)",
        depends_on: &[Target::Catalog, Target::Inventory, Target::Sales, Target::Reports],
        port: |s| s.gateway_port,
        address: Some(|s| &mut s.gateway_url),
        database: Some(Database {
            url: Settings::gateway_database_url,
            migrate: |s| {
                Box::pin(async move {
                    gateway::connect(s).await?.close().await;
                    Ok(())
                })
            },
        }),
        build: |cx| Box::pin(build_gateway(cx)),
    },
    TargetInfo {
        target: Target::Admin,
        name: "admin",
        description: "admin dashboard in the browser, talking to the gateway (default port 3000)",
        depends_on: &[Target::Gateway],
        port: |s| s.admin_port,
        address: None,
        database: None,
        build: |cx| Box::pin(async move { build_admin(cx) }),
    },
];

async fn build_catalog(cx: &Context) -> Result<Built, StartError> {
    let catalog = Arc::new(catalog::Catalog::build(&cx.settings).await?);
    Ok(Built {
        router: catalog.router(&cx.bus),
        relay: Some(catalog.relay(cx.bus.clone())),
        workers: vec![Box::pin(catalog.search_indexer(cx.background.clone()))],
        close: Some(Box::new(move || Box::pin(async move { catalog.close().await }))),
    })
}

async fn build_inventory(cx: &Context) -> Result<Built, StartError> {
    let inventory = Arc::new(inventory::Inventory::build(&cx.settings, cx.bus.clone()).await?);
    // Subscribed before any relay runs, so the in-process bus misses nothing.
    let catalog_events = inventory.catalog_consumer().start(cx.background.clone()).await;
    let sales_events = inventory.sales_consumer().start(cx.background.clone()).await;
    Ok(Built {
        router: inventory.router(),
        relay: Some(inventory.relay()),
        workers: vec![
            Box::pin(catalog_events),
            Box::pin(sales_events),
            Box::pin(inventory.reservation_sweeper(cx.background.clone())),
            Box::pin(inventory.stock_gauges(cx.background.clone())),
            Box::pin(inventory.forecast_thresholds(cx.background.clone())),
        ],
        close: Some(Box::new(move || Box::pin(async move { inventory.close().await }))),
    })
}

async fn build_sales(cx: &Context) -> Result<Built, StartError> {
    let sales = Arc::new(sales::Sales::build(&cx.settings, cx.bus.clone()).await?);
    Ok(Built {
        router: sales.router(),
        relay: Some(sales.relay()),
        workers: vec![Box::pin(sales.key_sweeper(cx.background.clone()))],
        close: Some(Box::new(move || Box::pin(async move { sales.close().await }))),
    })
}

async fn build_reports(cx: &Context) -> Result<Built, StartError> {
    let reports = Arc::new(reports::ReportsService::build(&cx.settings, cx.bus.clone()).await?);
    // Subscribed before any relay runs, so the in-process bus misses nothing.
    let catalog_events = reports.catalog_consumer().start(cx.background.clone()).await;
    let sales_events = reports.sales_consumer().start(cx.background.clone()).await;
    Ok(Built {
        router: reports.router(),
        relay: None,
        workers: vec![Box::pin(catalog_events), Box::pin(sales_events)],
        close: Some(Box::new(move || Box::pin(async move { reports.close().await }))),
    })
}

async fn build_gateway(cx: &Context) -> Result<Built, StartError> {
    let gateway = Arc::new(gateway::Gateway::build(&cx.settings, cx.bus.clone()).await?);
    Ok(Built {
        router: gateway.router(cx.shutdown.clone()),
        relay: None,
        workers: vec![Box::pin(gateway.event_listener(cx.background.clone()))],
        close: Some(Box::new(move || Box::pin(async move { gateway.close().await }))),
    })
}

fn build_admin(cx: &Context) -> Result<Built, StartError> {
    Ok(Built {
        router: admin::Admin::build(&cx.settings)?.router(),
        relay: None,
        workers: Vec::new(),
        close: None,
    })
}

impl Target {
    pub fn info(self) -> &'static TargetInfo {
        TARGETS
            .iter()
            .find(|t| t.target == self)
            .expect("every target is in TARGETS")
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// The chosen targets in start order; stop them in the reverse.
pub fn in_start_order(chosen: &BTreeSet<Target>) -> Vec<&'static TargetInfo> {
    TARGETS.iter().filter(|t| chosen.contains(&t.target)).collect()
}

/// Parses `all` or a comma-separated list of target names.
pub fn parse_targets(list: &str) -> Result<BTreeSet<Target>, String> {
    let mut chosen = BTreeSet::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name.eq_ignore_ascii_case("all") {
            chosen.extend(TARGETS.iter().map(|t| t.target));
            continue;
        }
        let found = TARGETS.iter().find(|t| t.name.eq_ignore_ascii_case(name));
        match found {
            Some(info) => {
                chosen.insert(info.target);
            }
            None => {
                let known: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
                return Err(format!(
                    "unknown target {name:?}; choose `all` or any of: {}",
                    known.join(", ")
                ));
            }
        }
    }
    if chosen.is_empty() {
        return Err("no target given; choose `all` or a comma-separated list".to_owned());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_lists_and_rejects_unknown_names() {
        assert_eq!(parse_targets("all").unwrap().len(), TARGETS.len());
        assert_eq!(
            parse_targets("catalog, GATEWAY").unwrap(),
            BTreeSet::from([Target::Catalog, Target::Gateway])
        );
        assert_eq!(
            parse_targets("catalog").unwrap(),
            BTreeSet::from([Target::Catalog])
        );
        let err = parse_targets("catalog,warehouse").unwrap_err();
        assert!(err.contains("warehouse") && err.contains("gateway"), "{err}");
        assert!(parse_targets(" , ").is_err());
    }

    #[test]
    fn every_target_starts_after_and_stops_before_the_targets_it_calls() {
        for (position, info) in TARGETS.iter().enumerate() {
            for dependency in info.depends_on {
                let before = TARGETS[..position].iter().any(|t| t.target == *dependency);
                assert!(
                    before,
                    "{} calls {dependency:?}, which starts after it",
                    info.name
                );
            }
        }
        let chosen = BTreeSet::from([Target::Admin, Target::Sales, Target::Catalog]);
        let order: Vec<&str> = in_start_order(&chosen).iter().map(|t| t.name).collect();
        assert_eq!(order, ["catalog", "sales", "admin"]);
    }

    #[test]
    fn each_target_is_in_the_table_once_with_its_own_port_and_address() {
        let settings = Settings::default();
        let mut names = BTreeSet::new();
        let mut ports = BTreeSet::new();
        for info in TARGETS {
            assert!(names.insert(info.name) && ports.insert((info.port)(&settings)));
            assert_eq!(info.target.name(), info.name);
        }
        assert_eq!(names.len(), TARGETS.len());
    }
}
