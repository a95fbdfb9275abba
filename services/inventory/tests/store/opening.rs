//! Opening stock from an import on every backend: it sets levels through the ledger, makes a
//! product known that its own events have not announced yet (without losing their prices
//! later), and refuses a location that does not exist.

use events::catalog::{OpeningStockImported, OpeningStockLine};
use inventory::domain::{CatalogProduct, Cause, Prices};
use inventory::store::InventoryStore;
use inventory::store::items::apply_catalog_product;
use inventory::store::opening::apply_opening_stock;

conformance!(
    opening_stock_is_counted_in_even_before_the_product_is_announced,
    opening_stock_at_an_unknown_location_changes_nothing,
);

fn opening(lines: &[(&str, &str, i64)]) -> OpeningStockImported {
    OpeningStockImported {
        import_id: "import-1".into(),
        lines: lines
            .iter()
            .map(|(sku, location, quantity)| OpeningStockLine {
                sku: (*sku).into(),
                name: format!("Product {sku}"),
                location: (*location).into(),
                quantity: *quantity,
            })
            .collect(),
    }
}

fn cause() -> Cause {
    Cause {
        at: time::OffsetDateTime::now_utc(),
        correlation_id: None,
    }
}

async fn apply(
    store: &InventoryStore,
    event: &OpeningStockImported,
) -> Result<(), inventory::InventoryError> {
    let mut tx = store.db().begin().await.unwrap();
    apply_opening_stock(&mut tx, store.db().kind(), event, &cause()).await?;
    tx.commit().await.unwrap();
    Ok(())
}

async fn opening_stock_is_counted_in_even_before_the_product_is_announced(store: InventoryStore) {
    apply(&store, &opening(&[("OPEN-B", "main", 3), ("OPEN-A", "main", 7)]))
        .await
        .unwrap();
    let levels = store.levels("OPEN-A").await.unwrap();
    assert_eq!(levels[0].on_hand, 7);
    // The product's own event, arriving later, still sets its prices.
    let mut tx = store.db().begin().await.unwrap();
    let announced = CatalogProduct {
        tracking: None,
        sku: "OPEN-A".into(),
        name: "Graphics card".into(),
        active: true,
        catalog_version: 1,
        prices: Some(Prices {
            price_cents: 2_000,
            cost_cents: 1_000,
        }),
        stock_defaults: None,
    };
    apply_catalog_product(&mut tx, &announced).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.item("OPEN-A").await.unwrap().unwrap().name, "Graphics card");
    let value = store.stock_value(None).await.unwrap();
    assert_eq!(value.at_cost_cents.get(), 7 * 1_000);
    assert_eq!(value.unpriced_skus, 1, "OPEN-B is not announced yet");
    // Importing the same quantities again moves nothing.
    apply(&store, &opening(&[("OPEN-A", "main", 7)])).await.unwrap();
    let ledger = store.movements("OPEN-A", None, 10).await.unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].note.as_deref(), Some("opening stock (import import-1)"));
    assert_eq!(store.ledger_mismatches().await.unwrap(), []);
}

async fn opening_stock_at_an_unknown_location_changes_nothing(store: InventoryStore) {
    let refused = apply(&store, &opening(&[("OPEN-C", "main", 2), ("OPEN-C", "attic", 1)])).await;
    assert!(refused.is_err_and(|e| e.is_permanent()));
    assert!(store.levels("OPEN-C").await.unwrap().is_empty());
}
