//! The routes of the shop's settings and tax rates, as the contract (`catalog_api::shop`)
//! describes them.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use catalog_api::shop::{ShopSettings, ShopSettingsInput, TaxRateInput, TaxRateList, TaxRatePatch};
use web::Json;

use super::Shop;
use crate::error::CatalogError;
use crate::http::if_match;

type AppState = Arc<Shop>;

pub fn router(shop: Arc<Shop>) -> Router {
    Router::new()
        .route(
            catalog_api::SHOP_SETTINGS,
            get(get_settings).put(replace_settings),
        )
        .route(catalog_api::TAX_RATES, get(list_rates).post(create_rate))
        .route("/api/v1/tax-rates/{code}", patch(patch_rate))
        .with_state(shop)
}

fn with_etag(settings: ShopSettings) -> Response {
    let etag = HeaderValue::from_str(&format!("\"v{}\"", settings.version)).expect("ETags are ASCII");
    ([(header::ETAG, etag)], Json(settings)).into_response()
}

async fn get_settings(State(shop): State<AppState>) -> Result<Response, CatalogError> {
    Ok(with_etag(shop.settings().await?))
}

async fn replace_settings(
    State(shop): State<AppState>,
    headers: HeaderMap,
    Json(input): Json<ShopSettingsInput>,
) -> Result<Response, CatalogError> {
    let precondition = if_match(&headers)?;
    Ok(with_etag(shop.replace_settings(input, precondition).await?))
}

async fn list_rates(State(shop): State<AppState>) -> Result<Json<TaxRateList>, CatalogError> {
    Ok(Json(TaxRateList {
        items: shop.tax_rates().await?,
    }))
}

async fn create_rate(
    State(shop): State<AppState>,
    Json(input): Json<TaxRateInput>,
) -> Result<Response, CatalogError> {
    let rate = shop.create_tax_rate(input).await?;
    let location = catalog_api::tax_rate_path(&rate.code);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(rate)).into_response())
}

async fn patch_rate(
    State(shop): State<AppState>,
    Path(code): Path<String>,
    Json(patch): Json<TaxRatePatch>,
) -> Result<Response, CatalogError> {
    Ok(Json(shop.patch_tax_rate(&code, patch).await?).into_response())
}
