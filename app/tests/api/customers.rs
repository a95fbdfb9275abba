//! The shop's customers through the gateway in both modes: who may record, change and
//! archive them, finding them by any field, page by page, a sale made to one and their
//! purchase history.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

modes!(customers_are_found_by_any_field_and_keep_their_purchases);

const WAIT: Duration = Duration::from_secs(20);

async fn send(
    client: &Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn customers_are_found_by_any_field_and_keep_their_purchases(app: TestApp, _: Backing) {
    use reqwest::Method;
    let base = app.gateway.clone().unwrap();
    let url = |path: &str| format!("{base}/api/v1{path}");
    let (clerk, _) = app.user_client("cal", "clerk").await;
    let (viewer, _) = app.user_client("vic", "viewer").await;

    // The counter records customers; a viewer may not even read them (personal data).
    let (status, ada) = send(
        &clerk,
        Method::POST,
        &url("/customers"),
        Some(
            json!({"name": " Ada Lovelace ", "phone": "+44 20 7946 0000", "email": "ada@example.org",
                    "notes": "Prefers AMD"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ada}");
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["archived"], false);
    let ada_id = ada["id"].as_str().unwrap().to_owned();
    for (name, phone) in [
        ("alan turing", "0161 496 0000"),
        ("Grace Hopper", "+1 (555) 010-0199"),
    ] {
        let (status, body) = send(
            &clerk,
            Method::POST,
            &url("/customers"),
            Some(json!({"name": name, "phone": phone})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, refused) = send(
        &clerk,
        Method::POST,
        &url("/customers"),
        Some(json!({"phone": "call me", "email": "ada@"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "phone", "email"]);
    let (status, _) = send(&viewer, Method::GET, &url("/customers"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Found by name (any case), phone, email or notes; in name order whatever the case.
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    for (q, wanted) in [
        ("LOVELACE", vec!["Ada Lovelace"]),
        ("0161", vec!["alan turing"]),
        ("example.org", vec!["Ada Lovelace"]),
        ("amd", vec!["Ada Lovelace"]),
        ("a", vec!["Ada Lovelace", "alan turing", "Grace Hopper"]),
        ("100%", vec![]),
    ] {
        let (status, page) = send(
            &clerk,
            Method::GET,
            reqwest::Url::parse_with_params(&url("/customers"), &[("q", q)])
                .unwrap()
                .as_str(),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(names(&page), wanted, "q={q}");
    }
    // Page by page, each customer once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page_url = format!("{}?limit=1", url("/customers"));
        if let Some(c) = &cursor {
            page_url.push_str(&format!("&cursor={c}"));
        }
        let (_, page) = send(&clerk, Method::GET, &page_url, None).await;
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["Ada Lovelace", "alan turing", "Grace Hopper"]);

    // The counter corrects a customer; a blank phone clears it.
    let (status, changed) = send(
        &clerk,
        Method::PATCH,
        &url(&format!("/customers/{ada_id}")),
        Some(json!({"phone": " ", "notes": "Prefers AMD; pays by card"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["phone"], Value::Null);
    assert_eq!(changed["email"], "ada@example.org");

    // A sale made to Ada names her and shows in her purchases.
    app.create(&product("CUST-1", json!({"price_cents": 2500}))).await;
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json("/api/v1/inventory/CUST-1/restock", &json!({"quantity": 5}))
            .await
            .status()
            == StatusCode::CREATED
    })
    .await;
    let (status, sale) = send(
        &clerk,
        Method::POST,
        &url("/sales"),
        Some(
            json!({"lines": [{"sku": "CUST-1", "quantity": 1}], "payment_method": "card",
                    "customer_id": ada_id, "customer": "someone else"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    assert_eq!(sale["customer"], "Ada Lovelace", "the customer's own name");
    assert_eq!(sale["customer_id"], ada_id.as_str());
    let (_, history) = send(
        &clerk,
        Method::GET,
        &url(&format!("/customers/{ada_id}/sales")),
        None,
    )
    .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    assert_eq!(history["items"][0]["id"], sale["id"]);
    let (_, others) = send(
        &clerk,
        Method::GET,
        &url(&format!(
            "/customers/{}/sales",
            json_id(&clerk, &url("/customers?q=grace")).await
        )),
        None,
    )
    .await;
    assert_eq!(others["items"], json!([]));

    // Only a manager archives; an archived customer keeps her sales but takes no new ones.
    let (status, _) = send(
        &clerk,
        Method::DELETE,
        &url(&format!("/customers/{ada_id}")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let archived = app
        .request(Method::DELETE, &format!("/api/v1/customers/{ada_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    let (_, listed) = send(&clerk, Method::GET, &url("/customers?q=ada"), None).await;
    assert_eq!(listed["items"], json!([]));
    let (_, with_archived) = send(&clerk, Method::GET, &url("/customers?q=ada&archived=true"), None).await;
    assert_eq!(with_archived["items"][0]["archived"], true);
    let (status, problem) = send(
        &clerk,
        Method::POST,
        &url("/sales"),
        Some(json!({"lines": [{"sku": "CUST-1", "quantity": 1}], "payment_method": "card", "customer_id": ada_id})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "customer_id");
    let (_, history) = send(
        &clerk,
        Method::GET,
        &url(&format!("/customers/{ada_id}/sales")),
        None,
    )
    .await;
    assert_eq!(history["items"].as_array().unwrap().len(), 1);
    let stock = ok_json(app.get("/api/v1/inventory/CUST-1").await).await;
    // Available counts the first sale at once (its reservation), whether or not the
    // inventory has applied its event yet.
    assert_eq!(stock["totals"]["available"], 4, "the refused sale took nothing");

    for path in [
        "/customers/0193a0d8-0000-7000-8000-000000000009",
        "/customers/not-an-id",
    ] {
        let (status, problem) = send(&clerk, Method::GET, &url(path), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
    }
}

async fn json_id(client: &Client, url: &str) -> String {
    let page: Value = client.get(url).send().await.unwrap().json().await.unwrap();
    page["items"][0]["id"].as_str().unwrap().to_owned()
}
