//! Every way an inventory request can fail, and the problem each becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use web::{FieldProblem, Problem};

use crate::domain::FieldError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("unknown SKU {0}")]
    UnknownSku(String),
    #[error("no location {0}")]
    LocationNotFound(String),
    #[error("the main location cannot be deactivated")]
    MainLocationRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for InventoryError {
    fn from(e: sqlx::Error) -> Self {
        InventoryError::Store(StoreError::Database(e))
    }
}

fn field(field: &str, reason: String) -> Vec<FieldProblem> {
    vec![FieldProblem {
        field: field.to_owned(),
        reason,
    }]
}

impl From<InventoryError> for Problem {
    fn from(e: InventoryError) -> Problem {
        match e {
            InventoryError::Validation(errors) => Problem::validation(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        reason: e.reason,
                    })
                    .collect(),
            ),
            InventoryError::UnknownSku(sku) => unknown_sku(&format!("SKU {sku}")),
            InventoryError::Store(StoreError::UnknownSku) => unknown_sku("this SKU"),
            InventoryError::LocationNotFound(code) => {
                Problem::new(StatusCode::NOT_FOUND, "location-not-found", "Location not found")
                    .detail(format!("There is no location {code}."))
            }
            InventoryError::MainLocationRequired => Problem::new(
                StatusCode::CONFLICT,
                "main-location-required",
                "The main location stays active",
            )
            .detail("The main location cannot be deactivated: stock goes there when no location is named."),
            InventoryError::Store(StoreError::UnknownLocation(code)) => {
                Problem::validation(field("location", format!("there is no location {code}")))
            }
            InventoryError::Store(StoreError::InactiveLocation(code)) => {
                Problem::validation(field("location", format!("location {code} is deactivated")))
            }
            InventoryError::Store(StoreError::Insufficient {
                location,
                on_hand,
                available,
            }) => Problem::new(StatusCode::CONFLICT, "insufficient-stock", "Not enough stock")
                .detail(format!(
                    "Only {available} available at {location} (on hand {on_hand}); stock cannot go below zero here."
                ))
                .extension("location", location)
                .extension("on_hand", on_hand)
                .extension("available", available),
            InventoryError::Store(StoreError::LevelLimit {
                location,
                on_hand,
                limit,
            }) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "stock-level-limit", "Stock level limit")
                .detail(format!(
                    "A stock level holds at most {limit} units either way; this would take {location} (on hand {on_hand}) beyond it."
                ))
                .extension("location", location)
                .extension("on_hand", on_hand)
                .extension("limit", limit),
            InventoryError::Store(StoreError::TooLarge(figure)) => Problem::too_large(figure),
            InventoryError::Store(StoreError::DuplicateLocation) => {
                Problem::new(StatusCode::CONFLICT, "duplicate-location", "Location code already in use")
                    .errors(field("code", "is already used by another location".into()))
            }
            InventoryError::Store(StoreError::KeyAnswered) => Problem::idempotency_key_in_use(),
            InventoryError::Store(StoreError::Database(e)) => {
                tracing::error!(error = %e, "inventory database error");
                match e {
                    sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                        Problem::unavailable("The inventory database is unavailable; try again shortly.")
                    }
                    _ => Problem::internal(),
                }
            }
        }
    }
}

fn unknown_sku(what: &str) -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "unknown-sku", "Unknown SKU").detail(format!(
        "The catalog has no product with {what}; create it there first."
    ))
}

impl IntoResponse for InventoryError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}
