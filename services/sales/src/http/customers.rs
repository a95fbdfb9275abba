//! The customers' HTTP routes under `/api/v1/customers`, as the contract (`sales_api`)
//! describes them.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sales_api::inputs::{CustomerInput, CustomerListParams, CustomerPatch, HistoryParams};
use sales_api::views::{Customer, CustomerPage, SalePage};
use web::{Json, Problem, Query};

use crate::counter::Counter;
use crate::domain::parse_id;
use crate::error::SaleError;
use crate::store::customers::CustomerFilter;

type AppState = Arc<Counter>;

pub fn router(counter: Arc<Counter>) -> Router {
    Router::new()
        .route("/api/v1/customers", get(list).post(create))
        .route("/api/v1/customers/{id}", get(one).patch(change).delete(archive))
        .route("/api/v1/customers/{id}/sales", get(purchases))
        .with_state(counter)
}

async fn create(
    State(counter): State<AppState>,
    Json(input): Json<CustomerInput>,
) -> Result<Response, SaleError> {
    let customer = counter.add_customer(&input).await?;
    let mut response = (StatusCode::CREATED, Json(&customer)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/customers/{}", customer.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn one(State(counter): State<AppState>, Path(id): Path<String>) -> Result<Json<Customer>, SaleError> {
    Ok(Json(counter.customer(&id).await?))
}

async fn change(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    Json(input): Json<CustomerPatch>,
) -> Result<Json<Customer>, SaleError> {
    Ok(Json(counter.change_customer(&id, &input).await?))
}

async fn archive(State(counter): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, SaleError> {
    counter.archive_customer(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(
    State(counter): State<AppState>,
    Query(params): Query<CustomerListParams>,
) -> Result<Json<CustomerPage>, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let after = params.cursor.as_deref().map(parse_id).transpose().map_err(|_| {
        Problem::bad_request(
            "invalid-cursor",
            "The cursor must be a customer id: pass the `next_cursor` of the previous page.",
        )
    })?;
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
    let rows = counter.customers(&filter, after.as_deref(), limit + 1).await?;
    let (items, next_cursor) = web::paging::cut(rows, limit, |c| c.id.clone());
    Ok(Json(CustomerPage { items, next_cursor }))
}

async fn purchases(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<SalePage>, Problem> {
    let limit = web::paging::page_size(params.limit)?;
    let before = web::cursor::before_number(params.cursor.as_deref())?;
    let rows = counter.purchases(&id, before, limit + 1).await?;
    let (items, next_cursor) = web::paging::cut(rows, limit, |sale| sale.receipt_number.to_string());
    Ok(Json(SalePage { items, next_cursor }))
}
