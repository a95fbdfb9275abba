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

use crate::domain::{Tallies, sale_tallies, update_tallies};
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

    /// A run of sales is added up first and written with one statement per table; anything
    /// else, one event after another.
    fn handle_all<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelopes: &'a [&'a Envelope],
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(async move {
            if envelopes.iter().any(|e| e.event_type != SaleCreated::TYPE) {
                return events::consumer::one_by_one(self, conn, envelopes).await;
            }
            apply_sales(conn, self.engine, envelopes).await
        })
    }
}

/// Applies SaleCreated `envelopes` together: their figures added up, each table written once.
async fn apply_sales(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    envelopes: &[&Envelope],
) -> Result<(), HandleError> {
    let mut all = Tallies::default();
    let mut kept = Vec::with_capacity(envelopes.len());
    for envelope in envelopes {
        let sale = SaleCreated::from_envelope(envelope).map_err(HandleError::Permanent)?;
        let (tallies, recorded) = sale_tallies(&sale, utc_day(envelope));
        all.absorb(tallies);
        kept.push((sale.sale_id, recorded));
    }
    store::keep_sales(conn, &kept).await?;
    store::add(conn, engine, &all).await?;
    Ok(())
}

/// The UTC day `envelope` happened on: the day its figures count for.
fn utc_day(envelope: &Envelope) -> time::Date {
    envelope.occurred_at.to_offset(UtcOffset::UTC).date()
}

/// Applies `envelope` to the reports' tables on `conn` (within the caller's transaction).
pub async fn apply(
    conn: &mut AnyConnection,
    engine: DatabaseKind,
    envelope: &Envelope,
) -> Result<(), HandleError> {
    let day = utc_day(envelope);
    let bad =
        |e: serde_json::Error| HandleError::Permanent(format!("malformed {}: {e}", envelope.event_type));
    match envelope.event_type.as_str() {
        SaleCreated::TYPE => apply_sales(conn, engine, &[envelope]).await?,
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
