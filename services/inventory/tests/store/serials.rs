//! Serialized units on every backend: one serial per unit wherever stock changes, a unit on
//! the shelf once and sold once (two tills racing for it: one wins), voids, returns,
//! transfers and counts moving units exactly as they move stock, and stock = units on the
//! shelf throughout.

use std::time::Duration;

use events::sales::{ReturnedLine, SaleUpdated};
use futures::future::join_all;
use inventory::domain::{
    Amount, CatalogProduct, LocationCode, MovementKind, Origin, ReservationLine, Restock, SerialNumber,
    StockChange, Tracking, Transfer,
};
use inventory::error::InventoryError;
use inventory::store::InventoryStore;
use inventory::store::items::apply_catalog_product;
use inventory::store::reservations::{apply_sale_created, apply_sale_updated};
use kernel::serial::{SerialChange, SerialState};
use kernel::{SaleChange, SaleStatus};
use serde_json::json;

use crate::reservations::{now, sale};

conformance!(
    a_serialized_restock_names_one_new_serial_per_unit,
    two_tills_racing_for_one_unit_sell_it_once,
    a_sold_unit_comes_back_on_the_shelf_or_kept_apart_as_faulty,
    transfers_and_counts_move_the_units_they_name,
    a_released_reservation_lets_go_of_its_units,
    a_product_serialized_after_it_sold_is_counted_in_and_takes_back_no_unnamed_units,
);

const TTL: Duration = Duration::from_secs(60);

fn serials(raw: &[&str]) -> Vec<SerialNumber> {
    raw.iter().map(|s| SerialNumber::parse(s).unwrap()).collect()
}

pub(crate) async fn serialized(store: &InventoryStore, sku: &str) {
    let mut tx = store.db().begin().await.unwrap();
    let product = CatalogProduct {
        sku: sku.to_owned(),
        name: format!("{sku} graphics card"),
        active: true,
        catalog_version: 1,
        prices: None,
        stock_defaults: None,
        tracking: Some(Tracking {
            serialized: true,
            warranty_months: 24,
        }),
    };
    apply_catalog_product(&mut tx, &product).await.unwrap();
    tx.commit().await.unwrap();
}

pub(crate) fn change(sku: &str, amount: Amount, kind: MovementKind, units: &[&str]) -> StockChange {
    StockChange {
        sku: sku.to_owned(),
        location: LocationCode::main(),
        amount,
        kind,
        reason: None,
        note: None,
        restock: (kind == MovementKind::Restock).then(|| Restock {
            supplier: Some("Acme Distribution".into()),
            ..Restock::default()
        }),
        serials: serials(units),
        origin: Origin {
            actor: Some("mia".into()),
            correlation_id: None,
        },
    }
}

pub(crate) async fn receive(store: &InventoryStore, sku: &str, units: &[&str]) -> Result<(), InventoryError> {
    let restock = change(sku, Amount::By(units.len() as i64), MovementKind::Restock, units);
    store.change(&restock, None).await.map(|_| ())
}

/// The serial numbers of `sku`'s units in `state` at `main`.
async fn units(store: &InventoryStore, sku: &str, state: SerialState) -> Vec<String> {
    store
        .serial_units(sku, Some("main"), state, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.serial)
        .collect()
}

pub(crate) async fn on_hand(store: &InventoryStore, sku: &str, location: &str) -> i64 {
    store
        .levels(sku)
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.location == location)
        .map_or(0, |l| l.on_hand)
}

pub(crate) async fn assert_invariants(store: &InventoryStore) {
    assert_eq!(
        store.serial_mismatches().await.unwrap(),
        [],
        "stock = units on the shelf"
    );
    assert_eq!(store.ledger_mismatches().await.unwrap(), [], "stock = ledger");
}

