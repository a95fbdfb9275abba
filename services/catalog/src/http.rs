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
    #[param(inline, value_type = Option<web::schema::Line<200>>, nullable = false)]
    q: Option<String>,
    /// Exact category name (case-insensitive).
    #[param(inline, value_type = Option<web::schema::Line<100>>, nullable = false)]
    category: Option<String>,
    /// Exact barcode (as a scanner reads it); at most one product has it.
    #[param(inline, value_type = Option<web::schema::Line<64>>, nullable = false)]
    barcode: Option<String>,
    /// Active products (the default), archived ones, or both.
    #[param(inline)]
    active: Option<ActiveParam>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    cursor: Option<String>,
}

/// Which products a listing shows, by whether they are archived.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActiveParam {
    True,
    False,
    Any,
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
    let page = products.list(&filter, after.as_deref(), limit).await?;
    let next_cursor = match (page.has_more, page.items.last()) {
        (true, Some(last)) => Some(last.sku.clone()),
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
    params(("sku" = inline(web::schema::Sku), Path, description = "The product's SKU (case-insensitive)")),
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
    params(("sku" = inline(web::schema::Sku), Path, description = "The product's SKU"),
           ("If-Match" = inline(Option<web::schema::IfMatch>), Header, nullable = false, description = "ETag of the version being replaced, e.g. \"v3\"")),
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
    params(("sku" = inline(web::schema::Sku), Path, description = "The product's SKU"),
           ("If-Match" = inline(Option<web::schema::IfMatch>), Header, nullable = false, description = "ETag of the version being changed, e.g. \"v3\"")),
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
    params(("sku" = inline(web::schema::Sku), Path, description = "The product's SKU"),
           ("If-Match" = inline(Option<web::schema::IfMatch>), Header, nullable = false, description = "ETag of the version being archived")),
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

/// Reads `If-Match`: absent, `*`, or a list of entity tags: the ETags this API issues, one
/// per version (`"v3"`), and weak tags (`W/"…"`), which never match (RFC 9110 compares
/// strongly). Exactly what `web::schema::IfMatch` documents.
fn if_match(headers: &HeaderMap) -> Result<Precondition, CatalogError> {
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

/// One input type serves both create (`POST`, the SKU required) and replace (`PUT`, the SKU
/// from the URL); the document describes each body as it is: `NewProduct` with a required
/// `sku`, `ProductInput` without one.
pub(crate) fn document_create_and_replace(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::{Ref, RefOr, Required};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(input))) = components.schemas.get_mut("ProductInput") else {
        return;
    };
    let mut create = input.clone();
    create.required.push("sku".to_owned());
    create.description = Some("A new product.".to_owned());
    input.properties.remove("sku");
    input.description = Some("Every field of a product, replacing the current ones.".to_owned());
    components
        .schemas
        .insert("NewProduct".to_owned(), RefOr::T(Schema::Object(create)));
    if let Some(post) = doc
        .paths
        .paths
        .get_mut("/api/v1/products")
        .and_then(|item| item.post.as_mut())
    {
        post.request_body = Some(
            utoipa::openapi::request_body::RequestBodyBuilder::new()
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("NewProduct")))
                        .build(),
                )
                .required(Some(Required::True))
                .build()
                .into(),
        );
    }
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
