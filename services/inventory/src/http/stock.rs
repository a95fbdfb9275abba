//! `/api/v1/inventory/...`: stock per SKU and location, the operations on it, its ledger;
//! `/api/v1/alerts` and `/api/v1/stock-value`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory_api::inputs::{
    AdjustmentInput, CountInput, ListParams, LocationParams, PageParams, RestockInput, SettingsInput,
    TransferInput,
};
use inventory_api::views::{
    AlertList, AlertView, ChangeView, LevelView, MovementPage, StockPage, StockValueView, StockView,
    TransferView,
};
use web::{IdempotencyKey, Json, Problem, Query, RequestId};

use super::{AppState, after_failure, claim, location_param, origin, views};
use crate::domain::StockChange;
use crate::error::InventoryError;
use crate::store::levels::ListFilter;
use crate::store::{Answer, Outcome};

pub async fn list(
    State(app): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let after = web::cursor::after_sku(params.cursor.as_deref())?;
    let filter = ListFilter {
        location: location_param(params.location.as_deref())?.map(|l| l.as_str().to_owned()),
        below_threshold: params.below_threshold.unwrap_or(false),
        text: web::extract::query_text("q", params.q, 200)?,
    };
    let rows = app.stock.list(&filter, after.as_deref(), limit + 1).await?;
    let (rows, next_cursor) = web::paging::cut(rows, limit, |(item, _)| item.sku.clone());
    let items = rows
        .iter()
        .map(|(item, levels)| views::stock(item, levels))
        .collect();
    Ok(Json(StockPage { items, next_cursor }).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    Path(sku): Path<String>,
) -> Result<Json<StockView>, InventoryError> {
    let (item, levels) = app.stock.stock(&sku).await?;
    Ok(Json(views::stock(&item, &levels)))
}

pub async fn restock(
    State(app): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    request_id: RequestId,
    Json(input): Json<RestockInput>,
) -> Result<Response, InventoryError> {
    let change = crate::stock::restock(&sku, &input, origin(&actor, request_id))?;
    apply(&app, change, key, canonical(&input)).await
}

pub async fn adjust(
    State(app): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    request_id: RequestId,
    Json(input): Json<AdjustmentInput>,
) -> Result<Response, InventoryError> {
    let change = crate::stock::adjustment(&sku, &input, origin(&actor, request_id))?;
    apply(&app, change, key, canonical(&input)).await
}

pub async fn count(
    State(app): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    request_id: RequestId,
    Json(input): Json<CountInput>,
) -> Result<Response, InventoryError> {
    let change = crate::stock::count(&sku, &input, origin(&actor, request_id))?;
    apply(&app, change, key, canonical(&input)).await
}

/// The request as its idempotency key remembers it, to refuse a key reused for another one.
fn canonical(input: &impl serde::Serialize) -> String {
    serde_json::to_string(input).expect("requests serialize to JSON")
}

/// Applies a change of one level under the request's idempotency key; 201 with the ledger
/// entry, or 200 when nothing changed.
async fn apply(
    app: &AppState,
    change: StockChange,
    key: Option<web::idempotency::ScopedKey>,
    request: String,
) -> Result<Response, InventoryError> {
    let store = app.stock.store();
    let key = match claim(store, key, &request).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    let location = change.location.as_str().to_owned();
    let render = |outcome: &Outcome<'_>| {
        serde_json::to_string(&change_view(outcome, &location)).expect("views serialize to JSON")
    };
    let answer = key.as_deref().map(|key| Answer { key, render: &render });
    let changed = match app.stock.apply(&change, answer.as_ref()).await {
        Ok(changed) => changed,
        Err(e) => {
            return match after_failure(store, key.as_deref()).await {
                Some(answer) => Ok(answer),
                None => Err(e),
            };
        }
    };
    let status = if changed.movement_id.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let (item, levels) = app.stock.stock(&change.sku).await?;
    let view = ChangeView {
        movement_id: changed.movement_id,
        restock_id: changed.restock_id,
        level: views::level(&changed.level),
        stock: views::stock(&item, &levels),
    };
    Ok((status, Json(view)).into_response())
}

