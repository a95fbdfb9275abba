//! The counter through the gateway, in both modes: no overselling under races, idempotency
//! keys, voids and returns, prices frozen at the time of sale, and an inventory that is down.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use futures::future::join_all;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

modes!(
    a_hundred_racing_sales_of_ten_in_stock_sell_exactly_ten,
    racing_multi_line_sales_are_all_or_none,
    idempotency_keys_make_retries_harmless,
    idempotency_keys_belong_to_their_sender,
    voids_and_returns_give_stock_back_exactly_once,
    prices_are_frozen_at_the_time_of_sale,
    bad_sales_input_gets_the_right_problem_and_records_nothing,
    the_sale_and_its_stock_movements_name_who_acted,
    a_summary_too_large_to_represent_is_refused_not_wrapped,
    a_settled_days_figures_are_kept_until_one_of_its_sales_changes,
    a_products_sales_page_newest_first_once_each,
);

const WAIT: Duration = Duration::from_secs(20);

/// A product known to the inventory with `quantity` on hand at `main`.
async fn stocked(app: &TestApp, sku: &str, price_cents: i64, quantity: i64) {
    app.create(&product(
        sku,
        json!({"price_cents": price_cents, "cost_cents": price_cents / 2}),
    ))
    .await;
    let path = format!("/api/v1/inventory/{sku}/restock");
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json(&path, &json!({"quantity": quantity}))
            .await
            .status()
            == StatusCode::CREATED
    })
    .await;
}

async fn sell(app: &TestApp, lines: Value, key: Option<&str>) -> (StatusCode, Value) {
    let mut request = app
        .request(Method::POST, "/api/v1/sales")
        .json(&json!({"lines": lines, "payment_method": "card"}));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn totals(app: &TestApp, sku: &str) -> Value {
    ok_json(app.get(&format!("/api/v1/inventory/{sku}")).await).await["totals"].clone()
}

async fn settle(app: &TestApp, sku: &str, on_hand: i64) {
    let expected = json!({"on_hand": on_hand, "reserved": 0, "available": on_hand, "incoming": 0});
    testkit::eventually("sales reach the inventory", WAIT, || async {
        totals(app, sku).await == expected
    })
    .await;
}

async fn sale_movements(app: &TestApp, sku: &str) -> Vec<Value> {
    let ledger = ok_json(
        app.get(&format!("/api/v1/inventory/{sku}/movements?limit=200"))
            .await,
    )
    .await;
    ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "sale")
        .cloned()
        .collect()
}

async fn a_hundred_racing_sales_of_ten_in_stock_sell_exactly_ten(app: TestApp, _: Backing) {
    stocked(&app, "HOT-1", 1_999, 10).await;
    let sales = (0..100).map(|_| {
        let app = &app;
        async move { sell(app, json!([{"sku": "HOT-1", "quantity": 1}]), None).await }
    });
    let results = join_all(sales).await;
    let sold = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let refused = results
        .iter()
        .filter(|(s, b)| {
            *s == StatusCode::CONFLICT && b["type"] == "urn:inventory-tracker:problem:insufficient-stock"
        })
        .count();
    assert_eq!((sold, refused), (10, 90), "{results:?}");
    settle(&app, "HOT-1", 0).await;
    assert_eq!(sale_movements(&app, "HOT-1").await.len(), 10);
    let listed = ok_json(app.get("/api/v1/sales?sku=HOT-1&limit=200").await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 10);
}

async fn racing_multi_line_sales_are_all_or_none(app: TestApp, _: Backing) {
    for sku in ["MA-1", "MB-1", "MC-1"] {
        stocked(&app, sku, 1_000, 12).await;
    }
    let baskets = [
        json!([{"sku": "MA-1", "quantity": 2}, {"sku": "MB-1", "quantity": 1}]),
        json!([{"sku": "MC-1", "quantity": 1}, {"sku": "MB-1", "quantity": 2}, {"sku": "MA-1", "quantity": 1}]),
        json!([{"sku": "MB-1", "quantity": 1}, {"sku": "MC-1", "quantity": 3}]),
    ];
    let sales = (0..45).map(|i| {
        let (app, basket) = (&app, baskets[i % 3].clone());
        async move { sell(app, basket, None).await }
    });
    let mut sold = std::collections::BTreeMap::<String, i64>::new();
    for (status, body) in join_all(sales).await {
        match status {
            StatusCode::CREATED => {
                for line in body["lines"].as_array().unwrap() {
                    *sold.entry(line["sku"].as_str().unwrap().to_owned()).or_default() +=
                        line["quantity"].as_i64().unwrap();
                }
            }
            StatusCode::CONFLICT => {
                assert!(body["lines"].as_array().is_some_and(|l| !l.is_empty()), "{body}")
            }
            other => panic!("{other}: {body}"),
        }
    }
    for sku in ["MA-1", "MB-1", "MC-1"] {
        let left = 12 - sold.get(sku).copied().unwrap_or(0);
        assert!(left >= 0, "{sku} oversold");
        settle(&app, sku, left).await;
    }
}