async fn a_serialized_restock_names_one_new_serial_per_unit(store: InventoryStore) {
    serialized(&store, "GPU-1").await;
    // No serials, too few, one twice: refused, nothing changes.
    for units in [&[][..], &["SN-1"][..], &["SN-1", "sn-1"][..]] {
        let restock = change("GPU-1", Amount::By(2), MovementKind::Restock, units);
        match store.change(&restock, None).await {
            Err(InventoryError::Validation(errors)) => assert_eq!(errors[0].field, "serials"),
            other => panic!("{units:?}: {other:?}"),
        }
    }
    assert_eq!(on_hand(&store, "GPU-1", "main").await, 0);
    receive(&store, "GPU-1", &["SN-1", "SN-2", "SN-3"]).await.unwrap();
    assert_eq!(on_hand(&store, "GPU-1", "main").await, 3);
    // A unit already on the shelf cannot be received again, not even with a new one.
    match receive(&store, "GPU-1", &["SN-4", "SN-2"]).await {
        Err(InventoryError::SerialsUnavailable(errors)) => {
            assert_eq!(errors.len(), 1);
            assert!(errors[0].reason.starts_with("SN-2:"), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        units(&store, "GPU-1", SerialState::InStock).await,
        ["SN-1", "SN-2", "SN-3"]
    );
    // Another product may carry the same number: serials are unique per product.
    serialized(&store, "SSD-1").await;
    receive(&store, "SSD-1", &["SN-1"]).await.unwrap();
    let records = store
        .serial_records(&SerialNumber::parse("sn-1").unwrap())
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    let gpu = &records[0];
    assert_eq!(
        (gpu.unit.sku.as_str(), gpu.name.as_str()),
        ("GPU-1", "GPU-1 graphics card")
    );
    assert_eq!(gpu.unit.supplier.as_deref(), Some("Acme Distribution"));
    assert_eq!(gpu.history.len(), 1);
    assert_eq!(gpu.history[0].change, SerialChange::Received);
    assert_eq!(gpu.history[0].actor.as_deref(), Some("mia"));
    // A product without serial numbers refuses them.
    let mut tx = store.db().begin().await.unwrap();
    let plain = CatalogProduct {
        sku: "CABLE-1".into(),
        name: "Cable".into(),
        active: true,
        catalog_version: 1,
        prices: None,
        stock_defaults: None,
        tracking: Some(Tracking::default()),
    };
    apply_catalog_product(&mut tx, &plain).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        receive(&store, "CABLE-1", &["X-1"]).await,
        Err(InventoryError::Validation(_))
    ));
    assert_invariants(&store).await;
}

