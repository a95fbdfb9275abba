//! The catalog's HTTP routes under `/api/v1`, as the contract (`catalog_api`) describes them:
//! the translation between HTTP (headers, query strings) and the use cases in
//! [`crate::products`].

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use catalog_api::inputs::{ActiveParam, ListParams, ProductInput, ProductPatch};
use catalog_api::views::{Category, CategoryList, Product, ProductPage};
use web::costs;
use web::identity::Actor;
use web::{Json, Problem, Query};

use crate::error::CatalogError;
use crate::products::{Precondition, Products};
use crate::store::{ActiveFilter, ListFilter};

type AppState = Arc<Products>;

pub fn router(products: Arc<Products>) -> Router {
    Router::new()
        .route("/api/v1/products", get(list_products).post(create_product))
        // A static segment: matched before `{sku}` (SKUs are upper case anyway).
        .route("/api/v1/products/export.csv", get(crate::export::products_csv))
        .route(
            "/api/v1/products/{sku}",
            get(get_product)
                .put(replace_product)
                .patch(patch_product)
                .delete(archive_product),
        )
        .route("/api/v1/categories", get(list_categories))
        .with_state(products)
}

async fn list_products(
    State(products): State<AppState>,
    actor: Actor,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let active = match params.active {
        None | Some(ActiveParam::True) => ActiveFilter::Active,
        Some(ActiveParam::False) => ActiveFilter::Archived,
        Some(ActiveParam::Any) => ActiveFilter::Any,
    };
    let after = web::cursor::after_sku(params.cursor.as_deref())?;
    let filter = ListFilter {
        text: web::extract::query_text("q", params.q, 200)?,
        category: web::extract::query_text("category", params.category, 100)?,
        barcode: web::extract::query_text("barcode", params.barcode, 64)?,
        active,
    };
    let rows = products.list(&filter, after.as_deref(), limit + 1).await?;
    let (items, next_cursor) = web::paging::cut(rows, limit, |product| product.sku.clone());
    Ok(Json(costs::shown_to(&actor, &ProductPage { items, next_cursor })).into_response())
}

async fn create_product(
    State(products): State<AppState>,
    request_id: web::RequestId,
    Json(input): Json<ProductInput>,
) -> Result<Response, CatalogError> {
    let product = products.create(input, request_id.0).await?;
    let location = catalog_api::product_path(&product.sku);
    Ok(with_etag(
        &product,
        (
            StatusCode::CREATED,
            [(header::LOCATION, location)],
            Json(product.clone()),
        ),
    ))
}

async fn get_product(
    State(products): State<AppState>,
    actor: Actor,
    Path(sku): Path<String>,
) -> Result<Response, CatalogError> {
    let product = products.get(&sku).await?;
    Ok(with_etag(&product, Json(costs::shown_to(&actor, &product))))
}

async fn replace_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
    request_id: web::RequestId,
    Json(input): Json<ProductInput>,
) -> Result<Response, CatalogError> {
    let precondition = if_match(&headers)?;
    let product = products.replace(&sku, input, precondition, request_id.0).await?;
    Ok(with_etag(&product, Json(product.clone())))
}

async fn patch_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
    request_id: web::RequestId,
    Json(patch): Json<ProductPatch>,
) -> Result<Response, CatalogError> {
    let precondition = if_match(&headers)?;
    let product = products.patch(&sku, patch, precondition, request_id.0).await?;
    Ok(with_etag(&product, Json(product.clone())))
}

async fn archive_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
    request_id: web::RequestId,
) -> Result<StatusCode, CatalogError> {
    let precondition = if_match(&headers)?;
    products.archive(&sku, precondition, request_id.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_categories(State(products): State<AppState>) -> Result<Json<CategoryList>, CatalogError> {
    let items = products
        .categories()
        .await?
        .into_iter()
        .map(|c| Category {
            name: c.name,
            product_count: c.product_count,
        })
        .collect();
    Ok(Json(CategoryList { items }))
}

fn with_etag(product: &Product, response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    let etag = HeaderValue::from_str(&product.etag()).expect("ETags are ASCII");
    response.headers_mut().insert(header::ETAG, etag);
    // The cost is left out for clerks and viewers: the answer depends on who asks.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("authorization, cookie"));
    response
}

/// Reads `If-Match`: absent, `*`, or a list of entity tags: the ETags this API issues, one
/// per version (`"v3"`), and weak tags (`W/"…"`), which never match (RFC 9110 compares
/// strongly). Exactly what `web::schema::IfMatch` documents.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Precondition, CatalogError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(Precondition::None);
    };
    let blanks: &[char] = &[' '];
    let value = value
        .to_str()
        .map_err(|_| CatalogError::BadPrecondition)?
        .trim_matches(blanks);
    if value == "*" {
        return Ok(Precondition::Exists);
    }
    let mut versions = Vec::new();
    for tag in value.split(',').map(|tag| tag.trim_matches(blanks)) {
        let quoted = |t: &str| {
            t.strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .filter(|inner| !inner.contains(['"', ',']))
                .map(str::to_owned)
        };
        if let Some(weak) = tag.strip_prefix("W/") {
            quoted(weak).ok_or(CatalogError::BadPrecondition)?;
            continue;
        }
        let version = quoted(tag)
            .as_deref()
            .and_then(|inner| inner.strip_prefix('v'))
            .filter(|digits| (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .ok_or(CatalogError::BadPrecondition)?;
        versions.push(version);
    }
    Ok(Precondition::Matches(versions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(if_match(&HeaderMap::new()).unwrap(), Precondition::None);
        assert_eq!(if_match(&headers("*")).unwrap(), Precondition::Exists);
        assert_eq!(
            if_match(&headers("\"v7\"")).unwrap(),
            Precondition::Matches(vec![7])
        );
        assert_eq!(
            if_match(&headers("\"v7\", \"v8\"")).unwrap(),
            Precondition::Matches(vec![7, 8])
        );
        assert_eq!(
            if_match(&headers("W/\"v7\"")).unwrap(),
            Precondition::Matches(vec![])
        );
        assert!(if_match(&headers("7")).is_err());
        assert!(if_match(&headers("\"abc\"")).is_err());
        for bad in [
            "",
            "\"v1\",",
            "\"v-1\"",
            "\"v\"",
            "W/abc",
            "\"v1234567890123456789\"",
        ] {
            assert!(if_match(&headers(bad)).is_err(), "{bad:?}");
        }
    }
}