/// What a change answers, from its outcome inside the transaction (stored for its key).
fn change_view(outcome: &Outcome<'_>, location: &str) -> ChangeView {
    let level = outcome
        .levels
        .iter()
        .find(|l| l.location == location)
        .expect("the changed level exists");
    ChangeView {
        movement_id: outcome.movement_id,
        restock_id: outcome.restock_id,
        level: views::level(level),
        stock: views::stock(outcome.item, outcome.levels),
    }
}

pub async fn transfer(
    State(app): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    request_id: RequestId,
    Json(input): Json<TransferInput>,
) -> Result<Response, InventoryError> {
    let transfer = crate::stock::transfer(&sku, &input, origin(&actor, request_id))?;
    let store = app.stock.store();
    let key = match claim(store, key, &canonical(&input)).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    let (from, to) = (transfer.from.as_str(), transfer.to.as_str());
    let render = |outcome: &Outcome<'_>| {
        let at = |code: &str| {
            views::level(
                outcome
                    .levels
                    .iter()
                    .find(|l| l.location == code)
                    .expect("both levels exist"),
            )
        };
        serde_json::to_string(&TransferView {
            from: at(from),
            to: at(to),
            stock: views::stock(outcome.item, outcome.levels),
        })
        .expect("views serialize to JSON")
    };
    let answer = key.as_deref().map(|key| Answer { key, render: &render });
    let (from_level, to_level) = match app.stock.transfer(&transfer, answer.as_ref()).await {
        Ok(levels) => levels,
        Err(e) => {
            return match after_failure(store, key.as_deref()).await {
                Some(answer) => Ok(answer),
                None => Err(e),
            };
        }
    };
    let (item, levels) = app.stock.stock(&transfer.sku).await?;
    let view = TransferView {
        from: views::level(&from_level),
        to: views::level(&to_level),
        stock: views::stock(&item, &levels),
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn settings(
    State(app): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    request_id: RequestId,
    Json(input): Json<SettingsInput>,
) -> Result<Json<LevelView>, InventoryError> {
    let settings = crate::stock::settings(&sku, &input, origin(&actor, request_id))?;
    Ok(Json(views::level(&app.stock.settings(&settings).await?)))
}

pub async fn movements(
    State(app): State<AppState>,
    Path(sku): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Response, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let rows = app.stock.movements(&sku, before, limit + 1).await?;
    let (rows, next_cursor) = web::paging::cut(rows, limit, |m| m.id.to_string());
    let items = rows.into_iter().map(views::movement).collect();
    Ok(Json(MovementPage { items, next_cursor }).into_response())
}

pub async fn alerts(
    State(app): State<AppState>,
    Query(params): Query<LocationParams>,
) -> Result<Json<AlertList>, Problem> {
    let location = location_param(params.location.as_deref())?;
    let items = app
        .stock
        .alerts(location.as_ref())
        .await?
        .into_iter()
        .map(|(item, level)| {
            let deficit = (level.low_stock_threshold - level.available()).max(0);
            AlertView {
                sku: item.sku,
                name: item.name,
                location: level.location.clone(),
                available: level.available(),
                low_stock_threshold: level.low_stock_threshold,
                deficit,
                suggested_reorder: level.reorder_quantity.max(deficit),
            }
        })
        .collect();
    Ok(Json(AlertList { items }))
}

/// The value of the stock; without the value at cost for clerks and viewers.
pub async fn value(
    State(app): State<AppState>,
    actor: web::identity::Actor,
    Query(params): Query<LocationParams>,
) -> Result<Json<serde_json::Value>, Problem> {
    let location = location_param(params.location.as_deref())?;
    let value = app.stock.value(location.as_ref()).await?;
    Ok(Json(web::costs::shown_to(
        &actor,
        &StockValueView {
            at_cost_cents: value.at_cost_cents.get(),
            at_price_cents: value.at_price_cents.get(),
            units: value.units,
            skus: value.skus,
            unpriced_skus: value.unpriced_skus,
        },
    )))
}
