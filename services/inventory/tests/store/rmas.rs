//! Warranty cases on every backend: a customer's unit taken back, sent to the supplier and
//! replaced from the shelf or by the supplier; the shop's faulty unit repaired onto the
//! shelf; a refund without the unit leaving a case alone; two people moving one case at once.
//! Stock = units on the shelf = ledger after every step.

use std::sync::Arc;

use futures::future::join;
use inventory::domain::{
    AdjustmentReason, Amount, LocationCode, MovementKind, Origin, ReservationLine, SerialNumber,
};
use inventory::error::InventoryError;
use inventory::store::InventoryStore;
use inventory::store::reservations::apply_sale_created;
use inventory::store::rmas::{NewRma, RmaStep};
use inventory_api::suppliers::SupplierInput;
use kernel::SaleChange;
use kernel::serial::{RmaState, SerialState};

use crate::reservations::{now, sale};
use crate::serials::{apply_given_back, assert_invariants, change, given_back, on_hand, receive, serialized};

conformance!(
    a_customers_unit_is_replaced_from_the_shelf_and_keeps_its_warranty,
    a_replacement_straight_from_the_supplier_leaves_stock_alone,
    the_shops_faulty_unit_comes_back_repaired_onto_the_shelf,
    a_refund_without_the_unit_leaves_its_case_alone,
    two_people_moving_one_case_at_once_move_it_once,
);

