//! Every way an inventory request can fail, and the problem each becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use web::{FieldProblem, Problem};

use crate::domain::{FieldError, Shortage};

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    /// The catalog never announced this SKU (or the text cannot be one).
    #[error("the catalog has no product with SKU {0}")]
    UnknownSku(String),
    #[error("no supplier {0}")]
    SupplierNotFound(String),
    #[error("no purchase order {0}")]
    PurchaseOrderNotFound(String),
    /// The order's state does not allow `action`.
    #[error("purchase order {number} is {status}: it cannot {action}")]
    OrderState {
        number: i64,
        status: kernel::PurchaseOrderStatus,
        action: &'static str,
    },
    /// A location named in the path.
    #[error("no location {0}")]
    LocationNotFound(String),
    /// A location named in the body.
    #[error("no location {0}")]
    UnknownLocation(String),
    #[error("location {0} is deactivated")]
    InactiveLocation(String),
    #[error("not enough stock at {location}: {available} available")]
    Insufficient {
        location: String,
        on_hand: i64,
        available: i64,
    },
    #[error("not enough stock for {} line(s)", .0.len())]
    Shortages(Vec<Shortage>),
    #[error("the level at {location} would leave ±{limit} units")]
    LevelLimit {
        location: String,
        on_hand: i64,
        limit: i64,
    },
    #[error("{0} is too large to be represented")]
    TooLarge(&'static str),
    #[error("a location with this code exists")]
    DuplicateLocation,
    #[error("the main location cannot be deactivated")]
    MainLocationRequired,
    #[error("no reservation {0}")]
    ReservationNotFound(String),
    /// Named serial numbers whose units cannot take the change (sold, elsewhere, held by
    /// another sale): a conflict with the state of the shop, not bad input.
    #[error("{} serial number(s) cannot be used", .0.len())]
    SerialsUnavailable(Vec<FieldError>),
    #[error("no unit with serial number {0}")]
    SerialNotFound(String),
    #[error("no warranty case {0}")]
    RmaNotFound(String),
    /// The case's state does not allow the step.
    #[error("RMA-{number:06} is {state}: {reason}")]
    RmaState {
        number: i64,
        state: kernel::serial::RmaState,
        reason: String,
    },
    /// Another request with the same idempotency key was answered first; this one's work
    /// was rolled back.
    #[error("another request with this idempotency key was answered first")]
    KeyAnswered,
    #[error("the inventory database failed")]
    Database(#[from] sqlx::Error),
}

impl InventoryError {
    pub fn level_limit(location: impl Into<String>, on_hand: i64) -> InventoryError {
        InventoryError::LevelLimit {
            location: location.into(),
            on_hand,
            limit: kernel::quantity::MAX_LEVEL,
        }
    }

    /// A problem the request caused (bad input, a conflict), as opposed to the database
    /// failing: retrying the same event cannot help with these.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, InventoryError::Database(_))
    }
}

