//! The catalog's HTTP API under `/api/v1`: routes, their OpenAPI description, and the
//! translation between HTTP (headers, query strings) and the use cases in [`crate::products`].

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use web::{Json, Problem, Query};

use crate::domain::{ProductInput, ProductPatch};
use crate::error::CatalogError;
use crate::product::Product;
use crate::products::{Precondition, Products};
use crate::store::{ActiveFilter, ListFilter};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

type AppState = Arc<Products>;

pub fn router(products: Arc<Products>) -> Router {
    Router::new()
        .route("/api/v1/products", get(list_products).post(create_product))
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

#[derive(OpenApi)]
#[openapi(
    paths(list_products, create_product, get_product, replace_product, patch_product, archive_product, list_categories),
    components(schemas(Product, ProductInput, ProductPatch, ProductPage, Category, CategoryList, Problem, web::FieldProblem)),
    tags((name = "catalog", description = "Products: SKU, name, category, prices, barcode"))
)]
pub struct CatalogApi;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Case-insensitive text searched in SKU, name, description and brand.
    q: Option<String>,
    /// Exact category name (case-insensitive).
    category: Option<String>,
    /// Exact barcode (as a scanner reads it); at most one product has it.
    barcode: Option<String>,
    /// `true` (default) lists active products, `false` archived ones, `any` both.
    active: Option<String>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Position {
    after: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub name: String,
    pub product_count: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryList {
    pub items: Vec<Category>,
}

/// List and search products.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ListParams),
    responses(
        (status = 200, description = "One page of products, in SKU order", body = ProductPage),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_products(
    State(products): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = params.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(Problem::bad_request(
            "invalid-query",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    let active = match params.active.as_deref() {
        None | Some("true") => ActiveFilter::Active,
        Some("false") => ActiveFilter::Archived,
        Some("any") => ActiveFilter::Any,
        Some(_) => {
            return Err(Problem::bad_request(
                "invalid-query",
                "active must be true, false or any",
            ));
        }
    };
    let after = params
        .cursor
        .as_deref()
        .map(web::cursor::decode::<Position>)
        .transpose()?;
    let filter = ListFilter {
        text: params.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
        category: params
            .category
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty()),
        barcode: params
            .barcode
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty()),
        active,
    };
    let page = products
        .list(&filter, after.as_ref().map(|p| p.after.as_str()), limit)
        .await?;
    let next_cursor = match (page.has_more, page.items.last()) {
        (true, Some(last)) => Some(web::cursor::encode(&Position {
            after: last.sku.clone(),
        })),
        _ => None,
    };
    Ok(Json(ProductPage {
        items: page.items,
        next_cursor,
    })
    .into_response())
}

/// Create a product.
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductInput,
    responses(
        (status = 201, description = "Created; `Location` and `ETag` are set", body = Product),
        (status = 409, description = "SKU or barcode already used", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_product(
    State(products): State<AppState>,
    headers: HeaderMap,
    Json(input): Json<ProductInput>,
) -> Result<Response, CatalogError> {
    let product = products.create(input, request_id(&headers)).await?;
    let location = format!("/api/v1/products/{}", product.sku);
    Ok(with_etag(
        &product,
        (
            StatusCode::CREATED,
            [(header::LOCATION, location)],
            Json(product.clone()),
        ),
    ))
}

/// Get one product (archived ones too).
#[utoipa::path(get, path = "/api/v1/products/{sku}", tag = "catalog",
    params(("sku" = String, Path, description = "The product's SKU (case-insensitive)")),
    responses(
        (status = 200, description = "The product; `ETag` is its version", body = Product),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
) -> Result<Response, CatalogError> {
    let product = products.get(&sku).await?;
    Ok(with_etag(&product, Json(product.clone())))
}

/// Replace every field of a product.
#[utoipa::path(put, path = "/api/v1/products/{sku}", tag = "catalog", request_body = ProductInput,
    params(("sku" = String, Path, description = "The product's SKU"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being replaced, e.g. \"v3\"")),
    responses(
        (status = 200, description = "Replaced", body = Product),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Barcode already used", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The product changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn replace_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
    Json(input): Json<ProductInput>,
) -> Result<Response, CatalogError> {
    let precondition = if_match(&headers)?;
    let product = products
        .replace(&sku, input, precondition, request_id(&headers))
        .await?;
    Ok(with_etag(&product, Json(product.clone())))
}

/// Change some fields of a product (JSON merge patch: absent = unchanged, null = cleared).
#[utoipa::path(patch, path = "/api/v1/products/{sku}", tag = "catalog", request_body = ProductPatch,
    params(("sku" = String, Path, description = "The product's SKU"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being changed, e.g. \"v3\"")),
    responses(
        (status = 200, description = "Changed", body = Product),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Barcode already used", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The product changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
async fn patch_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
    Json(patch): Json<ProductPatch>,
) -> Result<Response, CatalogError> {
    let precondition = if_match(&headers)?;
    let product = products
        .patch(&sku, patch, precondition, request_id(&headers))
        .await?;
    Ok(with_etag(&product, Json(product.clone())))
}

/// Archive a product: it disappears from default listings but is kept for the history that
/// refers to it. Archiving twice is harmless.
#[utoipa::path(delete, path = "/api/v1/products/{sku}", tag = "catalog",
    params(("sku" = String, Path, description = "The product's SKU"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version being archived")),
    responses(
        (status = 204, description = "Archived"),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The product changed since that ETag", body = Problem, content_type = "application/problem+json"),
    ))]
async fn archive_product(
    State(products): State<AppState>,
    Path(sku): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, CatalogError> {
    let precondition = if_match(&headers)?;
    products.archive(&sku, precondition, request_id(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Categories of active products, with their product counts.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog",
    responses((status = 200, description = "Categories in alphabetical order", body = CategoryList)))]
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
    response
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(web::middleware::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Reads `If-Match`: absent, `*`, or a list of the ETags this API issues, one per version
/// (`"v3"`).
fn if_match(headers: &HeaderMap) -> Result<Precondition, CatalogError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(Precondition::None);
    };
    let value = value.to_str().map_err(|_| CatalogError::BadPrecondition)?.trim();
    if value == "*" {
        return Ok(Precondition::Exists);
    }
    let versions = value
        .split(',')
        .map(str::trim)
        // Weak tags never match for If-Match (RFC 9110, strong comparison).
        .filter(|tag| !tag.starts_with("W/"))
        .map(|tag| {
            tag.strip_prefix("\"v")
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|n| n.parse().ok())
                .ok_or(CatalogError::BadPrecondition)
        })
        .collect::<Result<_, _>>()?;
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
    }
}
