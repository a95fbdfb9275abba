//! Importing products from CSV: every row checked by the rules of the API (and against the
//! shop's tax rates, the barcodes other products hold and the inventory's locations), then
//! all of it written in one transaction with its events, or nothing. Opening stock travels
//! to the inventory as `OpeningStockImported` events in the same outbox, after the products'.
//!
//! # Layout
//! - [`table`]: the file as a header and records (BOM, `,` or `;`, quoted fields).
//! - [`rows`]: one record as a product's fields and its opening stock.
//! - [`locations`]: the inventory asked which locations exist.
//! - [`store`]: the SQL: what exists, and the batch written.
//! - [`http`]: `POST /api/v1/imports/products`.

pub mod http;
pub mod locations;
pub mod rows;
pub mod store;
pub mod table;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use catalog_api::imports::{ImportReport, RowError};
use events::Envelope;
use events::catalog::{OpeningStockImported, OpeningStockLine, ProductCreated, StockDefaults};

use crate::error::CatalogError;
use crate::product::ProductRecord;
use crate::products::{Products, SERVICE, revision};
use crate::shop::store::ShopStore;
use crate::store::now;
use locations::Locations;
use rows::Column;

/// Opening-stock lines per event: events stay small whatever the file's size.
const LINES_PER_EVENT: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Bad rows: nothing was applied.
    #[error("{} bad cell(s); nothing was imported", .0.errors.len())]
    Refused(ImportReport),
    #[error(transparent)]
    Locations(#[from] locations::Unavailable),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

pub struct Importer {
    products: Arc<Products>,
    shop: ShopStore,
    locations: Locations,
}

impl Importer {
    pub fn new(products: Arc<Products>, shop: ShopStore, locations: Locations) -> Importer {
        Importer {
            products,
            shop,
            locations,
        }
    }

    /// Imports `file`, or (`dry_run`) says what importing it would do.
    pub async fn run(
        &self,
        file: &[u8],
        dry_run: bool,
        correlation_id: Option<String>,
    ) -> Result<ImportReport, ImportError> {
        let mut report = ImportReport {
            dry_run,
            rows: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            stock_rows: 0,
            errors: Vec::new(),
        };
        let refuse = |mut report: ImportReport, errors: Vec<RowError>| {
            report.errors = errors;
            report.errors.sort_by_key(|e| e.line);
            if dry_run {
                Ok(report)
            } else {
                Err(ImportError::Refused(report))
            }
        };
        // A file that cannot be read as a table, or whose header cannot be used, is no import
        // to preview: a dry run refuses it as a real run would.
        let unusable = |mut report: ImportReport, errors: Vec<RowError>| {
            report.errors = errors;
            Err(ImportError::Refused(report))
        };
        let table = match table::read(file) {
            Ok(table) => table,
            Err(e) => return unusable(report, vec![e]),
        };
        report.rows = table.records.len() as u64;
        let columns = match rows::columns(&table.columns) {
            Ok(columns) => columns,
            Err(errors) => return unusable(report, errors),
        };
        let mut errors = self.check_locations(&columns, &table.columns).await?;

        let mut read = Vec::with_capacity(table.records.len());
        let mut first_line: HashMap<String, u64> = HashMap::new();
        for record in &table.records {
            let Some(row) = rows::read(&columns, &table.columns, record, &mut errors) else {
                continue;
            };
            if let Some(line) = first_line.insert(row.sku.as_str().to_owned(), row.line) {
                errors.push(RowError::new(
                    row.line,
                    "sku",
                    format!("{} is on line {line} already", row.sku),
                ));
                continue;
            }
            read.push(row);
        }
        let skus: Vec<String> = read.iter().map(|r| r.sku.as_str().to_owned()).collect();
        let db = self.products.store().db();
        let existing = store::products(db, &skus).await.map_err(CatalogError::from)?;
        let rates: HashSet<String> = self
            .shop
            .rates()
            .await
            .map_err(CatalogError::from)?
            .into_iter()
            .map(|r| r.code)
            .collect();

        let mut drafts = Vec::with_capacity(read.len());
        let mut barcode_lines: HashMap<String, u64> = HashMap::new();
        for row in &read {
            let Some(draft) = row.draft(existing.get(row.sku.as_str()), &mut errors) else {
                continue;
            };
            if let Some(code) = &draft.tax_rate
                && !rates.contains(code.as_str())
            {
                errors.push(RowError::new(
                    row.line,
                    "tax_rate",
                    format!("{} is not a tax rate of the shop", code.as_str()),
                ));
            }
            if let Some(barcode) = &draft.barcode
                && let Some(line) = barcode_lines.insert(barcode.as_str().to_owned(), row.line)
            {
                errors.push(RowError::new(
                    row.line,
                    "barcode",
                    format!("is on line {line} already"),
                ));
            }
            if draft.serialized {
                // Each unit's serial number is scanned as it is received; a count cannot give them.
                for (location, quantity) in row.stock.iter().filter(|(_, q)| *q != 0) {
                    errors.push(RowError::new(
                        row.line,
                        format!("stock:{location}"),
                        format!(
                            "{quantity} units of a product with serial numbers: receive them with their serial numbers instead"
                        ),
                    ));
                }
            }
            drafts.push((row, draft));
        }
        let barcodes: Vec<String> = barcode_lines.keys().cloned().collect();
        let owners = store::barcode_owners(db, &barcodes)
            .await
            .map_err(CatalogError::from)?;
        for (row, draft) in &drafts {
            if let Some(barcode) = &draft.barcode
                && let Some(owner) = owners.get(barcode.as_str())
                && owner != row.sku.as_str()
            {
                errors.push(RowError::new(
                    row.line,
                    "barcode",
                    format!("belongs to {owner} already"),
                ));
            }
        }
        if !errors.is_empty() {
            return refuse(report, errors);
        }

        let settings = self.shop.settings().await.map_err(CatalogError::from)?;
        let stock_defaults = StockDefaults {
            low_stock_threshold: settings.default_low_stock_threshold,
            reorder_quantity: settings.default_reorder_quantity,
        };
        let mut batch = store::Batch {
            created: Vec::new(),
            updated: Vec::new(),
            opening_stock: Vec::new(),
        };
        let mut stock_lines = Vec::new();
        for (row, draft) in drafts {
            match existing.get(row.sku.as_str()) {
                None => {
                    let at = now();
                    let product = draft.first_version(at);
                    let event = Envelope::new(
                        SERVICE,
                        correlation_id.clone(),
                        at,
                        &ProductCreated {
                            product: product.snapshot(),
                            stock_defaults: Some(stock_defaults),
                        },
                    );
                    batch.created.push((product, event));
                }
                Some(current) => match revision(current, &draft, correlation_id.clone()) {
                    Some(changed) => batch.updated.push(changed),
                    None => report.unchanged += 1,
                },
            }
            stock_lines.extend(row.stock.iter().map(|(location, quantity)| OpeningStockLine {
                sku: row.sku.as_str().to_owned(),
                name: draft.name.clone(),
                location: location.clone(),
                quantity: *quantity,
            }));
        }
        report.created = batch.created.len() as u64;
        report.updated = batch.updated.len() as u64;
        report.stock_rows = stock_lines.len() as u64;
        if dry_run {
            return Ok(report);
        }
        let import_id = uuid::Uuid::now_v7().to_string();
        let at = now();
        batch.opening_stock = stock_lines
            .chunks(LINES_PER_EVENT)
            .map(|lines| {
                Envelope::new(
                    SERVICE,
                    correlation_id.clone(),
                    at,
                    &OpeningStockImported {
                        import_id: import_id.clone(),
                        lines: lines.to_vec(),
                    },
                )
            })
            .collect();
        store::write(db, self.products.store().outbox(), &batch)
            .await
            .map_err(CatalogError::from)?;
        for (product, _) in &batch.updated {
            if let Err(e) = self.products.cache().remove(&product.sku).await {
                tracing::warn!(sku = %product.sku, error = %e, "cache entry could not be dropped; it expires by its TTL");
            }
        }
        tracing::info!(
            created = report.created,
            updated = report.updated,
            stock_rows = report.stock_rows,
            "products imported"
        );
        Ok(report)
    }

    /// Every `stock:<location>` column names an active location of the inventory.
    async fn check_locations(
        &self,
        columns: &[Column],
        names: &[String],
    ) -> Result<Vec<RowError>, locations::Unavailable> {
        if !columns.iter().any(|c| matches!(c, Column::Stock(_))) {
            return Ok(Vec::new());
        }
        let active = self.locations.active().await?;
        Ok(columns
            .iter()
            .zip(names)
            .filter_map(|(column, name)| match column {
                Column::Stock(code) if !active.contains(code) => Some(RowError::new(
                    1,
                    name,
                    format!("there is no active location {code}"),
                )),
                _ => None,
            })
            .collect())
    }
}