/// `units` received, the first sold to customer `cust-1` under `sale_id`.
async fn sold_one(store: &InventoryStore, sku: &str, units: &[&str], sale_id: &str) {
    serialized(store, sku).await;
    receive(store, sku, units).await.unwrap();
    let line = ReservationLine {
        sku: sku.into(),
        quantity: 1,
        serials: vec![SerialNumber::parse(units[0]).unwrap()],
    };
    store
        .reserve(
            sale_id,
            &LocationCode::main(),
            &[line],
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    let mut recorded = sale(sale_id, &[(sku, 1)]);
    recorded.lines[0].serials = vec![units[0].to_owned()];
    recorded.customer_id = Some("cust-1".into());
    let mut tx = store.db().begin().await.unwrap();
    apply_sale_created(&mut tx, store.db().kind(), &recorded, &now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn supplier(store: &InventoryStore) -> String {
    inventory::suppliers::Suppliers::new(Arc::new(store.clone()))
        .create(&SupplierInput {
            name: Some("Northern Components".into()),
            ..SupplierInput::default()
        })
        .await
        .unwrap()
        .id
}

fn open(serial: &str) -> NewRma {
    NewRma {
        serial: SerialNumber::parse(serial).unwrap(),
        sku: None,
        location: None,
        fault: "artefacts on screen after ten minutes".into(),
        origin: Origin {
            actor: Some("ann".into()),
            correlation_id: None,
        },
    }
}

fn step(to: RmaState) -> RmaStep {
    RmaStep {
        to,
        note: None,
        supplier_id: None,
        replacement: None,
        origin: Origin::default(),
    }
}

async fn state(store: &InventoryStore, serial: &str) -> SerialState {
    store
        .serial_records(&SerialNumber::parse(serial).unwrap())
        .await
        .unwrap()[0]
        .unit
        .state
}

async fn a_customers_unit_is_replaced_from_the_shelf_and_keeps_its_warranty(store: InventoryStore) {
    sold_one(&store, "RMA-GPU", &["BAD-1", "SPARE-1"], "sale-r1").await;
    let case = store.open_rma(&open("bad-1")).await.unwrap();
    assert_eq!((case.state, case.number), (RmaState::Received, 1));
    assert_eq!(
        case.customer.as_ref().unwrap().customer_id.as_deref(),
        Some("cust-1")
    );
    assert!(case.under_warranty);
    assert_eq!(state(&store, "BAD-1").await, SerialState::Returned);
    // Its sale's return cannot put it back on the shelf: the unit is the case's now.
    let restock = given_back("sale-r1", SaleChange::Returned, ("RMA-GPU", true, &["BAD-1"]));
    let refused = apply_given_back(&store, &restock).await;
    assert!(
        matches!(refused, Err(InventoryError::SerialsUnavailable(_))),
        "{refused:?}"
    );
    // One open case per unit; a unit on the shelf is no case.
    assert!(matches!(
        store.open_rma(&open("BAD-1")).await,
        Err(InventoryError::Validation(_))
    ));
    assert!(matches!(
        store.open_rma(&open("SPARE-1")).await,
        Err(InventoryError::Validation(_))
    ));
    // Repaired by whom? It has not been to the supplier.
    assert!(matches!(
        store.move_rma(&case.id, &step(RmaState::Repaired)).await,
        Err(InventoryError::RmaState { .. })
    ));
    assert!(matches!(
        store.move_rma(&case.id, &step(RmaState::SentToSupplier)).await,
        Err(InventoryError::Validation(_))
    ));
    let sent = RmaStep {
        supplier_id: Some(supplier(&store).await),
        ..step(RmaState::SentToSupplier)
    };
    store.move_rma(&case.id, &sent).await.unwrap();
    assert_eq!(state(&store, "BAD-1").await, SerialState::AtSupplier);
    assert_eq!(on_hand(&store, "RMA-GPU", "main").await, 1);
    let replaced = RmaStep {
        replacement: Some(SerialNumber::parse("SPARE-1").unwrap()),
        ..step(RmaState::Replaced)
    };
    let case = store.move_rma(&case.id, &replaced).await.unwrap();
    assert_eq!(case.replacement_serial.as_deref(), Some("SPARE-1"));
    assert_eq!(case.supplier_name.as_deref(), Some("Northern Components"));
    assert_eq!(state(&store, "BAD-1").await, SerialState::Scrapped);
    let spare = &store
        .serial_records(&SerialNumber::parse("SPARE-1").unwrap())
        .await
        .unwrap()[0];
    let bad = &store
        .serial_records(&SerialNumber::parse("BAD-1").unwrap())
        .await
        .unwrap()[0];
    assert_eq!(spare.unit.state, SerialState::Sold);
    assert_eq!(spare.unit.sale_id.as_deref(), Some("sale-r1"));
    assert_eq!(spare.unit.customer_id.as_deref(), Some("cust-1"));
    assert_eq!(
        spare.unit.warranty_ends_on(),
        bad.unit.warranty_ends_on(),
        "the warranty carries on"
    );
    assert_eq!(
        on_hand(&store, "RMA-GPU", "main").await,
        0,
        "the spare left the shelf"
    );
    let movements = store.movements("RMA-GPU", None, 10).await.unwrap();
    assert_eq!(movements[0].kind, MovementKind::Rma);
    assert_eq!(movements[0].reference.as_deref(), Some("RMA-000001"));
    let case = store.move_rma(&case.id, &step(RmaState::Closed)).await.unwrap();
    let states: Vec<RmaState> = case.history.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [
            RmaState::Received,
            RmaState::SentToSupplier,
            RmaState::Replaced,
            RmaState::Closed
        ]
    );
    assert!(store.move_rma(&case.id, &step(RmaState::Received)).await.is_err());
    assert_invariants(&store).await;
}

async fn a_replacement_straight_from_the_supplier_leaves_stock_alone(store: InventoryStore) {
    sold_one(&store, "RMA-SSD", &["SSD-BAD", "SSD-2"], "sale-r2").await;
    let case = store.open_rma(&open("SSD-BAD")).await.unwrap();
    let sent = RmaStep {
        supplier_id: Some(supplier(&store).await),
        ..step(RmaState::SentToSupplier)
    };
    store.move_rma(&case.id, &sent).await.unwrap();
    let replaced = RmaStep {
        replacement: Some(SerialNumber::parse("SSD-NEW").unwrap()),
        ..step(RmaState::Replaced)
    };
    store.move_rma(&case.id, &replaced).await.unwrap();
    assert_eq!(state(&store, "SSD-NEW").await, SerialState::Sold);
    assert_eq!(
        on_hand(&store, "RMA-SSD", "main").await,
        1,
        "SSD-2 stays on the shelf"
    );
    let changes: Vec<_> = store
        .serial_records(&SerialNumber::parse("SSD-NEW").unwrap())
        .await
        .unwrap()[0]
        .history
        .iter()
        .map(|e| (e.change, e.reference.clone()))
        .collect();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1].1.as_deref(), Some("RMA-000001"));
    assert_invariants(&store).await;
}

