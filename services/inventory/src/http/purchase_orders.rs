//! `/api/v1/purchase-orders`: orders to suppliers, their deliveries, and drafts made from the
//! reorder suggestions; `/api/v1/inventory/{sku}/costs`: the average cost and its history.
//! Costs are left out for clerks and viewers.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use inventory_api::purchase_orders::{
    PurchaseOrderInput, PurchaseOrderList, PurchaseOrderListParams, PurchaseOrderPage, PurchaseOrderPatch,
    ReceiptInput, SuggestedOrdersInput,
};
use web::{Actor, IdempotencyKey, Json, Problem, Query, RequestId};

use super::{AppState, after_failure, claim, location_param, origin};
use crate::error::InventoryError;
use crate::purchase_orders::PurchaseOrders;
use crate::stock::known_sku;
use crate::store::purchase_orders::OrderFilter;

pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    Query(params): Query<PurchaseOrderListParams>,
) -> Result<Json<serde_json::Value>, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let filter = filter(&params)?;
    let rows = app.purchase_orders.list(&filter, before, limit + 1).await?;
    let (items, next_cursor) = web::paging::cut(rows, limit, |o| o.number.to_string());
    Ok(Json(web::costs::shown_to(
        &actor,
        &PurchaseOrderPage { items, next_cursor },
    )))
}

/// The listing's filters, checked; a filter that cannot match anything is a 400.
pub fn filter(params: &PurchaseOrderListParams) -> Result<OrderFilter, Problem> {
    let invalid =
        |name: &str, reason: String| Problem::bad_request("invalid-query", format!("{name} {reason}"));
    Ok(OrderFilter {
        status: params.status,
        supplier_id: params
            .supplier_id
            .as_deref()
            .map(crate::suppliers::parse_id)
            .transpose()
            .map_err(|r| invalid("supplier_id", r))?,
        location: location_param(params.location.as_deref())?.map(|l| l.as_str().to_owned()),
        sku: params
            .sku
            .as_deref()
            .map(|s| kernel::Sku::parse(s).map(kernel::Sku::into_string))
            .transpose()
            .map_err(|r| invalid("sku", r))?,
    })
}

pub async fn create(
    State(app): State<AppState>,
    actor: Actor,
    request_id: RequestId,
    Json(input): Json<PurchaseOrderInput>,
) -> Result<Response, InventoryError> {
    let order = app
        .purchase_orders
        .create(&input, &origin(&actor, request_id))
        .await?;
    let mut response = (StatusCode::CREATED, Json(web::costs::shown_to(&actor, &order))).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/purchase-orders/{}", order.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, InventoryError> {
    let order = app.purchase_orders.get(&id).await?;
    Ok(Json(web::costs::shown_to(&actor, &order)))
}

pub async fn change(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Json(patch): Json<PurchaseOrderPatch>,
) -> Result<Json<serde_json::Value>, InventoryError> {
    let order = app.purchase_orders.change(&id, &patch).await?;
    Ok(Json(web::costs::shown_to(&actor, &order)))
}

/// Sends a draft to the supplier.
pub async fn place(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, InventoryError> {
    let order = app.purchase_orders.place(&id).await?;
    Ok(Json(web::costs::shown_to(&actor, &order)))
}

pub async fn cancel(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, InventoryError> {
    let order = app.purchase_orders.cancel(&id).await?;
    Ok(Json(web::costs::shown_to(&actor, &order)))
}

/// Receives a delivery, exactly once per idempotency key.
pub async fn receive(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    request_id: RequestId,
    Json(input): Json<ReceiptInput>,
) -> Result<Response, InventoryError> {
    let delivery = PurchaseOrders::delivery(&input, origin(&actor, request_id))?;
    let store = app.purchase_orders.store();
    let request = format!(
        "{id} {}",
        serde_json::to_string(&input).expect("requests serialize to JSON")
    );
    let key = match claim(store, key, &request).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    match app.purchase_orders.receive(&id, &delivery, key.as_deref()).await {
        Ok(view) => Ok((StatusCode::CREATED, Json(web::costs::shown_to(&actor, &view))).into_response()),
        Err(e) => match after_failure(store, key.as_deref()).await {
            Some(answer) => Ok(answer),
            None => Err(e),
        },
    }
}

pub async fn from_suggestions(
    State(app): State<AppState>,
    actor: Actor,
    request_id: RequestId,
    Json(input): Json<SuggestedOrdersInput>,
) -> Result<Response, InventoryError> {
    let items = app
        .purchase_orders
        .from_suggestions(&input, &origin(&actor, request_id))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(web::costs::shown_to(&actor, &PurchaseOrderList { items })),
    )
        .into_response())
}

/// A SKU's average cost and the latest receipts that moved it.
pub async fn costs(
    State(app): State<AppState>,
    actor: Actor,
    Path(sku): Path<String>,
) -> Result<Json<serde_json::Value>, InventoryError> {
    let sku = known_sku(&sku)?;
    let history = app.purchase_orders.store().cost_history(&sku, 100).await?;
    Ok(Json(web::costs::shown_to(&actor, &history)))
}