async fn idempotency_keys_make_retries_harmless(app: TestApp, _: Backing) {
    stocked(&app, "IDEM-1", 5_000, 20).await;
    let basket = json!([{"sku": "IDEM-1", "quantity": 2}]);
    let (first_status, first) = sell(&app, basket.clone(), Some("till-1-0001")).await;
    assert_eq!(first_status, StatusCode::CREATED);
    // Sequential replay: the same answer, no second sale.
    let response = app
        .request(Method::POST, "/api/v1/sales")
        .header("idempotency-key", "till-1-0001")
        .json(&json!({"lines": basket, "payment_method": "card"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    assert_eq!(response.json::<Value>().await.unwrap(), first);
    // The same key with another body is refused.
    let (status, problem) = sell(
        &app,
        json!([{"sku": "IDEM-1", "quantity": 3}]),
        Some("till-1-0001"),
    )
    .await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("urn:inventory-tracker:problem:idempotency-key-reused")
        )
    );
    // Concurrent requests with one key: one sale.
    let racing = (0..20).map(|_| {
        let app = &app;
        async move {
            sell(
                app,
                json!([{"sku": "IDEM-1", "quantity": 1}]),
                Some("till-1-0002"),
            )
            .await
        }
    });
    let results = join_all(racing).await;
    let ids: std::collections::BTreeSet<String> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    for (status, body) in &results {
        assert!(
            *status == StatusCode::CREATED
                || body["type"] == "urn:inventory-tracker:problem:idempotency-key-in-use",
            "{status}: {body}"
        );
    }
    // A refused sale does not use its key up: the client may retry it once stock arrived.
    let (status, _) = sell(
        &app,
        json!([{"sku": "IDEM-1", "quantity": 100}]),
        Some("till-1-0003"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.post_json("/api/v1/inventory/IDEM-1/restock", &json!({"quantity": 100}))
        .await;
    let (status, _) = sell(
        &app,
        json!([{"sku": "IDEM-1", "quantity": 100}]),
        Some("till-1-0003"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    settle(&app, "IDEM-1", 20 - 2 - 1 + 100 - 100).await;
    let listed = ok_json(app.get("/api/v1/sales?sku=IDEM-1").await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
}

/// A key is scoped to its sender (a user, with their sessions and API tokens alike): another
/// user sending the same key with the same body does new work and never sees the first
/// user's answer.
async fn idempotency_keys_belong_to_their_sender(app: TestApp, _: Backing) {
    stocked(&app, "SCOPE-1", 1_000, 10).await;
    let base = app.gateway.clone().unwrap();
    let body = json!({"lines": [{"sku": "SCOPE-1", "quantity": 1}], "payment_method": "cash"});
    let send = |client: reqwest::Client, path: &'static str, key: &'static str, body: Value| {
        let url = format!("{base}{path}");
        async move {
            let response = client
                .post(url)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let replayed = response.headers().contains_key("idempotent-replayed");
            let status = response.status();
            (status, replayed, response.json::<Value>().await.unwrap())
        }
    };
    let (status, _, first) = send(app.client.clone(), "/api/v1/sales", "shared-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (clerk, _) = app.user_client("scope-clerk", "clerk").await;
    let (status, replayed, theirs) = send(clerk, "/api/v1/sales", "shared-1", body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert!(!replayed, "another user's key is not replayed");
    assert_ne!(theirs["id"], first["id"]);
    assert_eq!(theirs["recorded_by"], "scope-clerk");
    // The admin's own API token is the admin: the same key replays the admin's sale.
    let token = app
        .post_json("/api/v1/auth/tokens", &json!({"name": "till", "role": "clerk"}))
        .await;
    let token: Value = token.json().await.unwrap();
    let integration = crate::support::client_with_token(token["token"].as_str().unwrap());
    let (status, replayed, again) = send(integration, "/api/v1/sales", "shared-1", body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(replayed);
    assert_eq!(again["id"], first["id"]);
    // The inventory scopes keys the same way.
    let (manager, _) = app.user_client("scope-manager", "manager").await;
    let restock = json!({"quantity": 1});
    for client in [manager, app.client.clone()] {
        let (status, replayed, _) = send(
            client,
            "/api/v1/inventory/SCOPE-1/restock",
            "r-1",
            restock.clone(),
        )
        .await;
        assert_eq!((status, replayed), (StatusCode::CREATED, false));
    }
    settle(&app, "SCOPE-1", 10 - 2 + 2).await;
}

async fn voids_and_returns_give_stock_back_exactly_once(app: TestApp, _: Backing) {
    stocked(&app, "RET-1", 2_000, 10).await;
    stocked(&app, "RET-2", 3_000, 10).await;
    let (_, sale) = sell(
        &app,
        json!([{"sku": "RET-1", "quantity": 4}, {"sku": "RET-2", "quantity": 2}]),
        None,
    )
    .await;
    let id = sale["id"].as_str().unwrap().to_owned();
    settle(&app, "RET-1", 6).await;

    let returns = format!("/api/v1/sales/{id}/returns");
    let too_many = app
        .post_json(&returns, &json!({"lines": [{"sku": "RET-1", "quantity": 5}]}))
        .await;
    assert_eq!(too_many.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let not_sold = app
        .post_json(&returns, &json!({"lines": [{"sku": "HOT-9", "quantity": 1}]}))
        .await;
    assert_eq!(not_sold.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let returned = ok_json(
        app.request(Method::POST, &returns)
            .header("idempotency-key", "ret-1")
            .json(&json!({"lines": [{"sku": "RET-1", "quantity": 1}, {"sku": "RET-1", "quantity": 1, "restock": false}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(returned["status"], "partially_returned");
    assert_eq!(returned["refunded_cents"], 2 * 2_000);
    // Retrying the same return changes nothing.
    let again = app
        .request(Method::POST, &returns)
        .header("idempotency-key", "ret-1")
        .json(&json!({"lines": [{"sku": "RET-1", "quantity": 1}, {"sku": "RET-1", "quantity": 1, "restock": false}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    settle(&app, "RET-1", 7).await; // one back on the shelf, one written off

    let void = |key: &'static str, reason: &'static str| {
        app.request(Method::POST, &format!("/api/v1/sales/{id}/void"))
            .header("idempotency-key", key)
            .json(&json!({"reason": reason}))
            .send()
    };
    let voided = ok_json(void("void-1", "changed_mind").await.unwrap()).await;
    assert_eq!(voided["status"], "voided");
    assert_eq!(voided["refunded_cents"], voided["total_cents"]);
    // A void whose answer was lost, sent again with its key, gets that answer (found by the
    // fault campaign: it used to be refused as already voided, though it had taken effect).
    let retried = void("void-1", "changed_mind").await.unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.headers()["idempotent-replayed"], "true");
    assert_eq!(ok_json(retried).await, voided);
    let reused = void("void-1", "damaged").await.unwrap();
    assert_eq!(
        reused.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the key with another body"
    );
    let history: Vec<&str> = voided["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["completed", "partially_returned", "voided"]);
    let twice = app
        .post_json(&format!("/api/v1/sales/{id}/void"), &json!({}))
        .await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
    // The HTTP status and the sale's status are two members, each named once.
    let body = twice.text().await.unwrap();
    assert_eq!(body.matches(r#""status":"#).count(), 1, "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(problem["status"], 409);
    assert_eq!(problem["sale_status"], "voided");
    let after_void = app
        .post_json(&returns, &json!({"lines": [{"sku": "RET-2", "quantity": 1}]}))
        .await;
    assert_eq!(after_void.status(), StatusCode::CONFLICT);
    settle(&app, "RET-1", 9).await; // the 2 not yet returned come back
    settle(&app, "RET-2", 10).await;
    let kinds: Vec<String> = ok_json(app.get("/api/v1/inventory/RET-1/movements").await).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "sale_void").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "return").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "return_written_off").count(), 1);
}

async fn the_sale_and_its_stock_movements_name_who_acted(app: TestApp, _: Backing) {
    stocked(&app, "WHO-1", 1_500, 5).await;
    let base = app.gateway.clone().unwrap();
    let (clerk, _) = app.user_client("counter-ann", "clerk").await;
    let (manager, _) = app.user_client("boss-bo", "manager").await;
    let response = clerk
        .post(format!("{base}/api/v1/sales"))
        .json(&json!({"lines": [{"sku": "WHO-1", "quantity": 2}], "payment_method": "cash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let sale: Value = response.json().await.unwrap();
    assert_eq!(sale["recorded_by"], "counter-ann");
    assert_eq!(sale["history"][0]["actor"], "counter-ann");
    let id = sale["id"].as_str().unwrap();
    settle(&app, "WHO-1", 3).await;
    let returned = ok_json(
        clerk
            .post(format!("{base}/api/v1/sales/{id}/returns"))
            // A clerk's refund needs a manager's approval (the shop's default limit is 0).
            .json(&json!({"lines": [{"sku": "WHO-1", "quantity": 1}],
                          "approval": {"username": "boss-bo", "password": "long walks on the beach 7"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(returned["history"][1]["actor"], "counter-ann");
    assert_eq!(returned["history"][1]["approved_by"], "boss-bo");
    let voided = ok_json(
        manager
            .post(format!("{base}/api/v1/sales/{id}/void"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let actors: Vec<(&str, &str)> = voided["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["status"].as_str().unwrap(), h["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actors,
        [
            ("completed", "counter-ann"),
            ("partially_returned", "counter-ann"),
            ("voided", "boss-bo")
        ]
    );
    // Fetched again, the sale still says who recorded it.
    let fetched = ok_json(app.get(&format!("/api/v1/sales/{id}")).await).await;
    assert_eq!(fetched["recorded_by"], "counter-ann");
    settle(&app, "WHO-1", 5).await;
    // The inventory's ledger names the same people, carried there by the sale's events.
    let ledger = ok_json(app.get("/api/v1/inventory/WHO-1/movements").await).await;
    let moves: Vec<(&str, &str)> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["kind"].as_str().unwrap(), m["actor"].as_str().unwrap_or("-")))
        .collect();
    assert_eq!(
        moves,
        [
            ("sale_void", "boss-bo"),
            ("return", "counter-ann"),
            ("sale", "counter-ann"),
            ("restock", "admin")
        ]
    );
}

async fn prices_are_frozen_at_the_time_of_sale(app: TestApp, _: Backing) {
    stocked(&app, "PRICE-1", 10_000, 5).await;
    let (status, sale) = sell(
        &app,
        json!([{"sku": "PRICE-1", "quantity": 2, "discount_cents": 1_500}]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        (
            sale["subtotal_cents"].as_i64(),
            sale["discount_cents"].as_i64(),
            sale["total_cents"].as_i64()
        ),
        (Some(18_500), Some(1_500), Some(18_500)),
        "the subtotal is net of discounts (no tax here)"
    );
    assert!(sale["receipt_number"].as_i64().unwrap() >= 1);
    app.patch_json("/api/v1/products/PRICE-1", &json!({"price_cents": 12_000}), None)
        .await;
    let read = ok_json(
        app.get(&format!("/api/v1/sales/{}", sale["id"].as_str().unwrap()))
            .await,
    )
    .await;
    assert_eq!(read["lines"][0]["unit_price_cents"], 10_000);
    assert_eq!(read["total_cents"], 18_500);
    let (_, later) = sell(&app, json!([{"sku": "PRICE-1", "quantity": 1}]), None).await;
    assert_eq!(later["lines"][0]["unit_price_cents"], 12_000);

    // The dashboard's figures: two sales, 3 units, 18 500 + 12 000 cents, both by card.
    let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
    assert_eq!(
        (
            summary["count"].as_i64(),
            summary["units"].as_i64(),
            summary["revenue_cents"].as_i64()
        ),
        (Some(2), Some(3), Some(30_500))
    );
    assert_eq!(summary["average_basket_cents"], 15_250);
    assert_eq!(
        summary["by_payment_method"],
        json!([{"payment_method": "card", "count": 2, "revenue_cents": 30_500}])
    );
    assert_eq!(summary["by_day"].as_array().unwrap().len(), 1);
    assert_eq!(
        summary["top_products"],
        json!([{"sku": "PRICE-1", "name": "Product PRICE-1", "units": 3, "revenue_cents": 30_500}])
    );
    // A voided sale leaves the figures.
    app.post_json(
        &format!("/api/v1/sales/{}/void", later["id"].as_str().unwrap()),
        &json!({}),
    )
    .await;
    let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
    assert_eq!(
        (summary["count"].as_i64(), summary["revenue_cents"].as_i64()),
        (Some(1), Some(18_500))
    );
    assert_eq!(summary["top_products"][0]["units"], 2);
    assert_eq!(summary["top_products"][0]["revenue_cents"], 18_500);
    let empty = ok_json(
        app.get("/api/v1/sales/summary?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z")
            .await,
    )
    .await;
    assert_eq!(empty["count"], 0);
    // The sales and their takings show in the metrics for the operators' dashboards.
    let metrics = crate::support::metrics(&app.client, app.gateway.as_deref().unwrap()).await;
    for series in [
        "sales_recorded_total{payment_method=",
        "sales_revenue_cents_total ",
    ] {
        assert!(metrics.contains(series), "{series} missing from /metrics");
    }
}

async fn bad_sales_input_gets_the_right_problem_and_records_nothing(app: TestApp, _: Backing) {
    stocked(&app, "BAD-S1", 1_000, 3).await;
    app.create(&product("ARCH-1", json!({}))).await;
    app.request(Method::DELETE, "/api/v1/products/ARCH-1")
        .send()
        .await
        .unwrap();
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "no lines",
            json!({"lines": [], "payment_method": "cash"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "zero quantity",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 0}], "payment_method": "cash"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "absurd quantity",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 1_000_000}], "payment_method": "cash"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "unknown payment",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 1}], "payment_method": "cheque"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "unknown SKU",
            json!({"lines": [{"sku": "NOPE-1", "quantity": 1}], "payment_method": "cash"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "archived product",
            json!({"lines": [{"sku": "ARCH-1", "quantity": 1}], "payment_method": "cash"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "discount over the limit",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 1, "discount_cents": 500}], "payment_method": "cash"}),
            StatusCode::FORBIDDEN,
            "approval-required",
        ),
        (
            "an unknown customer",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 1}], "payment_method": "cash",
                   "customer_id": "0193a0d8-0000-7000-8000-000000000001"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "unknown location",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 1}], "payment_method": "cash", "location": "attic"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (
            "more than in stock",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 4}], "payment_method": "cash"}),
            StatusCode::CONFLICT,
            "insufficient-stock",
        ),
        (
            "unknown field",
            json!({"lines": [{"sku": "BAD-S1", "quantity": 1}], "payment_method": "cash", "tip": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-body",
        ),
    ];
    for (what, body, status, problem) in cases {
        let response = app.post_json("/api/v1/sales", &body).await;
        let got = response.status();
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{what}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            (got, body["type"].as_str().unwrap()),
            (
                status,
                format!("urn:inventory-tracker:problem:{problem}").as_str()
            ),
            "{what}: {body}"
        );
    }
    for (path, status) in [
        (
            "/api/v1/sales/00000000-0000-0000-0000-000000000000",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/sales?limit=0", StatusCode::BAD_REQUEST),
        ("/api/v1/sales?from=yesterday", StatusCode::BAD_REQUEST),
        ("/api/v1/sales?payment_method=cheque", StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(app.get(path).await.status(), status, "{path}");
    }
    let void_missing = app
        .post_json(
            "/api/v1/sales/00000000-0000-0000-0000-000000000000/void",
            &json!({}),
        )
        .await;
    assert_eq!(void_missing.status(), StatusCode::NOT_FOUND);
    assert!(
        ok_json(app.get("/api/v1/sales").await).await["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing recorded"
    );
    assert_eq!(
        totals(&app, "BAD-S1").await,
        json!({"on_hand": 3, "reserved": 0, "available": 3, "incoming": 0}),
        "nothing reserved"
    );
}

/// With the inventory down, a sale fails fast with 503 and Retry-After, records nothing, and
/// after repeated failures the breaker answers at once and readiness names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_inventory_fails_sales_fast_and_records_nothing() {
    let Some(backing) = Backing::new(crate::support::Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.inventory_url = Some("http://127.0.0.1:1".to_owned());
    let app = TestApp::start(
        settings,
        &[
            inventory_tracker::Target::Catalog,
            inventory_tracker::Target::Sales,
            inventory_tracker::Target::Gateway,
        ],
    )
    .await;
    app.create(&product("DOWN-1", json!({}))).await;
    for _ in 0..3 {
        let (status, problem) = sell(&app, json!([{"sku": "DOWN-1", "quantity": 1}]), Some("k-down")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    }
    let response = app
        .post_json(
            "/api/v1/sales",
            &json!({"lines": [{"sku": "DOWN-1", "quantity": 1}], "payment_method": "cash"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().get(header::RETRY_AFTER).is_some());
    let started = std::time::Instant::now();
    let (status, _) = sell(&app, json!([{"sku": "DOWN-1", "quantity": 1}]), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "an open breaker answers at once"
    );
    assert!(
        ok_json(app.get("/api/v1/sales").await).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let sales_url = app.sales.as_deref().unwrap().to_owned();
    let metrics = crate::support::metrics(&app.client, &sales_url).await;
    assert!(
        metrics.contains(r#"circuit_breaker_state{upstream="inventory",replica="http://127.0.0.1:1"} 1"#),
        "breaker state exported"
    );
    let ready = app
        .client
        .get(format!("{sales_url}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.text().await.unwrap().contains("circuit breaker open"));
    app.stop().await;
}

/// Sums over many sales are checked: revenue beyond 64 bits is a problem, never a wrapped
/// (negative) figure. Two sales are inflated in the database, as years of a busy shop's
/// sales at the highest prices could be.
async fn a_summary_too_large_to_represent_is_refused_not_wrapped(app: TestApp, backing: Backing) {
    stocked(&app, "BIG-1", 10_000, 5).await;
    for _ in 0..2 {
        let (status, sale) = sell(&app, json!([{"sku": "BIG-1", "quantity": 1}]), None).await;
        assert_eq!(status, StatusCode::CREATED, "{sale}");
    }
    ok_json(app.get("/api/v1/sales/summary").await).await;
    let db = backing.db.connect().await;
    sqlx::query("UPDATE sales_sales SET total_cents = ?")
        .bind(5_000_000_000_000_000_000_i64)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let refused = app.get("/api/v1/sales/summary").await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:result-too-large");
}

/// A settled day is summed once and its figures kept: later summaries read them instead of
/// its sales, until a return of one of its sales retires them. The sales are moved two days
/// back in the database, as time would move them.
async fn a_settled_days_figures_are_kept_until_one_of_its_sales_changes(app: TestApp, backing: Backing) {
    stocked(&app, "HOUR-1", 1_000, 10).await;
    let mut sales = Vec::new();
    for quantity in [1, 2] {
        let (status, sale) = sell(&app, json!([{"sku": "HOUR-1", "quantity": quantity}]), None).await;
        assert_eq!(status, StatusCode::CREATED, "{sale}");
        sales.push(sale);
    }
    settle(&app, "HOUR-1", 7).await;
    let takings = sales[0]["total_cents"].as_i64().unwrap() + sales[1]["total_cents"].as_i64().unwrap();
    let db = backing.db.connect().await;
    let two_days = 2 * 86_400_000_i64;
    sqlx::query("UPDATE sales_sales SET created_at = created_at - ?")
        .bind(two_days)
        .execute(db.pool())
        .await
        .unwrap();
    let made_at: i64 = sqlx::query_scalar("SELECT MIN(created_at) FROM sales_sales")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let hour = made_at.div_euclid(3_600_000);
    let kept_count = || async {
        let figures: Option<String> = sqlx::query_scalar(
            "SELECT figures FROM sales_kept_figures WHERE first_hour <= ? AND first_hour + hours > ? \
             ORDER BY hours DESC LIMIT 1",
        )
        .bind(hour)
        .bind(hour)
        .fetch_optional(db.pool())
        .await
        .unwrap();
        figures.map(|f| serde_json::from_str::<Value>(&f).unwrap()["count"].clone())
    };
    assert_eq!(kept_count().await, None);

    let first = ok_json(app.get("/api/v1/sales/summary").await).await;
    assert_eq!(
        (first["count"].clone(), first["units"].clone()),
        (json!(2), json!(3))
    );
    assert_eq!(first["revenue_cents"], takings);
    assert_eq!(kept_count().await, Some(json!(2)));

    // Kept, not summed again: a change made behind the API's back does not show.
    sqlx::query("UPDATE sales_sales SET total_cents = total_cents + 1")
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(ok_json(app.get("/api/v1/sales/summary").await).await, first);
    sqlx::query("UPDATE sales_sales SET total_cents = total_cents - 1")
        .execute(db.pool())
        .await
        .unwrap();

    let id = sales[1]["id"].as_str().unwrap();
    let returned = ok_json(
        app.post_json(
            &format!("/api/v1/sales/{id}/returns"),
            &json!({"lines": [{"sku": "HOUR-1", "quantity": 1}]}),
        )
        .await,
    )
    .await;
    let refunded = returned["refunded_cents"].as_i64().unwrap();
    assert!(refunded > 0, "{returned}");
    let after = ok_json(app.get("/api/v1/sales/summary").await).await;
    assert_eq!(
        (after["count"].clone(), after["units"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(after["revenue_cents"], takings - refunded);
    assert_eq!(after["top_products"][0]["units"], 2);
    assert_eq!(
        kept_count().await,
        Some(json!(2)),
        "kept again with the new revision"
    );

    // A summary since the year 480 keeps nothing for the centuries before the first sale.
    let since_480 = ok_json(
        app.get("/api/v1/sales/summary?from=0480-02-01T14%3A02%3A15Z")
            .await,
    )
    .await;
    assert_eq!(since_480, after);
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sales_kept_figures")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(kept < 100, "{kept} rows kept");
    db.close().await;
}

/// A product's sales come newest first, page after page, each sale once even when it has the
/// product on two lines, alone or with another filter beside the product.
async fn a_products_sales_page_newest_first_once_each(app: TestApp, _: Backing) {
    stocked(&app, "PAGE-1", 1_000, 100).await;
    stocked(&app, "PAGE-2", 500, 100).await;
    let baskets = [
        json!([{"sku": "PAGE-1", "quantity": 1}]),
        json!([{"sku": "PAGE-2", "quantity": 1}]),
        json!([{"sku": "PAGE-1", "quantity": 1}, {"sku": "PAGE-1", "quantity": 2, "discount_cents": 100}]),
        json!([{"sku": "PAGE-2", "quantity": 1}, {"sku": "PAGE-1", "quantity": 1}]),
        json!([{"sku": "PAGE-1", "quantity": 3}]),
    ];
    let mut receipts = Vec::new();
    for basket in baskets {
        let (status, sale) = sell(&app, basket, None).await;
        assert_eq!(status, StatusCode::CREATED, "{sale}");
        receipts.push(sale["receipt_number"].as_i64().unwrap());
    }
    let (_, newest) = sell(&app, json!([{"sku": "PAGE-2", "quantity": 1}]), None).await;
    let newest = newest["receipt_number"].as_i64().unwrap();
    let listed = |query: String| {
        let app = &app;
        async move {
            let page = ok_json(app.get(&format!("/api/v1/sales?{query}")).await).await;
            let numbers: Vec<i64> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|sale| sale["receipt_number"].as_i64().unwrap())
                .collect();
            (numbers, page["next_cursor"].as_str().map(str::to_owned))
        }
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (numbers, next) = listed(format!("sku=PAGE-1&limit=2{after}")).await;
        assert!(numbers.len() <= 2);
        seen.extend(numbers);
        let Some(next) = next else { break };
        cursor = Some(next);
    }
    let with_page_1 = [receipts[4], receipts[3], receipts[2], receipts[0]];
    assert_eq!(seen, with_page_1);
    assert!(!seen.contains(&newest));
    let (card, _) = listed("sku=PAGE-1&payment_method=card&limit=50".into()).await;
    assert_eq!(card, with_page_1);
    let (older, _) = listed(format!("sku=PAGE-1&cursor={}&limit=50", receipts[3])).await;
    assert_eq!(older, [receipts[2], receipts[0]]);
}
