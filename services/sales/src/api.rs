//! The counter's HTTP API under `/api/v1/sales`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use events::sales::ReturnedLine;
use serde::{Deserialize, Serialize};
use web::idempotency::{self, ScopedKey};
use web::{IdempotencyKey, Json, Problem, Query};

use crate::domain::{
    FieldError, MAX_LINES, MAX_QUANTITY, PaymentMethod, SaleInput, SaleRequest, SaleStatus, price,
};
use crate::store::{ListFilter, Origin, Sale, SaleError, SalesStore, SummaryError};
use crate::upstream::{UpstreamError, Upstreams};
use kernel::FieldErrors;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_sale, list_sales, get_sale, void_sale, return_items, summary),
    components(schemas(SaleInput, crate::domain::LineInput, Sale, crate::store::Line, crate::store::HistoryEntry,
                       SalePage, ReturnInput, ReturnLineInput, crate::store::Summary, crate::store::MethodFigures,
                       crate::store::DayFigures, crate::store::ProductFigures)),
    tags((name = "sales", description = "The counter: sales, voids, returns, the dashboard summary"))
)]
pub struct SalesApi;

pub struct Counter {
    pub store: SalesStore,
    pub upstreams: Upstreams,
    pub reservation_ttl: Duration,
    pub max_discount_percent: u32,
}

type AppState = Arc<Counter>;

pub fn router(counter: Arc<Counter>) -> Router {
    Router::new()
        .route("/api/v1/sales", get(list_sales).post(create_sale))
        .route("/api/v1/sales/summary", get(summary))
        .route("/api/v1/sales/{id}", get(get_sale))
        .route("/api/v1/sales/{id}/void", post(void_sale))
        .route("/api/v1/sales/{id}/returns", post(return_items))
        .with_state(counter)
}

