//! Serial numbers through the gateway in both modes: serialized GPUs received against a
//! purchase order one serial per unit, sold by scanning one (two tills racing for another:
//! one wins), looked up with the sale and the warranty's last day, returned faulty and voided
//! back onto the shelf; warranty cases replacing a customer's unit and repairing the shop's;
//! stock = units on the shelf throughout.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

modes!(serialized_units_are_received_sold_looked_up_and_taken_back);

const WAIT: Duration = Duration::from_secs(20);
const SKU: &str = "SER-GPU";

async fn sell(app: &TestApp, serials: Value, quantity: i64) -> (StatusCode, Value) {
    let response = app
        .post_json(
            "/api/v1/sales",
            &json!({"lines": [{"sku": SKU, "quantity": quantity, "serials": serials}], "payment_method": "card"}),
        )
        .await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn unit(app: &TestApp, serial: &str) -> Value {
    ok_json(app.get(&format!("/api/v1/serials/{serial}")).await).await["units"][0].clone()
}

/// Waits until the unit is in `state`, and answers it.
async fn unit_in(app: &TestApp, serial: &str, state: &str) -> Value {
    testkit::eventually(&format!("{serial} is {state}"), WAIT, || async {
        unit(app, serial).await["state"] == state
    })
    .await;
    unit(app, serial).await
}

/// The units on the shelf at main, and the level's on-hand: always equal once settled.
async fn shelf(app: &TestApp) -> (Vec<String>, i64) {
    let listed = ok_json(
        app.get(&format!("/api/v1/inventory/{SKU}/serials?location=main"))
            .await,
    )
    .await;
    let serials = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["serial"].as_str().unwrap().to_owned())
        .collect();
    let stock = ok_json(app.get(&format!("/api/v1/inventory/{SKU}")).await).await;
    (serials, stock["totals"]["on_hand"].as_i64().unwrap())
}

