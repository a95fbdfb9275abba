//! Purchase orders on every backend: incoming follows the orders exactly, concurrent
//! deliveries never receive more than remains, a delivery retried with its key takes effect
//! once, and the average cost moves by the units received.

use futures::future::join_all;
use inventory::domain::{CatalogProduct, Origin, Prices};
use inventory::error::InventoryError;
use inventory::purchase_orders::PurchaseOrders;
use inventory::store::InventoryStore;
use inventory::store::items::apply_catalog_product;
use inventory_api::purchase_orders::{
    PurchaseOrder, PurchaseOrderInput, PurchaseOrderLineInput, ReceiptInput, ReceiptLineInput,
};
use inventory_api::suppliers::SupplierInput;
use kernel::PurchaseOrderStatus;
use std::sync::Arc;

conformance!(
    an_order_moves_from_incoming_to_on_hand_exactly,
    concurrent_deliveries_never_receive_more_than_remains,
    a_delivery_retried_with_its_key_is_received_once,
    the_average_cost_weighs_what_was_on_hand_and_what_arrived,
);

async fn known(store: &InventoryStore, sku: &str, cost_cents: i64) {
    let mut tx = store.db().begin().await.unwrap();
    let product = CatalogProduct {
        tracking: None,
        sku: sku.to_owned(),
        name: format!("Product {sku}"),
        active: true,
        catalog_version: 1,
        prices: Some(Prices {
            price_cents: cost_cents * 2,
            cost_cents,
        }),
        stock_defaults: None,
    };
    apply_catalog_product(&mut tx, &product).await.unwrap();
    tx.commit().await.unwrap();
}

/// A placed order of `lines` (sku, quantity, allow over-receipt) from a new supplier.
async fn placed(orders: &PurchaseOrders, lines: &[(&str, i64, bool)]) -> PurchaseOrder {
    let supplier = inventory::suppliers::Suppliers::new(Arc::new(orders.store().clone()))
        .create(&SupplierInput {
            name: Some("Northern Components".into()),
            ..SupplierInput::default()
        })
        .await
        .unwrap();
    let input = PurchaseOrderInput {
        supplier_id: supplier.id,
        lines: lines
            .iter()
            .map(|(sku, quantity, over)| PurchaseOrderLineInput {
                sku: (*sku).to_owned(),
                quantity: *quantity,
                unit_cost_cents: None,
                allow_over_receipt: Some(*over),
            })
            .collect(),
        ..PurchaseOrderInput::default()
    };
    let draft = orders.create(&input, &Origin::default()).await.unwrap();
    assert_eq!(draft.status, PurchaseOrderStatus::Draft);
    orders.place(&draft.id).await.unwrap()
}

fn delivery(lines: &[(&str, i64)]) -> inventory::store::purchase_orders::Delivery {
    PurchaseOrders::delivery(
        &ReceiptInput {
            lines: lines
                .iter()
                .map(|(sku, quantity)| ReceiptLineInput {
                    serials: Vec::new(),
                    sku: (*sku).to_owned(),
                    quantity: *quantity,
                    unit_cost_cents: None,
                })
                .collect(),
            reference: Some("DN-1".into()),
            note: None,
        },
        Origin::default(),
    )
    .unwrap()
}

async fn level(store: &InventoryStore, sku: &str) -> (i64, i64) {
    let levels = store.levels(sku).await.unwrap();
    let main = levels.iter().find(|l| l.location == "main").unwrap();
    (main.on_hand, main.incoming)
}

async fn invariants_hold(store: &InventoryStore) {
    assert_eq!(store.ledger_mismatches().await.unwrap(), []);
    assert_eq!(store.incoming_mismatches().await.unwrap(), []);
}

async fn an_order_moves_from_incoming_to_on_hand_exactly(store: InventoryStore) {
    known(&store, "PO-A", 1000).await;
    known(&store, "PO-B", 500).await;
    let orders = PurchaseOrders::new(Arc::new(store.clone()));
    let order = placed(&orders, &[("PO-A", 5, false), ("PO-B", 2, true)]).await;
    assert_eq!(order.status, PurchaseOrderStatus::Ordered);
    assert_eq!(
        order.lines[0].unit_cost_cents, 1000,
        "the catalog's cost by default"
    );
    assert_eq!(level(&store, "PO-A").await, (0, 5));

    let first = orders
        .receive(&order.id, &delivery(&[("PO-A", 3), ("PO-B", 3)]), None)
        .await
        .unwrap();
    assert_eq!(
        first.purchase_order.status,
        PurchaseOrderStatus::PartiallyReceived
    );
    assert_eq!(level(&store, "PO-A").await, (3, 2));
    assert_eq!(level(&store, "PO-B").await, (3, 0), "over-receipt allowed on B");
    invariants_hold(&store).await;

    let refused = orders
        .receive(&order.id, &delivery(&[("PO-A", 3)]), None)
        .await
        .unwrap_err();
    assert!(matches!(refused, InventoryError::Validation(_)), "{refused:?}");
    let cancel = orders.cancel(&order.id).await.unwrap_err();
    assert!(matches!(cancel, InventoryError::OrderState { .. }), "{cancel:?}");

    let last = orders
        .receive(&order.id, &delivery(&[("PO-A", 2)]), None)
        .await
        .unwrap();
    assert_eq!(last.purchase_order.status, PurchaseOrderStatus::Received);
    assert_eq!(last.purchase_order.receipts.len(), 2);
    assert_eq!(level(&store, "PO-A").await, (5, 0));
    invariants_hold(&store).await;

    // Calling off an order gives its incoming back.
    let other = placed(&orders, &[("PO-A", 4, false)]).await;
    assert_eq!(level(&store, "PO-A").await, (5, 4));
    let cancelled = orders.cancel(&other.id).await.unwrap();
    assert_eq!(cancelled.status, PurchaseOrderStatus::Cancelled);
    assert_eq!(level(&store, "PO-A").await, (5, 0));
    invariants_hold(&store).await;
}

