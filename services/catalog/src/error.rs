//! Every way a catalog request can fail, and the problem each one becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use web::{FieldProblem, Problem};

use crate::domain::FieldError;
use crate::shop::store::ShopStoreError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("no product with SKU {0}")]
    NotFound(String),
    #[error("a product with SKU {0} already exists")]
    DuplicateSku(String),
    #[error("another product already has this barcode")]
    DuplicateBarcode,
    #[error("{what} is at version {current}, not the one in If-Match")]
    StaleVersion { what: &'static str, current: i64 },
    #[error("no tax rate with code {0}")]
    TaxRateNotFound(String),
    #[error("a tax rate with code {0} already exists")]
    DuplicateTaxRate(String),
    #[error("If-Match must be \"*\" or an ETag this API returned, like \"v3\"")]
    BadPrecondition,
    #[error("the catalog database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("the catalog database failed")]
    Database(#[source] sqlx::Error),
}

impl From<StoreError> for CatalogError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DuplicateSku(sku) => CatalogError::DuplicateSku(sku),
            StoreError::DuplicateBarcode => CatalogError::DuplicateBarcode,
            StoreError::NotFound(sku) => CatalogError::NotFound(sku),
            StoreError::VersionMismatch { current } => CatalogError::StaleVersion {
                what: "the product",
                current,
            },
            StoreError::Database(e) => e.into(),
        }
    }
}

impl From<ShopStoreError> for CatalogError {
    fn from(e: ShopStoreError) -> Self {
        match e {
            ShopStoreError::DuplicateRate(code) => CatalogError::DuplicateTaxRate(code),
            ShopStoreError::NoSuchRate(code) => CatalogError::TaxRateNotFound(code),
            ShopStoreError::VersionMismatch { current } => CatalogError::StaleVersion {
                what: "the shop's settings",
                current,
            },
            ShopStoreError::Database(e) => e.into(),
        }
    }
}

impl From<sqlx::Error> for CatalogError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                CatalogError::Unavailable(e)
            }
            other => CatalogError::Database(other),
        }
    }
}

impl From<CatalogError> for Problem {
    fn from(e: CatalogError) -> Problem {
        match e {
            CatalogError::Validation(errors) => Problem::validation(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        reason: e.reason,
                    })
                    .collect(),
            ),
            CatalogError::NotFound(sku) => Problem::new(StatusCode::NOT_FOUND, "product-not-found", "Product not found")
                .detail(if sku.is_empty() {
                    "No such product.".to_owned()
                } else {
                    format!("No product has SKU {sku}.")
                }),
            CatalogError::DuplicateSku(sku) => Problem::new(StatusCode::CONFLICT, "duplicate-sku", "SKU already in use")
                .detail(format!("A product with SKU {sku} already exists."))
                .errors(vec![FieldProblem {
                    field: "sku".into(),
                    reason: "is already used by another product".into(),
                }]),
            CatalogError::DuplicateBarcode => {
                Problem::new(StatusCode::CONFLICT, "duplicate-barcode", "Barcode already in use")
                    .detail("Another product already has this barcode.")
                    .errors(vec![FieldProblem {
                        field: "barcode".into(),
                        reason: "is already used by another product".into(),
                    }])
            }
            CatalogError::StaleVersion { what, current } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "stale-version",
                "Changed by someone else meanwhile",
            )
            .detail(format!(
                "{} {} now at version {current}; reload, reapply your change and send it with If-Match: \"v{current}\".",
                capitalized(what),
                if what.ends_with('s') { "are" } else { "is" },
            ))
            .extension("current_version", current),
            CatalogError::TaxRateNotFound(code) => {
                Problem::new(StatusCode::NOT_FOUND, "tax-rate-not-found", "Tax rate not found")
                    .detail(format!("The shop has no tax rate with code {code}."))
            }
            CatalogError::DuplicateTaxRate(code) => {
                Problem::new(StatusCode::CONFLICT, "duplicate-tax-rate", "Tax rate code already in use")
                    .detail(format!("A tax rate with code {code} already exists."))
                    .errors(vec![FieldProblem {
                        field: "code".into(),
                        reason: "is already used by another tax rate".into(),
                    }])
            }
            CatalogError::BadPrecondition => {
                Problem::bad_request("invalid-if-match", CatalogError::BadPrecondition.to_string())
            }
            CatalogError::Unavailable(e) => {
                tracing::error!(error = %e, "catalog database unavailable");
                Problem::unavailable("The catalog database is not answering; try again shortly.").retry_after(2)
            }
            CatalogError::Database(e) => {
                tracing::error!(error = %e, "catalog database error");
                Problem::internal()
            }
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl IntoResponse for CatalogError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}