/// The signed-in user (from the gateway's identity) and the request id that follows the change.
fn origin(actor: &web::Actor, headers: &HeaderMap) -> Origin {
    Origin {
        actor: actor.name(),
        correlation_id: headers
            .get(web::middleware::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

fn validation(errors: Vec<FieldError>) -> Problem {
    Problem::validation(
        errors
            .into_iter()
            .map(|e| web::FieldProblem {
                field: e.field,
                reason: e.reason,
            })
            .collect(),
    )
}

fn upstream_problem(e: UpstreamError) -> Problem {
    match e {
        UpstreamError::Open {
            upstream,
            retry_after,
        } => Problem::unavailable(format!(
            "The {upstream} service is unavailable; nothing was recorded. Try again shortly."
        ))
        .retry_after(retry_after.as_secs().max(1)),
        UpstreamError::Unavailable { upstream, reason } => {
            tracing::warn!(upstream, %reason, "upstream unavailable");
            Problem::unavailable(format!(
                "The {upstream} service did not answer; nothing was recorded. Try again shortly."
            ))
            .retry_after(2)
        }
        UpstreamError::Refused {
            upstream,
            status,
            body,
        } => {
            tracing::error!(upstream, %status, %body, "unexpected refusal from upstream");
            Problem::internal()
        }
    }
}

/// Record a sale: priced from the catalog, all lines reserved or none. Send an
/// `Idempotency-Key` header to make retries harmless.
#[utoipa::path(post, path = "/api/v1/sales", tag = "sales", request_body = SaleInput,
    params(("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = Sale),
              (status = 409, description = "Not enough stock for some lines (listed), or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid lines, unknown SKUs, or a key reused with another body", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "Inventory unavailable; nothing recorded (Retry-After)", body = Problem, content_type = "application/problem+json")))]
async fn create_sale(
    State(counter): State<AppState>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let input: SaleInput = serde_json::from_value(body.clone()).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
            "The JSON body does not have the expected shape",
        )
        .detail(e.to_string())
    })?;
    let request = SaleRequest::parse(input).map_err(validation)?;
    let key = key.as_ref().map(ScopedKey::as_str);
    if let Some(key) = key {
        // serde_json keeps object keys sorted, so this text is canonical.
        let claim = counter
            .store
            .claim(key, &body.to_string())
            .await
            .map_err(database)?;
        if let Some(answer) = idempotency::answer_instead(claim) {
            return Ok(answer);
        }
    }
    let result = sell(&counter, &request, key, &origin(&actor, &headers)).await;
    if result.is_err()
        && let Some(key) = key
        && let Err(e) = counter.store.release_claim(key).await
    {
        tracing::warn!(error = %e, "could not release an idempotency key");
    }
    let sale = result?;
    let mut response = (StatusCode::CREATED, Json(&sale)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/sales/{}", sale.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Prices the lines from the catalog, reserves their stock, then records the sale and its
/// event in one transaction; if recording fails the reservation is released (or expires).
async fn sell(
    counter: &Counter,
    request: &SaleRequest,
    key: Option<&str>,
    origin: &Origin,
) -> Result<Sale, Problem> {
    let skus: Vec<&str> = {
        let mut skus: Vec<&str> = request.lines.iter().map(|l| l.sku.as_str()).collect();
        skus.sort_unstable();
        skus.dedup();
        skus
    };
    let fetched = futures::future::join_all(skus.iter().map(|sku| counter.upstreams.product(sku))).await;
    let mut products = BTreeMap::new();
    let mut errors = Vec::new();
    for (sku, product) in skus.iter().zip(fetched) {
        match product.map_err(upstream_problem)? {
            Some(p) if p.active => {
                products.insert(sku.to_string(), (p.name, p.price_cents));
            }
            found => {
                let reason = if found.is_some() {
                    "is archived and cannot be sold"
                } else {
                    "is not in the catalog"
                };
                for (i, line) in request.lines.iter().enumerate() {
                    if line.sku == *sku {
                        errors.push(FieldError {
                            field: format!("lines[{i}].sku"),
                            reason: format!("{sku} {reason}"),
                        });
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        return Err(validation(errors));
    }
    let (lines, totals) =
        price(request, counter.max_discount_percent, |sku| products[sku].clone()).map_err(validation)?;
    let id = uuid::Uuid::now_v7().to_string();
    let wanted: Vec<(String, i64)> = lines.iter().map(|l| (l.sku.clone(), l.quantity)).collect();
    let reserved_at = std::time::Instant::now();
    match counter
        .upstreams
        .reserve(&id, &request.location, &wanted, counter.reservation_ttl)
        .await
    {
        Ok(()) => {}
        Err(UpstreamError::Refused { status, body, .. }) if status == StatusCode::CONFLICT => {
            let lines = body.get("lines").cloned().unwrap_or_default();
            return Err(
                Problem::new(StatusCode::CONFLICT, "insufficient-stock", "Not enough stock")
                    .detail("Some lines cannot be served from the available stock; nothing was recorded.")
                    .extension("lines", lines),
            );
        }
        Err(UpstreamError::Refused { status, body, .. }) if status == StatusCode::UNPROCESSABLE_ENTITY => {
            let detail = body.get("errors").cloned().unwrap_or_default();
            let location_error = detail.to_string().contains("location");
            let field = if location_error { "location" } else { "lines" };
            return Err(validation(vec![FieldError {
                field: field.to_owned(),
                reason: detail
                    .get(0)
                    .and_then(|e| e.get("reason"))
                    .and_then(|r| r.as_str())
                    .unwrap_or("was refused by the inventory")
                    .to_owned(),
            }]));
        }
        Err(e) => return Err(upstream_problem(e)),
    }
    // A reservation the inventory may already have given up on must not back a sale.
    if reserved_at.elapsed() > counter.reservation_ttl / 2 {
        if let Err(e) = counter.upstreams.release(&id).await {
            tracing::warn!(sale = %id, error = %e, "late reservation not released; it expires on its own");
        }
        return Err(Problem::unavailable(
            "The inventory answered too slowly; nothing was recorded. Try again.",
        )
        .retry_after(1));
    }
    let recorded = counter
        .store
        .record(&id, request, &lines, totals, key, origin, |sale| {
            serde_json::to_string(sale).expect("sales serialize to JSON")
        })
        .await;
    match recorded {
        Ok(sale) => {
            metrics::counter!("sales_recorded_total", "payment_method" => request.payment_method.as_str())
                .increment(1);
            metrics::counter!("sales_revenue_cents_total").increment(sale.total_cents.max(0) as u64);
            Ok(sale)
        }
        Err(e) => {
            if let Err(release) = counter.upstreams.release(&id).await {
                tracing::warn!(sale = %id, error = %release, "reservation not released; it expires on its own");
            }
            Err(sale_problem(e))
        }
    }
}

fn database(e: sqlx::Error) -> Problem {
    tracing::error!(error = %e, "sales database error");
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            Problem::unavailable("The sales database is unavailable; nothing was recorded.")
        }
        _ => Problem::internal(),
    }
}

fn sale_problem(e: SaleError) -> Problem {
    match e {
        SaleError::NotFound(id) => Problem::new(StatusCode::NOT_FOUND, "sale-not-found", "Sale not found")
            .detail(format!("There is no sale {id}.")),
        SaleError::WrongStatus { status, action } => Problem::new(
            StatusCode::CONFLICT,
            "sale-not-changeable",
            "The sale cannot be changed this way",
        )
        .detail(format!("The sale is {status}; {action} is not possible."))
        .extension("sale_status", status),
        SaleError::TooMany { sku, returnable } => validation(vec![FieldError {
            field: "lines".into(),
            reason: format!("only {returnable} of {sku} can still be returned"),
        }]),
        SaleError::NotOnSale(sku) => validation(vec![FieldError {
            field: "lines".into(),
            reason: format!("{sku} was not sold on this sale"),
        }]),
        SaleError::KeyAnswered => Problem::idempotency_key_in_use(),
        SaleError::TooLarge => Problem::too_large("The refund"),
        SaleError::Database(e) => database(e),
    }
}

/// One sale with its lines and status history.
#[utoipa::path(get, path = "/api/v1/sales/{id}", tag = "sales", params(("id" = String, Path, description = "The sale's id")),
    responses((status = 200, body = Sale), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_sale(State(counter): State<AppState>, Path(id): Path<String>) -> Result<Json<Sale>, Problem> {
    counter
        .store
        .get(&id)
        .await
        .map_err(database)?
        .map(Json)
        .ok_or_else(|| sale_problem(SaleError::NotFound(id)))
}

/// Void a sale: every unit not yet returned goes back to stock.
#[utoipa::path(post, path = "/api/v1/sales/{id}/void", tag = "sales", params(("id" = String, Path, description = "The sale's id")),
    responses((status = 200, body = Sale), (status = 409, description = "Already voided or fully returned", body = Problem, content_type = "application/problem+json")))]
async fn void_sale(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
    headers: HeaderMap,
) -> Result<Json<Sale>, Problem> {
    let sale = counter
        .store
        .void(&id, &origin(&actor, &headers))
        .await
        .map_err(sale_problem)?;
    Ok(Json(sale))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    #[schema(min_items = 1, max_items = 100)]
    lines: Vec<ReturnLineInput>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnLineInput {
    #[schema(value_type = web::schema::Sku)]
    sku: String,
    #[schema(minimum = 1, maximum = 1000)]
    quantity: i64,
    /// True (default): back on the shelf; false: written off as damaged.
    restock: Option<bool>,
}

/// Take back part of a sale, restocked or written off; never more than was sold.
#[utoipa::path(post, path = "/api/v1/sales/{id}/returns", tag = "sales", request_body = ReturnInput,
    params(("id" = String, Path, description = "The sale's id"),
           ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 200, body = Sale),
              (status = 409, description = "The sale is voided or fully returned, or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid lines, a SKU not on the sale, or more units than can still be returned", body = Problem, content_type = "application/problem+json")))]