async fn concurrent_deliveries_never_receive_more_than_remains(store: InventoryStore) {
    known(&store, "PO-RACE", 100).await;
    let orders = Arc::new(PurchaseOrders::new(Arc::new(store.clone())));
    let order = placed(&orders, &[("PO-RACE", 5, false)]).await;
    let attempts = (0..12).map(|_| {
        let orders = orders.clone();
        let id = order.id.clone();
        async move { orders.receive(&id, &delivery(&[("PO-RACE", 1)]), None).await }
    });
    let results = join_all(attempts).await;
    let received = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(received, 5, "{results:?}");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                refused,
                InventoryError::Validation(_) | InventoryError::OrderState { .. }
            ),
            "{refused:?}"
        );
    }
    assert_eq!(level(&store, "PO-RACE").await, (5, 0));
    let order = orders.get(&order.id).await.unwrap();
    assert_eq!(order.status, PurchaseOrderStatus::Received);
    assert_eq!(order.lines[0].received, 5);
    invariants_hold(&store).await;
}

async fn a_delivery_retried_with_its_key_is_received_once(store: InventoryStore) {
    known(&store, "PO-KEY", 100).await;
    let orders = Arc::new(PurchaseOrders::new(Arc::new(store.clone())));
    let order = placed(&orders, &[("PO-KEY", 10, false)]).await;
    let key = "user:1:receipt-1";
    // The HTTP layer claims a key before the work; two racing requests with one key: the
    // claim lets one through, and the answer stored with the work refuses a second writer.
    let claim = store.keys().claim(store.db(), key, "r").await.unwrap();
    assert!(matches!(claim, storage::idempotency::Claim::Claimed), "{claim:?}");
    let twice = (0..2).map(|_| {
        let orders = orders.clone();
        let id = order.id.clone();
        async move { orders.receive(&id, &delivery(&[("PO-KEY", 4)]), Some(key)).await }
    });
    let results = join_all(twice).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .any(|r| matches!(r, Err(InventoryError::KeyAnswered))),
        "{results:?}"
    );
    assert_eq!(level(&store, "PO-KEY").await, (4, 6));
    let again = store.keys().claim(store.db(), key, "r").await.unwrap();
    assert!(
        matches!(again, storage::idempotency::Claim::Replay { status: 201, .. }),
        "{again:?}"
    );
    invariants_hold(&store).await;
}

async fn the_average_cost_weighs_what_was_on_hand_and_what_arrived(store: InventoryStore) {
    known(&store, "PO-AVG", 100).await;
    let orders = PurchaseOrders::new(Arc::new(store.clone()));
    let order = placed(&orders, &[("PO-AVG", 40, false)]).await;
    // 10 at the order's 1.00, then 30 invoiced at 2.00: (10 + 60) / 40 = 1.75.
    orders
        .receive(&order.id, &delivery(&[("PO-AVG", 10)]), None)
        .await
        .unwrap();
    let invoiced = PurchaseOrders::delivery(
        &ReceiptInput {
            lines: vec![ReceiptLineInput {
                serials: Vec::new(),
                sku: "PO-AVG".into(),
                quantity: 30,
                unit_cost_cents: Some(200),
            }],
            reference: None,
            note: None,
        },
        Origin::default(),
    )
    .unwrap();
    orders.receive(&order.id, &invoiced, None).await.unwrap();
    let history = store.cost_history("PO-AVG", 10).await.unwrap();
    assert_eq!(history.average_cost_cents, Some(175));
    assert_eq!(
        history
            .changes
            .iter()
            .map(|c| (c.units_before, c.average_after_cost_cents))
            .collect::<Vec<_>>(),
        [(10, 175), (0, 100)]
    );
    let value = store.stock_value(None).await.unwrap();
    assert_eq!(
        value.at_cost_cents.get(),
        40 * 175,
        "stock is valued at its average cost"
    );
}
