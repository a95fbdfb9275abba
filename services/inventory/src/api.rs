//! The inventory's HTTP API: stock levels, operations, the ledger, alerts and locations.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::OpenApi;
use web::idempotency::{self, ScopedKey};
use web::{IdempotencyKey, Json, Problem, Query};

use crate::domain::{AdjustmentReason, Errors, LocationCode, count, delta, positive_quantity};
use crate::error::InventoryError;
use crate::store::{
    Amount, Answer, InventoryStore, Item, Level, ListFilter, Location, Movement, Restock, StockChange,
};
use kernel::text::{line, paragraph, required_line};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

type AppState = Arc<InventoryStore>;

pub fn router(store: Arc<InventoryStore>) -> Router {
    Router::new()
        .route("/api/v1/inventory", get(list_stock))
        .route("/api/v1/inventory/{sku}", get(get_stock))
        .route("/api/v1/inventory/{sku}/restock", post(restock))
        .route("/api/v1/inventory/{sku}/adjustments", post(adjust))
        .route("/api/v1/inventory/{sku}/count", post(count_stock))
        .route("/api/v1/inventory/{sku}/transfers", post(transfer))
        .route("/api/v1/inventory/{sku}/settings", put(settings))
        .route("/api/v1/inventory/{sku}/movements", get(movements))
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/stock-value", get(stock_value))
        .route("/api/v1/locations", get(list_locations).post(create_location))
        .route("/api/v1/locations/{code}", patch(update_location))
        .route("/internal/v1/reservations", post(reserve))
        .route(
            "/internal/v1/reservations/{id}",
            get(get_reservation).delete(release_reservation),
        )
        .with_state(store)
}

#[derive(OpenApi)]
#[openapi(
    paths(list_stock, get_stock, restock, adjust, count_stock, transfer, settings, movements, alerts,
          stock_value, list_locations, create_location, update_location),
    components(schemas(StockView, LevelView, Totals, StockPage, RestockInput, AdjustmentInput, CountInput,
                       TransferInput, SettingsInput, MovementView, MovementPage, AlertView, AlertList,
                       LocationView, LocationList, LocationInput, LocationPatch, AdjustmentReason, ChangeView,
                       TransferView, StockValueView)),
    tags((name = "inventory", description = "Stock per SKU and location, its ledger and alerts"))
)]
pub struct InventoryApi;

// ---- views ----

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LevelView {
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// `on_hand − reserved`.
    pub available: i64,
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
    /// Available is at or below the threshold.
    pub low: bool,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<&Level> for LevelView {
    fn from(l: &Level) -> Self {
        LevelView {
            location: l.location.clone(),
            on_hand: l.on_hand,
            reserved: l.reserved,
            available: l.available(),
            low_stock_threshold: l.low_stock_threshold,
            reorder_quantity: l.reorder_quantity,
            low: l.available() <= l.low_stock_threshold,
            version: l.version,
            updated_at: l.updated_at,
        }
    }
}

/// A SKU's stock at every location and in total.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockView {
    pub sku: String,
    pub name: String,
    /// False once the catalog archived the product (no more alerts).
    pub active: bool,
    pub totals: Totals,
    pub locations: Vec<LevelView>,
}

