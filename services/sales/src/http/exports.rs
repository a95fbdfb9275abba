//! Sales (one row per line) and customers as CSV, with their listings' filters, streamed
//! page by page.

use axum::extract::State;
use axum::response::Response;
use sales_api::inputs::{CustomerExportParams, SalesExportParams};
use sales_api::views::Sale;
use time::format_description::well_known::Rfc3339;
use web::csv_export::{self, field};
use web::{Problem, Query};

use super::{AppState, instant};
use crate::error::SaleError;
use crate::store::ListFilter;
use crate::store::customers::CustomerFilter;

/// Sales read at a time.
const SALES_PAGE: u32 = 200;
/// Customers read at a time.
const CUSTOMERS_PAGE: u32 = 500;

pub async fn sales(
    State(counter): State<AppState>,
    Query(params): Query<SalesExportParams>,
) -> Result<Response, Problem> {
    let sku = params
        .sku
        .as_deref()
        .map(kernel::Sku::parse)
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("sku {reason}")))?;
    let filter = ListFilter {
        from_ms: instant(params.from.as_deref(), "from")?,
        to_ms: instant(params.to.as_deref(), "to")?,
        sku: sku.map(kernel::Sku::into_string),
        payment_method: params.payment_method,
        status: params.status,
        customer_id: None,
    };
    let header = [
        "receipt_number",
        "sale_id",
        "created_at",
        "status",
        "location",
        "payment_method",
        "customer",
        "recorded_by",
        "line_no",
        "sku",
        "name",
        "quantity",
        "unit_price_cents",
        "discount_cents",
        "tax_rate",
        "net_cents",
        "tax_cents",
        "line_total_cents",
        "returned_quantity",
    ];
    Ok(csv_export::response(
        "sales.csv",
        &header,
        move |before: Option<i64>| {
            let counter = counter.clone();
            let filter = filter.clone();
            async move {
                let page = counter.list(&filter, before, SALES_PAGE).await?;
                let next = (page.len() == SALES_PAGE as usize).then(|| page.last().map(|s| s.receipt_number));
                let rows = page.iter().flat_map(sale_rows).collect();
                Ok::<_, SaleError>((rows, next.flatten()))
            }
        },
    ))
}

fn sale_rows(sale: &Sale) -> Vec<Vec<String>> {
    sale.lines
        .iter()
        .map(|line| {
            vec![
                sale.receipt_number.to_string(),
                sale.id.clone(),
                sale.created_at.format(&Rfc3339).unwrap_or_default(),
                sale.status.as_str().to_owned(),
                sale.location.clone(),
                sale.payment_method.as_str().to_owned(),
                field(sale.customer.clone()),
                field(sale.recorded_by.clone()),
                line.line_no.to_string(),
                line.sku.clone(),
                line.name.clone(),
                line.quantity.to_string(),
                line.unit_price_cents.to_string(),
                line.discount_cents.to_string(),
                field(line.tax_rate.clone()),
                line.net_cents.to_string(),
                line.tax_cents.to_string(),
                line.line_total_cents.to_string(),
                line.returned_quantity.to_string(),
            ]
        })
        .collect()
}

pub async fn customers(
    State(counter): State<AppState>,
    Query(params): Query<CustomerExportParams>,
) -> Result<Response, Problem> {
    let text = params
        .q
        .as_deref()
        .map(|q| kernel::text::line(q, 100))
        .transpose()
        .map_err(|reason| Problem::bad_request("invalid-query", format!("q {reason}")))?
        .flatten();
    let filter = CustomerFilter {
        text,
        archived: params.archived.unwrap_or(false),
    };
    let header = ["id", "name", "phone", "email", "notes", "archived", "created_at"];
    Ok(csv_export::response(
        "customers.csv",
        &header,
        move |after: Option<String>| {
            let counter = counter.clone();
            let filter = filter.clone();
            async move {
                let page = counter
                    .customers(&filter, after.as_deref(), CUSTOMERS_PAGE)
                    .await?;
                let next = (page.len() == CUSTOMERS_PAGE as usize).then(|| page.last().map(|c| c.id.clone()));
                let rows = page
                    .into_iter()
                    .map(|c| {
                        vec![
                            c.id,
                            c.name,
                            field(c.phone),
                            field(c.email),
                            field(c.notes),
                            c.archived.to_string(),
                            c.created_at.format(&Rfc3339).unwrap_or_default(),
                        ]
                    })
                    .collect();
                Ok::<_, SaleError>((rows, next.flatten()))
            }
        },
    ))
}
