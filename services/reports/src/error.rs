//! Every way a report request can fail, and the problem each one becomes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use web::{FieldProblem, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ReportsError {
    #[error("{0} {1}")]
    BadPeriod(String, String),
    #[error("a figure is too large to add up")]
    Overflow,
    #[error("a service the reports ask failed: {0}")]
    Source(String),
    #[error("the reports' data is damaged: {0}")]
    Corrupt(String),
    #[error("the reports database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("the reports database failed")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for ReportsError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                ReportsError::Unavailable(e)
            }
            other => ReportsError::Database(other),
        }
    }
}

impl From<ReportsError> for Problem {
    fn from(e: ReportsError) -> Problem {
        match e {
            ReportsError::BadPeriod(field, reason) => Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-period",
                "The period cannot be reported",
            )
            .detail(format!("{field} {reason}."))
            .errors(vec![FieldProblem { field, reason }]),
            ReportsError::Overflow => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "figure-too-large",
                "A figure is too large",
            )
            .detail("The period's figures add up to more than can be counted; choose a shorter period."),
            ReportsError::Source(what) => {
                tracing::error!(%what, "a service the reports ask failed");
                Problem::new(
                    StatusCode::BAD_GATEWAY,
                    "source-unavailable",
                    "A service the report needs did not answer",
                )
                .detail(format!(
                    "{what}. Try again shortly; the other reports still answer."
                ))
            }
            ReportsError::Corrupt(what) => {
                tracing::error!(%what, "reports data damaged");
                Problem::internal()
            }
            ReportsError::Unavailable(e) => {
                tracing::error!(error = %e, "reports database unavailable");
                Problem::unavailable("The reports database is not answering; try again shortly.")
                    .retry_after(2)
            }
            ReportsError::Database(e) => {
                tracing::error!(error = %e, "reports database error");
                Problem::internal()
            }
        }
    }
}

impl IntoResponse for ReportsError {
    fn into_response(self) -> Response {
        Problem::from(self).into_response()
    }
}