impl StockView {
    fn new(item: &Item, levels: &[Level]) -> StockView {
        StockView {
            sku: item.sku.clone(),
            name: item.name.clone(),
            active: item.active,
            totals: Totals {
                on_hand: levels.iter().map(|l| l.on_hand).sum(),
                reserved: levels.iter().map(|l| l.reserved).sum(),
                available: levels.iter().map(Level::available).sum(),
            },
            locations: levels.iter().map(LevelView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockPage {
    pub items: Vec<StockView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The result of a stock operation: the ledger entry and the SKU's stock after it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    /// The ledger entry; null when a stock take found the count already right.
    pub movement_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restock_id: Option<i64>,
    pub level: LevelView,
    pub stock: StockView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub from: LevelView,
    pub to: LevelView,
    pub stock: StockView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementView {
    pub id: i64,
    pub location: String,
    /// `restock`, `adjustment`, `count`, `transfer_out` or `transfer_in`.
    pub kind: String,
    /// Signed change of on-hand.
    pub quantity: i64,
    pub on_hand_before: i64,
    pub on_hand_after: i64,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl From<Movement> for MovementView {
    fn from(m: Movement) -> Self {
        MovementView {
            id: m.id,
            location: m.location,
            kind: m.kind,
            quantity: m.quantity,
            on_hand_before: m.on_hand_before,
            on_hand_after: m.on_hand_after,
            reason: m.reason,
            reference: m.reference,
            note: m.note,
            actor: m.actor,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MovementPage {
    pub items: Vec<MovementView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub sku: String,
    pub name: String,
    pub location: String,
    pub available: i64,
    pub low_stock_threshold: i64,
    /// How far below the threshold available stock is (0 when exactly at it).
    pub deficit: i64,
    /// The reorder quantity, or the deficit if that is larger.
    pub suggested_reorder: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertView>,
}

/// What the stock on hand is worth. Negative on-hand counts as none.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StockValueView {
    pub at_cost_cents: i64,
    pub at_price_cents: i64,
    pub units: i64,
    /// SKUs with stock on hand.
    pub skus: i64,
    /// SKUs with stock whose price and cost the inventory does not know yet (known before it
    /// kept prices and not changed in the catalog since); left out of both values.
    pub unpriced_skus: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LocationView {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub allow_negative: bool,
}

impl From<Location> for LocationView {
    fn from(l: Location) -> Self {
        LocationView {
            code: l.code,
            name: l.name,
            active: l.active,
            allow_negative: l.allow_negative,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LocationList {
    pub items: Vec<LocationView>,
}

// ---- inputs ----

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestockInput {
    /// Units received.
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1_000_000)]
    pub quantity: Option<i64>,
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub supplier: Option<String>,
    #[schema(minimum = 0, maximum = 10_000_000_000_i64)]
    pub unit_cost_cents: Option<i64>,
    /// The supplier's delivery note or invoice number.
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub reference: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// Units added (positive) or removed (negative); zero changes nothing.
    #[schema(required = true, nullable = false, minimum = -1_000_000, maximum = 1_000_000)]
    pub delta: Option<i64>,
    #[schema(value_type = AdjustmentReason)]
    pub reason: Option<String>,
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountInput {
    /// What is physically on the shelf.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000)]
    pub counted: Option<i64>,
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInput {
    #[schema(value_type = web::schema::LocationCode)]
    pub from: Option<String>,
    /// Another location than `from`.
    #[schema(value_type = web::schema::LocationCode)]
    pub to: Option<String>,
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1_000_000)]
    pub quantity: Option<i64>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// `main` when left out.
    #[schema(value_type = Option<web::schema::LocationCode>)]
    pub location: Option<String>,
    /// Available stock at or below this warns.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000)]
    pub low_stock_threshold: Option<i64>,
    /// How many to order when it does.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000)]
    pub reorder_quantity: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    #[schema(value_type = web::schema::LocationCode)]
    pub code: Option<String>,
    #[schema(value_type = web::schema::RequiredLine<100>)]
    pub name: Option<String>,
    /// Whether stock may go below zero here; false when left out.
    pub allow_negative: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    #[schema(value_type = Option<web::schema::RequiredLine<100>>)]
    pub name: Option<String>,
    /// `main` cannot be deactivated.
    pub active: Option<bool>,
    pub allow_negative: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only levels at this location.
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    location: Option<String>,
    /// `true`: only SKUs at or below their threshold somewhere (or at `location`).
    below_threshold: Option<bool>,
    /// Case-insensitive text in the SKU or product name.
    #[param(inline, value_type = Option<web::schema::Line<200>>, nullable = false)]
    q: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
/// An optional location code; all locations when absent.
pub struct LocationParams {
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    location: Option<String>,
}

fn page_size(limit: Option<u32>) -> Result<u32, Problem> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if (1..=MAX_PAGE_SIZE).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::bad_request(
            "invalid-query",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ))
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(web::middleware::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The normalized SKU of a path, or a 404 for text that cannot be a SKU.
fn path_sku(raw: &str) -> Result<String, InventoryError> {
    kernel::Sku::parse(raw)
        .map(kernel::Sku::into_string)
        .map_err(|_| InventoryError::UnknownSku(raw.to_owned()))
}

/// Optional text parsed by `parse` when present; blank is none.
fn optional(
    raw: Option<String>,
    parse: impl Fn(&str) -> Result<Option<String>, String>,
) -> Result<Option<String>, String> {
    raw.map_or(Ok(None), |raw| parse(&raw))
}

fn location_or_main(errors: &mut Errors, raw: Option<&str>) -> Option<LocationCode> {
    match raw {
        None => Some(LocationCode::main()),
        Some(raw) => errors.check("location", LocationCode::parse(raw)),
    }
}

async fn stock(store: &InventoryStore, sku: &str) -> Result<StockView, InventoryError> {
    let item = store
        .item(sku)
        .await?
        .ok_or_else(|| InventoryError::UnknownSku(sku.to_owned()))?;
    Ok(StockView::new(&item, &store.levels(sku).await?))
}

/// Maps the store's "unknown SKU" to one that names the SKU.
fn naming(sku: &str) -> impl FnOnce(crate::store::StoreError) -> InventoryError + '_ {
    move |e| match e {
        crate::store::StoreError::UnknownSku => InventoryError::UnknownSku(sku.to_owned()),
        other => other.into(),
    }
}

// ---- handlers ----

/// List stock levels.
#[utoipa::path(get, path = "/api/v1/inventory", tag = "inventory", params(ListParams),
    responses((status = 200, body = StockPage)))]
async fn list_stock(
    State(store): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = page_size(params.limit)?;
    let after = web::cursor::after_sku(params.cursor.as_deref())?;
    let location = match params.location.as_deref() {
        Some(raw) => Some(
            LocationCode::parse(raw)
                .map_err(|reason| Problem::bad_request("invalid-query", format!("location {reason}")))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let filter = ListFilter {
        location,
        below_threshold: params.below_threshold.unwrap_or(false),
        text: web::extract::query_text("q", params.q, 200)?,
    };
    let mut rows = store
        .list(&filter, after.as_deref(), limit + 1)
        .await
        .map_err(InventoryError::from)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some((item, _))) => Some(item.sku.clone()),
        _ => None,
    };
    let items = rows
        .iter()
        .map(|(item, levels)| StockView::new(item, levels))
        .collect();
    Ok(Json(StockPage { items, next_cursor }).into_response())
}

/// A SKU's stock per location and in total.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}", tag = "inventory",
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = StockView), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_stock(
    State(store): State<AppState>,
    Path(sku): Path<String>,
) -> Result<Json<StockView>, InventoryError> {
    Ok(Json(stock(&store, &path_sku(&sku)?).await?))
}

async fn apply(
    store: &InventoryStore,
    change: StockChange,
    key: Option<String>,
) -> Result<Response, InventoryError> {
    let sku = change.sku.clone();
    let location = change.location.as_str().to_owned();
    let render = |movement_id: Option<i64>, restock_id: Option<i64>, item: &Item, levels: &[Level]| {
        let level = levels
            .iter()
            .find(|l| l.location == location)
            .expect("the changed level exists");
        serde_json::to_string(&ChangeView {
            movement_id,
            restock_id,
            level: LevelView::from(level),
            stock: StockView::new(item, levels),
        })
        .expect("views serialize to JSON")
    };
    let answer = key.as_deref().map(|key| Answer { key, render: &render });
    let changed = store.change_answering(&change, answer.as_ref()).await;
    let changed = match changed {
        Ok(changed) => changed,
        Err(e) => {
            release(store, key.as_deref()).await;
            return Err(naming(&sku)(e));
        }
    };
    let status = if changed.movement_id.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let view = ChangeView {
        movement_id: changed.movement_id,
        restock_id: changed.restock_id,
        level: LevelView::from(&changed.level),
        stock: stock(store, &sku).await?,
    };
    Ok((status, Json(view)).into_response())
}

/// Claims the request's idempotency key, if it sent one. `Err` carries the answer to give
/// instead of doing the work: the first answer (replay), or a problem.
async fn claim(
    store: &InventoryStore,
    key: Option<ScopedKey>,
    request: &str,
) -> Result<Option<String>, Response> {
    let Some(key) = key else {
        return Ok(None);
    };
    match store.keys().claim(store.db(), key.as_str(), request).await {
        Ok(claim) => match idempotency::answer_instead(claim) {
            Some(answer) => Err(answer),
            None => Ok(Some(key.as_str().to_owned())),
        },
        Err(e) => Err(Problem::from(InventoryError::from(e)).into_response()),
    }
}

/// Frees a claimed key after a failed operation, so the client may retry with it.
async fn release(store: &InventoryStore, key: Option<&str>) {
    if let Some(key) = key
        && let Err(e) = store.keys().release(store.db(), key).await
    {
        tracing::warn!(error = %e, "could not release an idempotency key");
    }
}

/// Receive stock from a supplier.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/restock", tag = "inventory", request_body = RestockInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = ChangeView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn restock(
    State(store): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(input): Json<RestockInput>,
) -> Result<Response, InventoryError> {
    let canonical = serde_json::to_string(&input).expect("requests serialize to JSON");
    let sku = path_sku(&sku)?;
    let mut errors = Errors::default();
    let quantity = errors
        .required("quantity", input.quantity)
        .and_then(|q| errors.check("quantity", positive_quantity(q)));
    let location = location_or_main(&mut errors, input.location.as_deref());
    let supplier = errors.check("supplier", optional(input.supplier, |v| line(v, 100)));
    let reference = errors.check("reference", optional(input.reference, |v| line(v, 100)));
    let note = errors.check("note", optional(input.note, |v| paragraph(v, 500)));
    if let Some(cost) = input.unit_cost_cents
        && !(0..=10_000_000_000).contains(&cost)
    {
        errors.push("unit_cost_cents", "must be between 0 and 10000000000");
    }
    let change = errors
        .finish(|| StockChange {
            sku,
            location: location.expect("checked"),
            amount: Amount::By(quantity.expect("checked")),
            kind: "restock",
            reason: None,
            note: note.flatten(),
            actor: actor.name(),
            reference: None,
            restock: Some(Restock {
                supplier: supplier.flatten(),
                unit_cost_cents: input.unit_cost_cents,
                reference: reference.flatten(),
            }),
            correlation_id: request_id(&headers),
        })
        .map_err(InventoryError::Validation)?;
    let key = match claim(&store, key, &canonical).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    apply(&store, change, key).await
}

/// Correct stock by hand (damaged, lost, found, returned…).
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/adjustments", tag = "inventory", request_body = AdjustmentInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, description = "Adjusted", body = ChangeView),
              (status = 200, description = "A delta of zero; nothing changed", body = ChangeView),
              (status = 409, description = "Stock would go below zero", body = Problem, content_type = "application/problem+json")))]
async fn adjust(
    State(store): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(input): Json<AdjustmentInput>,
) -> Result<Response, InventoryError> {
    let canonical = serde_json::to_string(&input).expect("requests serialize to JSON");
    let sku = path_sku(&sku)?;
    let mut errors = Errors::default();
    let delta = errors
        .required("delta", input.delta)
        .and_then(|d| errors.check("delta", delta(d)));
    let reason = errors
        .required("reason", input.reason)
        .and_then(|r| errors.check("reason", AdjustmentReason::parse(&r)));
    let location = location_or_main(&mut errors, input.location.as_deref());
    let note = errors.check("note", optional(input.note, |v| paragraph(v, 500)));
    let change = errors
        .finish(|| StockChange {
            sku,
            location: location.expect("checked"),
            amount: Amount::By(delta.expect("checked")),
            kind: "adjustment",
            reason: Some(reason.expect("checked").as_str()),
            note: note.flatten(),
            actor: actor.name(),
            reference: None,
            restock: None,
            correlation_id: request_id(&headers),
        })
        .map_err(InventoryError::Validation)?;
    let key = match claim(&store, key, &canonical).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    apply(&store, change, key).await
}

/// Record a stock take: the difference to the counted quantity becomes an adjustment.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/count", tag = "inventory", request_body = CountInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, description = "The count differed; adjusted", body = ChangeView),
              (status = 200, description = "The count matched; nothing changed", body = ChangeView)))]
