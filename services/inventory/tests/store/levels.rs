//! The inventory store on every backend: exact levels under concurrency, the ledger invariant,
//! no negative stock, atomic transfers, one warning per crossing, catalog events in any order.

use futures::future::join_all;
use inventory::domain::{
    AdjustmentReason, Amount, CatalogProduct, LevelSettings, Location, LocationCode, MovementKind, Origin,
    Prices, Restock, StockChange, StockValue, Transfer,
};
use inventory::error::InventoryError;
use inventory::store::InventoryStore;
use inventory::store::items::{apply_catalog_archive, apply_catalog_product};
use kernel::Cents;
use sqlx::AssertSqlSafe;

conformance!(
    a_hundred_concurrent_changes_leave_an_exact_level_and_ledger,
    stock_never_goes_negative_unless_the_location_allows_it,
    transfers_move_both_sides_or_neither,
    a_warning_is_written_once_per_crossing,
    unknown_skus_and_locations_change_nothing,
    a_stock_take_records_the_difference,
    catalog_events_in_any_order_keep_the_newest_product,
    the_stock_value_counts_units_on_hand_at_the_newest_prices,
    a_new_products_levels_start_with_the_shops_stock_settings,
);

/// An active product without prices, at catalog `version`.
fn catalog_product(sku: &str, name: &str, version: i64) -> CatalogProduct {
    CatalogProduct {
        tracking: None,
        sku: sku.to_owned(),
        name: name.to_owned(),
        active: true,
        catalog_version: version,
        prices: None,
        stock_defaults: None,
    }
}