impl storage::db::DeadlockVictim for InventoryError {
    fn is_deadlock_victim(&self) -> bool {
        matches!(self, InventoryError::Database(e) if storage::db::is_deadlock(e))
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
            InventoryError::UnknownSku(sku) => Problem::new(StatusCode::NOT_FOUND, "unknown-sku", "Unknown SKU")
                .detail(format!(
                    "The catalog has no product with SKU {sku}; create it there first."
                )),
            InventoryError::SupplierNotFound(id) => {
                Problem::new(StatusCode::NOT_FOUND, "supplier-not-found", "Supplier not found")
                    .detail(format!("There is no supplier {id}."))
            }
            InventoryError::PurchaseOrderNotFound(id) => Problem::new(
                StatusCode::NOT_FOUND,
                "purchase-order-not-found",
                "Purchase order not found",
            )
            .detail(format!("There is no purchase order {id}.")),
            InventoryError::OrderState {
                number,
                status,
                action,
            } => Problem::new(
                StatusCode::CONFLICT,
                "purchase-order-state",
                "Not possible in the order's state",
            )
            .detail(format!(
                "Purchase order PO-{number:06} is {}; it cannot {action} now.",
                status.as_str().replace('_', " ")
            ))
            .extension("order_status", status.as_str()),
            InventoryError::LocationNotFound(code) => {
                Problem::new(StatusCode::NOT_FOUND, "location-not-found", "Location not found")
                    .detail(format!("There is no location {code}."))
            }
            InventoryError::UnknownLocation(code) => {
                Problem::validation(field("location", format!("there is no location {code}")))
            }
            InventoryError::InactiveLocation(code) => {
                Problem::validation(field("location", format!("location {code} is deactivated")))
            }
            InventoryError::Insufficient {
                location,
                on_hand,
                available,
            } => Problem::new(StatusCode::CONFLICT, "insufficient-stock", "Not enough stock")
                .detail(format!(
                    "Only {available} available at {location} (on hand {on_hand}); stock cannot go below zero here."
                ))
                .extension("location", location)
                .extension("on_hand", on_hand)
                .extension("available", available),
            InventoryError::Shortages(short) => {
                let lines: Vec<inventory_api::reservations::Shortage> = short
                    .into_iter()
                    .map(|s| inventory_api::reservations::Shortage {
                        sku: s.sku,
                        requested: s.requested,
                        available: s.available,
                    })
                    .collect();
                Problem::new(StatusCode::CONFLICT, "insufficient-stock", "Not enough stock")
                    .detail(format!(
                        "{} line(s) cannot be served from the available stock.",
                        lines.len()
                    ))
                    .extension("lines", lines)
            }
            InventoryError::LevelLimit {
                location,
                on_hand,
                limit,
            } => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "stock-level-limit", "Stock level limit")
                .detail(format!(
                    "A stock level holds at most {limit} units either way; this would take {location} (on hand {on_hand}) beyond it."
                ))
                .extension("location", location)
                .extension("on_hand", on_hand)
                .extension("limit", limit),
            InventoryError::TooLarge(figure) => Problem::too_large(figure),
            InventoryError::DuplicateLocation => {
                Problem::new(StatusCode::CONFLICT, "duplicate-location", "Location code already in use")
                    .errors(field("code", "is already used by another location".into()))
            }
            InventoryError::MainLocationRequired => Problem::new(
                StatusCode::CONFLICT,
                "main-location-required",
                "The main location stays active",
            )
            .detail("The main location cannot be deactivated: stock goes there when no location is named."),
            InventoryError::ReservationNotFound(id) => Problem::not_found(format!("No reservation {id}.")),
            InventoryError::SerialsUnavailable(errors) => Problem::new(
                StatusCode::CONFLICT,
                "serial-unavailable",
                "Serial number not available",
            )
            .detail("A unit named by its serial number cannot take this change now; see errors.")
            .errors(
                errors
                    .into_iter()
                    .map(|e| FieldProblem {
                        field: e.field,
                        reason: e.reason,
                    })
                    .collect(),
            ),
            InventoryError::RmaNotFound(id) => {
                Problem::new(StatusCode::NOT_FOUND, "rma-not-found", "Warranty case not found")
                    .detail(format!("There is no warranty case {id}."))
            }
            InventoryError::RmaState { number, state, reason } => Problem::new(
                StatusCode::CONFLICT,
                "rma-state",
                "Not possible in the case's state",
            )
            .detail(format!("RMA-{number:06} is {}: {reason}.", state.as_str().replace('_', " ")))
            .extension("rma_state", state.as_str()),
            InventoryError::SerialNotFound(serial) => {
                Problem::new(StatusCode::NOT_FOUND, "serial-not-found", "Serial number not found")
                    .detail(format!("The shop has never had a unit with serial number {serial}."))
            }
            InventoryError::KeyAnswered => Problem::idempotency_key_in_use(),
            InventoryError::Database(e) => {
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

impl IntoResponse for InventoryError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}
