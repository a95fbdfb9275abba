//! `/api/v1/rmas`: warranty cases opened, moved on, noted and read.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inventory_api::rmas::{RmaInput, RmaListParams, RmaNoteInput, RmaPage, RmaStepInput, RmaView};
use kernel::serial::SerialNumber;
use web::{Actor, Json, Problem, Query, RequestId};

use super::{AppState, origin, views};
use crate::error::InventoryError;
use crate::store::rmas::RmaFilter;

pub async fn list(
    State(app): State<AppState>,
    Query(params): Query<RmaListParams>,
) -> Result<Json<RmaPage>, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let serial = params
        .serial
        .as_deref()
        .map(SerialNumber::parse)
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("serial {reason}")))?;
    let filter = RmaFilter {
        state: params.state,
        serial: serial.map(|s| s.to_string()),
    };
    let rows = app.rmas.list(&filter, before, limit + 1).await?;
    let (rows, next_cursor) = web::paging::cut(rows, limit, |c| c.number.to_string());
    Ok(Json(RmaPage {
        items: rows.iter().map(views::rma).collect(),
        next_cursor,
    }))
}

pub async fn open(
    State(app): State<AppState>,
    actor: Actor,
    request_id: RequestId,
    Json(input): Json<RmaInput>,
) -> Result<Response, InventoryError> {
    let case = app.rmas.open(&input, origin(&actor, request_id)).await?;
    let mut response = (StatusCode::CREATED, Json(views::rma(&case))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/rmas/{}", case.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn one(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RmaView>, InventoryError> {
    Ok(Json(views::rma(&app.rmas.get(&id).await?)))
}

pub async fn step(
    State(app): State<AppState>,
    actor: Actor,
    request_id: RequestId,
    Path(id): Path<String>,
    Json(input): Json<RmaStepInput>,
) -> Result<Json<RmaView>, InventoryError> {
    let case = app.rmas.step(&id, &input, origin(&actor, request_id)).await?;
    Ok(Json(views::rma(&case)))
}

pub async fn note(
    State(app): State<AppState>,
    actor: Actor,
    request_id: RequestId,
    Path(id): Path<String>,
    Json(input): Json<RmaNoteInput>,
) -> Result<Json<RmaView>, InventoryError> {
    let case = app.rmas.note(&id, &input, origin(&actor, request_id)).await?;
    Ok(Json(views::rma(&case)))
}
