//! `/api/v1/suppliers` and `/api/v1/inventory/{sku}/suppliers`: who the shop buys from; and
//! `/api/v1/reorder-suggestions`: what to buy from them now.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inventory_api::reorder::{ReorderParams, ReorderSuggestions, ThresholdRefresh};
use inventory_api::suppliers::{
    Supplier, SupplierInput, SupplierItemList, SupplierItemsInput, SupplierList, SupplierListParams,
    SupplierPatch,
};
use web::{Json, Problem, Query};

use super::AppState;
use crate::error::InventoryError;

pub async fn list(
    State(app): State<AppState>,
    Query(params): Query<SupplierListParams>,
) -> Result<Json<SupplierList>, Problem> {
    let text = params
        .q
        .as_deref()
        .map(|q| kernel::text::line(q, 100))
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("q {reason}")))?
        .flatten();
    let items = app
        .suppliers
        .list(text.as_deref(), params.archived.unwrap_or(false))
        .await?;
    Ok(Json(SupplierList { items }))
}

pub async fn create(
    State(app): State<AppState>,
    Json(input): Json<SupplierInput>,
) -> Result<Response, InventoryError> {
    let supplier = app.suppliers.create(&input).await?;
    let mut response = (StatusCode::CREATED, Json(&supplier)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/suppliers/{}", supplier.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn one(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Supplier>, InventoryError> {
    Ok(Json(app.suppliers.get(&id).await?))
}

pub async fn change(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Json(patch): Json<SupplierPatch>,
) -> Result<Json<Supplier>, InventoryError> {
    Ok(Json(app.suppliers.change(&id, &patch.into()).await?))
}

pub async fn archive(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, InventoryError> {
    app.suppliers.archive(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A product's suppliers; the costs only for managers and admins.
pub async fn of_item(
    State(app): State<AppState>,
    Path(sku): Path<String>,
    actor: web::Actor,
) -> Result<Json<serde_json::Value>, InventoryError> {
    let list = app.suppliers.of_item(&sku).await?;
    Ok(Json(web::costs::shown_to(&actor, &list)))
}

pub async fn set_items(
    State(app): State<AppState>,
    Path(sku): Path<String>,
    Json(input): Json<SupplierItemsInput>,
) -> Result<Json<SupplierItemList>, InventoryError> {
    Ok(Json(app.suppliers.set_items(&sku, &input).await?))
}

pub async fn reorder(
    State(app): State<AppState>,
    Query(params): Query<ReorderParams>,
) -> Result<Json<ReorderSuggestions>, InventoryError> {
    let now = storage::clock::now_ms();
    Ok(Json(app.reorder.suggestions(&params, now).await?))
}

pub async fn refresh_thresholds(
    State(app): State<AppState>,
) -> Result<Json<ThresholdRefresh>, InventoryError> {
    let updated = app.reorder.refresh_thresholds(storage::clock::now_ms()).await?;
    Ok(Json(ThresholdRefresh {
        updated: updated as u64,
    }))
}