async fn count_stock(
    State(store): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(input): Json<CountInput>,
) -> Result<Response, InventoryError> {
    let canonical = serde_json::to_string(&input).expect("requests serialize to JSON");
    let sku = path_sku(&sku)?;
    let mut errors = Errors::default();
    let counted = errors
        .required("counted", input.counted)
        .and_then(|c| errors.check("counted", count(c)));
    let location = location_or_main(&mut errors, input.location.as_deref());
    let note = errors.check("note", optional(input.note, |v| paragraph(v, 500)));
    let change = errors
        .finish(|| StockChange {
            sku,
            location: location.expect("checked"),
            amount: Amount::To(counted.expect("checked")),
            kind: "count",
            reason: Some(AdjustmentReason::CountCorrection.as_str()),
            note: note.flatten(),
            actor: actor.name(),
            reference: None,
            restock: None,
            correlation_id: request_id(&headers),
        })
        .map_err(InventoryError::Validation)?;
    let key = match claim(&store, key, &canonical).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    apply(&store, change, key).await
}

/// Move stock between two locations, atomically.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/transfers", tag = "inventory", request_body = TransferInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = TransferView),
              (status = 409, description = "Not enough stock at the source", body = Problem, content_type = "application/problem+json")))]
async fn transfer(
    State(store): State<AppState>,
    actor: web::Actor,
    Path(sku): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(input): Json<TransferInput>,
) -> Result<Response, InventoryError> {
    let canonical = serde_json::to_string(&input).expect("requests serialize to JSON");
    let sku = path_sku(&sku)?;
    let mut errors = Errors::default();
    let from = errors
        .required("from", input.from)
        .and_then(|f| errors.check("from", LocationCode::parse(&f)));
    let to = errors
        .required("to", input.to)
        .and_then(|t| errors.check("to", LocationCode::parse(&t)));
    let quantity = errors
        .required("quantity", input.quantity)
        .and_then(|q| errors.check("quantity", positive_quantity(q)));
    let note = errors.check("note", optional(input.note, |v| paragraph(v, 500)));
    if from.is_some() && from == to {
        errors.push("to", "must differ from `from`");
    }
    let (from, to, quantity, note) = errors
        .finish(|| {
            (
                from.expect("checked"),
                to.expect("checked"),
                quantity.expect("checked"),
                note.flatten(),
            )
        })
        .map_err(InventoryError::Validation)?;
    let key = match claim(&store, key, &canonical).await {
        Ok(key) => key,
        Err(answer) => return Ok(answer),
    };
    let (from_code, to_code) = (from.as_str().to_owned(), to.as_str().to_owned());
    let render = |_: Option<i64>, _: Option<i64>, item: &Item, levels: &[Level]| {
        let at = |code: &str| {
            LevelView::from(
                levels
                    .iter()
                    .find(|l| l.location == code)
                    .expect("both levels exist"),
            )
        };
        serde_json::to_string(&TransferView {
            from: at(&from_code),
            to: at(&to_code),
            stock: StockView::new(item, levels),
        })
        .expect("views serialize to JSON")
    };
    let answer = key.as_deref().map(|key| Answer { key, render: &render });
    let transferred = store
        .transfer_answering(
            &sku,
            &from,
            &to,
            quantity,
            note,
            actor.name(),
            request_id(&headers),
            answer.as_ref(),
        )
        .await;
    if transferred.is_err() {
        release(&store, key.as_deref()).await;
    }
    let (from_level, to_level) = transferred.map_err(naming(&sku)).map_err(|e| match e {
        // Name which side of the transfer is wrong.
        InventoryError::Store(crate::store::StoreError::UnknownLocation(code)) => {
            side(&from, &code, format!("there is no location {code}"))
        }
        InventoryError::Store(crate::store::StoreError::InactiveLocation(code)) => {
            side(&from, &code, format!("location {code} is deactivated"))
        }
        other => other,
    })?;
    let view = TransferView {
        from: LevelView::from(&from_level),
        to: LevelView::from(&to_level),
        stock: stock(&store, &sku).await?,
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// A validation error on the side of a transfer (`from` or `to`) that names `code`.
fn side(from: &LocationCode, code: &str, reason: String) -> InventoryError {
    let field = if code == from.as_str() { "from" } else { "to" };
    InventoryError::Validation(vec![crate::domain::FieldError {
        field: field.to_owned(),
        reason,
    }])
}

/// Set the low-stock threshold and reorder quantity of a SKU at a location.
#[utoipa::path(put, path = "/api/v1/inventory/{sku}/settings", tag = "inventory", request_body = SettingsInput,
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = LevelView)))]
async fn settings(
    State(store): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
    Json(input): Json<SettingsInput>,
) -> Result<Json<LevelView>, InventoryError> {
    let sku = path_sku(&sku)?;
    let mut errors = Errors::default();
    let location = location_or_main(&mut errors, input.location.as_deref());
    let threshold = errors
        .required("low_stock_threshold", input.low_stock_threshold)
        .and_then(|t| errors.check("low_stock_threshold", count(t)));
    let reorder = errors
        .required("reorder_quantity", input.reorder_quantity)
        .and_then(|r| errors.check("reorder_quantity", count(r)));
    let (location, threshold, reorder) = errors
        .finish(|| {
            (
                location.expect("checked"),
                threshold.expect("checked"),
                reorder.expect("checked"),
            )
        })
        .map_err(InventoryError::Validation)?;
    let level = store
        .settings(&sku, &location, threshold, reorder, request_id(&headers))
        .await
        .map_err(naming(&sku))?;
    Ok(Json(LevelView::from(&level)))
}

