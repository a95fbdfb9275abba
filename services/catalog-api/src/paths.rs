//! Every route of the catalog with its OpenAPI description. The functions are the operations'
//! names in the document; the catalog's handlers serve them (utoipa attaches a path's
//! description to a function, and the contract has no handlers).

use web::Problem;

use crate::inputs::*;
use crate::shop::*;
use crate::views::*;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_products, export_products, create_product, get_product, replace_product, patch_product, archive_product, list_categories,
          get_shop_settings, replace_shop_settings, list_tax_rates, create_tax_rate, patch_tax_rate, import_products),
    components(schemas(Product, ProductInput, ProductPatch, ProductPage, Category, CategoryList, ShopSettings, ShopSettingsInput,
                       TaxRate, TaxRateInput, TaxRatePatch, TaxRateList, Problem, web::FieldProblem,
                       crate::imports::ImportReport, crate::imports::RowError, crate::imports::ImportForm)),
    tags((name = "catalog", description = "Products: SKU, name, category, prices, barcode"),
         (name = "shop", description = "The shop's name, address, currency and tax rates"))
)]
pub struct CatalogApi;

/// List and search products.
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ListParams),
    responses(
        (status = 200, description = "One page of products, in SKU order", body = ProductPage),
        (status = 400, description = "Bad query parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub fn list_products() {}

/// Create a product.
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductInput,
    responses(
        (status = 201, description = "Created; `Location` and `ETag` are set", body = Product),
        (status = 409, description = "SKU or barcode already used", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub fn create_product() {}

/// Get one product (archived ones too).
#[utoipa::path(get, path = "/api/v1/products/{sku}", tag = "catalog",
    params(("sku" = inline(web::schema::Sku), Path, description = "The product's SKU (case-insensitive)")),
    responses(
        (status = 200, description = "The product; `ETag` is its version", body = Product),
        (status = 404, description = "No such product", body = Problem, content_type = "application/problem+json"),
    ))]
pub fn get_product() {}

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
pub fn replace_product() {}

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
pub fn patch_product() {}

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
pub fn archive_product() {}

/// Categories of active products, with their product counts.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalog",
    responses((status = 200, description = "Categories in alphabetical order", body = CategoryList)))]
pub fn list_categories() {}

/// The shop's settings: name, address and tax id for receipts, the currency, whether prices
/// include tax, and what new products start with.
#[utoipa::path(get, path = "/api/v1/settings/shop", tag = "shop",
    responses((status = 200, description = "The settings; `ETag` is their version", body = ShopSettings)))]
pub fn get_shop_settings() {}

/// Replace every setting of the shop.
#[utoipa::path(put, path = "/api/v1/settings/shop", tag = "shop", request_body = ShopSettingsInput,
    params(("If-Match" = inline(Option<web::schema::IfMatch>), Header, nullable = false, description = "ETag of the settings being replaced, e.g. \"v3\"")),
    responses(
        (status = 200, description = "Replaced", body = ShopSettings),
        (status = 412, description = "The settings changed since that ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed (an unknown currency or tax rate too)", body = Problem, content_type = "application/problem+json"),
    ))]
pub fn replace_shop_settings() {}

/// Every tax rate of the shop.
#[utoipa::path(get, path = "/api/v1/tax-rates", tag = "shop",
    responses((status = 200, description = "The rates, by code", body = TaxRateList)))]
pub fn list_tax_rates() {}

/// Add a tax rate.
#[utoipa::path(post, path = "/api/v1/tax-rates", tag = "shop", request_body = TaxRateInput,
    responses(
        (status = 201, description = "Created; `Location` is set", body = TaxRate),
        (status = 409, description = "A rate with this code exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json"),
    ))]
pub fn create_tax_rate() {}

/// Rename a tax rate or change its rate. Sales already recorded keep the rate they used.
#[utoipa::path(patch, path = "/api/v1/tax-rates/{code}", tag = "shop", request_body = TaxRatePatch,
    params(("code" = inline(web::schema::TaxCode), Path, description = "The rate's code")),
    responses(
        (status = 200, description = "Changed", body = TaxRate),
        (status = 404, description = "No such tax rate", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub fn patch_tax_rate() {}

/// One input type serves both create (`POST`, the SKU required) and replace (`PUT`, the SKU
/// from the URL); the document describes each body as it is: `NewProduct` with a required
/// `sku`, `ProductInput` without one.
pub fn document_create_and_replace(doc: &mut utoipa::openapi::OpenApi) {
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
    // Required, so never null: the SKU itself, not `Option`'s "SKU or null".
    create.properties.insert(
        "sku".to_owned(),
        <web::schema::Sku as utoipa::PartialSchema>::schema(),
    );
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

/// The products the filters select, as CSV (RFC 4180, UTF-8, a header row), streamed however
/// many there are; `cost_cents` only for managers and admins.
#[utoipa::path(get, path = "/api/v1/products/export.csv", tag = "catalog", params(ExportParams),
    responses((status = 200, description = "One row per product", content_type = "text/csv", body = String)))]
pub fn export_products() {}

/// Import products from CSV: each row creates the product its SKU names, or changes the
/// columns the file has of an existing one (an empty cell clears an optional field). Columns
/// by header name, any order and case: `sku` (required), `name`, `category`, `brand`,
/// `description`, `price` (a decimal in the shop's currency, `.` or `,`) or `price_cents`,
/// `cost` or `cost_cents`, `barcode`, `tax_rate`, `active`, `serialized` (yes/no),
/// `warranty_months` (0 to 120), and `stock:<location>` for the
/// opening stock at a location (the level is set to it, as a stock take). UTF-8 with or
/// without a byte-order mark; `,` or `;` between fields; quoted fields may hold either and
/// line breaks; at most 200,000 rows and 64 MiB. All or nothing: with any bad row nothing is
/// applied, and every bad cell is named (`rows` of the 422). `dry_run=true` answers the same
/// report and changes nothing; a file that cannot be read, or whose header cannot be used, is
/// refused (422) by a dry run too.
#[utoipa::path(post, path = "/api/v1/imports/products", tag = "catalog",
    params(crate::imports::ImportParams),
    request_body(description = "The CSV file, as the body or as a form's `file`",
        content((String = "text/csv"), (crate::imports::ImportForm = "multipart/form-data"))),
    responses((status = 200, description = "Imported (or, in a dry run, checked: see `errors`)", body = crate::imports::ImportReport),
              (status = 400, description = "A form that cannot be read", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "More than 64 MiB", body = Problem, content_type = "application/problem+json"),
              (status = 415, description = "Neither text/csv nor a form", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Bad rows: nothing was applied; `rows` names each bad cell", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "The inventory could not be asked which locations exist", body = Problem, content_type = "application/problem+json")))]
pub fn import_products() {}
