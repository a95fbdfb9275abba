//! The shop's settings and tax rates through the gateway, in both modes.

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

modes!(
    the_settings_start_sensible_and_an_admin_replaces_them,
    tax_rates_are_created_listed_and_changed_to_a_hundredth_of_a_basis_point,
    a_product_names_one_of_the_shops_tax_rates_or_none,
);

fn problem_fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["field"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

async fn put_settings(app: &TestApp, body: &Value, if_match: Option<&str>) -> reqwest::Response {
    let mut request = app.request(Method::PUT, "/api/v1/settings/shop").json(body);
    if let Some(tag) = if_match {
        request = request.header(header::IF_MATCH, tag);
    }
    request.send().await.unwrap()
}

async fn the_settings_start_sensible_and_an_admin_replaces_them(app: TestApp, _: Backing) {
    let response = app.get("/api/v1/settings/shop").await;
    assert_eq!(response.headers()[header::ETAG], "\"v1\"");
    let fresh = ok_json(response).await;
    assert_eq!(fresh["currency"], "USD");
    assert_eq!(fresh["currency_minor_units"], 2);
    assert_eq!(fresh["prices_include_tax"], true);
    assert_eq!(fresh["default_tax_rate"], Value::Null);
    assert_eq!(fresh["default_low_stock_threshold"], 0);
    assert!(!fresh["name"].as_str().unwrap().is_empty());

    // Every bad field at once, and nothing changes.
    let response = put_settings(
        &app,
        &json!({"name": "", "currency": "EURO", "address": ["a", "b", "c", "d", "e"],
                "default_reorder_quantity": 1_000_000_001_i64, "tax_id": "x\u{7}"}),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        problem_fields(&problem),
        [
            "name",
            "address",
            "tax_id",
            "currency",
            "prices_include_tax",
            "default_reorder_quantity"
        ]
    );
    // A default tax rate the shop does not have is named as such.
    let settings = json!({
        "name": "Byte Corner", "address": ["12 Market Street", "", "Springfield 4021"],
        "tax_id": "GB123456789", "currency": " gbp ", "prices_include_tax": true,
        "default_tax_rate": "Standard", "receipt_footer": "Returns within 30 days.\nThank you!",
        "default_low_stock_threshold": 3, "default_reorder_quantity": 10
    });
    let response = put_settings(&app, &settings, None).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem_fields(&problem), ["default_tax_rate"]);
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("has none yet")
    );
    assert_eq!(
        ok_json(app.get("/api/v1/settings/shop").await).await["version"],
        1
    );

    let created = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": "standard", "name": "VAT 20 %", "rate_bp": 2000}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let response = put_settings(&app, &settings, Some("\"v1\"")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::ETAG], "\"v2\"");
    let saved: Value = response.json().await.unwrap();
    assert_eq!(saved["name"], "Byte Corner");
    assert_eq!(saved["currency"], "GBP");
    assert_eq!(saved["default_tax_rate"], "standard");
    assert_eq!(
        saved["address"],
        json!(["12 Market Street", "Springfield 4021"]),
        "blank address lines are dropped"
    );
    assert_eq!(saved["receipt_footer"], "Returns within 30 days.\nThank you!");
    assert_eq!(saved["default_reorder_quantity"], 10);
    assert_eq!(ok_json(app.get("/api/v1/settings/shop").await).await, saved);
    // A product created now starts with the shop's stock settings at its locations.
    let base = app.gateway.as_deref().unwrap().to_owned();
    crate::support::stocked_product(&app.client, &base, "DEFAULTS-1", 8).await;
    let stock = ok_json(app.get("/api/v1/inventory/DEFAULTS-1").await).await;
    assert_eq!(stock["locations"][0]["low_stock_threshold"], 3, "{stock}");
    assert_eq!(stock["locations"][0]["reorder_quantity"], 10);

    // Another administrator's change based on version 1 is refused, with the current one.
    let stale = put_settings(
        &app,
        &json!({"name": "Other", "currency": "JPY", "prices_include_tax": false}),
        Some("\"v1\""),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:stale-version");
    assert_eq!(problem["current_version"], 2);

    // A currency without cents: the minor units say so. Leaving a field out clears it.
    let yen = ok_json(
        put_settings(
            &app,
            &json!({"name": "Other", "currency": "JPY", "prices_include_tax": false}),
            Some("\"v2\""),
        )
        .await,
    )
    .await;
    assert_eq!(yen["currency_minor_units"], 0);
    assert_eq!(yen["prices_include_tax"], false);
    assert_eq!(yen["default_tax_rate"], Value::Null);
    assert_eq!(yen["address"], json!([]));
    assert_eq!(yen["version"], 3);

    // Everyone reads the settings (receipts and money need them); only an admin changes them.
    let (clerk, _) = app.user_client("till", "clerk").await;
    let read = clerk
        .get(format!("{base}/api/v1/settings/shop"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let refused = clerk
        .put(format!("{base}/api/v1/settings/shop"))
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn tax_rates_are_created_listed_and_changed_to_a_hundredth_of_a_basis_point(app: TestApp, _: Backing) {
    let response = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": " NY-Sales ", "name": "NYC sales tax", "rate_bp": 887.5}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()[header::LOCATION], "/api/v1/tax-rates/ny-sales");
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["code"], "ny-sales");
    assert_eq!(created["rate_bp"], 887.5);
    assert_eq!(created["version"], 1);

    let again = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": "ny-sales", "name": "Again", "rate_bp": 0}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let problem: Value = again.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:inventory-tracker:problem:duplicate-tax-rate"
    );

    for (body, fields) in [
        (
            json!({"code": "x", "name": "Too fine", "rate_bp": 887.555}),
            vec!["rate_bp"],
        ),
        (
            json!({"code": "x", "name": "Too much", "rate_bp": 10_000.5}),
            vec!["rate_bp"],
        ),
        (
            json!({"code": "-x", "name": " "}),
            vec!["code", "name", "rate_bp"],
        ),
    ] {
        let response = app.post_json("/api/v1/tax-rates", &body).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }

    app.post_json(
        "/api/v1/tax-rates",
        &json!({"code": "zero", "name": "Zero rated", "rate_bp": 0}),
    )
    .await;
    let changed = ok_json(
        app.patch_json("/api/v1/tax-rates/NY-SALES", &json!({"rate_bp": 900}), None)
            .await,
    )
    .await;
    assert_eq!(changed["rate_bp"], 900);
    assert_eq!(changed["name"], "NYC sales tax");
    assert_eq!(changed["version"], 2);
    let missing = app
        .patch_json("/api/v1/tax-rates/nowhere", &json!({"rate_bp": 1}), None)
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let refused = app
        .patch_json("/api/v1/tax-rates/zero", &json!({"rate_bp": -1}), None)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let list = ok_json(app.get("/api/v1/tax-rates").await).await;
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ny-sales", "zero"]);
    assert_eq!(list["items"][0]["rate_bp"], 900);
    assert_eq!(list["items"][1]["rate_bp"], 0);
}

async fn a_product_names_one_of_the_shops_tax_rates_or_none(app: TestApp, _: Backing) {
    let unknown = app
        .post_json(
            "/api/v1/products",
            &product("TAX-1", json!({"tax_rate": "reduced"})),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = unknown.json().await.unwrap();
    assert_eq!(problem_fields(&problem), ["tax_rate"]);
    assert_eq!(
        app.get("/api/v1/products/TAX-1").await.status(),
        StatusCode::NOT_FOUND
    );

    for (code, bp) in [("reduced", 500), ("standard", 2000)] {
        let created = app
            .post_json(
                "/api/v1/tax-rates",
                &json!({"code": code, "name": code, "rate_bp": bp}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    let created = app
        .create(&product("TAX-1", json!({"tax_rate": " Reduced "})))
        .await;
    assert_eq!(created["tax_rate"], "reduced");
    let plain = app.create(&product("TAX-2", json!({}))).await;
    assert_eq!(plain["tax_rate"], Value::Null, "none: the shop's default rate");

    let refused = app
        .patch_json("/api/v1/products/TAX-1", &json!({"tax_rate": "luxury"}), None)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("reduced, standard"),
        "the refusal names the rates there are: {problem}"
    );
    let changed = ok_json(
        app.patch_json("/api/v1/products/TAX-1", &json!({"tax_rate": "standard"}), None)
            .await,
    )
    .await;
    assert_eq!(changed["tax_rate"], "standard");
    let cleared = ok_json(
        app.patch_json("/api/v1/products/TAX-1", &json!({"tax_rate": null}), None)
            .await,
    )
    .await;
    assert_eq!(cleared["tax_rate"], Value::Null);
    assert_eq!(cleared["version"], 3);
}