/// The stock ledger of a SKU, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}/movements", tag = "inventory",
    params(("sku" = inline(web::schema::Sku), Path), PageParams),
    responses((status = 200, body = MovementPage)))]
async fn movements(
    State(store): State<AppState>,
    Path(sku): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<Response, Problem> {
    let limit = page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let sku = path_sku(&sku)?;
    if store.item(&sku).await.map_err(InventoryError::from)?.is_none() {
        return Err(InventoryError::UnknownSku(sku).into());
    }
    let mut rows = store
        .movements(&sku, before, limit + 1)
        .await
        .map_err(InventoryError::from)?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(last.id.to_string()),
        _ => None,
    };
    let items = rows.into_iter().map(MovementView::from).collect();
    Ok(Json(MovementPage { items, next_cursor }).into_response())
}

fn location_param(location: Option<&str>) -> Result<Option<LocationCode>, Problem> {
    location
        .map(LocationCode::parse)
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("location {reason}")))
}

/// SKUs at or below their low-stock threshold.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "inventory", params(LocationParams),
    responses((status = 200, body = AlertList)))]
async fn alerts(
    State(store): State<AppState>,
    Query(params): Query<LocationParams>,
) -> Result<Json<AlertList>, Problem> {
    let location = location_param(params.location.as_deref())?;
    let rows = store
        .alerts(location.as_ref().map(LocationCode::as_str), 1000)
        .await
        .map_err(InventoryError::from)?;
    let items = rows
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

/// What the stock on hand is worth at cost and at selling price, at one location or all.
#[utoipa::path(get, path = "/api/v1/stock-value", tag = "inventory", params(LocationParams),
    responses((status = 200, body = StockValueView), (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn stock_value(
    State(store): State<AppState>,
    Query(params): Query<LocationParams>,
) -> Result<Json<StockValueView>, Problem> {
    let location = location_param(params.location.as_deref())?;
    let value = store
        .stock_value(location.as_ref().map(LocationCode::as_str))
        .await
        .map_err(InventoryError::from)?;
    Ok(Json(StockValueView {
        at_cost_cents: value.at_cost_cents.get(),
        at_price_cents: value.at_price_cents.get(),
        units: value.units,
        skus: value.skus,
        unpriced_skus: value.unpriced_skus,
    }))
}

/// Every location.
#[utoipa::path(get, path = "/api/v1/locations", tag = "inventory", responses((status = 200, body = LocationList)))]
async fn list_locations(State(store): State<AppState>) -> Result<Json<LocationList>, InventoryError> {
    let items = store
        .locations()
        .await?
        .into_iter()
        .map(LocationView::from)
        .collect();
    Ok(Json(LocationList { items }))
}

/// Add a location (back room, showroom, second shop…).
#[utoipa::path(post, path = "/api/v1/locations", tag = "inventory", request_body = LocationInput,
    responses((status = 201, body = LocationView),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn create_location(
    State(store): State<AppState>,
    Json(input): Json<LocationInput>,
) -> Result<Response, InventoryError> {
    let mut errors = Errors::default();
    let code = errors
        .required("code", input.code)
        .and_then(|c| errors.check("code", LocationCode::parse(&c)));
    let name = errors
        .required("name", input.name)
        .and_then(|n| errors.check("name", required_line(&n, 100)));
    let location = errors
        .finish(|| Location {
            code: code.expect("checked").as_str().to_owned(),
            name: name.expect("checked"),
            active: true,
            allow_negative: input.allow_negative.unwrap_or(false),
        })
        .map_err(InventoryError::Validation)?;
    store.create_location(&location).await?;
    Ok((StatusCode::CREATED, Json(LocationView::from(location))).into_response())
}

/// Rename, (de)activate or change the negative-stock policy of a location.
#[utoipa::path(patch, path = "/api/v1/locations/{code}", tag = "inventory", request_body = LocationPatch,
    params(("code" = inline(web::schema::LocationCode), Path)),
    responses((status = 200, body = LocationView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The main location cannot be deactivated", body = Problem, content_type = "application/problem+json")))]
async fn update_location(
    State(store): State<AppState>,
    Path(code): Path<String>,
    Json(input): Json<LocationPatch>,
) -> Result<Json<LocationView>, InventoryError> {
    let code = LocationCode::parse(&code).map_err(|_| InventoryError::LocationNotFound(code.clone()))?;
    let mut location = store
        .location(code.as_str())
        .await?
        .ok_or_else(|| InventoryError::LocationNotFound(code.as_str().to_owned()))?;
    let mut errors = Errors::default();
    if let Some(name) = input.name
        && let Some(name) = errors.check("name", required_line(&name, 100))
    {
        location.name = name;
    }
    if input.active == Some(false) && location.code == LocationCode::MAIN {
        return Err(InventoryError::MainLocationRequired);
    }
    let location = errors
        .finish(|| Location {
            active: input.active.unwrap_or(location.active),
            allow_negative: input.allow_negative.unwrap_or(location.allow_negative),
            ..location
        })
        .map_err(InventoryError::Validation)?;
    store.update_location(&location).await?;
    Ok(Json(LocationView::from(location)))
}

// ---- service-to-service: reservations for the sales service (not routed by the gateway) ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveInput {
    /// The sale id; reserving again under it returns the same reservation.
    pub id: String,
    pub location: Option<String>,
    pub lines: Vec<ReserveLineInput>,
    /// How long the stock is held if the sale never commits (default 60 s, at most 1 h).
    pub ttl_secs: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveLineInput {
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Serialize)]
pub struct ReservationView {
    pub id: String,
    pub location: String,
    pub status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub lines: Vec<ReservationLineView>,
}

#[derive(Debug, Serialize)]
pub struct ReservationLineView {
    pub sku: String,
    pub quantity: i64,
}

impl From<crate::reservations::Reservation> for ReservationView {
    fn from(r: crate::reservations::Reservation) -> Self {
        ReservationView {
            id: r.id,
            location: r.location,
            status: r.status,
            expires_at: r.expires_at,
            lines: r
                .lines
                .into_iter()
                .map(|l| ReservationLineView {
                    sku: l.sku,
                    quantity: l.quantity,
                })
                .collect(),
        }
    }
}

async fn reserve(
    State(store): State<AppState>,
    Json(input): Json<ReserveInput>,
) -> Result<Response, Problem> {
    use crate::reservations::{ReservationLine, ReserveError};
    let mut errors = Errors::default();
    if input.id.trim().is_empty() || input.id.len() > 64 {
        errors.push("id", "must be 1 to 64 characters");
    }
    let location = location_or_main(&mut errors, input.location.as_deref());
    if input.lines.is_empty() {
        errors.push("lines", "must not be empty");
    }
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let sku = errors.check(
            &format!("lines[{i}].sku"),
            path_sku(&line.sku).map_err(|_| "is not a SKU".to_owned()),
        );
        let quantity = errors.check(&format!("lines[{i}].quantity"), positive_quantity(line.quantity));
        if let (Some(sku), Some(quantity)) = (sku, quantity) {
            lines.push(ReservationLine { sku, quantity });
        }
    }
    let ttl = std::time::Duration::from_secs(input.ttl_secs.unwrap_or(60).clamp(1, 3600));
    let location = errors
        .finish(|| location.expect("checked"))
        .map_err(InventoryError::Validation)?;
    match store.reserve(input.id.trim(), &location, &lines, ttl).await {
        Ok(reservation) => {
            Ok((StatusCode::CREATED, Json(ReservationView::from(reservation))).into_response())
        }
        Err(ReserveError::Shortages(short)) => {
            let lines: Vec<serde_json::Value> = short
                .iter()
                .map(
                    |s| serde_json::json!({"sku": s.sku, "requested": s.requested, "available": s.available}),
                )
                .collect();
            Err(
                Problem::new(StatusCode::CONFLICT, "insufficient-stock", "Not enough stock")
                    .detail(format!(
                        "{} line(s) cannot be served from the available stock.",
                        lines.len()
                    ))
                    .extension("lines", lines),
            )
        }
        Err(ReserveError::UnknownSkus(skus)) => Err(InventoryError::Validation(
            skus.into_iter()
                .map(|sku| crate::domain::FieldError {
                    field: "lines".into(),
                    reason: format!("the catalog has no product with SKU {sku}"),
                })
                .collect(),
        )
        .into()),
        Err(ReserveError::Store(e)) => Err(InventoryError::from(e).into()),
    }
}

async fn get_reservation(State(store): State<AppState>, Path(id): Path<String>) -> Result<Response, Problem> {
    match store.reservation(&id).await.map_err(InventoryError::from)? {
        Some(r) => Ok(Json(ReservationView::from(r)).into_response()),
        None => Err(Problem::not_found(format!("No reservation {id}."))),
    }
}

async fn release_reservation(
    State(store): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    match store.release(&id).await.map_err(InventoryError::from)? {
        Some(r) => Ok(Json(ReservationView::from(r)).into_response()),
        None => Err(Problem::not_found(format!("No reservation {id}."))),
    }
}