async fn two_tills_racing_for_one_unit_sell_it_once(store: InventoryStore) {
    serialized(&store, "GPU-2").await;
    receive(&store, "GPU-2", &["RACE-1", "RACE-2"]).await.unwrap();
    let line = |unit: &str| ReservationLine {
        sku: "GPU-2".into(),
        quantity: 1,
        serials: serials(&[unit]),
    };
    let tills = (0..8).map(|i| {
        let store = &store;
        let line = line("RACE-1");
        async move {
            store
                .reserve(&format!("till-{i}"), &LocationCode::main(), &[line], TTL)
                .await
        }
    });
    let results = join_all(tills).await;
    let winners: Vec<usize> = (0..8).filter(|i| results[*i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(result, Err(InventoryError::SerialsUnavailable(_))),
            "{result:?}"
        );
    }
    let winner = format!("till-{}", winners[0]);
    // The unit is held: it cannot be moved, written off or sold by another sale meanwhile.
    let scrap = change("GPU-2", Amount::By(-1), MovementKind::Adjustment, &["RACE-1"]);
    assert!(matches!(
        store.change(&scrap, None).await,
        Err(InventoryError::SerialsUnavailable(_))
    ));
    let mut recorded = sale(&winner, &[("GPU-2", 1)]);
    recorded.lines[0].serials = vec!["RACE-1".into()];
    recorded.customer_id = Some("cust-1".into());
    let mut tx = store.db().begin().await.unwrap();
    apply_sale_created(&mut tx, store.db().kind(), &recorded, &now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(units(&store, "GPU-2", SerialState::InStock).await, ["RACE-2"]);
    assert_eq!(on_hand(&store, "GPU-2", "main").await, 1);
    let sold = &store
        .serial_records(&SerialNumber::parse("RACE-1").unwrap())
        .await
        .unwrap()[0];
    assert_eq!(sold.unit.state, SerialState::Sold);
    assert_eq!(sold.unit.sale_id.as_deref(), Some(winner.as_str()));
    assert_eq!(sold.unit.customer_id.as_deref(), Some("cust-1"));
    assert_eq!(sold.unit.warranty_months, 24);
    assert!(sold.unit.warranty_ends_on().is_some());
    // Sold once: a second sale naming it is refused at the reservation.
    assert!(matches!(
        store
            .reserve("late", &LocationCode::main(), &[line("RACE-1")], TTL)
            .await,
        Err(InventoryError::SerialsUnavailable(_))
    ));
    // A serialized line without serials, or with one too many, is refused.
    let bare = ReservationLine {
        serials: Vec::new(),
        ..line("RACE-2")
    };
    assert!(matches!(
        store.reserve("bare", &LocationCode::main(), &[bare], TTL).await,
        Err(InventoryError::Validation(_))
    ));
    assert_invariants(&store).await;
}

async fn a_sold_unit_comes_back_on_the_shelf_or_kept_apart_as_faulty(store: InventoryStore) {
    serialized(&store, "GPU-3").await;
    receive(&store, "GPU-3", &["BACK-1", "BACK-2", "BACK-3"])
        .await
        .unwrap();
    let held = ReservationLine {
        sku: "GPU-3".into(),
        quantity: 3,
        serials: serials(&["BACK-1", "BACK-2", "BACK-3"]),
    };
    store
        .reserve("sale-b", &LocationCode::main(), &[held], TTL)
        .await
        .unwrap();
    let mut recorded = sale("sale-b", &[("GPU-3", 3)]);
    recorded.lines[0].serials = vec!["BACK-1".into(), "BACK-2".into(), "BACK-3".into()];
    let mut tx = store.db().begin().await.unwrap();
    apply_sale_created(&mut tx, store.db().kind(), &recorded, &now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let update = |change, restock, units: &[&str]| given_back("sale-b", change, ("GPU-3", restock, units));
    for u in [
        update(SaleChange::Returned, true, &["BACK-1"]),
        update(SaleChange::Returned, false, &["BACK-2"]),
        update(SaleChange::Voided, true, &["BACK-3"]),
    ] {
        apply_given_back(&store, &u).await.unwrap();
    }
    assert_eq!(
        units(&store, "GPU-3", SerialState::InStock).await,
        ["BACK-1", "BACK-3"]
    );
    assert_eq!(units(&store, "GPU-3", SerialState::Faulty).await, ["BACK-2"]);
    // The faulty unit is never sellable stock.
    assert_eq!(on_hand(&store, "GPU-3", "main").await, 2);
    // A unit given back once cannot be given back again.
    let again = apply_given_back(&store, &update(SaleChange::Returned, true, &["BACK-1"])).await;
    assert!(
        matches!(again, Err(InventoryError::SerialsUnavailable(_))),
        "{again:?}"
    );
    let history: Vec<SerialChange> = store
        .serial_records(&SerialNumber::parse("BACK-2").unwrap())
        .await
        .unwrap()[0]
        .history
        .iter()
        .map(|e| e.change)
        .collect();
    assert_eq!(
        history,
        [
            SerialChange::Received,
            SerialChange::Sold,
            SerialChange::WrittenOff
        ]
    );
    assert_invariants(&store).await;
}

async fn transfers_and_counts_move_the_units_they_name(store: InventoryStore) {
    serialized(&store, "GPU-4").await;
    store
        .create_location(&inventory::domain::Location {
            code: "shop-2".into(),
            name: "Second shop".into(),
            active: true,
            allow_negative: false,
        })
        .await
        .unwrap();
    receive(&store, "GPU-4", &["MOVE-1", "MOVE-2", "MOVE-3"])
        .await
        .unwrap();
    let transfer = |units: &[&str]| Transfer {
        sku: "GPU-4".into(),
        from: LocationCode::main(),
        to: LocationCode::parse("shop-2").unwrap(),
        quantity: units.len() as i64,
        serials: serials(units),
        note: None,
        origin: Origin::default(),
    };
    store.transfer(&transfer(&["MOVE-2"]), None).await.unwrap();
    // A unit that is no longer at the source cannot leave it again.
    assert!(matches!(
        store.transfer(&transfer(&["MOVE-2"]), None).await,
        Err(InventoryError::SerialsUnavailable(_))
    ));
    assert_eq!(on_hand(&store, "GPU-4", "shop-2").await, 1);
    assert_eq!(
        units(&store, "GPU-4", SerialState::InStock).await,
        ["MOVE-1", "MOVE-3"]
    );
    // Events name the units they moved.
    let moved = [
        ("RestockReceived", json!(["MOVE-1", "MOVE-2", "MOVE-3"])),
        ("StockTransferred", json!(["MOVE-2"])),
    ];
    for (event, serials) in moved {
        let payload: String = sqlx::query_scalar(
            "SELECT payload FROM inventory_outbox WHERE event_type = ? AND payload LIKE '%GPU-4%' ORDER BY seq LIMIT 1",
        )
        .bind(event)
        .fetch_one(store.db().pool())
        .await
        .unwrap();
        let envelope: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(envelope["data"]["serials"], serials, "{event}");
    }
    // A count at main finds MOVE-1 and a unit nobody recorded; MOVE-3 is gone.
    let count = change(
        "GPU-4",
        Amount::To(2),
        MovementKind::Count,
        &["MOVE-1", "FOUND-9"],
    );
    store.change(&count, None).await.unwrap();
    assert_eq!(
        units(&store, "GPU-4", SerialState::InStock).await,
        ["FOUND-9", "MOVE-1"]
    );
    assert_eq!(units(&store, "GPU-4", SerialState::Scrapped).await, ["MOVE-3"]);
    // A count that finds as many units but other ones still moves them: MOVE-3, written off,
    // is found again; FOUND-9 is gone.
    let swap = change("GPU-4", Amount::To(2), MovementKind::Count, &["MOVE-1", "MOVE-3"]);
    store.change(&swap, None).await.unwrap();
    assert_eq!(
        units(&store, "GPU-4", SerialState::InStock).await,
        ["MOVE-1", "MOVE-3"]
    );
    assert_eq!(units(&store, "GPU-4", SerialState::Scrapped).await, ["FOUND-9"]);
    assert_invariants(&store).await;
    // Units leave the shelf only from it: MOVE-2 is at shop-2, not at main.
    let elsewhere = change("GPU-4", Amount::By(-1), MovementKind::Adjustment, &["MOVE-2"]);
    assert!(matches!(
        store.change(&elsewhere, None).await,
        Err(InventoryError::SerialsUnavailable(_))
    ));
    // A unit kept apart as damaged is not on the shelf: it cannot be taken off it again.
    let damaged = StockChange {
        reason: Some(inventory::domain::AdjustmentReason::Damaged),
        ..change("GPU-4", Amount::By(-1), MovementKind::Adjustment, &["MOVE-1"])
    };
    store.change(&damaged, None).await.unwrap();
    let again = change("GPU-4", Amount::By(-1), MovementKind::Adjustment, &["MOVE-1"]);
    assert!(matches!(
        store.change(&again, None).await,
        Err(InventoryError::SerialsUnavailable(_))
    ));
    // A count that finds nothing takes every unit off the shelf.
    let empty = change("GPU-4", Amount::To(0), MovementKind::Count, &[]);
    store.change(&empty, None).await.unwrap();
    assert!(units(&store, "GPU-4", SerialState::InStock).await.is_empty());
    assert_eq!(on_hand(&store, "GPU-4", "main").await, 0);
    assert_invariants(&store).await;
}

async fn a_released_reservation_lets_go_of_its_units(store: InventoryStore) {
    serialized(&store, "GPU-5").await;
    receive(&store, "GPU-5", &["HOLD-1"]).await.unwrap();
    let line = ReservationLine {
        sku: "GPU-5".into(),
        quantity: 1,
        serials: serials(&["HOLD-1"]),
    };
    store
        .reserve("first", &LocationCode::main(), std::slice::from_ref(&line), TTL)
        .await
        .unwrap();
    // Reserving again under the same id finds the same reservation.
    store
        .reserve("first", &LocationCode::main(), std::slice::from_ref(&line), TTL)
        .await
        .unwrap();
    store.release("first").await.unwrap();
    store
        .reserve("second", &LocationCode::main(), &[line], TTL)
        .await
        .unwrap();
    assert_invariants(&store).await;
}

async fn a_product_serialized_after_it_sold_is_counted_in_and_takes_back_no_unnamed_units(
    store: InventoryStore,
) {
    let announce = |version, serialized| CatalogProduct {
        sku: "LATE-1".into(),
        name: "Laptop".into(),
        active: true,
        catalog_version: version,
        prices: None,
        stock_defaults: None,
        tracking: Some(Tracking {
            serialized,
            warranty_months: 12,
        }),
    };
    let mut tx = store.db().begin().await.unwrap();
    apply_catalog_product(&mut tx, &announce(1, false)).await.unwrap();
    tx.commit().await.unwrap();
    let plain = change("LATE-1", Amount::By(2), MovementKind::Restock, &[]);
    store.change(&plain, None).await.unwrap();
    let line = ReservationLine {
        sku: "LATE-1".into(),
        quantity: 1,
        serials: Vec::new(),
    };
    store
        .reserve("old-sale", &LocationCode::main(), &[line], TTL)
        .await
        .unwrap();
    let mut tx = store.db().begin().await.unwrap();
    apply_sale_created(
        &mut tx,
        store.db().kind(),
        &sale("old-sale", &[("LATE-1", 1)]),
        &now(),
    )
    .await
    .unwrap();
    apply_catalog_product(&mut tx, &announce(2, true)).await.unwrap();
    tx.commit().await.unwrap();
    // One unit on the books without a number: the check sees it, a count by serial numbers fixes it.
    assert_eq!(store.serial_mismatches().await.unwrap().len(), 1);
    let count = change("LATE-1", Amount::To(1), MovementKind::Count, &["LT-0001"]);
    store.change(&count, None).await.unwrap();
    assert_invariants(&store).await;
    // The old sale voided: its unit comes back without a number and stays off the shelf.
    let mut void = given_back("old-sale", SaleChange::Voided, ("LATE-1", true, &[]));
    void.lines[0].quantity = 1;
    apply_given_back(&store, &void).await.unwrap();
    assert_eq!(on_hand(&store, "LATE-1", "main").await, 1);
    let entry = &store.movements("LATE-1", None, 1).await.unwrap()[0];
    assert_eq!(entry.quantity, 0);
    assert!(
        entry.note.as_deref().unwrap().contains("without serial numbers"),
        "{entry:?}"
    );
    assert_invariants(&store).await;
}

/// A void or return of `sale_id` giving back `units` of `sku`, restocked or not.
pub(crate) fn given_back(
    sale_id: &str,
    change: SaleChange,
    (sku, restock, units): (&str, bool, &[&str]),
) -> SaleUpdated {
    SaleUpdated {
        sale_id: sale_id.into(),
        receipt_number: 1,
        location: "main".into(),
        change,
        status: match change {
            SaleChange::Voided => SaleStatus::Voided,
            SaleChange::Returned => SaleStatus::PartiallyReturned,
        },
        lines: vec![ReturnedLine {
            sku: sku.into(),
            quantity: units.len() as i64,
            restock,
            serials: units.iter().map(|s| s.to_string()).collect(),
        }],
        approved_by: None,
        refund_cents: 0,
        refund_tax_cents: 0,
        actor: Some("bo".into()),
    }
}

/// Applies `update` as the inventory's consumer does, in one transaction, committed if it applies.
pub(crate) async fn apply_given_back(
    store: &InventoryStore,
    update: &SaleUpdated,
) -> Result<(), InventoryError> {
    let mut tx = store.db().begin().await.unwrap();
    apply_sale_updated(&mut tx, store.db().kind(), update, &now()).await?;
    tx.commit().await.unwrap();
    Ok(())
}
