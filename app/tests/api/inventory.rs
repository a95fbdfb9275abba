//! The inventory API through the gateway, in both modes: SKUs arrive from the catalog by
//! events (in-process, or RabbitMQ in production), stock operations, the ledger, alerts,
//! locations, bad input, and concurrency.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use futures::future::join_all;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

modes!(
    stock_can_be_restocked_adjusted_counted_transferred_and_read,
    bad_inventory_input_gets_the_right_problem_and_changes_nothing,
    a_hundred_parallel_stock_changes_through_the_gateway_are_exact,
    retried_stock_operations_with_an_idempotency_key_apply_once,
    the_stock_value_follows_restocks_and_catalog_prices,
    levels_and_values_beyond_the_limits_are_refused_never_wrapped,
);

/// Creates a product in the catalog and waits until the inventory has heard of it.
async fn known_product(app: &TestApp, sku: &str) {
    app.create(&product(sku, json!({}))).await;
    let path = format!("/api/v1/inventory/{sku}");
    testkit::eventually(
        "the inventory learns of the product",
        Duration::from_secs(20),
        || async { app.get(&path).await.status() == StatusCode::OK },
    )
    .await;
}

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app.post_json(path, &body).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn stock_can_be_restocked_adjusted_counted_transferred_and_read(app: TestApp, _: Backing) {
    // Before the catalog has the product, the inventory refuses it.
    let (status, problem) = post(&app, "/api/v1/inventory/SSD-1/restock", json!({"quantity": 1})).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (
            StatusCode::NOT_FOUND,
            Some("urn:inventory-tracker:problem:unknown-sku")
        )
    );
    known_product(&app, "SSD-1").await;
    let fresh = ok_json(app.get("/api/v1/inventory/ssd-1").await).await;
    assert_eq!(
        fresh["totals"],
        json!({"on_hand": 0, "reserved": 0, "available": 0, "incoming": 0})
    );

    let (status, restocked) = post(
        &app,
        "/api/v1/inventory/SSD-1/restock",
        json!({"quantity": 10, "supplier": "Samsung", "unit_cost_cents": 7_900, "reference": "DN-4711"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{restocked}");
    assert!(restocked["restock_id"].as_i64().is_some());
    assert_eq!(restocked["level"]["on_hand"], 10);

    let (status, adjusted) = post(
        &app,
        "/api/v1/inventory/SSD-1/adjustments",
        json!({"delta": -2, "reason": "damaged", "note": "dropped"}),
    )
    .await;
    assert_eq!(
        (status, adjusted["level"]["on_hand"].as_i64()),
        (StatusCode::CREATED, Some(8))
    );
    let (status, counted) = post(&app, "/api/v1/inventory/SSD-1/count", json!({"counted": 5})).await;
    assert_eq!(
        (status, counted["level"]["on_hand"].as_i64()),
        (StatusCode::CREATED, Some(5))
    );
    let (status, same) = post(&app, "/api/v1/inventory/SSD-1/count", json!({"counted": 5})).await;
    assert_eq!(
        (status, same["movement_id"].clone()),
        (StatusCode::OK, Value::Null)
    );

    let (status, _) = post(
        &app,
        "/api/v1/locations",
        json!({"code": "Back-Room", "name": "Back room"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, moved) = post(
        &app,
        "/api/v1/inventory/SSD-1/transfers",
        json!({"from": "main", "to": "back-room", "quantity": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{moved}");
    assert_eq!(
        (moved["from"]["on_hand"].as_i64(), moved["to"]["on_hand"].as_i64()),
        (Some(3), Some(2))
    );

    let stock = ok_json(app.get("/api/v1/inventory/SSD-1").await).await;
    assert_eq!(
        stock["totals"],
        json!({"on_hand": 5, "reserved": 0, "available": 5, "incoming": 0})
    );
    let locations: Vec<&str> = stock["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, ["back-room", "main"]);

    // The ledger: newest first, each entry continuing the previous one, paged by cursor.
    let first = ok_json(app.get("/api/v1/inventory/SSD-1/movements?limit=3").await).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let rest = ok_json(
        app.get(&format!(
            "/api/v1/inventory/SSD-1/movements?limit=3&cursor={cursor}"
        ))
        .await,
    )
    .await;
    let mut ledger: Vec<Value> = first["items"].as_array().unwrap().clone();
    ledger.extend(rest["items"].as_array().unwrap().iter().cloned());
    let kinds: Vec<&str> = ledger.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["transfer_in", "transfer_out", "count", "adjustment", "restock"]
    );
    assert_eq!(ledger[3]["reason"], "damaged");
    assert_eq!(ledger[4]["reference"], "DN-4711");
    for m in &ledger {
        assert_eq!(
            m["on_hand_after"].as_i64().unwrap() - m["on_hand_before"].as_i64().unwrap(),
            m["quantity"].as_i64().unwrap()
        );
    }

    // Threshold and alerts.
    let response = app
        .request(Method::PUT, "/api/v1/inventory/SSD-1/settings")
        .json(&json!({"low_stock_threshold": 4, "reorder_quantity": 12}))
        .send()
        .await
        .unwrap();
    let level = ok_json(response).await;
    assert_eq!(
        (level["low"].as_bool(), level["available"].as_i64()),
        (Some(true), Some(3))
    );
    let alerts = ok_json(app.get("/api/v1/alerts").await).await;
    assert_eq!(
        alerts["items"],
        json!([{"sku": "SSD-1", "name": "Product SSD-1", "location": "main", "available": 3,
                "low_stock_threshold": 4, "deficit": 1, "suggested_reorder": 12}])
    );
    let low = ok_json(app.get("/api/v1/inventory?below_threshold=true").await).await;
    assert_eq!(low["items"].as_array().unwrap().len(), 1);
    let at_back = ok_json(
        app.get("/api/v1/inventory?below_threshold=true&location=back-room")
            .await,
    )
    .await;
    assert!(at_back["items"].as_array().unwrap().is_empty());
    known_product(&app, "RAM-1").await;
    let search = ok_json(app.get("/api/v1/inventory?q=ram").await).await;
    assert_eq!(search["items"][0]["sku"], "RAM-1");

    // Archiving the product in the catalog ends its alerts.
    app.request(Method::DELETE, "/api/v1/products/SSD-1")
        .send()
        .await
        .unwrap();
    testkit::eventually(
        "archived products leave the alerts",
        Duration::from_secs(20),
        || async {
            ok_json(app.get("/api/v1/alerts").await).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        },
    )
    .await;
    assert_eq!(
        ok_json(app.get("/api/v1/inventory/SSD-1").await).await["active"],
        false
    );
    // The event flow shows in the metrics of the process.
    let metrics = crate::support::metrics(&app.client, app.gateway.as_deref().unwrap()).await;
    for series in [
        r#"events_published_total{service="catalog",type="ProductCreated"}"#,
        r#"events_published_total{service="inventory",type="RestockReceived"}"#,
        r#"events_published_total{service="inventory",type="StockLevelWarning"}"#,
        r#"events_consumed_total{consumer="inventory",type="ProductArchived",outcome="applied"}"#,
        r#"outbox_backlog{service="inventory"}"#,
        r#"event_consumer_lag_seconds{consumer="inventory"}"#,
        "inventory_low_stock_levels ",
    ] {
        assert!(metrics.contains(series), "{series} missing from /metrics");
    }
}

/// What, method, path, body, expected status, problem type, fields named.
type Case = (
    &'static str,
    Method,
    &'static str,
    Option<Value>,
    StatusCode,
    &'static str,
    &'static [&'static str],
);

async fn bad_inventory_input_gets_the_right_problem_and_changes_nothing(app: TestApp, _: Backing) {
    use StatusCode as S;
    known_product(&app, "BAD-1").await;
    post(&app, "/api/v1/inventory/BAD-1/restock", json!({"quantity": 10})).await;
    post(
        &app,
        "/api/v1/locations",
        json!({"code": "closed", "name": "Closed"}),
    )
    .await;
    post(
        &app,
        "/api/v1/locations",
        json!({"code": "spare", "name": "Spare room"}),
    )
    .await;
    app.request(Method::PATCH, "/api/v1/locations/closed")
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    let before = ok_json(app.get("/api/v1/inventory/BAD-1").await).await;
    let ledger_before = ok_json(app.get("/api/v1/inventory/BAD-1/movements?limit=200").await).await;

    let cases: Vec<Case> = vec![
        (
            "restock zero",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 0})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["quantity"],
        ),
        (
            "restock negative",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": -5})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["quantity"],
        ),
        (
            "restock absurd",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 1_000_000_000})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["quantity"],
        ),
        (
            "restock missing quantity",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["quantity"],
        ),
        (
            "restock unknown location",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 1, "location": "attic"})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["location"],
        ),
        (
            "restock deactivated location",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 1, "location": "closed"})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["location"],
        ),
        (
            "restock bad location code",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 1, "location": "a b"})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["location"],
        ),
        (
            "restock negative cost",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 1, "unit_cost_cents": -1})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["unit_cost_cents"],
        ),
        (
            "restock quantity as text",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": "5"})),
            S::UNPROCESSABLE_ENTITY,
            "invalid-body",
            &[],
        ),
        (
            "restock unknown field",
            Method::POST,
            "/api/v1/inventory/BAD-1/restock",
            Some(json!({"quantity": 1, "price": 3})),
            S::UNPROCESSABLE_ENTITY,
            "invalid-body",
            &[],
        ),
        (
            "restock unknown SKU",
            Method::POST,
            "/api/v1/inventory/NOPE-1/restock",
            Some(json!({"quantity": 1})),
            S::NOT_FOUND,
            "unknown-sku",
            &[],
        ),
        (
            "restock impossible SKU",
            Method::POST,
            "/api/v1/inventory/%20/restock",
            Some(json!({"quantity": 1})),
            S::NOT_FOUND,
            "unknown-sku",
            &[],
        ),
        (
            "adjust beyond a million",
            Method::POST,
            "/api/v1/inventory/BAD-1/adjustments",
            Some(json!({"delta": -1_000_001, "reason": "lost"})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["delta"],
        ),
        (
            "adjust unknown reason",
            Method::POST,
            "/api/v1/inventory/BAD-1/adjustments",
            Some(json!({"delta": 1, "reason": "stolen"})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["reason"],
        ),
        (
            "adjust nothing",
            Method::POST,
            "/api/v1/inventory/BAD-1/adjustments",
            Some(json!({})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["delta", "reason"],
        ),
        (
            "adjust below zero",
            Method::POST,
            "/api/v1/inventory/BAD-1/adjustments",
            Some(json!({"delta": -11, "reason": "lost"})),
            S::CONFLICT,
            "insufficient-stock",
            &[],
        ),
        (
            "count negative",
            Method::POST,
            "/api/v1/inventory/BAD-1/count",
            Some(json!({"counted": -1})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["counted"],
        ),
        (
            "transfer to itself",
            Method::POST,
            "/api/v1/inventory/BAD-1/transfers",
            Some(json!({"from": "main", "to": "main", "quantity": 1})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["to"],
        ),
        (
            "transfer nowhere",
            Method::POST,
            "/api/v1/inventory/BAD-1/transfers",
            Some(json!({"from": "main", "to": "attic", "quantity": 1})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["to"],
        ),
        (
            "transfer zero",
            Method::POST,
            "/api/v1/inventory/BAD-1/transfers",
            Some(json!({"from": "main", "to": "closed", "quantity": 0})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["quantity"],
        ),
        (
            "transfer to a deactivated location",
            Method::POST,
            "/api/v1/inventory/BAD-1/transfers",
            Some(json!({"from": "main", "to": "closed", "quantity": 1})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["to"],
        ),
        (
            "transfer too much",
            Method::POST,
            "/api/v1/inventory/BAD-1/transfers",
            Some(json!({"from": "main", "to": "spare", "quantity": 11})),
            S::CONFLICT,
            "insufficient-stock",
            &[],
        ),
        (
            "transfer missing fields",
            Method::POST,
            "/api/v1/inventory/BAD-1/transfers",
            Some(json!({})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["from", "to", "quantity"],
        ),
        (
            "settings negative",
            Method::PUT,
            "/api/v1/inventory/BAD-1/settings",
            Some(json!({"low_stock_threshold": -1, "reorder_quantity": 5})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["low_stock_threshold"],
        ),
        (
            "settings missing",
            Method::PUT,
            "/api/v1/inventory/BAD-1/settings",
            Some(json!({})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["low_stock_threshold", "reorder_quantity"],
        ),
        (
            "movements limit",
            Method::GET,
            "/api/v1/inventory/BAD-1/movements?limit=0",
            None,
            S::BAD_REQUEST,
            "invalid-query",
            &[],
        ),
        (
            "movements cursor",
            Method::GET,
            "/api/v1/inventory/BAD-1/movements?cursor=zzz",
            None,
            S::BAD_REQUEST,
            "invalid-cursor",
            &[],
        ),
        (
            "movements unknown SKU",
            Method::GET,
            "/api/v1/inventory/NOPE-1/movements",
            None,
            S::NOT_FOUND,
            "unknown-sku",
            &[],
        ),
        (
            "stock unknown SKU",
            Method::GET,
            "/api/v1/inventory/NOPE-1",
            None,
            S::NOT_FOUND,
            "unknown-sku",
            &[],
        ),
        (
            "list limit",
            Method::GET,
            "/api/v1/inventory?limit=500",
            None,
            S::BAD_REQUEST,
            "invalid-query",
            &[],
        ),
        (
            "list below_threshold",
            Method::GET,
            "/api/v1/inventory?below_threshold=maybe",
            None,
            S::BAD_REQUEST,
            "invalid-query",
            &[],
        ),
        (
            "alerts location",
            Method::GET,
            "/api/v1/alerts?location=a%20b",
            None,
            S::BAD_REQUEST,
            "invalid-query",
            &[],
        ),
        (
            "location duplicate",
            Method::POST,
            "/api/v1/locations",
            Some(json!({"code": "MAIN", "name": "Again"})),
            S::CONFLICT,
            "duplicate-location",
            &["code"],
        ),
        (
            "location without name",
            Method::POST,
            "/api/v1/locations",
            Some(json!({"code": "x1"})),
            S::UNPROCESSABLE_ENTITY,
            "validation-failed",
            &["name"],
        ),
        (
            "location unknown",
            Method::PATCH,
            "/api/v1/locations/attic",
            Some(json!({"name": "Attic"})),
            S::NOT_FOUND,
            "location-not-found",
            &[],
        ),
        (
            "deactivate main",
            Method::PATCH,
            "/api/v1/locations/main",
            Some(json!({"active": false})),
            S::CONFLICT,
            "main-location-required",
            &[],
        ),
        (
            "wrong method",
            Method::DELETE,
            "/api/v1/inventory/BAD-1",
            None,
            S::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            &[],
        ),
    ];
    // An adjustment of zero changes nothing, like a count that matches.
    let (status, unchanged) = post(
        &app,
        "/api/v1/inventory/BAD-1/adjustments",
        json!({"delta": 0, "reason": "lost"}),
    )
    .await;
    assert_eq!(status, S::OK, "{unchanged}");
    assert!(unchanged["movement_id"].is_null());
    for (what, method, path, body, status, problem, fields) in cases {
        let mut request = app.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let got = response.status();
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        let text = response.text().await.unwrap();
        assert_eq!(got, status, "{what}: {text}");
        assert_eq!(content_type.unwrap(), "application/problem+json", "{what}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body["type"],
            format!("urn:inventory-tracker:problem:{problem}"),
            "{what}: {text}"
        );
        if !fields.is_empty() {
            let named: Vec<&str> = body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(named, fields, "{what}: {text}");
        }
    }
    assert_eq!(
        ok_json(app.get("/api/v1/inventory/BAD-1").await).await["totals"],
        before["totals"]
    );
    assert_eq!(
        ok_json(app.get("/api/v1/inventory/BAD-1/movements?limit=200").await).await,
        ledger_before
    );
}

async fn a_hundred_parallel_stock_changes_through_the_gateway_are_exact(app: TestApp, _: Backing) {
    known_product(&app, "HOT-1").await;
    post(&app, "/api/v1/inventory/HOT-1/restock", json!({"quantity": 50})).await;
    let changes = (0..100).map(|i| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                post(app, "/api/v1/inventory/HOT-1/restock", json!({"quantity": 2}))
                    .await
                    .0
            } else {
                post(
                    app,
                    "/api/v1/inventory/HOT-1/adjustments",
                    json!({"delta": -1, "reason": "other"}),
                )
                .await
                .0
            }
        }
    });
    for status in join_all(changes).await {
        assert_eq!(status, StatusCode::CREATED);
    }
    let stock = ok_json(app.get("/api/v1/inventory/HOT-1").await).await;
    assert_eq!(stock["totals"]["on_hand"], 50 + 50 * 2 - 50);
    let ledger = ok_json(app.get("/api/v1/inventory/HOT-1/movements?limit=200").await).await;
    let entries = ledger["items"].as_array().unwrap();
    assert_eq!(entries.len(), 101);
    let sum: i64 = entries.iter().map(|m| m["quantity"].as_i64().unwrap()).sum();
    assert_eq!(sum, 100, "the ledger sums to the level");
}

async fn keyed(app: &TestApp, path: &str, key: &str, body: Value) -> reqwest::Response {
    app.request(Method::POST, path)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn retried_stock_operations_with_an_idempotency_key_apply_once(app: TestApp, _: Backing) {
    known_product(&app, "KEY-1").await;
    let first = keyed(
        &app,
        "/api/v1/inventory/KEY-1/restock",
        "dn-1",
        json!({"quantity": 5}),
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = keyed(
        &app,
        "/api/v1/inventory/KEY-1/restock",
        "dn-1",
        json!({"quantity": 5}),
    )
    .await;
    assert_eq!(
        (
            again.status(),
            again.headers()["idempotent-replayed"].to_str().unwrap()
        ),
        (StatusCode::CREATED, "true")
    );
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        first,
        "the replay is the first answer"
    );
    let other = keyed(
        &app,
        "/api/v1/inventory/KEY-1/restock",
        "dn-1",
        json!({"quantity": 6}),
    )
    .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Ten concurrent retries of one adjustment: applied once.
    let racing = (0..10).map(|_| {
        let app = &app;
        async move {
            keyed(
                app,
                "/api/v1/inventory/KEY-1/adjustments",
                "adj-1",
                json!({"delta": -1, "reason": "lost"}),
            )
            .await
            .status()
        }
    });
    let statuses = join_all(racing).await;
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    post(
        &app,
        "/api/v1/locations",
        json!({"code": "shelf", "name": "Shelf"}),
    )
    .await;
    for _ in 0..3 {
        let moved = keyed(
            &app,
            "/api/v1/inventory/KEY-1/transfers",
            "tr-1",
            json!({"from": "main", "to": "shelf", "quantity": 2}),
        )
        .await;
        assert_eq!(moved.status(), StatusCode::CREATED);
    }
    // A failed operation does not use its key up.
    let refused = keyed(
        &app,
        "/api/v1/inventory/KEY-1/adjustments",
        "adj-2",
        json!({"delta": -100, "reason": "lost"}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let count = keyed(
        &app,
        "/api/v1/inventory/KEY-1/count",
        "cnt-1",
        json!({"counted": 2}),
    )
    .await;
    assert_eq!(
        count.status(),
        StatusCode::OK,
        "the count matched: nothing changed"
    );
    let count_again = keyed(
        &app,
        "/api/v1/inventory/KEY-1/count",
        "cnt-1",
        json!({"counted": 2}),
    )
    .await;
    assert_eq!(count_again.status(), StatusCode::OK);

    let stock = ok_json(app.get("/api/v1/inventory/KEY-1").await).await;
    assert_eq!(stock["totals"]["on_hand"], 5 - 1, "one restock, one adjustment");
    let ledger = ok_json(app.get("/api/v1/inventory/KEY-1/movements").await).await;
    let kinds: Vec<&str> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["transfer_in", "transfer_out", "adjustment", "restock"]);
}

async fn the_stock_value_follows_restocks_and_catalog_prices(app: TestApp, _: Backing) {
    let value = || async { ok_json(app.get("/api/v1/stock-value").await).await };
    assert_eq!(
        value().await,
        json!({"at_cost_cents": 0, "at_price_cents": 0, "units": 0, "skus": 0, "unpriced_skus": 0})
    );
    known_product(&app, "WORTH-1").await; // 12 900 at price, 9 900 at cost
    let (status, _) = post(&app, "/api/v1/inventory/WORTH-1/restock", json!({"quantity": 4})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        value().await,
        json!({"at_cost_cents": 4 * 9_900, "at_price_cents": 4 * 12_900, "units": 4, "skus": 1, "unpriced_skus": 0})
    );
    // A new price reaches the inventory by the catalog's event.
    app.patch_json("/api/v1/products/WORTH-1", &json!({"price_cents": 15_000}), None)
        .await;
    testkit::eventually(
        "the new price reaches the inventory",
        Duration::from_secs(20),
        || async { value().await["at_price_cents"] == 4 * 15_000 },
    )
    .await;
    let elsewhere = app.get("/api/v1/stock-value?location=nowhere").await;
    assert_eq!(ok_json(elsewhere).await["units"], 0);
    let bad = app.get("/api/v1/stock-value?location=Not%20A%20Code!").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// A level holds at most 1,000,000,000 units; a value that does not fit in 64 bits is
/// refused with a problem instead of wrapping to a negative number.
async fn levels_and_values_beyond_the_limits_are_refused_never_wrapped(app: TestApp, _: Backing) {
    app.create(&product(
        "HUGE-1",
        json!({"price_cents": 10_000_000_000_i64, "cost_cents": 9_000_000_000_i64}),
    ))
    .await;
    testkit::eventually(
        "the inventory learns of the product",
        Duration::from_secs(20),
        || async { app.get("/api/v1/inventory/HUGE-1").await.status() == StatusCode::OK },
    )
    .await;
    // 1,000 restocks of the most one operation may move fill the level to its limit.
    let app = &app;
    for chunk in 0..100 {
        let restocks = (0..10).map(|n| {
            let key = format!("huge-{chunk}-{n}");
            async move {
                app.request(Method::POST, "/api/v1/inventory/HUGE-1/restock")
                    .header("idempotency-key", key)
                    .json(&json!({"quantity": 1_000_000}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        });
        for status in join_all(restocks).await {
            assert_eq!(status, StatusCode::CREATED);
        }
    }
    let (status, problem) = post(app, "/api/v1/inventory/HUGE-1/restock", json!({"quantity": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:stock-level-limit");
    assert_eq!(problem["limit"], 1_000_000_000);
    assert!(problem["detail"].as_str().unwrap().contains("1000000000"));
    let (status, _) = post(
        app,
        "/api/v1/inventory/HUGE-1/adjustments",
        json!({"delta": 1, "reason": "found"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let level = ok_json(app.get("/api/v1/inventory/HUGE-1").await).await;
    assert_eq!(level["totals"]["on_hand"], 1_000_000_000, "nothing changed");
    // 10^9 units at 10^10 cents is 10^19 cents, beyond i64; at cost (9 × 10^18) it fits, but
    // the answer carries both, so the whole answer is refused rather than half wrong.
    let refused = app.get("/api/v1/stock-value").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:result-too-large");
    assert!(
        problem["detail"].as_str().unwrap().contains("at price"),
        "{problem}"
    );
}
