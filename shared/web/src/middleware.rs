//! The middleware stack every service shares.

use std::any::Any;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Instrument, Level};

use crate::Problem;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    /// The id of the request being served, for calls made while serving it.
    static CURRENT_REQUEST_ID: String;
}

/// The request's id (`X-Request-Id`, kept from the client or made by the middleware), to carry
/// on to the events the request causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestIdHeader(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestIdHeader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(RequestIdHeader(
            parts
                .headers
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        ))
    }
}

/// The id of the request this task is serving, if any: a service calling another passes it
/// on in `X-Request-Id`, so one sale can be followed through every service's logs.
pub fn current_request_id() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
}

/// `request` with the served request's id in `X-Request-Id`, when this task serves one.
pub fn passing_request_id(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    match current_request_id() {
        Some(id) => request.header(REQUEST_ID, id),
        None => request,
    }
}

/// Adds, outermost first: request id (kept from the client or generated) echoed on the
/// response, a tracing span carrying it, panics turned into 500 problems, request metrics,
/// stray error responses turned into problems, and the request body limit.
pub fn apply(router: Router, service: &'static str, max_body_bytes: usize) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(move |request: &Request| {
            let request_id = request
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or_default();
            tracing::info_span!(
                "request",
                service,
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %request_id,
            )
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        .on_failure(());
    router
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::map_response(problem_for_stray_errors))
        .layer(middleware::from_fn(move |req, next| {
            track_request(service, req, next)
        }))
        .layer(middleware::from_fn(with_request_id))
        .layer(
            ServiceBuilder::new()
                .layer(middleware::map_request(drop_unusable_request_id))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(trace)
                .layer(CatchPanicLayer::custom(panic_problem)),
        )
}

/// The longest request id taken from a client; longer ones are replaced.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// Whether a client's `X-Request-Id` may be kept, echoed and logged: 1 to
/// [`MAX_REQUEST_ID_LEN`] visible ASCII characters.
fn usable_request_id(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len()) && id.iter().all(u8::is_ascii_graphic)
}

/// Removes a request id the client made up that is too long or not plain visible ASCII, so
/// that a new one is made for the request instead: ids go into every log line and onto every
/// event.
async fn drop_unusable_request_id(mut request: Request) -> Request {
    let usable = request
        .headers()
        .get_all(&REQUEST_ID)
        .iter()
        .map(|id| usable_request_id(id.as_bytes()))
        .collect::<Vec<bool>>();
    if usable != [true] && !usable.is_empty() {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// The fallback of every router: a 404 problem naming what was asked for.
pub async fn unknown_route(request: Request) -> Problem {
    Problem::not_found(format!(
        "There is no {} {} here.",
        request.method(),
        request.uri().path()
    ))
}

/// Runs the rest of the stack with the request's id as [`current_request_id`], on a task of
/// its own and in the request's span. A client
/// that goes away drops only the wait for the answer: the handler runs to its end, so no
/// database statement is cut off halfway. (A MySQL connection of sqlx dropped with rows still
/// unread can stay checked out of its pool for good: a few cut-off 30-day summaries kept a
/// server from exiting.)
async fn with_request_id(request: Request, next: Next) -> Response {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned);
    let served = next.run(request);
    let task = match id {
        Some(id) => tokio::spawn(CURRENT_REQUEST_ID.scope(id, served).in_current_span()),
        None => tokio::spawn(served.in_current_span()),
    };
    match task.await {
        Ok(response) => response,
        // Panics reach the panic layer as before; a task is cancelled only by a runtime
        // shutting down.
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => Problem::unavailable("the server is shutting down").into_response(),
        },
    }
}

/// Counts every request and records its latency by service, route template, method and status.
async fn track_request(service: &'static str, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    // The route template (`/api/v1/products/{sku}`), never the raw path: raw paths would give
    // every SKU its own time series.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let labels = [
        ("service", service.to_owned()),
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Error responses made outside our handlers (axum's 405, a body-limit 413) get a problem
/// body too, so every error a client sees has the same shape.
async fn problem_for_stray_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(crate::problem::CONTENT_TYPE.as_bytes()));
    if is_problem {
        return response;
    }
    let problem = if status == StatusCode::PAYLOAD_TOO_LARGE {
        crate::extract::payload_too_large()
    } else {
        Problem::from_status(status)
    };
    let (mut parts, _) = response.into_parts();
    let problem_response = problem.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(crate::problem::CONTENT_TYPE),
    );
    let (_, body) = problem_response.into_parts();
    Response::from_parts(parts, body)
}

fn panic_problem(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("non-string panic payload");
    tracing::error!(panic = message, "request handler panicked");
    Problem::internal().into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use axum::routing::get;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_handler_runs_to_its_end_when_its_client_goes_away() {
        let (started, finished) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let (on_start, on_finish) = (started.clone(), finished.clone());
        let router = Router::new().route(
            "/slow",
            get(move || async move {
                on_start.notify_one();
                tokio::time::sleep(Duration::from_millis(50)).await;
                on_finish.notify_one();
                current_request_id().unwrap_or_default()
            }),
        );
        let app = apply(router, "test", 1024);
        let call = tokio::spawn(
            app.clone()
                .oneshot(Request::get("/slow").body(Body::empty()).unwrap()),
        );
        started.notified().await;
        // The client gives up: its request future is dropped mid-handler.
        call.abort();
        tokio::time::timeout(Duration::from_secs(10), finished.notified())
            .await
            .expect("the handler ran to its end");

        // Its id still reaches the handler, and panics are still 500 problems.
        let answer = app
            .clone()
            .oneshot(
                Request::get("/slow")
                    .header(REQUEST_ID, "till-1/7")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let body = axum::body::to_bytes(answer.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"till-1/7");
        async fn boom() -> &'static str {
            panic!("boom")
        }
        let panicking = apply(Router::new().route("/boom", get(boom)), "test", 1024);
        let answer = panicking
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn only_short_visible_ascii_request_ids_are_kept() {
        assert!(usable_request_id(b"till-3/0001"));
        assert!(usable_request_id(&[b'a'; MAX_REQUEST_ID_LEN]));
        assert!(!usable_request_id(&[b'a'; MAX_REQUEST_ID_LEN + 1]));
        assert!(!usable_request_id(b""));
        assert!(!usable_request_id(b"with space"));
        assert!(!usable_request_id("caf\u{e9}".as_bytes()));
    }
}