async fn known(store: &InventoryStore, sku: &str) {
    let mut tx = store.db().begin().await.unwrap();
    apply_catalog_product(&mut tx, &catalog_product(sku, &format!("Product {sku}"), 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn change(sku: &str, location: &str, amount: Amount, kind: MovementKind) -> StockChange {
    StockChange {
        serials: Vec::new(),
        sku: sku.to_owned(),
        location: LocationCode::parse(location).unwrap(),
        amount,
        kind,
        reason: (kind != MovementKind::Restock).then_some(AdjustmentReason::Other),
        note: None,
        restock: (kind == MovementKind::Restock).then(Restock::default),
        origin: Origin::default(),
    }
}

fn settings(sku: &str, low_stock_threshold: i64, reorder_quantity: i64) -> LevelSettings {
    LevelSettings {
        sku: sku.to_owned(),
        location: LocationCode::main(),
        low_stock_threshold,
        reorder_quantity,
        follows_forecast: false,
        origin: Origin::default(),
    }
}

fn transfer(sku: &str, from: &LocationCode, to: &LocationCode, quantity: i64) -> Transfer {
    Transfer {
        serials: Vec::new(),
        sku: sku.to_owned(),
        from: from.clone(),
        to: to.clone(),
        quantity,
        note: None,
        origin: Origin::default(),
    }
}

async fn on_hand(store: &InventoryStore, sku: &str, location: &str) -> i64 {
    store
        .levels(sku)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.location == location)
        .map_or(0, |l| l.on_hand)
}

async fn count(store: &InventoryStore, sql: &'static str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(store.db().pool())
        .await
        .unwrap()
}

/// Every level of the store equals the sum of its ledger (the store's own self-check).
async fn assert_ledger_matches(store: &InventoryStore, sku: &str) {
    assert_eq!(
        store.ledger_mismatches().await.unwrap(),
        [],
        "every level must equal the sum of its ledger (checked after changes of {sku})"
    );
}

async fn a_hundred_concurrent_changes_leave_an_exact_level_and_ledger(store: InventoryStore) {
    known(&store, "RACE-1").await;
    store
        .change(
            &change("RACE-1", "main", Amount::By(100), MovementKind::Restock),
            None,
        )
        .await
        .unwrap();
    let ops = (0..100).map(|i| {
        let store = &store;
        async move {
            let op = if i % 2 == 0 {
                change("RACE-1", "main", Amount::By(3), MovementKind::Restock)
            } else {
                change("RACE-1", "main", Amount::By(-1), MovementKind::Adjustment)
            };
            store.change(&op, None).await
        }
    });
    for result in join_all(ops).await {
        result.unwrap();
    }
    assert_eq!(on_hand(&store, "RACE-1", "main").await, 100 + 50 * 3 - 50);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM inventory_movements").await,
        101
    );
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inventory_restocks").await, 51);
    assert_ledger_matches(&store, "RACE-1").await;
    // Every change wrote exactly one event (no thresholds are set, so no warnings beyond
    // the one for the initial zero stock, which is not a crossing).
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inventory_outbox").await, 101);
}

async fn stock_never_goes_negative_unless_the_location_allows_it(store: InventoryStore) {
    known(&store, "NEG-1").await;
    store
        .change(
            &change("NEG-1", "main", Amount::By(5), MovementKind::Restock),
            None,
        )
        .await
        .unwrap();
    let refused = store
        .change(
            &change("NEG-1", "main", Amount::By(-6), MovementKind::Adjustment),
            None,
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(InventoryError::Insufficient {
                on_hand: 5,
                available: 5,
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(on_hand(&store, "NEG-1", "main").await, 5);
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM inventory_movements").await,
        1,
        "nothing written"
    );

    // 20 concurrent removals of 1 from 5: exactly 5 succeed.
    let removals = (0..20).map(|_| {
        let store = &store;
        async move {
            store
                .change(
                    &change("NEG-1", "main", Amount::By(-1), MovementKind::Adjustment),
                    None,
                )
                .await
        }
    });
    let done = join_all(removals).await.into_iter().filter(Result::is_ok).count();
    assert_eq!(done, 5);
    assert_eq!(on_hand(&store, "NEG-1", "main").await, 0);

    store
        .create_location(&Location {
            code: "overdraft".into(),
            name: "Sells before delivery".into(),
            active: true,
            allow_negative: true,
        })
        .await
        .unwrap();
    store
        .change(
            &change("NEG-1", "overdraft", Amount::By(-3), MovementKind::Adjustment),
            None,
        )
        .await
        .unwrap();
    assert_eq!(on_hand(&store, "NEG-1", "overdraft").await, -3);
    assert_ledger_matches(&store, "NEG-1").await;
}

async fn transfers_move_both_sides_or_neither(store: InventoryStore) {
    known(&store, "XFER-1").await;
    store
        .create_location(&Location {
            code: "back".into(),
            name: "Back room".into(),
            active: true,
            allow_negative: false,
        })
        .await
        .unwrap();
    store
        .change(
            &change("XFER-1", "main", Amount::By(10), MovementKind::Restock),
            None,
        )
        .await
        .unwrap();
    let main = LocationCode::parse("main").unwrap();
    let back = LocationCode::parse("back").unwrap();
    // Transfers both ways at once never deadlock and never lose a unit.
    let transfers = (0..30).map(|i| {
        let (store, main, back) = (&store, &main, &back);
        async move {
            if i % 2 == 0 {
                store.transfer(&transfer("XFER-1", main, back, 1), None).await
            } else {
                store.transfer(&transfer("XFER-1", back, main, 1), None).await
            }
        }
    });
    for result in join_all(transfers).await {
        match result {
            Ok(_) | Err(InventoryError::Insufficient { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    let total = on_hand(&store, "XFER-1", "main").await + on_hand(&store, "XFER-1", "back").await;
    assert_eq!(total, 10, "transfers never create or destroy stock");
    let before = count(&store, "SELECT COUNT(*) FROM inventory_movements").await;
    let refused = store
        .transfer(&transfer("XFER-1", &main, &back, 1000), None)
        .await;
    assert!(matches!(refused, Err(InventoryError::Insufficient { .. })));
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM inventory_movements").await,
        before
    );
    assert_ledger_matches(&store, "XFER-1").await;
}

async fn a_warning_is_written_once_per_crossing(store: InventoryStore) {
    known(&store, "LOW-1").await;
    let warnings = "SELECT COUNT(*) FROM inventory_outbox WHERE event_type = 'StockLevelWarning'";
    store
        .change(
            &change("LOW-1", "main", Amount::By(10), MovementKind::Restock),
            None,
        )
        .await
        .unwrap();
    store.settings(&settings("LOW-1", 5, 20)).await.unwrap();
    assert_eq!(count(&store, warnings).await, 0);
    for _ in 0..3 {
        store
            .change(
                &change("LOW-1", "main", Amount::By(-2), MovementKind::Adjustment),
                None,
            )
            .await
            .unwrap();
    } // 10 → 8 → 6 → 4: crossed once.
    assert_eq!(count(&store, warnings).await, 1);
    store
        .change(
            &change("LOW-1", "main", Amount::By(-1), MovementKind::Adjustment),
            None,
        )
        .await
        .unwrap();
    assert_eq!(count(&store, warnings).await, 1, "staying low is silent");
    store
        .change(
            &change("LOW-1", "main", Amount::By(10), MovementKind::Restock),
            None,
        )
        .await
        .unwrap(); // 13: re-armed
    store
        .change(
            &change("LOW-1", "main", Amount::By(-9), MovementKind::Adjustment),
            None,
        )
        .await
        .unwrap(); // 4
    assert_eq!(count(&store, warnings).await, 2);
    // Raising the threshold above the stock warns at once (once).
    store
        .change(
            &change("LOW-1", "main", Amount::By(10), MovementKind::Restock),
            None,
        )
        .await
        .unwrap(); // 14
    store.settings(&settings("LOW-1", 20, 20)).await.unwrap();
    store.settings(&settings("LOW-1", 21, 20)).await.unwrap();
    assert_eq!(count(&store, warnings).await, 3);
    let alerts = store.alerts(None, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    // An archived product no longer warns or alerts.
    let mut tx = store.db().begin().await.unwrap();
    apply_catalog_archive(&mut tx, "LOW-1", 2).await.unwrap();
    tx.commit().await.unwrap();
    store
        .change(
            &change("LOW-1", "main", Amount::By(10), MovementKind::Restock),
            None,
        )
        .await
        .unwrap();
    store
        .change(
            &change("LOW-1", "main", Amount::By(-20), MovementKind::Adjustment),
            None,
        )
        .await
        .unwrap();
    assert_eq!(count(&store, warnings).await, 3);
    assert!(store.alerts(None, 10).await.unwrap().is_empty());
}

async fn unknown_skus_and_locations_change_nothing(store: InventoryStore) {
    known(&store, "KNOWN-1").await;
    let unknown = store
        .change(
            &change("NEVER-1", "main", Amount::By(1), MovementKind::Restock),
            None,
        )
        .await;
    assert!(
        matches!(unknown, Err(InventoryError::UnknownSku(ref sku)) if sku == "NEVER-1"),
        "{unknown:?}"
    );
    let nowhere = store
        .change(
            &change("KNOWN-1", "attic", Amount::By(1), MovementKind::Restock),
            None,
        )
        .await;
    assert!(
        matches!(nowhere, Err(InventoryError::UnknownLocation(ref l)) if l == "attic"),
        "{nowhere:?}"
    );
    store
        .create_location(&Location {
            code: "closed".into(),
            name: "Closed shop".into(),
            active: false,
            allow_negative: false,
        })
        .await
        .unwrap();
    let closed = store
        .change(
            &change("KNOWN-1", "closed", Amount::By(1), MovementKind::Restock),
            None,
        )
        .await;
    assert!(
        matches!(closed, Err(InventoryError::InactiveLocation(_))),
        "{closed:?}"
    );
    let duplicate = store
        .create_location(&Location {
            code: "closed".into(),
            name: "Again".into(),
            active: true,
            allow_negative: false,
        })
        .await;
    assert!(matches!(duplicate, Err(InventoryError::DuplicateLocation)));
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inventory_movements").await, 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inventory_outbox").await, 0);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM inventory_levels").await, 0);
}

async fn a_stock_take_records_the_difference(store: InventoryStore) {
    known(&store, "COUNT-1").await;
    store
        .change(
            &change("COUNT-1", "main", Amount::By(7), MovementKind::Restock),
            None,
        )
        .await
        .unwrap();
    let counted = store
        .change(
            &change("COUNT-1", "main", Amount::To(4), MovementKind::Count),
            None,
        )
        .await
        .unwrap();
    assert_eq!(counted.level.on_hand, 4);
    let ledger = store.movements("COUNT-1", None, 10).await.unwrap();
    assert_eq!((ledger[0].kind.as_str(), ledger[0].quantity), ("count", -3));
    assert_eq!((ledger[0].on_hand_before, ledger[0].on_hand_after), (7, 4));
    let same = store
        .change(
            &change("COUNT-1", "main", Amount::To(4), MovementKind::Count),
            None,
        )
        .await
        .unwrap();
    assert_eq!(same.movement_id, None, "a matching count writes nothing");
    assert_eq!(store.movements("COUNT-1", None, 10).await.unwrap().len(), 2);
    // Paging the ledger backwards.
    let page = store.movements("COUNT-1", Some(ledger[0].id), 10).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].kind, MovementKind::Restock);
}

async fn catalog_events_in_any_order_keep_the_newest_product(store: InventoryStore) {
    let mut tx = store.db().begin().await.unwrap();
    apply_catalog_product(&mut tx, &catalog_product("ORD-1", "Renamed", 2))
        .await
        .unwrap();
    apply_catalog_product(&mut tx, &catalog_product("ORD-1", "Original", 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let item = store.item("ORD-1").await.unwrap().unwrap();
    assert_eq!((item.name.as_str(), item.active), ("Renamed", true));

    let mut tx = store.db().begin().await.unwrap();
    apply_catalog_archive(&mut tx, "ORD-2", 3).await.unwrap(); // archived before it was created
    apply_catalog_product(&mut tx, &catalog_product("ORD-2", "Late creation", 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(!store.item("ORD-2").await.unwrap().unwrap().active);
}

async fn the_stock_value_counts_units_on_hand_at_the_newest_prices(store: InventoryStore) {
    let priced = |sku: &str, version: i64, price_cents: i64, cost_cents: i64| CatalogProduct {
        prices: Some(Prices {
            price_cents,
            cost_cents,
        }),
        ..catalog_product(sku, sku, version)
    };
    let mut tx = store.db().begin().await.unwrap();
    apply_catalog_product(&mut tx, &priced("VAL-A", 1, 1_000, 600))
        .await
        .unwrap();
    apply_catalog_product(&mut tx, &priced("VAL-B", 2, 2_500, 1_500))
        .await
        .unwrap();
    // An older event arriving late changes nothing.
    apply_catalog_product(&mut tx, &priced("VAL-B", 1, 2_000, 1_200))
        .await
        .unwrap();
    apply_catalog_product(&mut tx, &priced("VAL-EMPTY", 1, 9_999, 9_000))
        .await
        .unwrap();
    apply_catalog_product(&mut tx, &catalog_product("VAL-OLD", "Known before prices", 1))
        .await
        .unwrap();
    // Archiving keeps the prices: archived goods on the shelf are still worth something.
    apply_catalog_archive(&mut tx, "VAL-A", 2).await.unwrap();
    tx.commit().await.unwrap();
    store
        .create_location(&Location {
            code: "val-back".into(),
            name: "Back room".into(),
            active: true,
            allow_negative: true,
        })
        .await
        .unwrap();
    for (sku, location, amount) in [
        ("VAL-A", "main", 5),
        ("VAL-B", "main", 2),
        ("VAL-B", "val-back", 1),
        ("VAL-OLD", "main", 3),
    ] {
        store
            .change(
                &change(sku, location, Amount::By(amount), MovementKind::Restock),
                None,
            )
            .await
            .unwrap();
    }
    // Negative on-hand is owed stock, not stock: it counts as none.
    store
        .change(
            &change("VAL-EMPTY", "val-back", Amount::By(-4), MovementKind::Adjustment),
            None,
        )
        .await
        .unwrap();

    assert_eq!(
        store.stock_value(None).await.unwrap(),
        StockValue {
            at_cost_cents: Cents::new(5 * 600 + 3 * 1_500),
            at_price_cents: Cents::new(5 * 1_000 + 3 * 2_500),
            units: 5 + 3 + 3,
            skus: 3,
            unpriced_skus: 1,
        }
    );
    assert_eq!(
        store.stock_value(Some("val-back")).await.unwrap(),
        StockValue {
            at_cost_cents: Cents::new(1_500),
            at_price_cents: Cents::new(2_500),
            units: 1,
            skus: 1,
            unpriced_skus: 0,
        }
    );
}

/// The shop's stock settings for new products, sent with ProductCreated, are where each of the
/// SKU's levels starts, at every location; a SKU known before them starts at 0.
async fn a_new_products_levels_start_with_the_shops_stock_settings(store: InventoryStore) {
    let mut tx = store.db().begin().await.unwrap();
    let product = CatalogProduct {
        stock_defaults: Some(inventory::domain::StockDefaults {
            low_stock_threshold: 3,
            reorder_quantity: 12,
        }),
        ..catalog_product("NEW-1", "New", 1)
    };
    apply_catalog_product(&mut tx, &product).await.unwrap();
    tx.commit().await.unwrap();
    known(&store, "OLD-1").await;
    for sku in ["NEW-1", "OLD-1"] {
        store
            .change(&change(sku, "main", Amount::By(5), MovementKind::Restock), None)
            .await
            .unwrap();
    }
    let levels = store.levels("NEW-1").await.unwrap();
    assert_eq!(
        (levels[0].low_stock_threshold, levels[0].reorder_quantity),
        (3, 12)
    );
    let levels = store.levels("OLD-1").await.unwrap();
    assert_eq!(
        (levels[0].low_stock_threshold, levels[0].reorder_quantity),
        (0, 0)
    );
    // Selling down to the threshold warns at once: the default is a real threshold.
    let warnings = "SELECT COUNT(*) FROM inventory_outbox WHERE event_type = 'StockLevelWarning'";
    store
        .change(
            &change("NEW-1", "main", Amount::By(-2), MovementKind::Adjustment),
            None,
        )
        .await
        .unwrap();
    assert_eq!(count(&store, warnings).await, 1);
}
