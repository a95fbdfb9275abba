//! `GET /api/v1/products/export.csv`: the products a listing's filters select, as CSV,
//! streamed page by page so that memory stays flat however many there are. Cost prices are in
//! it only for managers and admins.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use catalog_api::inputs::{ActiveParam, ExportParams};
use catalog_api::views::Product;
use futures::StreamExt;
use web::{Actor, Problem, Query, costs};

use crate::products::Products;
use crate::store::{ActiveFilter, ListFilter};

/// Rows read from the database at a time.
const PAGE: u32 = 500;

const COLUMNS: [&str; 10] = [
    "sku",
    "name",
    "category",
    "brand",
    "price_cents",
    "cost_cents",
    "barcode",
    "tax_rate",
    "active",
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
    let header_row = row(COLUMNS
        .iter()
        .filter(|c| with_costs || **c != "cost_cents")
        .map(|c| c.to_string()));
    // Each step reads the page after the last SKU sent; the header goes first.
    let pages = futures::stream::unfold(Some(None::<String>), move |state| {
        let products = products.clone();
        let filter = filter.clone();
        async move {
            let after = state?;
            match products.list(&filter, after.as_deref(), PAGE).await {
                Ok(page) if page.is_empty() => None,
                Ok(page) => {
                    let next = (page.len() == PAGE as usize).then(|| page.last().map(|p| p.sku.clone()));
                    let mut chunk = Vec::new();
                    for product in &page {
                        chunk.extend(product_row(product, with_costs));
                    }
                    Some((
                        Ok::<Bytes, std::io::Error>(Bytes::from(chunk)),
                        next.flatten().map(Some),
                    ))
                }
                Err(e) => {
                    tracing::error!(error = %e, "product export failed midway");
                    Some((Err(std::io::Error::other("the export failed midway")), None))
                }
            }
        }
    });
    let body = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(header_row)) })
        .chain(pages);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"products.csv\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

fn product_row(p: &Product, with_costs: bool) -> Vec<u8> {
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
        p.description.clone().unwrap_or_default(),
    ]);
    row(fields.into_iter())
}

/// One CSV record (RFC 4180 quoting, by the `csv` crate), ending with a line break.
fn row(fields: impl Iterator<Item = String>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields.collect::<Vec<_>>())
        .expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_csv_wants() {
        let text = String::from_utf8(row(["A-1", "Cable, 1 m", "say \"hi\"", "two\nlines"]
            .iter()
            .map(|s| s.to_string())))
        .unwrap();
        assert_eq!(text, "A-1,\"Cable, 1 m\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
    }
}
