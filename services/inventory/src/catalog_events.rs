//! How the inventory follows the catalog: ProductCreated makes a SKU known (with zero stock,
//! and the shop's stock settings for new products at every location it will have),
//! ProductUpdated keeps its name, active flag and prices (to value the stock), ProductArchived
//! stops its alerts. OpeningStockImported sets the stock an import of products brought.

use events::catalog::{
    OpeningStockImported, ProductArchived, ProductCreated, ProductSnapshot, ProductUpdated,
};
use events::{Envelope, Event, HandleError, Handler};
use futures::future::BoxFuture;
use sqlx::AnyConnection;
use storage::DatabaseKind;

use crate::domain::{CatalogProduct, Cause, Prices, StockDefaults, Tracking};
use crate::store::items::{apply_catalog_archive, apply_catalog_product};
use crate::store::opening::apply_opening_stock;

/// The catalog events the inventory consumes.
pub const TYPES: [&str; 4] = [
    ProductCreated::TYPE,
    ProductUpdated::TYPE,
    ProductArchived::TYPE,
    OpeningStockImported::TYPE,
];

pub struct CatalogEvents {
    pub engine: DatabaseKind,
}

impl Handler for CatalogEvents {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Envelope,
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(async move {
            if envelope.version != 1 {
                return Err(HandleError::Permanent(format!(
                    "{} version {} is not understood",
                    envelope.event_type, envelope.version
                )));
            }
            let bad = |e: serde_json::Error| {
                HandleError::Permanent(format!("malformed {}: {e}", envelope.event_type))
            };
            match envelope.event_type.as_str() {
                ProductCreated::TYPE => {
                    let event: ProductCreated = serde_json::from_value(envelope.data.clone()).map_err(bad)?;
                    let product = CatalogProduct {
                        stock_defaults: event.stock_defaults.map(|d| StockDefaults {
                            low_stock_threshold: d.low_stock_threshold,
                            reorder_quantity: d.reorder_quantity,
                        }),
                        ..known(event.product)
                    };
                    apply_catalog_product(conn, &product).await?;
                }
                ProductUpdated::TYPE => {
                    let event: ProductUpdated = serde_json::from_value(envelope.data.clone()).map_err(bad)?;
                    apply_catalog_product(conn, &known(event.product)).await?;
                }
                ProductArchived::TYPE => {
                    let event: ProductArchived =
                        serde_json::from_value(envelope.data.clone()).map_err(bad)?;
                    apply_catalog_archive(conn, &event.sku, event.version).await?;
                }
                OpeningStockImported::TYPE => {
                    let event: OpeningStockImported =
                        serde_json::from_value(envelope.data.clone()).map_err(bad)?;
                    let cause = Cause {
                        at: envelope.occurred_at,
                        correlation_id: envelope.correlation_id.clone(),
                    };
                    // A location deactivated since the import was checked needs a person.
                    apply_opening_stock(conn, self.engine, &event, &cause)
                        .await
                        .map_err(|e| {
                            if e.is_permanent() {
                                HandleError::Permanent(kernel::report::with_causes(&e))
                            } else {
                                HandleError::Transient(kernel::report::with_causes(&e))
                            }
                        })?;
                }
                other => return Err(HandleError::Permanent(format!("unexpected event type {other}"))),
            }
            Ok(())
        })
    }
}

fn known(product: ProductSnapshot) -> CatalogProduct {
    CatalogProduct {
        sku: product.sku,
        name: product.name,
        active: product.active,
        catalog_version: product.version,
        prices: Some(Prices {
            price_cents: product.price_cents,
            cost_cents: product.cost_cents,
        }),
        stock_defaults: None,
        tracking: Some(Tracking {
            serialized: product.serialized,
            warranty_months: product.warranty_months,
        }),
    }
}
