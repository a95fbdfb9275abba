//! `/internal/v1/events`: the sales service's event history, page by page, for a service
//! that rebuilds what it derives from the events (the reports). Not routed by the gateway.

use events::HistoryPage;
use serde::Deserialize;
use web::{Json, Query};

use super::AppState;
use crate::error::SaleError;

/// The most events one page holds.
pub const MAX_PAGE: i64 = 1_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// The `next` of the previous page; none for the first.
    after: Option<i64>,
    limit: Option<i64>,
}

pub async fn events(
    axum::extract::State(counter): axum::extract::State<AppState>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<HistoryPage>, SaleError> {
    let limit = params.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let page = counter
        .store
        .event_history(params.after.unwrap_or(0), limit)
        .await?;
    Ok(Json(page))
}