async fn return_items(
    State(counter): State<AppState>,
    Path(id): Path<String>,
    actor: web::Actor,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, Problem> {
    let input: ReturnInput = serde_json::from_value(body.clone()).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
            "The JSON body does not have the expected shape",
        )
        .detail(e.to_string())
    })?;
    let mut errors = FieldErrors::new();
    if input.lines.is_empty() {
        errors.push("lines", "must not be empty");
    } else if input.lines.len() > MAX_LINES {
        errors.push("lines", format!("must have at most {MAX_LINES} lines"));
    }
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let sku = errors.check(&format!("lines[{i}].sku"), kernel::Sku::parse(&line.sku));
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            errors.push(
                format!("lines[{i}].quantity"),
                format!("must be between 1 and {MAX_QUANTITY}"),
            );
        }
        if let Some(sku) = sku {
            lines.push(ReturnedLine {
                sku: sku.into_string(),
                quantity: line.quantity,
                restock: line.restock.unwrap_or(true),
            });
        }
    }
    let lines = errors.finish(|| lines).map_err(validation)?;
    let key = key.as_ref().map(ScopedKey::as_str);
    if let Some(key) = key {
        let claim = counter
            .store
            .claim(key, &body.to_string())
            .await
            .map_err(database)?;
        if let Some(answer) = idempotency::answer_instead(claim) {
            return Ok(answer);
        }
    }
    // The answer is stored with the return itself; a failed return frees the key again.
    let result = counter
        .store
        .return_lines(&id, &lines, key, &origin(&actor, &headers))
        .await;
    if result.is_err()
        && let Some(key) = key
    {
        let _ = counter.store.release_claim(key).await;
    }
    Ok(Json(result.map_err(sale_problem)?).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Sales made at or after this time.
    #[param(format = DateTime)]
    from: Option<String>,
    /// Sales made before this time.
    #[param(format = DateTime)]
    to: Option<String>,
    /// Sales with a line of this SKU.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    sku: Option<String>,
    #[param(inline)]
    payment_method: Option<PaymentMethod>,
    #[param(inline)]
    status: Option<SaleStatus>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SalePage {
    items: Vec<Sale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

fn instant(raw: Option<&str>, name: &str) -> Result<Option<i64>, Problem> {
    raw.map(|raw| {
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .map(crate::store::millis)
            .map_err(|_| {
                Problem::bad_request(
                    "invalid-query",
                    format!("{name} must be an RFC 3339 time such as 2026-11-25T00:00:00Z"),
                )
            })
    })
    .transpose()
}

/// Sales, newest first.
#[utoipa::path(get, path = "/api/v1/sales", tag = "sales", params(ListParams), responses((status = 200, body = SalePage)))]
async fn list_sales(
    State(counter): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Problem::bad_request(
            "invalid-query",
            "limit must be between 1 and 200",
        ));
    }
    let before = web::cursor::before_number(params.cursor.as_deref())?;
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
        payment_method: params.payment_method.map(|m| m.as_str().to_owned()),
        status: params.status.map(|s| s.as_str().to_owned()),
    };
    let mut items = counter
        .store
        .list(&filter, before, limit + 1)
        .await
        .map_err(database)?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = match (more, items.last()) {
        (true, Some(last)) => Some(last.receipt_number.to_string()),
        _ => None,
    };
    Ok(Json(SalePage { items, next_cursor }).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SummaryParams {
    /// The start of the period (default: 30 days before its end).
    #[param(format = DateTime)]
    from: Option<String>,
    /// The end of the period, excluded (default: now). A period that ends before it starts
    /// is empty.
    #[param(format = DateTime)]
    to: Option<String>,
}

/// Count, revenue, units, average basket, by payment method and by day; the last 30 days by
/// default.
#[utoipa::path(get, path = "/api/v1/sales/summary", tag = "sales", params(SummaryParams),
    responses((status = 200, body = crate::store::Summary)))]
async fn summary(
    State(counter): State<AppState>,
    Query(params): Query<SummaryParams>,
) -> Result<Json<crate::store::Summary>, Problem> {
    let now = crate::store::now_ms();
    let to = instant(params.to.as_deref(), "to")?.unwrap_or(now + 1);
    let from = instant(params.from.as_deref(), "from")?.unwrap_or(to - 30 * 86_400_000);
    match counter.store.summary(from, to).await {
        Ok(summary) => Ok(Json(summary)),
        Err(SummaryError::TooLarge(_)) => Err(Problem::too_large("A figure of the summary")),
        Err(SummaryError::Database(e)) => Err(database(e)),
    }
}
