//! `GET /api/v1/products/export.csv`: the products a listing's filters select, as CSV,
//! streamed page by page so that memory stays flat however many there are. Cost prices are in
//! it only for managers and admins.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use catalog_api::inputs::{ActiveParam, ExportParams};
use catalog_api::views::Product;
use web::{Actor, Problem, Query, costs, csv_export};

use crate::products::Products;
use crate::store::{ActiveFilter, ListFilter};

/// Rows read from the database at a time.
const PAGE: u32 = 500;

const COLUMNS: [&str; 12] = [
    "sku",
    "name",
    "category",
    "brand",
    "price_cents",
    "cost_cents",
    "barcode",
    "tax_rate",
    "active",
    "serialized",
    "warranty_months",
    "description",
];

pub async fn products_csv(
    State(products): State<Arc<Products>>,
    actor: Actor,
    Query(params): Query<ExportParams>,
) -> Result<Response, Problem> {
    let filter = ListFilter {
        text: web::extract::query_text("q", params.q, 200)?,
        category: web::extract::query_text("category", params.category, 100)?,
        barcode: web::extract::query_text("barcode", params.barcode, 64)?,
        active: match params.active {
            None | Some(ActiveParam::True) => ActiveFilter::Active,
            Some(ActiveParam::False) => ActiveFilter::Archived,
            Some(ActiveParam::Any) => ActiveFilter::Any,
        },
    };
    let with_costs = costs::visible_to(&actor);
    let header: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| with_costs || *c != "cost_cents")
        .collect();
    // Each page is read after the last SKU sent.
    Ok(csv_export::response(
        "products.csv",
        &header,
        move |after: Option<String>| {
            let products = products.clone();
            let filter = filter.clone();
            async move {
                let page = products.list(&filter, after.as_deref(), PAGE).await?;
                let next = (page.len() == PAGE as usize).then(|| page.last().map(|p| p.sku.clone()));
                let rows = page.iter().map(|p| product_row(p, with_costs)).collect();
                Ok::<_, crate::CatalogError>((rows, next.flatten()))
            }
        },
    ))
}

fn product_row(p: &Product, with_costs: bool) -> Vec<String> {
    let mut fields = vec![
        p.sku.clone(),
        p.name.clone(),
        p.category.clone(),
        p.brand.clone().unwrap_or_default(),
        p.price_cents.to_string(),
    ];
    if with_costs {
        fields.push(p.cost_cents.to_string());
    }
    fields.extend([
        p.barcode.clone().unwrap_or_default(),
        p.tax_rate.clone().unwrap_or_default(),
        p.active.to_string(),
        p.serialized.to_string(),
        p.warranty_months.to_string(),
        p.description.clone().unwrap_or_default(),
    ]);
    fields
}
