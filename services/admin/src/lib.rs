//! The admin dashboard on port 3000: the shop's screens (overview, products, stock, point of
//! sale, sales, alerts, users) as a single-page app in plain JavaScript, compiled into the
//! binary, plus a pass-through of `/api/...` to the gateway.
//!
//! The dashboard has no API and no data of its own: the browser talks to the gateway through
//! this server, so the page, the API and the session cookie share one origin (no CORS to
//! configure, `SameSite=Strict` cookies just work), and the gateway alone decides who may do
//! what.
//!
//! # Layout
//! - [`assets`]: the embedded files, and `index.html` for every screen's address.
//! - [`passthrough`]: `/api/...` forwarded to the gateway as a stream (the live event stream
//!   too), naming the browser's address so the gateway's per-address limits still work.

pub mod assets;
pub mod passthrough;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use settings::Settings;

pub const SERVICE: &str = "admin";

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid gateway URL for the dashboard: {0}")]
    Gateway(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error(transparent)]
    Identity(#[from] web::identity::IdentityError),
}

pub struct Admin {
    gateway: Arc<passthrough::Gateway>,
    settings: Settings,
}

impl Admin {
    pub fn build(settings: &Settings) -> Result<Admin, BuildError> {
        let gateway = passthrough::Gateway::new(settings)?;
        tracing::info!(gateway = %gateway.bases(), "dashboard ready");
        Ok(Admin {
            gateway: Arc::new(gateway),
            settings: settings.clone(),
        })
    }

    pub fn router(&self) -> Router {
        let gateway = self.gateway.clone();
        let readiness = web::Readiness::new().check("gateway", move || {
            let gateway = gateway.clone();
            Box::pin(async move { gateway.check_health().await })
        });
        let api = Router::new()
            .merge(passthrough::router(self.gateway.clone()))
            .merge(assets::router());
        web::service_router(SERVICE, api, readiness, &web::Access::browser(&self.settings))
            .layer(axum::middleware::map_response(security_headers))
    }
}

/// What the browser may load and do on the dashboard's pages: only the dashboard's own
/// scripts, styles and connections, never inside a frame. Answers from the gateway keep
/// their own headers.
async fn security_headers(mut response: Response) -> Response {
    const HEADERS: [(HeaderName, &str); 5] = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
