//! `/internal/v1/reservations`: the sales service holds a sale's stock while it records the
//! sale. Not routed by the gateway.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inventory_api::reservations::{ReservationView, ReserveInput, ReservedLine};
use web::Json;

use super::AppState;
use crate::domain::Reservation;
use crate::error::InventoryError;

pub async fn reserve(
    State(app): State<AppState>,
    Json(input): Json<ReserveInput>,
) -> Result<Response, InventoryError> {
    let reservation = app.reservations.reserve(&input).await?;
    Ok((StatusCode::CREATED, Json(view(reservation))).into_response())
}

pub async fn get(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ReservationView>, InventoryError> {
    Ok(Json(view(app.reservations.get(&id).await?)))
}

pub async fn release(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ReservationView>, InventoryError> {
    Ok(Json(view(app.reservations.release(&id).await?)))
}

fn view(r: Reservation) -> ReservationView {
    ReservationView {
        id: r.id,
        location: r.location,
        status: r.status,
        expires_at: r.expires_at,
        lines: r
            .lines
            .into_iter()
            .map(|l| ReservedLine {
                unit_cost_cents: r.unit_costs.get(&l.sku).copied(),
                sku: l.sku,
                quantity: l.quantity,
            })
            .collect(),
    }
}
