//! The API gateway: the single entry point for clients. It authenticates callers, applies
//! the role policy and the rate limits, forwards `/api/v1/...` to the service that owns the
//! resource with the caller's identity signed for it, streams live events, and serves the API
//! documentation.
//!
//! # Layout
//! - [`auth`]: users, roles, sessions, API tokens, login lockout; the guard middleware.
//! - [`client`]: the client's address, also when the admin dashboard passes requests on.
//! - [`policy`]: the least role each request needs.
//! - [`ratelimit`]: limits per user/token and per client address (in memory or in Redis).
//! - [`routes`]: the routing table, which upstream serves which path.
//! - [`proxy`]: forwarding one request to an upstream: timeout, breaker, safe retries.
//! - [`stream`]: `/api/v1/events/stream`, Server-Sent Events from the event bus.
//! - [`docs`]: `/api/openapi.json` (generated from the services' code) and Swagger UI at
//!   `/api/docs`, served from assets compiled into the binary.

pub mod auth;
pub mod client;
pub mod docs;
pub mod policy;
pub mod proxy;
pub mod ratelimit;
pub mod routes;
pub mod stream;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use secrecy::ExposeSecret;
use settings::{DatabaseKind, Settings};
use sqlx::migrate::Migrator;
use storage::Db;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use web::Shutdown;

pub use proxy::Upstream;