async fn the_shops_faulty_unit_comes_back_repaired_onto_the_shelf(store: InventoryStore) {
    serialized(&store, "RMA-PSU").await;
    receive(&store, "RMA-PSU", &["PSU-1", "PSU-2"]).await.unwrap();
    let damaged = inventory::domain::StockChange {
        reason: Some(AdjustmentReason::Damaged),
        ..change("RMA-PSU", Amount::By(-1), MovementKind::Adjustment, &["PSU-1"])
    };
    store.change(&damaged, None).await.unwrap();
    assert_eq!(state(&store, "PSU-1").await, SerialState::Faulty);
    assert_eq!(on_hand(&store, "RMA-PSU", "main").await, 1);
    let case = store.open_rma(&open("PSU-1")).await.unwrap();
    assert!(case.customer.is_none(), "the shop's own unit");
    let sent = RmaStep {
        supplier_id: Some(supplier(&store).await),
        ..step(RmaState::SentToSupplier)
    };
    store.move_rma(&case.id, &sent).await.unwrap();
    store.move_rma(&case.id, &step(RmaState::Repaired)).await.unwrap();
    assert_eq!(state(&store, "PSU-1").await, SerialState::InStock);
    assert_eq!(on_hand(&store, "RMA-PSU", "main").await, 2);
    assert_invariants(&store).await;
}

async fn a_refund_without_the_unit_leaves_its_case_alone(store: InventoryStore) {
    sold_one(&store, "RMA-CPU", &["CPU-1"], "sale-r4").await;
    let case = store.open_rma(&open("CPU-1")).await.unwrap();
    let sent = RmaStep {
        supplier_id: Some(supplier(&store).await),
        ..step(RmaState::SentToSupplier)
    };
    store.move_rma(&case.id, &sent).await.unwrap();
    // The customer gets the money back while the unit is at the supplier.
    let refund = given_back("sale-r4", SaleChange::Returned, ("RMA-CPU", false, &["CPU-1"]));
    apply_given_back(&store, &refund).await.unwrap();
    assert_eq!(state(&store, "CPU-1").await, SerialState::AtSupplier);
    store.move_rma(&case.id, &step(RmaState::Refunded)).await.unwrap();
    assert_eq!(state(&store, "CPU-1").await, SerialState::Scrapped);
    assert_invariants(&store).await;
}

async fn two_people_moving_one_case_at_once_move_it_once(store: InventoryStore) {
    sold_one(&store, "RMA-RAM", &["RAM-1"], "sale-r5").await;
    let case = store.open_rma(&open("RAM-1")).await.unwrap();
    let (a, b) = join(
        store.move_rma(&case.id, &step(RmaState::Rejected)),
        store.move_rma(&case.id, &step(RmaState::Rejected)),
    )
    .await;
    assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(loser, Err(InventoryError::RmaState { .. })), "{loser:?}");
    let unit = &store
        .serial_records(&SerialNumber::parse("RAM-1").unwrap())
        .await
        .unwrap()[0];
    assert_eq!(unit.unit.state, SerialState::Sold, "given back to its customer");
    let given_back = unit
        .history
        .iter()
        .filter(|e| e.change == kernel::serial::SerialChange::GivenBack)
        .count();
    assert_eq!(given_back, 1, "once");
    let noted = store
        .note_rma(&case.id, "customer collected it", &Origin::default())
        .await
        .unwrap();
    assert_eq!(
        noted.history.last().unwrap().note.as_deref(),
        Some("customer collected it")
    );
    assert_eq!(noted.state, RmaState::Rejected);
    assert_invariants(&store).await;
}
