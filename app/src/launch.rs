//! The composition root: the only place that knows every service.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use events::Bus;
use futures::future::BoxFuture;
use secrecy::ExposeSecret;
use settings::Settings;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use web::Shutdown;

use crate::targets::{Close, Context, TARGETS, Target, in_start_order};

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
    Reports(#[from] reports::BuildError),
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
    /// The targets in stop order (the reverse of their start order), each with the signal
    /// that stops its server.
    stop_order: Vec<(Target, Shutdown)>,
    servers: JoinSet<(Target, std::io::Result<()>)>,
    /// Outbox relays: stopped first after the servers have drained, so that the events of
    /// the last requests still leave while the consumers (in this process) still take them.
    relay_shutdown: Shutdown,
    relays: JoinSet<()>,
    /// Event consumers and housekeeping tasks, stopped after the relays.
    background: Shutdown,
    workers: JoinSet<()>,
    /// Closing each target's databases, last.
    closers: Vec<(Target, Close)>,
    grace: Duration,
}

/// Waits for `close` until `deadline` (or a second, if that has passed), and says so when it
/// gives up. A pool closes once every connection is back, so one still held (by a task this
/// process no longer tracks) must not keep the process from exiting on SIGTERM.
async fn close_by(deadline: tokio::time::Instant, target: Target, close: BoxFuture<'static, ()>) -> bool {
    let remaining = deadline
        .saturating_duration_since(tokio::time::Instant::now())
        .max(Duration::from_secs(1));
    let closed = tokio::time::timeout(remaining, close).await.is_ok();
    if !closed {
        tracing::error!(
            service = target.name(),
            "a database connection was still in use after the grace period; exiting without it"
        );
    }
    closed
}

/// The event transport of this process: RabbitMQ when configured, else the in-process bus,
/// which connects only the services running in this process.
fn event_bus(settings: &Settings) -> Bus {
    match &settings.amqp_url {
        Some(url) => Bus::rabbitmq_with(
            url.expose_secret(),
            &settings.event_exchange,
            settings.event_queue_expiry_secs.map(Duration::from_secs),
            settings.event_queue_type,
        ),
        None => Bus::in_process(),
    }
}

/// Binds every target's port, builds the services in start order and starts serving them.
///
/// Listeners are bound before anything is built so that port 0 (any free port, used by the
/// tests) works: a gateway started beside its services is pointed at their real ports.
pub async fn start(mut settings: Settings, targets: &BTreeSet<Target>) -> Result<Running, StartError> {
    // Installed before the services are built: they register their series at 0 as they are.
    web::health::metrics_handle();
    let every_target = TARGETS.iter().all(|t| targets.contains(&t.target));
    ensure_internal_secret(&mut settings, every_target)?;
    let chosen = in_start_order(targets);
    let mut listeners = Vec::new();
    for info in &chosen {
        let addr = SocketAddr::new(settings.host, (info.port)(&settings));
        let bind_error = |source| StartError::Bind {
            target: info.name,
            addr,
            source,
        };
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let bound = listener.local_addr().map_err(bind_error)?;
        if let Some(address) = info.address {
            address(&mut settings).get_or_insert_with(|| format!("http://{}", reachable(bound)));
        }
        listeners.push((info, listener, bound));
    }

    let mut cx = Context {
        bus: event_bus(&settings),
        settings,
        background: Shutdown::new(),
        shutdown: Shutdown::new(),
    };
    let mut workers = JoinSet::new();
    let mut relays = Vec::new();
    let mut closers = Vec::new();
    let mut servers = Vec::new();
    for (info, listener, addr) in listeners {
        cx.shutdown = Shutdown::new();
        let built = (info.build)(&cx).await?;
        relays.extend(built.relay);
        for worker in built.workers {
            workers.spawn(worker);
        }
        closers.extend(built.close.map(|close| (info.target, close)));
        servers.push((info.target, listener, addr, built.router, cx.shutdown.clone()));
    }
    let relay_shutdown = Shutdown::new();
    let mut relay_tasks = JoinSet::new();
    for relay in relays {
        relay_tasks.spawn(relay.run(relay_shutdown.clone()));
    }
    tracing::info!(events = cx.bus.kind(), "event transport ready");

    let mut serving = JoinSet::new();
    let mut addrs = BTreeMap::new();
    let mut stop_order = Vec::new();
    for (target, listener, addr, router, shutdown) in servers {
        tracing::info!(service = target.name(), %addr, "listening");
        let token = shutdown.clone();
        serving.spawn(async move { (target, web::serve(listener, router, token).await) });
        addrs.insert(target, addr);
        stop_order.insert(0, (target, shutdown));
    }
    Ok(Running {
        addrs,
        stop_order,
        servers: serving,
        relay_shutdown,
        relays: relay_tasks,
        background: cx.background,
        workers,
        closers,
        grace: Duration::from_secs(cx.settings.shutdown_grace_secs),
    })
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
    /// Targets stop one after another in the reverse of their start order: a target stops
    /// before the targets it calls, whose routes its in-flight requests still need.
    pub async fn stop(mut self) {
        let deadline = tokio::time::Instant::now() + self.grace;
        let mut stopped = BTreeSet::new();
        'targets: for (target, shutdown) in &self.stop_order {
            let target = *target;
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
        for (target, close) in self.closers {
            close_by(deadline, target, close()).await;
        }
        tracing::info!("stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_close_that_never_ends_is_given_up() {
        let deadline = tokio::time::Instant::now();
        assert!(!close_by(deadline, Target::Sales, Box::pin(std::future::pending())).await);
        assert!(close_by(deadline, Target::Sales, Box::pin(std::future::ready(()))).await);
    }
}