pub const SERVICE: &str = "gateway";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid upstream URL for {name}: {reason}")]
    Upstream { name: &'static str, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error("gateway database: {0}")]
    Database(#[from] storage::DbError),
    #[error(transparent)]
    Bootstrap(#[from] auth::BootstrapError),
    #[error(transparent)]
    Identity(#[from] web::identity::IdentityError),
    #[error(transparent)]
    RateLimit(#[from] ratelimit::LimiterError),
}

/// The gateway's migrations for `kind`.
pub fn migrator(kind: DatabaseKind) -> Migrator {
    let mut migrator = match kind {
        DatabaseKind::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        DatabaseKind::MySql => sqlx::migrate!("./migrations/mysql"),
    };
    migrator.dangerous_set_table_name("gateway_schema_migrations");
    migrator
}

/// Connects to the gateway's database and applies pending migrations.
pub async fn connect(settings: &Settings) -> Result<Db, storage::DbError> {
    let db = Db::connect(
        settings.gateway_database_url().expose_secret(),
        settings.db_max_connections,
    )
    .await?;
    db.migrate(&migrator(db.kind())).await?;
    Ok(db)
}

pub struct Gateway {
    upstreams: Vec<Arc<Upstream>>,
    auth: Arc<auth::Auth>,
    limiter: Arc<ratelimit::RateLimiter>,
    feed: Arc<stream::Feed>,
    bus: events::Bus,
    /// Checks the admin dashboard's proxy credential.
    signer: web::Signer,
    settings: Settings,
}

impl Gateway {
    /// Connects to its database, creates the first admin on first start, and prepares the
    /// routes to the services.
    pub async fn build(settings: &Settings, bus: events::Bus) -> Result<Gateway, BuildError> {
        let signer = web::Signer::from_settings(settings)?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.upstream_timeout_ms))
            .connect_timeout(Duration::from_millis(settings.upstream_timeout_ms.min(2_000)))
            .pool_idle_timeout(Duration::from_secs(30))
            // Upstream redirects are the client's business, not ours to follow.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let upstream = |name: &'static str, base: String| {
            Upstream::new(
                name,
                &base,
                client.clone(),
                Duration::from_millis(settings.upstream_timeout_ms),
                settings.max_body_bytes,
                signer.clone(),
            )
            .map(Arc::new)
        };
        let upstreams = vec![
            upstream("catalog", settings.catalog_upstream())?,
            upstream("inventory", settings.inventory_upstream())?,
            upstream("sales", settings.sales_upstream())?,
            upstream("reports", settings.reports_upstream())?,
        ];
        let db = connect(settings).await?;
        let auth = auth::Auth::new(auth::store::AuthStore::new(db), settings);
        auth.bootstrap(settings.admin_password.as_ref()).await?;
        let limiter = ratelimit::RateLimiter::new(settings)?;
        // The series exist from start-up, so the first failure after a restart shows in rates.
        for attempt in auth::Attempt::ALL {
            metrics::counter!("auth_login_failures_total", "attempt" => attempt.as_str()).increment(0);
        }
        metrics::counter!("auth_logins_total").increment(0);
        tracing::info!(
            database = %settings::redact_url(settings.gateway_database_url().expose_secret()),
            rate_limits = limiter.kind(),
            "gateway ready"
        );
        Ok(Gateway {
            upstreams,
            auth: Arc::new(auth),
            limiter: Arc::new(limiter),
            feed: Arc::new(stream::Feed::new(settings.stream_replay_events)),
            bus,
            signer,
            settings: settings.clone(),
        })
    }

    /// Listens to the event bus for the live stream until `shutdown`.
    pub fn event_listener(&self, shutdown: Shutdown) -> impl Future<Output = ()> + Send + 'static {
        self.feed.clone().run(self.bus.clone(), shutdown)
    }

    pub async fn close(&self) {
        self.auth.store().db().close().await;
    }

    /// Every route; open event streams end when `shutdown` is cancelled.
    pub fn router(&self, shutdown: Shutdown) -> Router {
        let mut readiness = web::Readiness::new();
        let db = self.auth.store().db().clone();
        readiness = readiness.check("database", move || {
            let db = db.clone();
            Box::pin(async move { db.ping().await.map_err(|e| e.to_string()) })
        });
        for upstream in &self.upstreams {
            let upstream = upstream.clone();
            let name = upstream.name();
            let check = move || -> futures::future::BoxFuture<'static, Result<(), String>> {
                let upstream = upstream.clone();
                Box::pin(async move { upstream.check_health().await })
            };
            // The counter goes on while the reports are down: only their routes answer 502.
            readiness = if name == "reports" {
                readiness.optional(name, check)
            } else {
                readiness.check(name, check)
            };
        }
        let guard = Arc::new(auth::guard::Guard {
            auth: self.auth.clone(),
            limiter: self.limiter.clone(),
            max_body_bytes: self.settings.max_body_bytes,
        });
        let streams = Arc::new(stream::StreamState {
            feed: self.feed.clone(),
            auth: self.auth.clone(),
            heartbeat: Duration::from_secs(self.settings.stream_heartbeat_secs),
            shutdown,
        });
        let guarded = routes::router(&self.upstreams)
            .merge(auth::api::router(self.auth.clone()))
            .merge(stream::router(streams))
            .layer(axum::middleware::from_fn_with_state(guard, auth::guard::guard))
            .layer(axum::middleware::from_fn_with_state(
                self.signer.clone(),
                client::resolve,
            ));
        let api = Router::new()
            .route("/", axum::routing::get(routes::index))
            .merge(guarded)
            .merge(docs::router());
        let router = web::service_router(SERVICE, api, readiness, &web::Access::gateway(&self.settings));
        security_headers(cors(router, &self.settings.cors_allowed_origins))
    }
}

/// Cross-origin access for the configured origins only, credentials included (the admin UI
/// may be served from another origin).
fn cors(router: Router, origins: &[String]) -> Router {
    if origins.is_empty() {
        return router;
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| o.trim_end_matches('/').parse().ok())
        .collect();
    router.layer(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::PUT,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static(auth::CSRF_HEADER),
                HeaderName::from_static("last-event-id"),
                HeaderName::from_static("x-request-id"),
            ])
            .expose_headers([
                header::ETAG,
                header::RETRY_AFTER,
                HeaderName::from_static("x-request-id"),
            ])
            .max_age(Duration::from_secs(600)),
    )
}

/// Headers that make browsers handle API answers safely: no MIME sniffing, no framing, no
/// referrer leaks. The docs page needs its own scripts and styles, so the content policy
/// allows the gateway's origin and nothing else.
fn security_headers(router: Router) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}
