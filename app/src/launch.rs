//! The composition root: the only place that knows every service.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use events::Bus;
use secrecy::ExposeSecret;
use settings::Settings;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use web::Shutdown;

use crate::targets::Target;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr} for {target}: {source}")]
    Bind {
        target: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Catalog(#[from] catalog::BuildError),
    #[error(transparent)]
    Inventory(#[from] inventory::BuildError),
    #[error(transparent)]
    Sales(#[from] sales::BuildError),
    #[error(transparent)]
    Gateway(#[from] gateway::BuildError),
    #[error(transparent)]
    Admin(#[from] admin::BuildError),
    #[error("invalid configuration: internal_secret (environment variable INVENTORY_INTERNAL_SECRET): {0}")]
    InternalSecret(&'static str),
}

/// Makes sure the services can trust each other's calls. One process running every service
/// may make up its own secret (nothing outside it needs to know it); services in separate
/// processes must share the configured one, or they would refuse each other.
pub fn ensure_internal_secret(settings: &mut Settings, one_process: bool) -> Result<(), StartError> {
    if settings.internal_secret.is_some() {
        return Ok(());
    }
    if !one_process {
        return Err(StartError::InternalSecret(
            "must be set, to the same value in every process, when services run in separate processes \
             (e.g. `openssl rand -hex 32`)",
        ));
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| StartError::InternalSecret("no randomness to make one"))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    settings.internal_secret = Some(secret.into());
    Ok(())
}

/// Services being served by this process.
pub struct Running {
    addrs: BTreeMap<Target, SocketAddr>,
    /// One shutdown signal per target, so targets can be stopped in order.
    shutdowns: BTreeMap<Target, Shutdown>,
    servers: JoinSet<(Target, std::io::Result<()>)>,
    /// Outbox relays: stopped first after the servers have drained, so that the events of
    /// the last requests still leave while the consumers (in this process) still take them.
    relay_shutdown: Shutdown,
    relays: JoinSet<()>,
    /// Event consumers and housekeeping tasks, stopped after the relays.
    background: Shutdown,
    workers: JoinSet<()>,
    catalog: Option<catalog::Catalog>,
    inventory: Option<inventory::Inventory>,
    sales: Option<sales::Sales>,
    gateway: Option<gateway::Gateway>,
    grace: Duration,
}

/// The event transport of this process: RabbitMQ when configured, else the in-process bus,
/// which connects only the services running in this process.
fn event_bus(settings: &Settings) -> Bus {
    match &settings.amqp_url {
        Some(url) => Bus::rabbitmq_with_queue_expiry(
            url.expose_secret(),
            &settings.event_exchange,
            settings.event_queue_expiry_secs.map(Duration::from_secs),
        ),
        None => Bus::in_process(),
    }
}

/// Binds every target's port, builds the services and starts serving them.
///
/// Listeners are bound before anything is built so that port 0 (any free port, used by the
/// tests) works: a gateway started beside its services is pointed at their real ports.
pub async fn start(mut settings: Settings, targets: &BTreeSet<Target>) -> Result<Running, StartError> {
    let every_target = crate::targets::TARGETS
        .iter()
        .all(|t| targets.contains(&t.target));
    ensure_internal_secret(&mut settings, every_target)?;
    let mut listeners = BTreeMap::new();
    for &target in targets {
        let addr = SocketAddr::new(settings.host, port_of(&settings, target));
        let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Bind {
            target: target.name(),
            addr,
            source,
        })?;
        let bound = listener.local_addr().map_err(|source| StartError::Bind {
            target: target.name(),
            addr,
            source,
        })?;
        listeners.insert(target, (listener, bound));
    }
    if let Some((_, addr)) = listeners.get(&Target::Catalog)
        && settings.catalog_url.is_none()
    {
        settings.catalog_url = Some(format!("http://{}", reachable(*addr)));
    }
    if let Some((_, addr)) = listeners.get(&Target::Inventory)
        && settings.inventory_url.is_none()
    {
        settings.inventory_url = Some(format!("http://{}", reachable(*addr)));
    }
    if let Some((_, addr)) = listeners.get(&Target::Sales)
        && settings.sales_url.is_none()
    {
        settings.sales_url = Some(format!("http://{}", reachable(*addr)));
    }
    if let Some((_, addr)) = listeners.get(&Target::Gateway)
        && settings.gateway_url.is_none()
    {
        settings.gateway_url = Some(format!("http://{}", reachable(*addr)));
    }

    let bus = event_bus(&settings);
    let background = Shutdown::new();
    let mut workers = JoinSet::new();
    let mut routers = BTreeMap::new();
    let mut relays = Vec::new();
    let mut catalog = None;
    let mut inventory = None;
    let mut sales = None;
    let mut gateway = None;
    // One per target, so targets can be stopped in order; made before the routers because
    // the gateway's live streams end on its own.
    let shutdowns: BTreeMap<Target, Shutdown> = listeners.keys().map(|&t| (t, Shutdown::new())).collect();
    for &target in listeners.keys() {
        let router = match target {
            Target::Catalog => {
                let built = catalog::Catalog::build(&settings).await?;
                relays.push(built.relay(bus.clone()));
                let router = built.router(&bus);
                catalog = Some(built);
                router
            }
            Target::Inventory => {
                let built = inventory::Inventory::build(&settings, bus.clone()).await?;
                // Subscribed before any relay runs, so the in-process bus misses nothing.
                let consumer = built.catalog_consumer().start(background.clone()).await;
                workers.spawn(consumer);
                let consumer = built.sales_consumer().start(background.clone()).await;
                workers.spawn(consumer);
                workers.spawn(built.reservation_sweeper(background.clone()));
                workers.spawn(built.stock_gauges(background.clone()));
                relays.push(built.relay());
                let router = built.router();
                inventory = Some(built);
                router
            }
            Target::Sales => {
                let built = sales::Sales::build(&settings, bus.clone()).await?;
                relays.push(built.relay());
                workers.spawn(built.key_sweeper(background.clone()));
                let router = built.router();
                sales = Some(built);
                router
            }
            Target::Gateway => {
                let built = gateway::Gateway::build(&settings, bus.clone()).await?;
                workers.spawn(built.event_listener(background.clone()));
                let router = built.router(shutdowns[&target].clone());
                gateway = Some(built);
                router
            }
            Target::Admin => admin::Admin::build(&settings)?.router(),
        };
        routers.insert(target, router);
    }
    let relay_shutdown = Shutdown::new();
    let mut relay_tasks = JoinSet::new();
    for relay in relays {
        relay_tasks.spawn(relay.run(relay_shutdown.clone()));
    }
    tracing::info!(events = bus.kind(), "event transport ready");

    let mut servers = JoinSet::new();
    let mut addrs = BTreeMap::new();
    for (target, (listener, addr)) in listeners {
        let router = routers.remove(&target).expect("every target was built");
        tracing::info!(service = target.name(), %addr, "listening");
        let token = shutdowns[&target].clone();
        servers.spawn(async move { (target, web::serve(listener, router, token).await) });
        addrs.insert(target, addr);
    }
    Ok(Running {
        addrs,
        shutdowns,
        servers,
        relay_shutdown,
        relays: relay_tasks,
        background,
        workers,
        catalog,
        inventory,
        sales,
        gateway,
        grace: Duration::from_secs(settings.shutdown_grace_secs),
    })
}

/// The port a target listens on.
/// The port `target` listens on with these settings.
pub fn port_of(settings: &Settings, target: Target) -> u16 {
    match target {
        Target::Catalog => settings.catalog_port,
        Target::Inventory => settings.inventory_port,
        Target::Sales => settings.sales_port,
        Target::Gateway => settings.gateway_port,
        Target::Admin => settings.admin_port,
    }
}

/// An address other local processes can connect to (a wildcard bind is reached on loopback).
fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

impl Running {
    pub fn addr(&self, target: Target) -> Option<SocketAddr> {
        self.addrs.get(&target).copied()
    }

    /// `http://host:port` of a running target.
    pub fn url(&self, target: Target) -> Option<String> {
        self.addr(target).map(|a| format!("http://{}", reachable(a)))
    }

    /// Serves until `stop` completes or a server fails, then shuts down gracefully.
    pub async fn run_until(mut self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let failed = tokio::select! {
            () = stop => None,
            Some(joined) = self.servers.join_next() => Some(joined),
        };
        let result = match failed {
            Some(Ok((target, Err(e)))) => {
                tracing::error!(service = target.name(), error = %e, "server failed; stopping");
                Err(e)
            }
            Some(Err(e)) => Err(std::io::Error::other(e)),
            _ => Ok(()),
        };
        self.stop().await;
        result
    }

    /// Stops accepting connections, lets in-flight requests finish (up to the grace period)
    /// and closes the databases.
    ///
    /// Targets stop one after another, the gateway first (`Target` orders services before
    /// the gateway that routes to them): requests the gateway is still forwarding need the
    /// services behind it to be serving until it has drained.
    pub async fn stop(mut self) {
        let deadline = tokio::time::Instant::now() + self.grace;
        let mut stopped = BTreeSet::new();
        'targets: for (&target, shutdown) in self.shutdowns.iter().rev() {
            shutdown.cancel();
            while !stopped.contains(&target) {
                match tokio::time::timeout_at(deadline, self.servers.join_next()).await {
                    Ok(Some(Ok((done, _)))) => {
                        stopped.insert(done);
                    }
                    // A server task that panicked: nothing left to wait for from it.
                    Ok(Some(Err(_))) => {}
                    Ok(None) => break 'targets,
                    Err(_) => {
                        tracing::warn!(
                            grace_secs = self.grace.as_secs(),
                            "requests still running after the grace period; aborting them"
                        );
                        self.servers.abort_all();
                        break 'targets;
                    }
                }
            }
        }
        // The servers are done; the relays publish what the last requests wrote while the
        // consumers still run, then the consumers finish what they hold.
        for (token, tasks) in [
            (&self.relay_shutdown, &mut self.relays),
            (&self.background, &mut self.workers),
        ] {
            token.cancel();
            let remaining = deadline
                .saturating_duration_since(tokio::time::Instant::now())
                .max(Duration::from_secs(1));
            if tokio::time::timeout(remaining, async { while tasks.join_next().await.is_some() {} })
                .await
                .is_err()
            {
                tasks.abort_all();
            }
        }
        if let Some(catalog) = &self.catalog {
            catalog.close().await;
        }
        if let Some(inventory) = &self.inventory {
            inventory.close().await;
        }
        if let Some(sales) = &self.sales {
            sales.close().await;
        }
        if let Some(gateway) = &self.gateway {
            gateway.close().await;
        }
        tracing::info!("stopped");
    }
}
