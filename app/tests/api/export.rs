//! CSV exports through the gateway in both modes: every product the filters select, once, in
//! SKU order, across the pages the export streams; fields quoted as CSV wants; costs only for
//! managers; sales one row per line, customers only for the counter's people and up.

use crate::support::{Backing, TestApp, product, stocked_product};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

modes!(
    products_export_as_csv_across_pages_with_costs_for_managers_only,
    sales_export_a_row_per_line_and_customers_only_to_the_counter
);

/// More than one page of the export (500 rows).
const COUNT: usize = 501;

async fn products_export_as_csv_across_pages_with_costs_for_managers_only(app: TestApp, _: Backing) {
    for batch in (0..COUNT).collect::<Vec<_>>().chunks(25) {
        let bodies: Vec<_> = batch
            .iter()
            .map(|i| {
                product(
                    &format!("EXP-{i:04}"),
                    json!({"price_cents": 1_000 + *i as i64, "cost_cents": 500}),
                )
            })
            .collect();
        futures::future::join_all(bodies.iter().map(|body| app.create(body))).await;
    }
    app.create(&product(
        "EXP-QUOTE",
        json!({"name": "Cable, \"braided\" 1 m", "category": "Cables", "cost_cents": 250}),
    ))
    .await;

    let response = app.get("/api/v1/products/export.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "sku");
    assert!(headers.iter().any(|h| h == "cost_cents"), "a manager sees costs");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), COUNT + 1, "every product once");
    let skus: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    let mut sorted = skus.clone();
    sorted.sort_unstable();
    assert_eq!(skus, sorted, "in SKU order");
    let quoted = rows.iter().find(|r| &r[0] == "EXP-QUOTE").unwrap();
    assert_eq!(&quoted[1], "Cable, \"braided\" 1 m");

    // Filtered like the listing; a clerk gets no cost column.
    let (clerk, _) = app.user_client("cal", "clerk").await;
    let base = app.gateway.clone().unwrap();
    let text = clerk
        .get(format!("{base}/api/v1/products/export.csv?category=Cables"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert!(!reader.headers().unwrap().iter().any(|h| h.contains("cost")));
    assert_eq!(reader.records().count(), 1);
}

/// The records of a CSV body, header first.
fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn sales_export_a_row_per_line_and_customers_only_to_the_counter(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    stocked_product(&app.client, &base, "EXS-A", 10).await;
    stocked_product(&app.client, &base, "EXS-B", 10).await;
    let created = app
        .post_json(
            "/api/v1/customers",
            &json!({"name": "Ada, \"the\" Countess", "phone": "+44 20 7946 0000"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let customer: Value = created.json().await.unwrap();
    let sale = app
        .post_json(
            "/api/v1/sales",
            &json!({"lines": [{"sku": "EXS-A", "quantity": 2}, {"sku": "EXS-B", "quantity": 1}],
                    "payment_method": "card", "customer_id": customer["id"]}),
        )
        .await;
    assert_eq!(sale.status(), StatusCode::CREATED);
    let sale: Value = sale.json().await.unwrap();

    let all = records(&app.get("/api/v1/sales/export.csv").await.text().await.unwrap());
    assert_eq!(all[0][0], "receipt_number");
    assert_eq!(all.len(), 3, "one row per line: {all:?}");
    assert_eq!(all[1][1], sale["id"].as_str().unwrap());
    assert_eq!(all[1][6], "Ada, \"the\" Countess");
    let skus: Vec<&str> = all[1..].iter().map(|r| r[9].as_str()).collect();
    assert_eq!(skus, ["EXS-A", "EXS-B"]);
    let by_sku = records(
        &app.get("/api/v1/sales/export.csv?sku=EXS-B&payment_method=card")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(by_sku.len(), 3, "a sale with the SKU, every line of it");
    let none = records(
        &app.get("/api/v1/sales/export.csv?payment_method=cash")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(none.len(), 1);

    let customers = records(
        &app.get("/api/v1/customers/export.csv?q=countess")
            .await
            .text()
            .await
            .unwrap(),
    );
    assert_eq!(customers.len(), 2);
    assert_eq!(
        (customers[1][1].as_str(), customers[1][2].as_str()),
        ("Ada, \"the\" Countess", "+44 20 7946 0000")
    );
    let (viewer, _) = app.user_client("vic", "viewer").await;
    let refused = viewer
        .get(format!("{base}/api/v1/customers/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "personal data");
}
