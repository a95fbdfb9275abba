//! What the products import takes and answers.

use serde::{Deserialize, Serialize};

/// The path the products import is posted to.
pub const PRODUCTS_IMPORT: &str = "/api/v1/imports/products";

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `true`: check every row and say what would happen, changing nothing.
    #[param(nullable = false)]
    pub dry_run: Option<bool>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Rows read (blank lines are skipped).
    pub rows: u64,
    pub created: u64,
    pub updated: u64,
    /// Rows that name a product as it already is.
    pub unchanged: u64,
    /// Opening stock quantities set (one per product and location).
    pub stock_rows: u64,
    /// Every bad row and column; a real run applies nothing unless this is empty.
    pub errors: Vec<RowError>,
}

/// What is wrong with one cell (or, with an empty column, a whole row or the file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    /// The line of the file (the header is line 1).
    pub line: u64,
    /// The column's name as the header has it.
    pub column: String,
    pub reason: String,
}

impl RowError {
    pub fn new(line: u64, column: impl Into<String>, reason: impl Into<String>) -> RowError {
        RowError {
            line,
            column: column.into(),
            reason: reason.into(),
        }
    }
}

/// The import as a form upload.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ImportForm {
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}
