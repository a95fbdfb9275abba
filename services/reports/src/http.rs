//! The report routes under `/api/v1/reports`, as the contract (`reports_api`) describes them.
//! Each answers JSON, or CSV of its rows when the client accepts `text/csv` before JSON.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use reports_api::inputs::{Grouping, PeriodParams, SalesParams, StockParams};
use reports_api::views::{Figures, SalesReport, ShiftsReport, TaxReport};
use web::csv_export::{field, row};
use web::identity::Actor;
use web::{Json, Problem, Query};

use crate::reports::{Reports, period};

type AppState = Arc<Reports>;

pub fn router(reports: Arc<Reports>) -> Router {
    Router::new()
        .route("/api/v1/reports/sales", get(sales))
        .route("/api/v1/reports/tax", get(tax))
        .route("/api/v1/reports/shifts", get(shifts))
        .route("/api/v1/reports/stock", get(stock))
        .with_state(reports)
}

/// True when the client asked for CSV rather than JSON.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .find(|v| matches!(*v, "text/csv" | "application/json"))
        == Some("text/csv")
}

fn csv(filename: String, header: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut body = row(header.iter().map(|h| (*h).to_owned()));
    for fields in rows {
        body.extend(row(fields.into_iter()));
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `header` and `rows` without their cost columns unless `actor` may see costs.
fn shown_columns<'h>(
    actor: &Actor,
    header: Vec<&'h str>,
    rows: Vec<Vec<String>>,
) -> (Vec<&'h str>, Vec<Vec<String>>) {
    if web::costs::visible_to(actor) {
        return (header, rows);
    }
    let keep: Vec<bool> = header.iter().map(|h| !web::costs::is_cost(h)).collect();
    let kept = |fields: Vec<String>| -> Vec<String> {
        fields
            .into_iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(f, _)| f)
            .collect()
    };
    let header = header
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(h, _)| h)
        .collect();
    (header, rows.into_iter().map(kept).collect())
}

/// Costs and margins only for managers and up, as everywhere.
async fn sales(
    State(reports): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(params): Query<SalesParams>,
) -> Result<Response, Problem> {
    let filter = period(params.from.as_deref(), params.to.as_deref(), params.location)?;
    let by = params.by.unwrap_or(Grouping::Day);
    let report: SalesReport = reports.sales(&filter, by).await?;
    if !wants_csv(&headers) {
        return Ok(Json(web::costs::shown_to(&actor, &report)).into_response());
    }
    let mut header = vec![by.as_str(), "label"];
    header.extend(Figures::COLUMNS);
    let rows = report
        .rows
        .iter()
        .map(|r| {
            let mut fields = vec![r.key.clone(), r.label.clone()];
            fields.extend(r.figures.values().map(|n| n.to_string()));
            fields
        })
        .collect();
    let (header, rows) = shown_columns(&actor, header, rows);
    let name = format!(
        "sales-by-{}-{}-{}.csv",
        by.as_str(),
        report.period.from,
        report.period.to
    );
    Ok(csv(name, &header, rows))
}

async fn tax(
    State(reports): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<PeriodParams>,
) -> Result<Response, Problem> {
    let filter = period(params.from.as_deref(), params.to.as_deref(), params.location)?;
    let report: TaxReport = reports.tax(&filter).await?;
    if !wants_csv(&headers) {
        return Ok(Json(report).into_response());
    }
    let header = [
        "code",
        "rate_percent",
        "net_cents",
        "tax_cents",
        "refunded_net_cents",
        "refunded_tax_cents",
        "kept_net_cents",
        "kept_tax_cents",
    ];
    let rows = report
        .rates
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                r.rate_percent.clone(),
                r.net_cents.to_string(),
                r.tax_cents.to_string(),
                r.refunded_net_cents.to_string(),
                r.refunded_tax_cents.to_string(),
                r.kept_net_cents.to_string(),
                r.kept_tax_cents.to_string(),
            ]
        })
        .collect();
    let name = format!("tax-{}-{}.csv", report.period.from, report.period.to);
    Ok(csv(name, &header, rows))
}

async fn shifts(
    State(reports): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<PeriodParams>,
) -> Result<Response, Problem> {
    let filter = period(params.from.as_deref(), params.to.as_deref(), params.location)?;
    let report: ShiftsReport = reports.shifts(&filter).await?;
    if !wants_csv(&headers) {
        return Ok(Json(report).into_response());
    }
    let header = [
        "shift_id",
        "till",
        "location",
        "z_number",
        "closed_at",
        "closed_by",
        "sales",
        "total_cents",
        "refunds_cents",
        "expected_cash_cents",
        "counted_cash_cents",
        "over_short_cents",
    ];
    let rows = report
        .shifts
        .iter()
        .map(|s| {
            vec![
                s.shift_id.clone(),
                s.till.clone(),
                s.location.clone(),
                s.z_number.to_string(),
                s.closed_at.clone(),
                field(s.closed_by.as_ref()),
                s.sales.to_string(),
                s.total_cents.to_string(),
                s.refunds_cents.to_string(),
                s.expected_cash_cents.to_string(),
                s.counted_cash_cents.to_string(),
                s.over_short_cents.to_string(),
            ]
        })
        .collect();
    let name = format!("shifts-{}-{}.csv", report.period.from, report.period.to);
    Ok(csv(name, &header, rows))
}

/// Costs (and values at cost) only for managers and up, as everywhere.
async fn stock(
    State(reports): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Query(params): Query<StockParams>,
) -> Result<Response, Problem> {
    let report = reports
        .stock(params.to.as_deref(), params.days, params.location, params.limit)
        .await?;
    if !wants_csv(&headers) {
        return Ok(Json(web::costs::shown_to(&actor, &report)).into_response());
    }
    let header = vec![
        "sku",
        "name",
        "category",
        "on_hand",
        "unit_cost_cents",
        "value_at_cost_cents",
        "sold_units",
        "net_sales_cents",
        "last_sold",
        "dead",
        "sell_through_percent",
        "days_of_inventory",
        "turnover",
        "abc",
    ];
    let rows: Vec<Vec<String>> = report
        .items
        .iter()
        .map(|i| {
            vec![
                i.sku.clone(),
                i.name.clone(),
                i.category.clone(),
                i.on_hand.to_string(),
                field(i.unit_cost_cents),
                field(i.value_at_cost_cents),
                i.sold_units.to_string(),
                i.net_sales_cents.to_string(),
                field(i.last_sold.as_ref()),
                i.dead.to_string(),
                field(i.sell_through_percent),
                field(i.days_of_inventory),
                field(i.turnover),
                i.abc.clone(),
            ]
        })
        .collect();
    let (header, rows) = shown_columns(&actor, header, rows);
    let name = format!("stock-{}.csv", report.period.to);
    Ok(csv(name, &header, rows))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn csv_is_chosen_only_when_asked_before_json() {
        let mut headers = HeaderMap::new();
        assert!(!wants_csv(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/csv"));
        assert!(wants_csv(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, text/csv"),
        );
        assert!(!wants_csv(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/csv;q=0.9, */*"));
        assert!(wants_csv(&headers));
    }
}
