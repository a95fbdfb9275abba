//! The counter's HTTP routes under `/api/v1/sales`, as the contract (`sales_api`) describes
//! them, the customers' ([`customers`]) and the shifts' ([`shifts`]), and both lists as CSV
//! ([`exports`]), and the event history a service may rebuild from ([`history`]). Handlers
//! take the request apart, call the [`Counter`] and answer; they decide nothing about sales.

pub mod customers;
pub mod exports;
pub mod history;
pub mod shifts;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sales_api::inputs::{ListParams, RefundInput, ReturnInput, SaleInput, SummaryParams};
use sales_api::views::{Sale, SalePage, Summary};
use serde::de::DeserializeOwned;
use storage::clock::{millis, now_ms};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use web::idempotency::{self, ScopedKey};
use web::{IdempotencyKey, Json, Problem, Query};

use crate::counter::Counter;
use crate::domain::{RefundDetails, SaleRequest, returned_lines};
use crate::error::SaleError;
use crate::store::{ListFilter, Origin};

type AppState = Arc<Counter>;

pub fn router(counter: Arc<Counter>) -> Router {
    Router::new()
        .route("/api/v1/sales", get(list).post(create))
        .route("/api/v1/sales/summary", get(summary))
        .route("/internal/v1/events", get(history::events))
        .route("/api/v1/sales/export.csv", get(exports::sales))
        .route("/api/v1/customers/export.csv", get(exports::customers))
        .route("/api/v1/sales/{id}", get(one))
        .route("/api/v1/sales/{id}/void", post(void))
        .route("/api/v1/sales/{id}/returns", post(take_return))
        .with_state(counter.clone())
        .merge(customers::router(counter.clone()))
        .merge(shifts::router(counter))
}

/// The signed-in user (from the gateway's identity) and the request id that follows the change.
fn origin(actor: &web::Actor, request_id: web::RequestId) -> Origin {
    Origin {
        actor: actor.name(),
        correlation_id: request_id.0,
    }
}

/// The body as `T`; 422 when its shape is wrong. The body is kept as JSON too: its canonical
/// text (serde_json keeps object keys sorted) is what an idempotency key is claimed for.
pub(super) fn shaped<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, Problem> {
    T::deserialize(body).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
            "The JSON body does not have the expected shape",
        )
        .detail(e.to_string())
    })
}

/// Claims the request's idempotency key, if it sent one; `Some` is the answer to give instead
/// of doing the work (the first answer replayed, or why the key cannot be used now).
/// Does `work` once per idempotency key: a retry with the key gets the first answer (the work
/// stores it with its own effect), and a failed attempt frees the key for the next, unless an
/// earlier attempt it took over from (after 10 s without an answer) committed meanwhile: then
/// that answer is the answer. `body` is what the key was sent with: the same key with another
/// body is refused.
pub(super) async fn once_per_key(
    counter: &Counter,
    key: Option<&ScopedKey>,
    body: &serde_json::Value,
    work: impl AsyncFnOnce(Option<&str>) -> Result<Response, SaleError>,
) -> Result<Response, Problem> {
    if let Some(key) = key {
        let claim = counter
            .store
            .claim(key.as_str(), &body.to_string())
            .await
            .map_err(SaleError::from)?;
        if let Some(answer) = idempotency::answer_instead(claim) {
            return Ok(answer);
        }
    }
    let key = key.map(ScopedKey::as_str);
    let result = work(key).await;
    if result.is_err()
        && let Some(key) = key
    {
        match counter.store.after_failure(key).await {
            Ok(answered) => {
                if let Some(answer) = answered.and_then(idempotency::answer_instead) {
                    return Ok(answer);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not release an idempotency key"),
        }
    }
    Ok(result?)
}

async fn create(
    State(counter): State<AppState>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    request_id: web::RequestId,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let request = SaleRequest::parse(shaped::<SaleInput>(&body)?).map_err(SaleError::Validation)?;
    once_per_key(&counter, key.as_ref(), &body, async |key| {
        let sale = counter
            .sell(&request, actor.approver(), key, &origin(&actor, request_id))
            .await?;
        let mut response = (StatusCode::CREATED, Json(&sale)).into_response();
        if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/sales/{}", sale.id)) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

async fn one(State(counter): State<AppState>, Path(id): Path<String>) -> Result<Json<Sale>, SaleError> {
    Ok(Json(counter.get(&id).await?))
}

/// A void's body is optional (why, how the money goes back, the shift): none is a void for
/// no stated reason, refunded by the method that paid the most. With an `Idempotency-Key`, a
/// retry gets the first answer: a void whose answer was lost is not refused as "already voided".
async fn void(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    request_id: web::RequestId,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let body: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            Problem::bad_request("invalid-json", "The body is not valid JSON").detail(e.to_string())
        })?
    };
    let input: RefundInput = if body.is_null() {
        RefundInput::default()
    } else {
        shaped(&body)?
    };
    let details = RefundDetails::parse(&input).map_err(SaleError::Validation)?;
    once_per_key(&counter, key.as_ref(), &body, async |key| {
        let sale = counter
            .void(&id, &details, key, (&actor, &origin(&actor, request_id)))
            .await?;
        Ok(Json(sale).into_response())
    })
    .await
}

async fn take_return(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    request_id: web::RequestId,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let input = shaped::<ReturnInput>(&body)?;
    let returned = returned_lines(&input).map_err(SaleError::Validation)?;
    let details = RefundDetails::parse(&input.refund()).map_err(SaleError::Validation)?;
    once_per_key(&counter, key.as_ref(), &body, async |key| {
        let sale = counter
            .return_lines(
                &id,
                &returned,
                &details,
                key,
                (&actor, &origin(&actor, request_id)),
            )
            .await?;
        Ok(Json(sale).into_response())
    })
    .await
}

/// A time named in a query, as epoch milliseconds; 400 unless RFC 3339.
pub(super) fn instant(raw: Option<&str>, name: &str) -> Result<Option<i64>, Problem> {
    raw.map(|raw| {
        OffsetDateTime::parse(raw, &Rfc3339).map(millis).map_err(|_| {
            Problem::bad_request(
                "invalid-query",
                format!("{name} must be an RFC 3339 time such as 2026-11-25T00:00:00Z"),
            )
        })
    })
    .transpose()
}

async fn list(
    State(counter): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<SalePage>, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let sku = params
        .sku
        .as_deref()
        .map(kernel::Sku::parse)
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("sku {reason}")))?;
    let filter = ListFilter {
        from_ms: instant(params.from.as_deref(), "from")?,
        to_ms: instant(params.to.as_deref(), "to")?,
        sku: sku.map(kernel::Sku::into_string),
        payment_method: params.payment_method,
        status: params.status,
        customer_id: None,
    };
    let rows = counter.list(&filter, before, limit + 1).await?;
    let (items, next_cursor) = web::paging::cut(rows, limit, |sale| sale.receipt_number.to_string());
    Ok(Json(SalePage { items, next_cursor }))
}

async fn summary(
    State(counter): State<AppState>,
    Query(params): Query<SummaryParams>,
) -> Result<Json<Summary>, Problem> {
    let to = instant(params.to.as_deref(), "to")?.unwrap_or(now_ms() + 1);
    let from = instant(params.from.as_deref(), "from")?.unwrap_or(to - 30 * 86_400_000);
    Ok(Json(counter.summary(from, to).await?))
}
