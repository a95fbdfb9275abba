//! Purchasing through the gateway in both modes: a draft order written, changed and sent; its
//! lines incoming in the stock views and the reorder suggestions; deliveries received in parts
//! (a retried one once, one too many refused), each announced as `RestockReceived` naming the
//! order; the average cost moved; costs hidden from clerks; stock, ledger and orders as CSV;
//! drafts made from suggestions.

use std::time::Duration;

use crate::support::{Backing, SseReader, TestApp, ok_json, product};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

modes!(
    an_order_is_written_sent_and_received_in_parts,
    chosen_suggestions_become_one_draft_per_supplier
);

const WAIT: Duration = Duration::from_secs(20);

/// Products known to the inventory (with catalog costs), and a supplier.
async fn shop_with(app: &TestApp, skus: &[(&str, i64)]) -> Value {
    for (sku, cost) in skus {
        app.create(&product(
            sku,
            json!({"price_cents": cost * 2, "cost_cents": cost}),
        ))
        .await;
        let path = format!("/api/v1/inventory/{sku}");
        testkit::eventually("the inventory learns of the product", WAIT, || async {
            app.get(&path).await.status() == StatusCode::OK
        })
        .await;
    }
    let created = app
        .post_json(
            "/api/v1/suppliers",
            &json!({"name": "Northern Components", "lead_time_days": 3}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    created.json().await.unwrap()
}

async fn main_level(app: &TestApp, sku: &str) -> Value {
    let stock = ok_json(app.get(&format!("/api/v1/inventory/{sku}")).await).await;
    stock["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["location"] == "main")
        .cloned()
        .unwrap_or_else(|| json!({"on_hand": 0, "incoming": 0}))
}

async fn receive(app: &TestApp, id: &str, key: &str, lines: Value) -> reqwest::Response {
    app.request(Method::POST, &format!("/api/v1/purchase-orders/{id}/receipts"))
        .header("Idempotency-Key", key)
        .json(&json!({"lines": lines, "reference": "DN-20931"}))
        .send()
        .await
        .unwrap()
}

async fn an_order_is_written_sent_and_received_in_parts(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let supplier = shop_with(&app, &[("PUR-GPU", 40_000), ("PUR-SSD", 5_000)]).await;
    let draft = app
        .post_json(
            "/api/v1/purchase-orders",
            &json!({"supplier_id": supplier["id"], "expected_at": "2026-12-08",
                    "lines": [{"sku": "PUR-GPU", "quantity": 4, "unit_cost_cents": 38_000}]}),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::CREATED);
    let draft: Value = draft.json().await.unwrap();
    let id = draft["id"].as_str().unwrap().to_owned();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["total_cost_cents"], 4 * 38_000);
    assert_eq!(
        main_level(&app, "PUR-GPU").await["incoming"],
        0,
        "a draft brings nothing"
    );

    // Lines change while it is a draft; the SSD takes the catalog's cost.
    let changed = app
        .request(Method::PATCH, &format!("/api/v1/purchase-orders/{id}"))
        .json(
            &json!({"lines": [{"sku": "PUR-GPU", "quantity": 4, "unit_cost_cents": 38_000},
                                {"sku": "PUR-SSD", "quantity": 10}]}),
        )
        .send()
        .await
        .unwrap();
    let changed = ok_json(changed).await;
    assert_eq!(changed["lines"][1]["unit_cost_cents"], 5_000);
    let refused = receive(&app, &id, "too-early", json!([{"sku": "PUR-GPU", "quantity": 1}])).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT, "a draft receives nothing");

    let ordered = ok_json(
        app.post_json(&format!("/api/v1/purchase-orders/{id}/order"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(ordered["status"], "ordered");
    let level = main_level(&app, "PUR-GPU").await;
    assert_eq!(
        (level["on_hand"].as_i64(), level["incoming"].as_i64()),
        (Some(0), Some(4))
    );
    let stock = ok_json(app.get("/api/v1/inventory/PUR-SSD").await).await;
    assert_eq!(stock["totals"]["incoming"], 10);
    let unchangeable = app
        .request(Method::PATCH, &format!("/api/v1/purchase-orders/{id}"))
        .json(&json!({"note": "late"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unchangeable.status(), StatusCode::CONFLICT);

    // A delivery, sent twice with its key: received once, the same answer twice.
    let mut events = SseReader::open(&app.client, &base, None).await;
    let lines = json!([{"sku": "PUR-GPU", "quantity": 3}, {"sku": "PUR-SSD", "quantity": 10}]);
    let first = receive(&app, &id, "delivery-1", lines.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = receive(&app, &id, "delivery-1", lines).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(first["purchase_order"]["status"], "partially_received");
    assert_eq!(first["purchase_order"]["lines"][0]["remaining"], 1);
    let level = main_level(&app, "PUR-GPU").await;
    assert_eq!(
        (level["on_hand"].as_i64(), level["incoming"].as_i64()),
        (Some(3), Some(1))
    );
    let mut announced = Vec::new();
    while announced.len() < 2 {
        let event = events.next(WAIT).await.expect("the delivery is announced");
        if event.event == "RestockReceived" {
            announced.push(event.data["data"].clone());
        }
    }
    let number = format!("PO-{:06}", ordered["number"].as_i64().unwrap());
    for event in &announced {
        assert_eq!(event["purchase_order_id"], id.as_str(), "{event}");
        assert_eq!(event["purchase_order_number"], number.as_str());
        assert_eq!(event["receipt_id"], first["receipt"]["id"]);
    }

    // More than remains is refused and changes nothing; the rest completes the order.
    let over = receive(
        &app,
        &id,
        "delivery-2",
        json!([{"sku": "PUR-GPU", "quantity": 2}]),
    )
    .await;
    assert_eq!(over.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = over.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "lines[0].quantity", "{problem}");
    let last = receive(
        &app,
        &id,
        "delivery-2",
        json!([{"sku": "PUR-GPU", "quantity": 1}]),
    )
    .await;
    assert_eq!(
        last.status(),
        StatusCode::CREATED,
        "a refused key may be used again"
    );
    let last: Value = last.json().await.unwrap();
    assert_eq!(last["purchase_order"]["status"], "received");
    assert_eq!(last["purchase_order"]["receipts"].as_array().unwrap().len(), 2);
    let level = main_level(&app, "PUR-GPU").await;
    assert_eq!(
        (level["on_hand"].as_i64(), level["incoming"].as_i64()),
        (Some(4), Some(0))
    );
    let cancel = app
        .post_json(&format!("/api/v1/purchase-orders/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(
        cancel.status(),
        StatusCode::CONFLICT,
        "a received order stays received"
    );

    // The ledger names the order; the average cost is the order's cost.
    let movements = ok_json(app.get("/api/v1/inventory/PUR-GPU/movements").await).await;
    assert!(
        movements["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["kind"] == "restock" && m["reference"].as_str().unwrap().starts_with(&number)),
        "{movements}"
    );
    let costs = ok_json(app.get("/api/v1/inventory/PUR-GPU/costs").await).await;
    assert_eq!(costs["average_cost_cents"], 38_000);
    assert_eq!(costs["changes"].as_array().unwrap().len(), 2);

    // Clerks may read orders, without a cost; they may not write them.
    let (clerk, _) = app.user_client("cal", "clerk").await;
    let seen: Value = clerk
        .get(format!("{base}/api/v1/purchase-orders/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["number"], ordered["number"]);
    assert!(seen.get("total_cost_cents").is_none(), "{seen}");
    assert!(seen["lines"][0].get("unit_cost_cents").is_none());
    let by_clerk = clerk
        .post(format!("{base}/api/v1/purchase-orders"))
        .json(&json!({"supplier_id": supplier["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_clerk.status(), StatusCode::FORBIDDEN);

    exports_follow_the_filters(&app, &clerk, &id, &number).await;

    let listed = ok_json(
        app.get("/api/v1/purchase-orders?status=received&sku=PUR-SSD")
            .await,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let none = ok_json(app.get("/api/v1/purchase-orders?status=draft").await).await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
}

async fn chosen_suggestions_become_one_draft_per_supplier(app: TestApp, _: Backing) {
    let northern = shop_with(&app, &[("SUG-A", 1_000), ("SUG-B", 2_000)]).await;
    let acme: Value = app
        .post_json("/api/v1/suppliers", &json!({"name": "Acme Distribution"}))
        .await
        .json()
        .await
        .unwrap();
    let set = app
        .request(Method::PUT, "/api/v1/inventory/SUG-A/suppliers")
        .json(&json!({"items": [{"supplier_id": northern["id"], "preferred": true, "last_cost_cents": 900}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);

    let missing = app
        .post_json(
            "/api/v1/reorder-suggestions/purchase-orders",
            &json!({"lines": [{"sku": "SUG-B", "quantity": 2}]}),
        )
        .await;
    assert_eq!(
        missing.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "SUG-B has no supplier"
    );

    let made = app
        .post_json(
            "/api/v1/reorder-suggestions/purchase-orders",
            &json!({"lines": [{"sku": "SUG-A", "quantity": 6},
                              {"sku": "SUG-B", "quantity": 2, "supplier_id": acme["id"]}]}),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    let drafts = made["items"].as_array().unwrap();
    assert_eq!(drafts.len(), 2, "{made}");
    let of = |name: &str| {
        drafts
            .iter()
            .find(|d| d["supplier_name"] == name)
            .unwrap()
            .clone()
    };
    let to_northern = of("Northern Components");
    assert_eq!(to_northern["status"], "draft");
    assert_eq!(
        to_northern["lines"][0]["unit_cost_cents"], 900,
        "the supplier's last cost"
    );
    assert_eq!(
        of("Acme Distribution")["lines"][0]["unit_cost_cents"],
        2_000,
        "the catalog's"
    );

    // Sending it makes the stock incoming, and the suggestion counts it.
    let id = to_northern["id"].as_str().unwrap();
    let ordered = app
        .post_json(&format!("/api/v1/purchase-orders/{id}/order"), &json!({}))
        .await;
    assert_eq!(ordered.status(), StatusCode::OK);
    let all = ok_json(app.get("/api/v1/reorder-suggestions?all=true").await).await;
    let line = all["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["lines"].as_array().unwrap())
        .find(|l| l["sku"] == "SUG-A")
        .cloned()
        .unwrap();
    assert_eq!(line["incoming"], 6, "{line}");
}

/// The records of a CSV answer, header first.
async fn csv_records(response: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let text = response.text().await.unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Stock, the ledger and orders as CSV, after the order was received in full.
async fn exports_follow_the_filters(app: &TestApp, clerk: &reqwest::Client, id: &str, number: &str) {
    let base = app.gateway.clone().unwrap();
    let stock = csv_records(app.get("/api/v1/inventory/export.csv?q=PUR-&location=main").await).await;
    assert_eq!(
        &stock[0][..8],
        [
            "sku",
            "name",
            "active",
            "location",
            "on_hand",
            "reserved",
            "available",
            "incoming"
        ]
    );
    let rows: Vec<(&str, &str, &str)> = stock[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str(), r[7].as_str()))
        .collect();
    assert_eq!(rows, [("PUR-GPU", "4", "0"), ("PUR-SSD", "10", "0")]);

    let ledger = csv_records(
        app.get("/api/v1/movements/export.csv?sku=PUR-GPU&kind=restock")
            .await,
    )
    .await;
    assert_eq!(ledger.len(), 3, "two deliveries: {ledger:?}");
    assert!(ledger[1..].iter().all(|r| r[9].starts_with(number)), "{ledger:?}");
    let none = csv_records(
        app.get("/api/v1/movements/export.csv?sku=PUR-GPU&from=2999-01-01T00:00:00Z")
            .await,
    )
    .await;
    assert_eq!(none.len(), 1, "the header alone");

    let order = csv_records(app.get(&format!("/api/v1/purchase-orders/{id}/export.csv")).await).await;
    assert_eq!(order[0].last().map(String::as_str), Some("line_cost_cents"));
    assert_eq!(order[1][0], number);
    assert_eq!(
        (order[1][6].as_str(), order[1][12].as_str()),
        ("PUR-GPU", "38000")
    );
    let all = csv_records(
        app.get("/api/v1/purchase-orders/export.csv?status=received")
            .await,
    )
    .await;
    assert_eq!(all.len(), 3, "one row per line: {all:?}");
    let for_clerk = csv_records(
        clerk
            .get(format!("{base}/api/v1/purchase-orders/{id}/export.csv"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        !for_clerk[0].iter().any(|h| h.contains("cost")),
        "{:?}",
        for_clerk[0]
    );
}
