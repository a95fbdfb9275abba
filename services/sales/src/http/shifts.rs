//! The shifts' HTTP routes under `/api/v1/shifts`, as the contract (`sales_api`) describes
//! them.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sales_api::shifts::{
    CashMovementInput, CloseInput, Shift, ShiftInput, ShiftListParams, ShiftPage, ShiftReport,
};
use web::{IdempotencyKey, Json, Problem, Query};

use super::{once_per_key, origin, shaped};
use crate::counter::Counter;
use crate::domain::shift::till_code;
use crate::error::SaleError;
use crate::store::shifts::ShiftFilter;

type AppState = Arc<Counter>;

pub fn router(counter: Arc<Counter>) -> Router {
    Router::new()
        .route("/api/v1/shifts", get(list).post(open))
        .route("/api/v1/shifts/{id}", get(one))
        .route("/api/v1/shifts/{id}/cash-movements", post(move_cash))
        .route("/api/v1/shifts/{id}/report", get(report))
        .route("/api/v1/shifts/{id}/close", post(close))
        .with_state(counter)
}

async fn open(
    State(counter): State<AppState>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    request_id: web::RequestId,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let input: ShiftInput = shaped(&body)?;
    once_per_key(&counter, key.as_ref(), &body, async |key| {
        let shift = counter
            .open_shift(&input, key, &origin(&actor, request_id))
            .await?;
        let mut response = (StatusCode::CREATED, Json(&shift)).into_response();
        if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/shifts/{}", shift.id)) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

async fn one(State(counter): State<AppState>, Path(id): Path<String>) -> Result<Json<Shift>, SaleError> {
    Ok(Json(counter.shift(&id).await?))
}

async fn list(
    State(counter): State<AppState>,
    Query(params): Query<ShiftListParams>,
) -> Result<Json<ShiftPage>, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let till = params
        .till
        .as_deref()
        .map(till_code)
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("till {reason}")))?;
    let filter = ShiftFilter {
        till,
        status: params.status,
        from_ms: super::instant(params.from.as_deref(), "from")?,
        to_ms: super::instant(params.to.as_deref(), "to")?,
    };
    let rows = counter.shifts(&filter, before, limit + 1).await?;
    let (items, next_cursor) = web::paging::cut(rows, limit, |shift| shift.number.to_string());
    Ok(Json(ShiftPage { items, next_cursor }))
}

async fn move_cash(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    request_id: web::RequestId,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let input: CashMovementInput = shaped(&body)?;
    once_per_key(&counter, key.as_ref(), &body, async |key| {
        let movement = counter
            .move_cash(&id, &input, key, &origin(&actor, request_id))
            .await?;
        Ok((StatusCode::CREATED, Json(&movement)).into_response())
    })
    .await
}

async fn report(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
) -> Result<Json<ShiftReport>, SaleError> {
    let role = actor.0.as_ref().map(|i| i.role.as_str());
    let may_see_open = matches!(role, Some("manager" | "admin" | "service"));
    Ok(Json(counter.shift_report(&id, may_see_open).await?))
}

async fn close(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    request_id: web::RequestId,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let input: CloseInput = shaped(&body)?;
    once_per_key(&counter, key.as_ref(), &body, async |key| {
        let report = counter
            .close_shift(&id, &input, key, &origin(&actor, request_id))
            .await?;
        Ok(Json(report).into_response())
    })
    .await
}
