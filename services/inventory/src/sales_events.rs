//! How the inventory follows the sales service: SaleCreated turns the sale's reservation into
//! sale movements, SaleUpdated (void, return) brings units back. Each applies exactly once
//! (the consumer's inbox).

use events::sales::{SaleCreated, SaleUpdated};
use events::{Envelope, Event, HandleError, Handler};
use futures::future::BoxFuture;
use sqlx::AnyConnection;
use storage::DatabaseKind;

use crate::domain::Cause;
use crate::error::InventoryError;
use crate::store::reservations::{apply_sale_created, apply_sale_updated, apply_sales_created};

pub const TYPES: [&str; 2] = [SaleCreated::TYPE, SaleUpdated::TYPE];

pub struct SalesEvents {
    pub engine: DatabaseKind,
}

impl Handler for SalesEvents {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Envelope,
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(async move {
            let result = match envelope.event_type.as_str() {
                // Versions 1 and 2 of both: the inventory needs only the lines, which all have.
                SaleCreated::TYPE => {
                    let sale = SaleCreated::from_envelope(envelope).map_err(HandleError::Permanent)?;
                    apply_sale_created(conn, self.engine, &sale, &cause(envelope)).await
                }
                SaleUpdated::TYPE => {
                    let update = SaleUpdated::from_envelope(envelope).map_err(HandleError::Permanent)?;
                    apply_sale_updated(conn, self.engine, &update, &cause(envelope)).await
                }
                other => return Err(HandleError::Permanent(format!("unexpected event type {other}"))),
            };
            // A sale of a SKU or at a location the inventory does not know cannot succeed by
            // retrying; it needs a person.
            result.map_err(handle_error)
        })
    }

    /// A run of sales is applied together (one statement per step); anything else, one event
    /// after another.
    fn handle_all<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelopes: &'a [&'a Envelope],
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(async move {
            if envelopes.iter().any(|e| e.event_type != SaleCreated::TYPE) {
                return events::consumer::one_by_one(self, conn, envelopes).await;
            }
            let sales = envelopes
                .iter()
                .map(|envelope| SaleCreated::from_envelope(envelope).map_err(HandleError::Permanent))
                .collect::<Result<Vec<_>, _>>()?;
            let sales: Vec<_> = sales
                .iter()
                .zip(envelopes)
                .map(|(sale, e)| (sale, cause(e)))
                .collect();
            apply_sales_created(conn, self.engine, &sales)
                .await
                .map_err(handle_error)
        })
    }
}

fn handle_error(e: InventoryError) -> HandleError {
    if e.is_permanent() {
        HandleError::Permanent(kernel::report::with_causes(&e))
    } else {
        HandleError::Transient(kernel::report::with_causes(&e))
    }
}

/// When the event happened and the request it came from, for the changes it causes.
fn cause(envelope: &Envelope) -> Cause {
    Cause {
        at: envelope.occurred_at,
        correlation_id: envelope.correlation_id.clone(),
    }
}