async fn serialized_units_are_received_sold_looked_up_and_taken_back(app: TestApp, _: Backing) {
    app.create(&product(
        SKU,
        json!({"name": "RTX 5070 12GB", "category": "Graphics cards", "serialized": true,
               "warranty_months": 24, "price_cents": 59_900, "cost_cents": 45_000}),
    ))
    .await;
    testkit::eventually("the inventory knows the GPU carries serials", WAIT, || async {
        let stock = app.get(&format!("/api/v1/inventory/{SKU}")).await;
        stock.status() == StatusCode::OK && stock.json::<Value>().await.unwrap()["serialized"] == true
    })
    .await;
    // A restock without serial numbers is refused; so is a unit not in the shop.
    let bare = app
        .post_json(
            &format!("/api/v1/inventory/{SKU}/restock"),
            &json!({"quantity": 1}),
        )
        .await;
    assert_eq!(bare.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/serials/NO-SUCH-UNIT").await.status(),
        StatusCode::NOT_FOUND
    );

    let supplier: Value = app
        .post_json("/api/v1/suppliers", &json!({"name": "Northern Components"}))
        .await
        .json()
        .await
        .unwrap();
    let order: Value = app
        .post_json(
            "/api/v1/purchase-orders",
            &json!({"supplier_id": supplier["id"], "lines": [{"sku": SKU, "quantity": 3, "unit_cost_cents": 45_000}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap().to_owned();
    ok_json(
        app.post_json(&format!("/api/v1/purchase-orders/{id}/order"), &json!({}))
            .await,
    )
    .await;
    let receipts = format!("/api/v1/purchase-orders/{id}/receipts");
    let receive = |serials: Value| {
        let body = json!({"lines": [{"sku": SKU, "quantity": 3, "serials": serials}], "reference": "DN-7"});
        let receipts = receipts.clone();
        let app = &app;
        async move {
            app.request(Method::POST, &receipts)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let short = receive(json!(["gpu-001", "gpu-002"])).await;
    assert_eq!(
        short.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "two serials for three units"
    );
    let twice = receive(json!(["gpu-001", "gpu-002", "GPU-001"])).await;
    assert_eq!(
        twice.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "one unit named twice"
    );
    assert_eq!(
        receive(json!(["gpu-001", "gpu-002", "gpu-003"])).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        shelf(&app).await,
        (vec!["GPU-001".into(), "GPU-002".into(), "GPU-003".into()], 3)
    );

    // Sold by scanning: the line keeps its serial and warranty; a sale without one is refused.
    let (status, refused) = sell(&app, json!([]), 1).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, sale) = sell(&app, json!(["gpu-002"]), 1).await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    assert_eq!(sale["lines"][0]["serials"], json!(["GPU-002"]));
    assert_eq!(sale["lines"][0]["warranty_months"], 24);
    let (status, again) = sell(&app, json!(["GPU-002"]), 1).await;
    assert_eq!(status, StatusCode::CONFLICT, "sold once: {again}");
    assert_eq!(again["type"], "urn:inventory-tracker:problem:serial-unavailable");

    // Two tills scan the same unit at once: one sale is recorded, the other refused.
    let (first, second) = tokio::join!(
        sell(&app, json!(["GPU-001"]), 1),
        sell(&app, json!(["GPU-001"]), 1)
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{first:?} {second:?}"
    );
    let raced = if first.0 == StatusCode::CREATED {
        first.1
    } else {
        second.1
    };

    // Looked up: the sale, its day and the warranty's last day, 24 months on.
    let sold = unit_in(&app, "gpu-002", "sold").await;
    assert_eq!(sold["sale_id"], sale["id"]);
    assert_eq!(sold["name"], "RTX 5070 12GB");
    assert_eq!(sold["supplier"], "Northern Components");
    let sold_on = time::OffsetDateTime::now_utc().date();
    let ends = kernel::serial::warranty_end(sold_on, 24).unwrap().to_string();
    assert_eq!(sold["warranty_ends_on"], ends.as_str());
    assert_eq!(sold["under_warranty"], true);
    let changes: Vec<&str> = sold["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["received", "sold"]);
    assert!(
        sold["history"][0]["reference"]
            .as_str()
            .unwrap()
            .starts_with("PO-")
    );
    unit_in(&app, "GPU-001", "sold").await;

    // Brought back faulty: named by serial, kept apart, never sellable stock again.
    let sale_id = sale["id"].as_str().unwrap();
    let returns = format!("/api/v1/sales/{sale_id}/returns");
    let unnamed = app
        .post_json(
            &returns,
            &json!({"lines": [{"sku": SKU, "quantity": 1, "restock": false}]}),
        )
        .await;
    assert_eq!(unnamed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = app
        .post_json(
            &returns,
            &json!({"lines": [{"sku": SKU, "quantity": 1, "serials": ["GPU-003"]}]}),
        )
        .await;
    assert_eq!(
        wrong.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a unit this sale did not sell"
    );
    let returned = ok_json(
        app.post_json(
            &returns,
            &json!({"lines": [{"sku": SKU, "quantity": 1, "restock": false, "serials": ["gpu-002"]}]}),
        )
        .await,
    )
    .await;
    assert_eq!(returned["lines"][0]["returned_serials"], json!(["GPU-002"]));
    unit_in(&app, "GPU-002", "faulty").await;

    // The raced sale voided: its unit is back on the shelf.
    let raced_id = raced["id"].as_str().unwrap();
    ok_json(
        app.post_json(&format!("/api/v1/sales/{raced_id}/void"), &json!({}))
            .await,
    )
    .await;
    unit_in(&app, "GPU-001", "in_stock").await;
    testkit::eventually("stock = units on the shelf", WAIT, || async {
        shelf(&app).await == (vec!["GPU-001".into(), "GPU-003".into()], 2)
    })
    .await;

    // A customer brings GPU-003 back under warranty: a clerk opens the case at the counter.
    let (_, third) = sell(&app, json!(["GPU-003"]), 1).await;
    unit_in(&app, "GPU-003", "sold").await;
    let (clerk, _) = app.user_client("till-ann", "clerk").await;
    let gateway = app.gateway.clone().unwrap();
    let opened = clerk
        .post(format!("{gateway}/api/v1/rmas"))
        .json(&json!({"serial": "gpu-003", "fault": "fans stop, then artefacts"}))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::CREATED);
    let case: Value = opened.json().await.unwrap();
    assert_eq!(
        (case["state"].as_str(), case["customer_case"].as_bool()),
        (Some("received"), Some(true))
    );
    assert_eq!(case["sale_id"], third["id"]);
    assert_eq!(case["next"], json!(["sent_to_supplier", "rejected"]));
    let steps = format!("/api/v1/rmas/{}/steps", case["id"].as_str().unwrap());
    let by_clerk = clerk
        .post(format!("{gateway}{steps}"))
        .json(&json!({"to": "rejected"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_clerk.status(),
        StatusCode::FORBIDDEN,
        "a manager moves cases on"
    );
    // Its sale cannot be voided back onto the shelf while the unit is in the case.
    let third_id = third["id"].as_str().unwrap();
    let void = app
        .post_json(&format!("/api/v1/sales/{third_id}/void"), &json!({}))
        .await;
    assert_eq!(void.status(), StatusCode::CONFLICT);
    ok_json(
        app.post_json(
            &steps,
            &json!({"to": "sent_to_supplier", "supplier_id": supplier["id"], "note": "supplier RMA 55102"}),
        )
        .await,
    )
    .await;
    let replaced = ok_json(
        app.post_json(
            &steps,
            &json!({"to": "replaced", "replacement_serial": "gpu-900"}),
        )
        .await,
    )
    .await;
    assert_eq!(replaced["replacement_serial"], "GPU-900");
    let swapped = unit(&app, "GPU-900").await;
    assert_eq!(
        (swapped["state"].as_str(), &swapped["sale_id"]),
        (Some("sold"), &third["id"])
    );
    assert_eq!(
        swapped["warranty_ends_on"],
        ends.as_str(),
        "the warranty carries on"
    );
    let old = unit(&app, "GPU-003").await;
    assert_eq!(old["state"], "scrapped");
    assert_eq!(old["cases"][0]["state"], "replaced");

    // The shop's faulty GPU-002 goes to the supplier too and comes back repaired, onto the shelf.
    let shops: Value = app
        .post_json(
            "/api/v1/rmas",
            &json!({"serial": "GPU-002", "fault": "returned faulty"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shops["customer_case"], false);
    let steps = format!("/api/v1/rmas/{}/steps", shops["id"].as_str().unwrap());
    ok_json(
        app.post_json(
            &steps,
            &json!({"to": "sent_to_supplier", "supplier_id": supplier["id"]}),
        )
        .await,
    )
    .await;
    ok_json(app.post_json(&steps, &json!({"to": "repaired"})).await).await;
    assert_eq!(shelf(&app).await, (vec!["GPU-001".into(), "GPU-002".into()], 2));
    let listed = ok_json(app.get("/api/v1/rmas?state=replaced").await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // Two units of a line of three come back in one return, one to the shelf and one written off;
    // neither can be given back twice.
    let restocked = app
        .post_json(
            &format!("/api/v1/inventory/{SKU}/restock"),
            &json!({"quantity": 3, "serials": ["gpu-010", "gpu-011", "gpu-012"]}),
        )
        .await;
    assert_eq!(restocked.status(), StatusCode::CREATED);
    let (_, three) = sell(&app, json!(["GPU-010", "GPU-011", "GPU-012"]), 3).await;
    unit_in(&app, "GPU-011", "sold").await;
    let returns = format!("/api/v1/sales/{}/returns", three["id"].as_str().unwrap());
    let twice = app
        .post_json(
            &returns,
            &json!({"lines": [{"sku": SKU, "quantity": 1, "serials": ["GPU-010"]}, {"sku": SKU, "quantity": 1, "serials": ["GPU-010"]}]}),
        )
        .await;
    assert_eq!(
        twice.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "one unit named twice"
    );
    let back = ok_json(
        app.post_json(
            &returns,
            &json!({"lines": [{"sku": SKU, "quantity": 1, "serials": ["GPU-010"]},
                              {"sku": SKU, "quantity": 1, "restock": false, "serials": ["GPU-011"]}]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        back["lines"][0]["returned_serials"],
        json!(["GPU-010", "GPU-011"])
    );
    assert_eq!(back["status"], "partially_returned");
    let again = app
        .post_json(
            &returns,
            &json!({"lines": [{"sku": SKU, "quantity": 1, "restock": false, "serials": ["GPU-010"]}]}),
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "given back already"
    );
    unit_in(&app, "GPU-011", "faulty").await;
    testkit::eventually("stock = units on the shelf", WAIT, || async {
        shelf(&app).await == (vec!["GPU-001".into(), "GPU-002".into(), "GPU-010".into()], 3)
    })
    .await;
}
