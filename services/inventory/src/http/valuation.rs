//! `/internal/v1/stock-values`: every level with stock and what a unit of it cost and sells
//! for, page by page, for the reports. Not routed by the gateway.

use axum::extract::State;
use inventory_api::valuation::{MAX_PAGE, StockValuePage, StockValueParams};
use web::{Json, Query};

use super::AppState;
use crate::error::InventoryError;

pub async fn stock_values(
    State(app): State<AppState>,
    Query(params): Query<StockValueParams>,
) -> Result<Json<StockValuePage>, InventoryError> {
    let after = match (&params.after_sku, &params.after_location) {
        (Some(sku), Some(location)) => Some((sku.as_str(), location.as_str())),
        _ => None,
    };
    let items = app
        .stock
        .store()
        .stock_values(params.location.as_deref(), after, MAX_PAGE)
        .await?;
    let next = (items.len() == MAX_PAGE as usize)
        .then(|| items.last().map(|l| (l.sku.clone(), l.location.clone())))
        .flatten();
    Ok(Json(StockValuePage { items, next }))
}
