//! `/api/v1/locations`: where stock is kept.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory_api::inputs::{LocationInput, LocationPatch};
use inventory_api::views::{LocationList, LocationView};
use web::Json;

use super::{AppState, views};
use crate::error::InventoryError;

pub async fn list(State(app): State<AppState>) -> Result<Json<LocationList>, InventoryError> {
    let items = app
        .locations
        .all()
        .await?
        .into_iter()
        .map(views::location)
        .collect();
    Ok(Json(LocationList { items }))
}

pub async fn create(
    State(app): State<AppState>,
    Json(input): Json<LocationInput>,
) -> Result<Response, InventoryError> {
    let location = app.locations.create(&input).await?;
    Ok((StatusCode::CREATED, Json(views::location(location))).into_response())
}

pub async fn update(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Json(patch): Json<LocationPatch>,
) -> Result<Json<LocationView>, InventoryError> {
    Ok(Json(views::location(app.locations.update(&code, &patch).await?)))
}
