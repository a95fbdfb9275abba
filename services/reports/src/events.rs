//! How the reports follow the other services: each sales event adds its figures to the daily
//! rollups, each product event keeps the product's name and groups, each closed shift is kept
//! for the over/short report. The consumer's inbox applies every event exactly once, in the
//! same transaction as its figures.

use events::catalog::{ProductCreated, ProductUpdated};
use events::sales::{SaleCreated, SaleUpdated, ShiftClosed};
use events::{Envelope, Event, HandleError, Handler};
use futures::future::BoxFuture;
use sqlx::AnyConnection;
use storage::DatabaseKind;
use time::UtcOffset;

use crate::domain::{sale_tallies, update_tallies};
use crate::store;

/// The sales service's events the reports consume.
pub const SALES_TYPES: [&str; 3] = [SaleCreated::TYPE, SaleUpdated::TYPE, ShiftClosed::TYPE];

/// The catalog's events the reports consume.
pub const CATALOG_TYPES: [&str; 2] = [ProductCreated::TYPE, ProductUpdated::TYPE];

pub struct ReportEvents {
    pub engine: DatabaseKind,
}

impl Handler for ReportEvents {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Envelope,
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(apply(conn, self.engine, envelope))
    }
}

/// Applies `envelope` to the reports' tables on `conn` (within the caller's transaction).
pub async fn apply(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    envelope: &Envelope,
) -> Result<(), HandleError> {
    let day = envelope.occurred_at.to_offset(UtcOffset::UTC).date();
    let bad =
        |e: serde_json::Error| HandleError::Permanent(format!("malformed {}: {e}", envelope.event_type));
    match envelope.event_type.as_str() {
        SaleCreated::TYPE => {
            let sale = SaleCreated::from_envelope(envelope).map_err(HandleError::Permanent)?;
            let (tallies, recorded) = sale_tallies(&sale, day);
            store::keep_sale(conn, &sale.sale_id, &recorded).await?;
            store::add(conn, engine, &tallies).await?;
        }
        SaleUpdated::TYPE => {
            let update = SaleUpdated::from_envelope(envelope).map_err(HandleError::Permanent)?;
            // Its SaleCreated comes first on the same queue; a sale recorded before the reports
            // existed is found by a rebuild.
            let Some(sale) = store::kept_sale(conn, &update.sale_id).await? else {
                return Err(HandleError::Transient(format!(
                    "sale {} is not known to the reports yet",
                    update.sale_id
                )));
            };
            store::add(conn, engine, &update_tallies(&update, &sale, day)).await?;
        }
        ShiftClosed::TYPE => {
            let shift: ShiftClosed = serde_json::from_value(envelope.data.clone()).map_err(bad)?;
            store::keep_shift(conn, &shift).await?;
        }
        ProductCreated::TYPE => {
            let event: ProductCreated = serde_json::from_value(envelope.data.clone()).map_err(bad)?;
            store::keep_product(conn, engine, &(&event.product).into()).await?;
        }
        ProductUpdated::TYPE => {
            let event: ProductUpdated = serde_json::from_value(envelope.data.clone()).map_err(bad)?;
            store::keep_product(conn, engine, &(&event.product).into()).await?;
        }
        other => return Err(HandleError::Permanent(format!("unexpected event type {other}"))),
    }
    Ok(())
}
