//! Reorder suggestions through the gateway in both modes: a product sold out is suggested for
//! its preferred supplier, one with plenty on hand is not, the forecast's method shows, and a
//! level that follows the forecast takes its reorder point as its threshold.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

modes!(a_sold_out_product_is_suggested_for_its_preferred_supplier);

const WAIT: Duration = Duration::from_secs(20);

async fn a_sold_out_product_is_suggested_for_its_preferred_supplier(app: TestApp, _: Backing) {
    for (sku, stock) in [("REO-FAST", 3), ("REO-IDLE", 50)] {
        app.create(&product(sku, json!({"price_cents": 1_000}))).await;
        let path = format!("/api/v1/inventory/{sku}/restock");
        testkit::eventually("the inventory learns of the product", WAIT, || async {
            app.post_json(&path, &json!({"quantity": stock})).await.status() == StatusCode::CREATED
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
    let supplier: Value = created.json().await.unwrap();
    let items = json!({"items": [{"supplier_id": supplier["id"], "preferred": true}]});
    let set = app
        .request(Method::PUT, "/api/v1/inventory/REO-FAST/suppliers")
        .json(&items)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let sold = app
        .post_json(
            "/api/v1/sales",
            &json!({"lines": [{"sku": "REO-FAST", "quantity": 3}], "payment_method": "card"}),
        )
        .await;
    assert_eq!(sold.status(), StatusCode::CREATED);
    testkit::eventually("the sale reaches the ledger", WAIT, || async {
        ok_json(app.get("/api/v1/inventory/REO-FAST").await).await["totals"]["on_hand"] == 0
    })
    .await;

    let suggestions = ok_json(app.get("/api/v1/reorder-suggestions").await).await;
    assert_eq!(suggestions["location"], "main");
    assert_eq!(suggestions["service_level"], 95);
    let groups = suggestions["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{suggestions}");
    assert_eq!(groups[0]["supplier_name"], "Northern Components");
    let line = &groups[0]["lines"][0];
    assert_eq!(
        (line["sku"].as_str(), line["on_hand"].as_i64()),
        (Some("REO-FAST"), Some(0))
    );
    assert_eq!(line["lead_time_days"], 3);
    assert!(line["suggested_quantity"].as_i64().unwrap() > 0, "{line}");
    assert!(line["reorder_point"].as_i64().unwrap() >= 1, "{line}");

    // Everything, when asked: the idle product forecasts nothing and suggests nothing.
    let all = ok_json(app.get("/api/v1/reorder-suggestions?all=true").await).await;
    let idle: Vec<&Value> = all["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["lines"].as_array().unwrap())
        .filter(|l| l["sku"] == "REO-IDLE")
        .collect();
    assert_eq!(idle.len(), 1);
    assert_eq!(
        (idle[0]["method"].as_str(), idle[0]["suggested_quantity"].as_i64()),
        (Some("zero"), Some(0))
    );

    // A level that follows the forecast takes its reorder point as the threshold.
    let follow = app
        .request(Method::PUT, "/api/v1/inventory/REO-FAST/settings")
        .json(&json!({"low_stock_threshold": 0, "reorder_quantity": 0, "follow_forecast": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok_json(follow).await["follows_forecast"], true);
    let refreshed = ok_json(
        app.post_json("/api/v1/reorder-suggestions/thresholds", &json!({}))
            .await,
    )
    .await;
    assert_eq!(refreshed["updated"], 1, "only the level that follows");
    let level = ok_json(app.get("/api/v1/inventory/REO-FAST").await).await["locations"][0].clone();
    assert_eq!(level["low_stock_threshold"], line["reorder_point"], "{level}");
    assert_eq!(
        level["reorder_quantity"].as_i64().unwrap(),
        line["order_up_to"].as_i64().unwrap() - line["reorder_point"].as_i64().unwrap()
    );
    let again = ok_json(
        app.post_json("/api/v1/reorder-suggestions/thresholds", &json!({}))
            .await,
    )
    .await;
    assert_eq!(again["updated"], 0, "nothing changed since");

    // A voided sale was no demand: once voided, nothing is forecast for it.
    let sale: Value = sold.json().await.unwrap();
    let voided = app
        .post_json(
            &format!("/api/v1/sales/{}/void", sale["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(voided.status(), StatusCode::OK);
    testkit::eventually("the void reaches the ledger", WAIT, || async {
        ok_json(app.get("/api/v1/inventory/REO-FAST").await).await["totals"]["on_hand"] == 3
    })
    .await;
    let after = ok_json(app.get("/api/v1/reorder-suggestions?all=true").await).await;
    let fast: Vec<&Value> = after["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["lines"].as_array().unwrap())
        .filter(|l| l["sku"] == "REO-FAST")
        .collect();
    assert_eq!(fast[0]["method"], "zero", "{after}");

    assert_eq!(
        app.get("/api/v1/reorder-suggestions?service_level=120")
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/reorder-suggestions?location=attic")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
