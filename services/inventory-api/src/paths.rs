//! Every public route of the inventory with its OpenAPI description. The functions are the
//! operations' names in the document; the service's handlers serve them (utoipa attaches a
//! path's description to a function, and the contract has no handlers).

use kernel::states::AdjustmentReason;
use web::Problem;

use crate::inputs::*;
use crate::views::*;

#[derive(utoipa::OpenApi)]
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

/// List stock levels.
#[utoipa::path(get, path = "/api/v1/inventory", tag = "inventory", params(ListParams),
    responses((status = 200, body = StockPage)))]
pub fn list_stock() {}

/// A SKU's stock per location and in total.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}", tag = "inventory",
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = StockView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_stock() {}

/// Receive stock from a supplier.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/restock", tag = "inventory", request_body = RestockInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = ChangeView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub fn restock() {}

/// Correct stock by hand (damaged, lost, found, returned…).
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/adjustments", tag = "inventory", request_body = AdjustmentInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, description = "Adjusted", body = ChangeView),
              (status = 200, description = "A delta of zero; nothing changed", body = ChangeView),
              (status = 409, description = "Stock would go below zero", body = Problem, content_type = "application/problem+json")))]
pub fn adjust() {}

/// Record a stock take: the difference to the counted quantity becomes an adjustment.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/count", tag = "inventory", request_body = CountInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, description = "The count differed; adjusted", body = ChangeView),
              (status = 200, description = "The count matched; nothing changed", body = ChangeView)))]
pub fn count_stock() {}

/// Move stock between two locations, atomically.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/transfers", tag = "inventory", request_body = TransferInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = TransferView),
              (status = 409, description = "Not enough stock at the source", body = Problem, content_type = "application/problem+json")))]
pub fn transfer() {}

/// Set the low-stock threshold and reorder quantity of a SKU at a location.
#[utoipa::path(put, path = "/api/v1/inventory/{sku}/settings", tag = "inventory", request_body = SettingsInput,
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = LevelView)))]
pub fn settings() {}

/// The stock ledger of a SKU, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}/movements", tag = "inventory",
    params(("sku" = inline(web::schema::Sku), Path), PageParams),
    responses((status = 200, body = MovementPage)))]
pub fn movements() {}

/// SKUs at or below their low-stock threshold.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "inventory", params(LocationParams),
    responses((status = 200, body = AlertList)))]
pub fn alerts() {}

/// What the stock on hand is worth at cost and at selling price, at one location or all.
#[utoipa::path(get, path = "/api/v1/stock-value", tag = "inventory", params(LocationParams),
    responses((status = 200, body = StockValueView), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub fn stock_value() {}

/// Every location.
#[utoipa::path(get, path = "/api/v1/locations", tag = "inventory", responses((status = 200, body = LocationList)))]
pub fn list_locations() {}

/// Add a location (back room, showroom, second shop…).
#[utoipa::path(post, path = "/api/v1/locations", tag = "inventory", request_body = LocationInput,
    responses((status = 201, body = LocationView),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub fn create_location() {}

/// Rename, (de)activate or change the negative-stock policy of a location.
#[utoipa::path(patch, path = "/api/v1/locations/{code}", tag = "inventory", request_body = LocationPatch,
    params(("code" = inline(web::schema::LocationCode), Path)),
    responses((status = 200, body = LocationView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The main location cannot be deactivated", body = Problem, content_type = "application/problem+json")))]
pub fn update_location() {}
