//! Serving a router until shutdown, letting in-flight requests finish.

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
pub use tokio_util::sync::CancellationToken as Shutdown;

/// Serves `router` on `listener` until `shutdown` is cancelled, then stops accepting and
/// returns once the requests already in flight have been answered.
pub async fn serve(listener: TcpListener, router: Router, shutdown: Shutdown) -> std::io::Result<()> {
    // Reachable in-process for as long as the socket accepts requests.
    let in_process = crate::local::register(listener.local_addr()?, router.clone());
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.cancelled().await;
        drop(in_process);
    })
    .await
}

/// Listens for SIGTERM and SIGINT (Ctrl-C) from the moment it is called, and returns a future
/// that completes on the first of them. Call it before starting the services: a signal that
/// arrives while they start is then a graceful stop, not the default action (death).
///
/// Must be called inside a Tokio runtime.
#[cfg(unix)]
pub fn termination_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        match (terminate, interrupt) {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => tracing::info!("SIGTERM received; stopping"),
                    _ = interrupt.recv() => tracing::info!("interrupted; stopping"),
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot listen for termination signals; stop the process with SIGKILL");
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub fn termination_signal() -> impl Future<Output = ()> + Send + 'static {
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
