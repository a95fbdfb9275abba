//! Every way a sales request can fail, and the problem each becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::{FieldError, SaleStatus};
use web::{FieldProblem, Problem};

use crate::upstream::UpstreamError;

#[derive(Debug, thiserror::Error)]
pub enum SaleError {
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("no sale {0}")]
    NotFound(String),
    #[error("no customer {0}")]
    CustomerNotFound(String),
    #[error("no shift {0}")]
    ShiftNotFound(String),
    #[error("shift {0} is closed")]
    ShiftClosed(String),
    #[error("till {till} has an open shift")]
    ShiftAlreadyOpen { till: String, open: String },
    /// The X report of an open shift is for managers: the cashier closes blind.
    #[error("the X report is for managers")]
    XReportForManagers,
    /// Discounts beyond the shop's limit, without a manager's approval; the lines and why.
    #[error("discounts beyond the limit need a manager's approval")]
    ApprovalRequired(Vec<FieldError>),
    #[error("the sale is {status}; {action} is not possible")]
    WrongStatus {
        status: SaleStatus,
        action: &'static str,
    },
    #[error("only {returnable} of {sku} can still be returned")]
    TooMany { sku: String, returnable: i64 },
    #[error("{0} was not sold on this sale")]
    NotOnSale(String),
    /// The inventory could not reserve some lines; its list of them is passed on.
    #[error("not enough stock for some lines")]
    Insufficient(serde_json::Value),
    /// Units named by serial number that the inventory could not hold (sold, elsewhere, held
    /// by another till's sale).
    #[error("some serial numbers cannot be sold")]
    SerialsUnavailable(Vec<FieldError>),
    /// The inventory took too long to reserve: the reservation may have lapsed already.
    #[error("the inventory answered too slowly")]
    SlowReservation,
    /// Another request with the same idempotency key was answered first; this one's work
    /// was rolled back.
    #[error("another request with this idempotency key was answered first")]
    KeyAnswered,
    #[error("{0} is too large to be represented")]
    TooLarge(&'static str),
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error("the sales database failed")]
    Database(#[from] sqlx::Error),
}

impl SaleError {
    pub fn field(field: &str, reason: impl Into<String>) -> SaleError {
        SaleError::Validation(vec![FieldError::new(field, reason)])
    }

    /// Whether the change may have been committed all the same: a database error can come
    /// after the commit, its answer lost with the connection (found by the fault campaign: a
    /// sale recorded, its reservation given back, its units sold twice). Its reservation is
    /// then left to expire: the inventory's sweeper asks whether the sale was recorded.
    pub fn may_have_been_recorded(&self) -> bool {
        matches!(self, SaleError::Database(_))
    }
}

impl From<SaleError> for Problem {
    fn from(e: SaleError) -> Problem {
        match e {
            SaleError::Validation(errors) => Problem::validation(field_problems(errors)),
            SaleError::NotFound(id) => {
                Problem::new(StatusCode::NOT_FOUND, "sale-not-found", "Sale not found")
                    .detail(format!("There is no sale {id}."))
            }
            SaleError::CustomerNotFound(id) => {
                Problem::new(StatusCode::NOT_FOUND, "customer-not-found", "Customer not found")
                    .detail(format!("There is no customer {id}."))
            }
            SaleError::ShiftNotFound(id) => Problem::new(StatusCode::NOT_FOUND, "shift-not-found", "Shift not found")
                .detail(format!("There is no shift {id}.")),
            SaleError::ShiftClosed(id) => Problem::new(StatusCode::CONFLICT, "shift-closed", "The shift is closed")
                .detail(format!(
                    "Shift {id} is closed: it takes no more sales, refunds or cash movements. Open a new shift on the till."
                )),
            SaleError::ShiftAlreadyOpen { till, open } => {
                Problem::new(StatusCode::CONFLICT, "shift-already-open", "The till has an open shift")
                    .detail(format!("Till {till} already has an open shift; close it before opening another."))
                    .extension("shift_id", open)
            }
            SaleError::XReportForManagers => Problem::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed")
                .detail("The X report of an open shift is for managers and admins: the till is counted blind, and the Z report shows the figures once it is closed."),
            SaleError::ApprovalRequired(lines) => Problem::new(
                StatusCode::FORBIDDEN,
                "approval-required",
                "A manager's approval is required",
            )
            .detail(
                "Some discounts go beyond the shop's limit. Send the sale again with `approval`: a \
                 manager's username and password.",
            )
            .errors(field_problems(lines)),
            SaleError::WrongStatus { status, action } => Problem::new(
                StatusCode::CONFLICT,
                "sale-not-changeable",
                "The sale cannot be changed this way",
            )
            .detail(format!("The sale is {status}; {action} is not possible."))
            .extension("sale_status", status),
            SaleError::TooMany { sku, returnable } => Problem::validation(vec![FieldProblem {
                field: "lines".into(),
                reason: format!("only {returnable} of {sku} can still be returned"),
            }]),
            SaleError::NotOnSale(sku) => Problem::validation(vec![FieldProblem {
                field: "lines".into(),
                reason: format!("{sku} was not sold on this sale"),
            }]),
            SaleError::Insufficient(lines) => {
                Problem::new(StatusCode::CONFLICT, "insufficient-stock", "Not enough stock")
                    .detail("Some lines cannot be served from the available stock; nothing was recorded.")
                    .extension("lines", lines)
            }
            SaleError::SerialsUnavailable(errors) => Problem::new(
                StatusCode::CONFLICT,
                "serial-unavailable",
                "Serial number not available",
            )
            .detail("A unit named by its serial number cannot be sold now; nothing was recorded.")
            .errors(field_problems(errors)),
            SaleError::SlowReservation => {
                Problem::unavailable("The inventory answered too slowly; nothing was recorded. Try again.")
                    .retry_after(1)
            }
            SaleError::KeyAnswered => Problem::idempotency_key_in_use(),
            SaleError::TooLarge(figure) => Problem::too_large(figure),
            SaleError::Upstream(UpstreamError::Open {
                upstream,
                retry_after,
            }) => Problem::unavailable(format!(
                "The {upstream} service is unavailable; nothing was recorded. Try again shortly."
            ))
            .retry_after(retry_after.as_secs().max(1)),
            SaleError::Upstream(UpstreamError::Unavailable { upstream, reason }) => {
                tracing::warn!(upstream, %reason, "upstream unavailable");
                Problem::unavailable(format!(
                    "The {upstream} service did not answer; nothing was recorded. Try again shortly."
                ))
                .retry_after(2)
            }
            SaleError::Upstream(UpstreamError::Refused {
                upstream,
                status,
                body,
            }) => {
                tracing::error!(upstream, %status, %body, "unexpected refusal from upstream");
                Problem::internal()
            }
            SaleError::Database(e) => {
                tracing::error!(error = %e, "sales database error");
                match e {
                    sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                        Problem::unavailable("The sales database is unavailable; nothing was recorded.")
                    }
                    _ => Problem::internal(),
                }
            }
        }
    }
}

fn field_problems(errors: Vec<FieldError>) -> Vec<FieldProblem> {
    errors
        .into_iter()
        .map(|e| FieldProblem {
            field: e.field,
            reason: e.reason,
        })
        .collect()
}

impl IntoResponse for SaleError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}
