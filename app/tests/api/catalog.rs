//! The catalog API as a client sees it: through the gateway, over real HTTP, in both modes
//! (SQLite + in-process cache, MariaDB + Redis).

use std::collections::BTreeSet;

use crate::support::{Backing, Mode, TestApp, ok_json, product};
use futures::future::join_all;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

modes!(
    products_can_be_created_read_changed_and_archived,
    every_change_writes_its_event_to_the_outbox,
    a_stale_if_match_is_refused_with_412,
    reads_after_an_update_never_return_the_old_version,
    search_filters_and_pages_through_products,
    categories_count_active_products,
    bad_input_gets_the_right_problem_and_changes_nothing,
    fifty_parallel_updates_with_if_match_let_exactly_one_win,
    fifty_parallel_updates_without_if_match_are_all_applied,
    health_metrics_and_docs_are_served,
    the_request_id_is_kept_or_made_and_echoed,
    serial_numbers_and_warranty_are_part_of_a_product,
);

async fn products_can_be_created_read_changed_and_archived(app: TestApp, _: Backing) {
    let response = app
        .post_json(
            "/api/v1/products",
            &product(" cpu-amd-7800x3d ", json!({"barcode": "4006381333931"})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/api/v1/products/CPU-AMD-7800X3D"
    );
    assert_eq!(response.headers()[header::ETAG], "\"v1\"");
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        created["sku"], "CPU-AMD-7800X3D",
        "SKUs are trimmed and upper-cased"
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["active"], true);

    let response = app.get("/api/v1/products/cpu-amd-7800x3d").await;
    assert_eq!(response.headers()[header::ETAG], "\"v1\"");
    assert_eq!(ok_json(response).await, created, "lookup is case-insensitive");

    // PUT replaces every field: the description left out is cleared.
    let replaced = ok_json(
        app.request(Method::PUT, "/api/v1/products/CPU-AMD-7800X3D")
            .header(header::IF_MATCH, "\"v1\"")
            .json(
                &json!({"name": "Ryzen 7 7800X3D", "category": "CPUs", "price_cents": 42_900,
                          "cost_cents": 36_000, "barcode": "4006381333931"}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(replaced["version"], 2);
    assert_eq!(replaced["description"], Value::Null);
    assert_eq!(replaced["price_cents"], 42_900);
    assert_eq!(replaced["created_at"], created["created_at"]);

    // PATCH changes only what it names; null clears an optional field.
    let patched = ok_json(
        app.patch_json(
            "/api/v1/products/CPU-AMD-7800X3D",
            &json!({"brand": "AMD", "barcode": null}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (patched["version"].as_i64(), patched["brand"].as_str()),
        (Some(3), Some("AMD"))
    );
    assert_eq!(patched["barcode"], Value::Null);
    assert_eq!(patched["price_cents"], 42_900);

    // A PATCH that changes nothing makes no new version.
    let same = ok_json(
        app.patch_json("/api/v1/products/CPU-AMD-7800X3D", &json!({"brand": "AMD"}), None)
            .await,
    )
    .await;
    assert_eq!(same["version"], 3);

    let response = app
        .request(Method::DELETE, "/api/v1/products/CPU-AMD-7800X3D")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let archived = ok_json(app.get("/api/v1/products/CPU-AMD-7800X3D").await).await;
    assert_eq!(
        (archived["active"].as_bool(), archived["version"].as_i64()),
        (Some(false), Some(4))
    );
    assert!(
        app.list_all("").await.is_empty(),
        "archived products are hidden by default"
    );
    assert_eq!(app.list_all("active=false").await.len(), 1);
    assert_eq!(app.list_all("active=any").await.len(), 1);

    // Archiving again changes nothing; the SKU stays taken.
    let response = app
        .request(Method::DELETE, "/api/v1/products/CPU-AMD-7800X3D")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        ok_json(app.get("/api/v1/products/CPU-AMD-7800X3D").await).await["version"],
        4
    );
    let again = app
        .post_json("/api/v1/products", &product("CPU-AMD-7800X3D", json!({})))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Restoring is a PATCH of `active`.
    let restored = ok_json(
        app.patch_json("/api/v1/products/CPU-AMD-7800X3D", &json!({"active": true}), None)
            .await,
    )
    .await;
    assert_eq!(
        (restored["active"].as_bool(), restored["version"].as_i64()),
        (Some(true), Some(5))
    );
}

async fn every_change_writes_its_event_to_the_outbox(app: TestApp, backing: Backing) {
    let created = app
        .request(Method::POST, "/api/v1/products")
        .header("x-request-id", "till-3-op-17")
        .json(&product("EVT-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    ok_json(
        app.patch_json("/api/v1/products/EVT-1", &json!({"price_cents": 1}), None)
            .await,
    )
    .await;
    app.request(Method::DELETE, "/api/v1/products/EVT-1")
        .send()
        .await
        .unwrap();
    // A refused change writes no event.
    let refused = app
        .patch_json("/api/v1/products/EVT-1", &json!({"price_cents": -1}), None)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let db = backing.db.connect().await;
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT event_type, event_version, payload FROM catalog_outbox ORDER BY seq")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let types: Vec<&str> = rows.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(types, ["ProductCreated", "ProductUpdated", "ProductArchived"]);
    let envelopes: Vec<Value> = rows
        .iter()
        .map(|(_, _, p)| serde_json::from_str(p).unwrap())
        .collect();
    for (envelope, (event_type, version, _)) in envelopes.iter().zip(&rows) {
        assert_eq!(envelope["type"], event_type.as_str());
        assert_eq!(envelope["version"], *version);
        assert_eq!(envelope["source"], "catalog");
        assert!(envelope["id"].as_str().is_some_and(|id| id.len() == 36));
        assert!(envelope["occurred_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    assert_eq!(envelopes[0]["data"]["product"]["sku"], "EVT-1");
    assert_eq!(
        envelopes[0]["correlation_id"], "till-3-op-17",
        "the request id follows the change"
    );
    assert_eq!(envelopes[1]["data"]["changed"], json!(["price_cents"]));
    assert_eq!(envelopes[1]["data"]["product"]["version"], 2);
    assert_eq!(envelopes[2]["data"], json!({"sku": "EVT-1", "version": 3}));
    db.close().await;
}

async fn a_stale_if_match_is_refused_with_412(app: TestApp, _: Backing) {
    app.create(&product("GPU-1", json!({}))).await;
    ok_json(
        app.patch_json(
            "/api/v1/products/GPU-1",
            &json!({"price_cents": 100}),
            Some("\"v1\""),
        )
        .await,
    )
    .await;

    let stale = app
        .patch_json(
            "/api/v1/products/GPU-1",
            &json!({"price_cents": 200}),
            Some("\"v1\""),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.headers()[header::CONTENT_TYPE], "application/problem+json");
    let problem: Value = stale.json().await.unwrap();
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:stale-version");
    assert_eq!(problem["current_version"], 2);

    // A list of tags matches if any does; `*` matches any version; weak tags never match.
    ok_json(
        app.patch_json(
            "/api/v1/products/GPU-1",
            &json!({"price_cents": 300}),
            Some("\"v9\", \"v2\""),
        )
        .await,
    )
    .await;
    ok_json(
        app.patch_json("/api/v1/products/GPU-1", &json!({"price_cents": 400}), Some("*"))
            .await,
    )
    .await;
    let weak = app
        .patch_json(
            "/api/v1/products/GPU-1",
            &json!({"price_cents": 500}),
            Some("W/\"v4\""),
        )
        .await;
    assert_eq!(weak.status(), StatusCode::PRECONDITION_FAILED);
    let current = ok_json(app.get("/api/v1/products/GPU-1").await).await;
    assert_eq!(
        (current["version"].as_i64(), current["price_cents"].as_i64()),
        (Some(4), Some(400))
    );

    let delete = app
        .request(Method::DELETE, "/api/v1/products/GPU-1")
        .header(header::IF_MATCH, "\"v3\"")
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        ok_json(app.get("/api/v1/products/GPU-1").await).await["active"],
        true
    );
}

async fn reads_after_an_update_never_return_the_old_version(app: TestApp, _: Backing) {
    app.create(&product("RAM-1", json!({}))).await;
    for price in 1..=25 {
        // Read first so the cache holds the current version, then change it.
        ok_json(app.get("/api/v1/products/RAM-1").await).await;
        let updated = ok_json(
            app.patch_json("/api/v1/products/RAM-1", &json!({"price_cents": price}), None)
                .await,
        )
        .await;
        let read = ok_json(app.get("/api/v1/products/RAM-1").await).await;
        assert_eq!(read, updated, "a read after an update returned an older version");
    }
}

async fn search_filters_and_pages_through_products(app: TestApp, _: Backing) {
    let skus: Vec<String> = (0..23).map(|i| format!("SSD-{i:03}")).collect();
    for (i, sku) in skus.iter().enumerate() {
        let category = if i % 2 == 0 { "Storage" } else { "Memory" };
        let name = if i == 7 {
            "Samsung 990 PRO 100% fast_drive"
        } else {
            "Generic part"
        };
        app.create(&product(sku, json!({"category": category, "name": name})))
            .await;
    }
    app.create(&product(
        "CPU-X",
        json!({"category": "CPUs", "description": "has a Samsung sticker", "barcode": "4006381333931"}),
    ))
    .await;

    // A control character in a parameter is refused, not searched for: a NUL once matched
    // every product (and `a%00zzzz` searched for `a`).
    for query in [
        "q=%00",
        "q=Samsung%00zzzz",
        "category=storage%0A",
        "q=ok&limit=5%09",
    ] {
        let refused = app.get(&format!("/api/v1/products?{query}")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(problem["type"], "urn:inventory-tracker:problem:invalid-query");
    }

    // Pages of 5, in SKU order, without gaps or repeats.
    let mut seen = Vec::new();
    let mut path = "/api/v1/products?limit=5&category=storage".to_owned();
    loop {
        let page = ok_json(app.get(&path).await).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(items.iter().map(|p| p["sku"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/products?limit=5&category=storage&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = skus.iter().step_by(2).cloned().collect();
    assert_eq!(seen, expected);

    let found: BTreeSet<String> = app
        .list_all("q=samsung")
        .await
        .iter()
        .map(|p| p["sku"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(found, BTreeSet::from(["SSD-007".to_owned(), "CPU-X".to_owned()]));
    // The search finds a product by (part of) its barcode, as a clerk types it.
    let by_barcode = app.list_all("q=381333").await;
    assert_eq!(by_barcode.len(), 1);
    assert_eq!(by_barcode[0]["sku"], "CPU-X");
    // LIKE wildcards in the search text are literal characters.
    assert_eq!(app.list_all("q=100%25").await.len(), 1);
    assert_eq!(app.list_all("q=_drive").await.len(), 1);
    assert_eq!(app.list_all("q=ssd-01").await.len(), 10);
    assert_eq!(
        app.list_all("q=%20%20").await.len(),
        24,
        "blank search is no filter"
    );
}

async fn categories_count_active_products(app: TestApp, _: Backing) {
    for (sku, category) in [
        ("A-1", "CPUs"),
        ("A-2", "CPUs"),
        ("A-3", "Monitors"),
        ("A-4", "Monitors"),
    ] {
        app.create(&product(sku, json!({"category": category}))).await;
    }
    app.request(Method::DELETE, "/api/v1/products/A-4")
        .send()
        .await
        .unwrap();
    let categories = ok_json(app.get("/api/v1/categories").await).await;
    assert_eq!(
        categories,
        json!({"items": [{"name": "CPUs", "product_count": 2}, {"name": "Monitors", "product_count": 1}]})
    );
}

/// One bad request and what must come back.
struct BadCase {
    what: &'static str,
    method: Method,
    path: &'static str,
    content_type: Option<&'static str>,
    if_match: Option<&'static str>,
    body: Option<String>,
    status: StatusCode,
    problem: &'static str,
    fields: &'static [&'static str],
}

fn case(what: &'static str, method: Method, path: &'static str, body: Option<Value>) -> BadCase {
    BadCase {
        what,
        method,
        path,
        content_type: body.as_ref().map(|_| "application/json"),
        if_match: None,
        body: body.map(|b| b.to_string()),
        status: StatusCode::BAD_REQUEST,
        problem: "",
        fields: &[],
    }
}

impl BadCase {
    fn expect(mut self, status: StatusCode, problem: &'static str) -> Self {
        self.status = status;
        self.problem = problem;
        self
    }
    fn fields(mut self, fields: &'static [&'static str]) -> Self {
        self.fields = fields;
        self
    }
    fn raw(mut self, content_type: Option<&'static str>, body: String) -> Self {
        self.content_type = content_type;
        self.body = Some(body);
        self
    }
    fn if_match(mut self, tag: &'static str) -> Self {
        self.if_match = Some(tag);
        self
    }
}

async fn bad_input_gets_the_right_problem_and_changes_nothing(app: TestApp, _: Backing) {
    use Method as M;
    use StatusCode as S;
    app.create(&product("KEEP-1", json!({"barcode": "4006381333931"})))
        .await;
    app.create(&product("KEEP-2", json!({}))).await;
    let before = app.list_all("active=any").await;
    let p = |extra: Value| Some(product("NEW-1", extra));

    let cases = vec![
        // POST /api/v1/products
        case("malformed JSON", M::POST, "/api/v1/products", None)
            .raw(Some("application/json"), "{\"sku\": ".into())
            .expect(S::BAD_REQUEST, "malformed-json"),
        case("no content type", M::POST, "/api/v1/products", None)
            .raw(None, product("NEW-1", json!({})).to_string())
            .expect(S::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
        case("form content type", M::POST, "/api/v1/products", None)
            .raw(Some("application/x-www-form-urlencoded"), "sku=NEW-1".into())
            .expect(S::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
        case("oversized body", M::POST, "/api/v1/products", None)
            .raw(
                Some("application/json"),
                product("NEW-1", json!({"description": "x".repeat(300 * 1024)})).to_string(),
            )
            .expect(S::PAYLOAD_TOO_LARGE, "payload-too-large"),
        case("JSON array", M::POST, "/api/v1/products", Some(json!([1, 2])))
            .expect(S::UNPROCESSABLE_ENTITY, "invalid-body"),
        case(
            "unknown field",
            M::POST,
            "/api/v1/products",
            p(json!({"colour": "red"})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "invalid-body"),
        case(
            "price as text",
            M::POST,
            "/api/v1/products",
            p(json!({"price_cents": "12.99"})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "invalid-body"),
        case(
            "fractional price",
            M::POST,
            "/api/v1/products",
            p(json!({"price_cents": 12.5})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "invalid-body"),
        case("empty object", M::POST, "/api/v1/products", Some(json!({})))
            .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
            .fields(&["sku", "name", "category", "price_cents", "cost_cents"]),
        case(
            "negative prices",
            M::POST,
            "/api/v1/products",
            p(json!({"price_cents": -1, "cost_cents": -5})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["price_cents", "cost_cents"]),
        case(
            "absurd price",
            M::POST,
            "/api/v1/products",
            p(json!({"price_cents": 9_000_000_000_000_i64})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["price_cents"]),
        case(
            "bad SKU",
            M::POST,
            "/api/v1/products",
            p(json!({"sku": "NO SPACES"})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["sku"]),
        case(
            "bad check digit",
            M::POST,
            "/api/v1/products",
            p(json!({"barcode": "4006381333932"})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["barcode"]),
        case(
            "blank name, long category",
            M::POST,
            "/api/v1/products",
            p(json!({"name": "   ", "category": "c".repeat(101)})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["name", "category"]),
        case(
            "duplicate SKU",
            M::POST,
            "/api/v1/products",
            Some(product("keep-1", json!({}))),
        )
        .expect(S::CONFLICT, "duplicate-sku")
        .fields(&["sku"]),
        case(
            "duplicate barcode",
            M::POST,
            "/api/v1/products",
            p(json!({"barcode": "4006381333931"})),
        )
        .expect(S::CONFLICT, "duplicate-barcode")
        .fields(&["barcode"]),
        // PUT /api/v1/products/{sku}
        case(
            "PUT another SKU in the body",
            M::PUT,
            "/api/v1/products/KEEP-2",
            Some(product("KEEP-1", json!({}))),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["sku"]),
        case(
            "PUT missing fields",
            M::PUT,
            "/api/v1/products/KEEP-2",
            Some(json!({"name": "x"})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["category", "price_cents", "cost_cents"]),
        case(
            "PUT taken barcode",
            M::PUT,
            "/api/v1/products/KEEP-2",
            Some(product("KEEP-2", json!({"barcode": "4006381333931"}))),
        )
        .expect(S::CONFLICT, "duplicate-barcode"),
        case(
            "PUT unknown product",
            M::PUT,
            "/api/v1/products/NOPE-1",
            Some(product("NOPE-1", json!({}))),
        )
        .expect(S::NOT_FOUND, "product-not-found"),
        case(
            "PUT stale If-Match",
            M::PUT,
            "/api/v1/products/KEEP-2",
            Some(product("KEEP-2", json!({}))),
        )
        .if_match("\"v7\"")
        .expect(S::PRECONDITION_FAILED, "stale-version"),
        // PATCH /api/v1/products/{sku}
        case(
            "PATCH null required fields",
            M::PATCH,
            "/api/v1/products/KEEP-1",
            Some(json!({"name": null, "price_cents": null})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["name", "price_cents"]),
        case(
            "PATCH the SKU",
            M::PATCH,
            "/api/v1/products/KEEP-1",
            Some(json!({"sku": "OTHER"})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "invalid-body"),
        case(
            "PATCH a negative cost",
            M::PATCH,
            "/api/v1/products/KEEP-1",
            Some(json!({"cost_cents": -1})),
        )
        .expect(S::UNPROCESSABLE_ENTITY, "validation-failed")
        .fields(&["cost_cents"]),
        case(
            "PATCH a taken barcode",
            M::PATCH,
            "/api/v1/products/KEEP-2",
            Some(json!({"barcode": "4006381333931"})),
        )
        .expect(S::CONFLICT, "duplicate-barcode"),
        case(
            "PATCH a garbage If-Match",
            M::PATCH,
            "/api/v1/products/KEEP-1",
            Some(json!({"price_cents": 1})),
        )
        .if_match("version one")
        .expect(S::BAD_REQUEST, "invalid-if-match"),
        case(
            "PATCH an unknown product",
            M::PATCH,
            "/api/v1/products/NOPE-1",
            Some(json!({"price_cents": 1})),
        )
        .expect(S::NOT_FOUND, "product-not-found"),
        case(
            "PATCH an invalid SKU",
            M::PATCH,
            "/api/v1/products/%20",
            Some(json!({"price_cents": 1})),
        )
        .expect(S::NOT_FOUND, "product-not-found"),
        // DELETE and GET /api/v1/products/{sku}
        case(
            "DELETE an unknown product",
            M::DELETE,
            "/api/v1/products/NOPE-1",
            None,
        )
        .expect(S::NOT_FOUND, "product-not-found"),
        case(
            "DELETE with a stale If-Match",
            M::DELETE,
            "/api/v1/products/KEEP-1",
            None,
        )
        .if_match("\"v2\"")
        .expect(S::PRECONDITION_FAILED, "stale-version"),
        case("GET an unknown product", M::GET, "/api/v1/products/NOPE-1", None)
            .expect(S::NOT_FOUND, "product-not-found"),
        // GET /api/v1/products
        case("limit too large", M::GET, "/api/v1/products?limit=201", None)
            .expect(S::BAD_REQUEST, "invalid-query"),
        case("limit zero", M::GET, "/api/v1/products?limit=0", None).expect(S::BAD_REQUEST, "invalid-query"),
        case("limit not a number", M::GET, "/api/v1/products?limit=ten", None)
            .expect(S::BAD_REQUEST, "invalid-query"),
        case("active neither", M::GET, "/api/v1/products?active=maybe", None)
            .expect(S::BAD_REQUEST, "invalid-query"),
        case("garbage cursor", M::GET, "/api/v1/products?cursor=!!!", None)
            .expect(S::BAD_REQUEST, "invalid-cursor"),
        case("unknown parameter", M::GET, "/api/v1/products?sort=price", None)
            .expect(S::BAD_REQUEST, "invalid-query"),
        // Routing
        case("unknown route", M::GET, "/api/v1/nothing-here", None).expect(S::NOT_FOUND, "not-found"),
        case("wrong method", M::POST, "/api/v1/categories", Some(json!({})))
            .expect(S::METHOD_NOT_ALLOWED, "method-not-allowed"),
        case("DELETE the collection", M::DELETE, "/api/v1/products", None)
            .expect(S::METHOD_NOT_ALLOWED, "method-not-allowed"),
    ];

    for case in cases {
        let mut request = app.request(case.method.clone(), case.path);
        if let Some(content_type) = case.content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        if let Some(tag) = case.if_match {
            request = request.header(header::IF_MATCH, tag);
        }
        if let Some(body) = case.body.clone() {
            request = request.body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        let text = response.text().await.unwrap();
        assert_eq!(status, case.status, "{}: {text}", case.what);
        assert_eq!(
            content_type.as_ref().and_then(|c| c.to_str().ok()),
            Some("application/problem+json"),
            "{}",
            case.what
        );
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            problem["type"],
            format!("urn:inventory-tracker:problem:{}", case.problem),
            "{}: {text}",
            case.what
        );
        assert_eq!(problem["status"], case.status.as_u16(), "{}", case.what);
        assert!(
            problem["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            case.what
        );
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .map(|errors| errors.iter().map(|e| e["field"].as_str().unwrap()).collect())
            .unwrap_or_default();
        if !case.fields.is_empty() {
            assert_eq!(fields, case.fields, "{}: {text}", case.what);
            for error in problem["errors"].as_array().unwrap() {
                assert!(
                    error["reason"].as_str().is_some_and(|r| !r.is_empty()),
                    "{}",
                    case.what
                );
            }
        }
    }

    assert_eq!(
        app.list_all("active=any").await,
        before,
        "a refused request changed data"
    );
}

async fn fifty_parallel_updates_with_if_match_let_exactly_one_win(app: TestApp, _: Backing) {
    app.create(&product("RACE-1", json!({}))).await;
    let attempts = (0..50).map(|i| {
        let app = &app;
        async move {
            let response = app
                .patch_json(
                    "/api/v1/products/RACE-1",
                    &json!({"price_cents": 1000 + i}),
                    Some("\"v1\""),
                )
                .await;
            let status = response.status();
            (i, status, response.json::<Value>().await.unwrap())
        }
    });
    let results = join_all(attempts).await;
    let winners: Vec<_> = results.iter().filter(|(_, s, _)| *s == StatusCode::OK).collect();
    let losers = results
        .iter()
        .filter(|(_, s, p)| *s == StatusCode::PRECONDITION_FAILED && p["current_version"] == 2)
        .count();
    assert_eq!(
        winners.len(),
        1,
        "exactly one update of version 1 may win: {results:?}"
    );
    assert_eq!(losers, 49, "every other one is told it lost: {results:?}");
    let current = ok_json(app.get("/api/v1/products/RACE-1").await).await;
    assert_eq!(current["version"], 2);
    assert_eq!(
        current["price_cents"],
        1000 + winners[0].0,
        "the winner's change is the one stored"
    );
}

async fn fifty_parallel_updates_without_if_match_are_all_applied(app: TestApp, _: Backing) {
    app.create(&product("RACE-2", json!({}))).await;
    let attempts = (0..50).map(|i| {
        let app = &app;
        async move {
            let response = app
                .patch_json("/api/v1/products/RACE-2", &json!({"price_cents": 1000 + i}), None)
                .await;
            (response.status(), response.json::<Value>().await.unwrap())
        }
    });
    let results = join_all(attempts).await;
    let mut versions = BTreeSet::new();
    for (status, body) in &results {
        assert_eq!(*status, StatusCode::OK, "{body}");
        versions.insert(body["version"].as_i64().unwrap());
    }
    assert_eq!(
        versions,
        (2..=51).collect(),
        "each update made its own version, none was lost"
    );
    let current = ok_json(app.get("/api/v1/products/RACE-2").await).await;
    assert_eq!(current["version"], 51);
    let last = results.iter().find(|(_, body)| body["version"] == 51).unwrap();
    assert_eq!(
        current["price_cents"], last.1["price_cents"],
        "the last update is the one stored"
    );
}

async fn health_metrics_and_docs_are_served(app: TestApp, _: Backing) {
    let catalog = app.catalog.clone().unwrap();
    for base in [app.gateway.clone().unwrap(), catalog.clone()] {
        let health = ok_json(app.client.get(format!("{base}/health")).send().await.unwrap()).await;
        assert_eq!(health["status"], "ok");
        let ready = ok_json(
            app.client
                .get(format!("{base}/health/ready"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(ready["status"], "ready", "{ready}");
    }
    let ready = ok_json(
        app.client
            .get(format!("{catalog}/health/ready"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let checks: Vec<&str> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["database", "cache", "events"]);

    // Metrics count what really happened. Other tests may run in this process and share the
    // recorder, so counters are compared as "at least what this test did".
    app.create(&product("MET-1", json!({}))).await;
    let metrics_before = metrics(&app, &catalog).await;
    for _ in 0..3 {
        ok_json(app.get("/api/v1/products/MET-1").await).await;
    }
    app.get("/api/v1/products/NOPE-404").await;
    let metrics_after = metrics(&app, &catalog).await;
    let delta = |line: &str| sample(&metrics_after, line) - sample(&metrics_before, line);
    let catalog_reads =
        r#"http_requests_total{service="catalog",method="GET",route="/api/v1/products/{sku}",status="200"}"#;
    assert!(delta(catalog_reads) >= 3.0, "{metrics_after}");
    let gateway_404s =
        r#"http_requests_total{service="gateway",method="GET",route="/api/v1/products/{sku}",status="404"}"#;
    assert!(delta(gateway_404s) >= 1.0, "{metrics_after}");
    let timed_reads = r#"http_request_duration_seconds_count{service="catalog",method="GET",route="/api/v1/products/{sku}",status="200"}"#;
    assert!(delta(timed_reads) >= 3.0, "{metrics_after}");
    assert!(
        metrics_after.contains("http_request_duration_seconds_bucket{"),
        "latency histogram exported"
    );
    // The product was cached by the create; the 404 read is a miss.
    assert!(delta(r#"cache_requests_total{cache="catalog_products",result="hit"}"#) >= 3.0);
    assert!(delta(r#"cache_requests_total{cache="catalog_products",result="miss"}"#) >= 1.0);

    let spec = ok_json(app.get("/api/openapi.json").await).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/products",
        "/api/v1/products/{sku}",
        "/api/v1/categories",
        "/api/v1/inventory",
        "/api/v1/inventory/{sku}/restock",
        "/api/v1/alerts",
        "/api/v1/locations",
        "/api/v1/sales",
        "/api/v1/sales/{id}/returns",
        "/api/v1/sales/summary",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
    assert!(spec["components"]["schemas"]["Product"].is_object());

    let page = app.get("/api/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "docs load nothing from elsewhere"
    );
    let bundle = app.get("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), StatusCode::OK, "Swagger UI is served offline");
    let init = app
        .get("/api/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"), "{init}");
}

async fn metrics(app: &TestApp, base: &str) -> String {
    let response = app.client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    response.text().await.unwrap()
}

/// The value of one sample line, 0 when absent.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn the_request_id_is_kept_or_made_and_echoed(app: TestApp, _: Backing) {
    let response = app
        .request(Method::GET, "/api/v1/categories")
        .header("x-request-id", "till-7-sale-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "till-7-sale-42");
    let response = app.get("/api/v1/products/NOPE-1").await;
    let made = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(
        made.len(),
        36,
        "a UUID is made when the client sends none: {made}"
    );
    // An id that is too long or not plain visible ASCII is not kept, echoed or logged: a new
    // one is made instead.
    for unusable in ["x".repeat(129), "two words".to_owned(), "tab\there".to_owned()] {
        let response = app
            .request(Method::GET, "/api/v1/categories")
            .header("x-request-id", &unusable)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let echoed = response.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(echoed.len(), 36, "{unusable:?} was replaced: {echoed}");
    }
    let longest = "y".repeat(128);
    let response = app
        .request(Method::GET, "/api/v1/categories")
        .header("x-request-id", &longest)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], longest.as_str());
}

/// With Redis, several catalog processes share one cache: an update through one is never
/// hidden by an older entry when reading through another.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn production_catalogs_sharing_redis_never_serve_an_old_version() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let first = TestApp::all(&backing).await;
    let second = TestApp::all(&backing).await;
    first.create(&product("SHARED-1", json!({}))).await;
    for price in 1..=20 {
        ok_json(second.get("/api/v1/products/SHARED-1").await).await;
        let updated = ok_json(
            first
                .patch_json("/api/v1/products/SHARED-1", &json!({"price_cents": price}), None)
                .await,
        )
        .await;
        assert_eq!(
            ok_json(second.get("/api/v1/products/SHARED-1").await).await,
            updated
        );
    }
    first.stop().await;
    second.stop().await;
}

/// A Redis that cannot be reached makes the catalog not ready (naming the cache), while
/// reads and writes go on against the database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_redis_is_reported_and_the_catalog_keeps_working() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.redis_url = Some("redis://127.0.0.1:1".to_owned().into());
    let app = TestApp::start(
        settings,
        &[
            inventory_tracker::Target::Catalog,
            inventory_tracker::Target::Gateway,
        ],
    )
    .await;
    let catalog = app.catalog.clone().unwrap();
    let ready = app
        .client
        .get(format!("{catalog}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.headers()[header::CONTENT_TYPE], "application/problem+json");
    let body: Value = ready.json().await.unwrap();
    assert!(body.to_string().contains("cache"), "{body}");
    assert!(
        !body.to_string().contains("\"database\",\"status\":\"down\""),
        "{body}"
    );

    app.create(&product("NOCACHE-1", json!({}))).await;
    let updated = ok_json(
        app.patch_json("/api/v1/products/NOCACHE-1", &json!({"price_cents": 5}), None)
            .await,
    )
    .await;
    assert_eq!(
        ok_json(app.get("/api/v1/products/NOCACHE-1").await).await,
        updated
    );
    app.stop().await;
}

/// A gateway whose catalog is down answers 502 problems and reports it in readiness.
#[tokio::test]
async fn a_gateway_without_its_catalog_answers_502_and_is_not_ready() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.catalog_url = Some("http://127.0.0.1:1".to_owned());
    let app = TestApp::start(settings, &[inventory_tracker::Target::Gateway]).await;
    let response = app.get("/api/v1/products").await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:inventory-tracker:problem:upstream-unavailable"
    );
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.text().await.unwrap().contains("catalog"));
    assert_eq!(
        app.get("/health").await.status(),
        StatusCode::OK,
        "alive even when not ready"
    );
    app.stop().await;
}

/// A product says whether its units carry serial numbers and how long their warranty runs;
/// both are kept, patched, refused when out of range, carried by the product's events, and
/// exported.
async fn serial_numbers_and_warranty_are_part_of_a_product(app: TestApp, backing: Backing) {
    let plain = app.create(&product("SER-CBL", json!({}))).await;
    assert_eq!(
        (plain["serialized"].as_bool(), plain["warranty_months"].as_i64()),
        (Some(false), Some(0))
    );
    let gpu = app
        .create(&product(
            "SER-GPU",
            json!({"serialized": true, "warranty_months": 36}),
        ))
        .await;
    assert_eq!(
        (gpu["serialized"].as_bool(), gpu["warranty_months"].as_i64()),
        (Some(true), Some(36))
    );

    let patched = ok_json(
        app.patch_json("/api/v1/products/SER-GPU", &json!({"warranty_months": 24}), None)
            .await,
    )
    .await;
    assert_eq!(
        (
            patched["serialized"].as_bool(),
            patched["warranty_months"].as_i64()
        ),
        (Some(true), Some(24))
    );
    for bad in [
        json!({"warranty_months": 121}),
        json!({"warranty_months": -1}),
        json!({"serialized": null}),
    ] {
        let refused = app.patch_json("/api/v1/products/SER-GPU", &bad, None).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let read = ok_json(app.get("/api/v1/products/SER-GPU").await).await;
    assert_eq!(read["warranty_months"], 24, "a refused change changes nothing");

    let db = backing.db.connect().await;
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM catalog_outbox WHERE payload LIKE '%SER-GPU%' ORDER BY seq")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let last: Value = serde_json::from_str(payloads.last().unwrap()).unwrap();
    assert_eq!(last["data"]["product"]["serialized"], true, "{last}");
    assert_eq!(last["data"]["product"]["warranty_months"], 24, "{last}");

    let csv = app
        .request(Method::GET, "/api/v1/products/export.csv?q=SER-")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let gpu_row = rows.iter().find(|r| &r[0] == "SER-GPU").unwrap();
    assert_eq!(
        (&gpu_row[at("serialized")], &gpu_row[at("warranty_months")]),
        ("true", "24")
    );
}
