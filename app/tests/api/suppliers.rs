//! The shop's suppliers through the gateway in both modes: managers record, change and
//! archive them, everyone finds them; a product's suppliers (one preferred, each once, none
//! archived), their costs hidden from clerks.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

modes!(suppliers_are_kept_and_each_product_knows_its_own);

const WAIT: Duration = Duration::from_secs(20);

async fn suppliers_are_kept_and_each_product_knows_its_own(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let (clerk, _) = app.user_client("cal", "clerk").await;
    let app = &app;
    let create = |body: Value| async move {
        let response = app.post_json("/api/v1/suppliers", &body).await;
        let status = response.status();
        (status, response.json::<Value>().await.unwrap())
    };
    let (status, northern) = create(json!({"name": "Northern Components", "contact": "Sam Reyes",
                                            "email": "orders@northern.example", "lead_time_days": 3}))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{northern}");
    assert_eq!(northern["archived"], false);
    let (_, acme) = create(json!({"name": "acme distribution", "phone": "+1 555 0100"})).await;
    assert_eq!(acme["lead_time_days"], 7, "a week unless said");
    let (status, refused) = create(json!({"email": "orders@", "lead_time_days": 400})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email", "lead_time_days"]);
    // Clerks read suppliers but do not record them.
    let by_clerk = clerk
        .post(format!("{base}/api/v1/suppliers"))
        .json(&json!({"name": "Sneaky Ltd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_clerk.status(), StatusCode::FORBIDDEN);
    let listed: Value = clerk
        .get(format!("{base}/api/v1/suppliers?q=NORTH"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let all = ok_json(app.get("/api/v1/suppliers").await).await;
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["acme distribution", "Northern Components"],
        "name order, any case"
    );

    // A product's suppliers: the preferred first, costs for managers only.
    app.create(&product("SUP-1", json!({"price_cents": 4_999}))).await;
    let path = "/api/v1/inventory/SUP-1/suppliers";
    let (n, a) = (northern["id"].as_str().unwrap(), acme["id"].as_str().unwrap());
    let items = json!({"items": [
        {"supplier_id": a, "supplier_sku": "AC-77", "last_cost_cents": 3_100},
        {"supplier_id": n, "supplier_sku": "NC-1", "last_cost_cents": 2_950, "preferred": true}]});
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        let response = app.request(Method::PUT, path).json(&items).send().await.unwrap();
        response.status() == StatusCode::OK
    })
    .await;
    let read = ok_json(app.get(path).await).await;
    assert_eq!(read["sku"], "SUP-1");
    assert_eq!(read["items"][0]["supplier_name"], "Northern Components");
    assert_eq!(read["items"][0]["preferred"], true);
    assert_eq!(read["items"][0]["last_cost_cents"], 2_950);
    assert_eq!(read["items"][0]["lead_time_days"], 3);
    let seen_by_clerk: Value = clerk
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !seen_by_clerk.to_string().contains("cost_cents"),
        "{seen_by_clerk}"
    );
    for (body, field) in [
        (
            json!({"items": [{"supplier_id": n, "preferred": true}, {"supplier_id": a, "preferred": true}]}),
            "items",
        ),
        (
            json!({"items": [{"supplier_id": n}, {"supplier_id": n}]}),
            "items[1].supplier_id",
        ),
        (
            json!({"items": [{"supplier_id": "0193a0d8-0000-7000-8000-000000000001"}]}),
            "items[0].supplier_id",
        ),
    ] {
        let response = app.request(Method::PUT, path).json(&body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    assert_eq!(
        ok_json(app.get(path).await).await,
        read,
        "a refused change changes nothing"
    );

    // Changed, then archived: kept, but no longer offered or accepted for a product.
    let changed = app
        .patch_json(
            &format!("/api/v1/suppliers/{a}"),
            &json!({"lead_time_days": 2, "phone": " "}),
            None,
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(
        (changed["lead_time_days"].as_i64(), changed["phone"].clone()),
        (Some(2), Value::Null)
    );
    let archived = app
        .request(Method::DELETE, &format!("/api/v1/suppliers/{a}"))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    let active = ok_json(app.get("/api/v1/suppliers").await).await;
    assert_eq!(active["items"].as_array().unwrap().len(), 1);
    let with_archived = ok_json(app.get("/api/v1/suppliers?archived=true").await).await;
    assert_eq!(with_archived["items"].as_array().unwrap().len(), 2);
    let response = app
        .request(Method::PUT, path)
        .json(&json!({"items": [{"supplier_id": a}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for missing in [
        "/api/v1/suppliers/not-an-id",
        "/api/v1/inventory/NOPE-1/suppliers",
    ] {
        assert_eq!(
            app.get(missing).await.status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}
