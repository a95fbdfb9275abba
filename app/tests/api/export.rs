//! CSV exports through the gateway in both modes: every product the filters select, once, in
//! SKU order, across the pages the export streams; fields quoted as CSV wants; costs only for
//! managers.

use crate::support::{Backing, TestApp, product};
use reqwest::{StatusCode, header};
use serde_json::json;

modes!(products_export_as_csv_across_pages_with_costs_for_managers_only);

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
