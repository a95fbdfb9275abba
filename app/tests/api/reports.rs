//! The reporting service through the gateway in both modes: sales, a return and a void rung
//! up at the counter reach the rollups through the events, and every report's figures equal
//! the sums over the sales as the sales service lists them; the CSV carries the JSON's rows;
//! a closed shift shows its over/short; a bad period is refused; `inventory-tracker reports
//! rebuild` gives the live figures again.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

modes!(reports_add_up_to_the_sales_they_were_fed);

/// Today's stock comes from the inventory: while it cannot be reached the stock report says
/// so (502, a problem naming what to do), and the reports read from the rollups still answer.
#[tokio::test]
async fn the_stock_report_says_when_the_inventory_is_away() {
    let Some(backing) = Backing::new(crate::support::Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.inventory_url = Some("http://127.0.0.1:1".to_owned());
    let app = TestApp::start(
        settings,
        &[
            inventory_tracker::Target::Reports,
            inventory_tracker::Target::Gateway,
        ],
    )
    .await;
    let stock = app.get("/api/v1/reports/stock").await;
    assert_eq!(stock.status(), StatusCode::BAD_GATEWAY);
    let problem: Value = stock.json().await.unwrap();
    assert_eq!(
        problem["type"], "urn:inventory-tracker:problem:source-unavailable",
        "{problem}"
    );
    assert_eq!(app.get("/api/v1/reports/sales").await.status(), StatusCode::OK);
    app.stop().await;
}

/// The counter goes on while the reports are down: the gateway stays ready (the reports show
/// as degraded) and only their routes answer 502.
#[tokio::test]
async fn a_gateway_without_its_reports_stays_ready_and_sells() {
    let Some(backing) = Backing::new(crate::support::Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.reports_url = Some("http://127.0.0.1:1".to_owned());
    let app = TestApp::start(
        settings,
        &[
            inventory_tracker::Target::Catalog,
            inventory_tracker::Target::Inventory,
            inventory_tracker::Target::Sales,
            inventory_tracker::Target::Gateway,
        ],
    )
    .await;
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: Value = ready.json().await.unwrap();
    let reports = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "reports")
        .cloned()
        .unwrap();
    assert_eq!(reports["status"], "degraded", "{ready}");
    stocked(&app, "REP-DOWN", json!({"price_cents": 500})).await;
    sell(
        &app,
        json!({"lines": [{"sku": "REP-DOWN", "quantity": 1}], "payment_method": "cash"}),
    )
    .await;
    let report = app.get("/api/v1/reports/sales").await;
    assert_eq!(report.status(), StatusCode::BAD_GATEWAY);
    app.stop().await;
}

const WAIT: Duration = Duration::from_secs(20);

async fn stocked(app: &TestApp, sku: &str, extra: Value) {
    app.create(&product(sku, extra)).await;
    let path = format!("/api/v1/inventory/{sku}/restock");
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json(&path, &json!({"quantity": 50})).await.status() == StatusCode::CREATED
    })
    .await;
}

async fn sell(app: &TestApp, body: Value) -> Value {
    let response = app.post_json("/api/v1/sales", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn report(app: &TestApp, query: &str) -> Value {
    ok_json(app.get(&format!("/api/v1/reports/sales?{query}")).await).await
}

/// What the sales service itself says: sales rung up, money taken and given back.
struct Raw {
    sales: i64,
    total_cents: i64,
    refunded_cents: i64,
    units: i64,
}

async fn raw(app: &TestApp) -> Raw {
    let page = ok_json(app.get("/api/v1/sales?limit=100").await).await;
    let items = page["items"].as_array().unwrap();
    let sum = |field: &str| items.iter().map(|s| s[field].as_i64().unwrap()).sum::<i64>();
    Raw {
        sales: items.len() as i64,
        total_cents: sum("total_cents"),
        refunded_cents: sum("refunded_cents"),
        units: items
            .iter()
            .flat_map(|s| s["lines"].as_array().unwrap())
            .map(|l| l["quantity"].as_i64().unwrap())
            .sum(),
    }
}

async fn reports_add_up_to_the_sales_they_were_fed(app: TestApp, backing: Backing) {
    stocked(
        &app,
        "REP-GPU",
        json!({"price_cents": 49_900, "cost_cents": 30_000, "category": "GPUs", "brand": "Acme"}),
    )
    .await;
    stocked(
        &app,
        "REP-SSD",
        json!({"price_cents": 8_999, "cost_cents": 6_000, "category": "Storage", "brand": "Disko"}),
    )
    .await;
    stocked(
        &app,
        "REP-CBL",
        json!({"price_cents": 499, "cost_cents": 100, "category": "Cables"}),
    )
    .await;

    let opened = app
        .post_json(
            "/api/v1/shifts",
            &json!({"till": "till-r", "location": "main", "opening_float_cents": 5_000}),
        )
        .await;
    assert_eq!(opened.status(), StatusCode::CREATED);
    let shift: Value = opened.json().await.unwrap();
    let shift_id = shift["id"].as_str().unwrap().to_owned();
    let first = sell(
        &app,
        json!({"lines": [{"sku": "REP-GPU", "quantity": 1}, {"sku": "REP-CBL", "quantity": 3}],
               "payments": [{"method": "card", "amount_cents": 20_000}, {"method": "cash", "amount_cents": 40_000}],
               "discount_cents": 397, "shift_id": shift_id}),
    )
    .await;
    sell(
        &app,
        json!({"lines": [{"sku": "REP-SSD", "quantity": 2}], "payment_method": "card", "shift_id": shift_id}),
    )
    .await;
    let third = sell(
        &app,
        json!({"lines": [{"sku": "REP-CBL", "quantity": 1}], "payment_method": "cash", "shift_id": shift_id}),
    )
    .await;
    let returned = app
        .post_json(
            &format!("/api/v1/sales/{}/returns", first["id"].as_str().unwrap()),
            &json!({"lines": [{"sku": "REP-CBL", "quantity": 2}], "shift_id": shift_id}),
        )
        .await;
    assert!(returned.status().is_success(), "{:?}", returned.text().await);
    let voided = app
        .post_json(
            &format!("/api/v1/sales/{}/void", third["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert!(voided.status().is_success(), "{:?}", voided.text().await);
    let closed = app
        .post_json(
            &format!("/api/v1/shifts/{shift_id}/close"),
            &json!({"counted_cash_cents": 1_000_000}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::OK, "{:?}", closed.text().await);
    let over_short = ok_json(app.get(&format!("/api/v1/shifts/{shift_id}/report")).await).await["shift"]
        ["over_short_cents"]
        .as_i64()
        .unwrap();

    // The rollups catch up with the events; then every report adds up to the sales.
    let raw = raw(&app).await;
    assert_eq!(raw.sales, 3);
    testkit::eventually("the reports see every sale, return and void", WAIT, || async {
        let totals = report(&app, "").await["totals"].clone();
        totals["sales"] == raw.sales
            && totals["returns"] == 1
            && totals["voids"] == 1
            && totals["void_cents"].as_i64().unwrap() + totals["refund_cents"].as_i64().unwrap()
                == raw.refunded_cents
    })
    .await;
    let totals = report(&app, "").await["totals"].clone();
    assert_eq!(totals["total_cents"], raw.total_cents, "{totals}");
    assert_eq!(totals["units"], raw.units, "{totals}");
    assert_eq!(totals["discount_cents"], 397, "{totals}");
    assert_eq!(totals["returned_units"], 2, "{totals}");
    assert_eq!(totals["voided_units"], 1, "{totals}");
    // The cost of goods sold, at each unit's cost as it was sold: a GPU at 300.00, two SSDs
    // at 60.00 and four cables at 1.00, less the two returned and one voided cable back on
    // the shelf.
    let cost = 30_000 + 2 * 6_000 + 400 - 300;
    assert_eq!(totals["cost_cents"], cost, "{totals}");
    assert_eq!(totals["uncosted_units"], 0, "{totals}");
    assert_eq!(
        totals["gross_margin_cents"].as_i64().unwrap(),
        totals["kept_net_cents"].as_i64().unwrap() - cost,
        "{totals}"
    );
    let kept_total = raw.total_cents - raw.refunded_cents;
    assert_eq!(
        totals["kept_net_cents"].as_i64().unwrap() + totals["kept_tax_cents"].as_i64().unwrap(),
        kept_total,
        "{totals}"
    );

    // Every grouping adds up to the same totals.
    for by in [
        "day",
        "week",
        "month",
        "product",
        "category",
        "brand",
        "location",
        "staff",
        "payment_method",
        "tax_rate",
    ] {
        let grouped = report(&app, &format!("by={by}")).await;
        let rows = grouped["rows"].as_array().unwrap();
        for figure in [
            "total_cents",
            "refund_cents",
            "void_cents",
            "refund_tax_cents",
            "kept_net_cents",
            "cost_cents",
            "gross_margin_cents",
        ] {
            let sum: i64 = rows.iter().map(|r| r[figure].as_i64().unwrap()).sum();
            assert_eq!(sum, totals[figure].as_i64().unwrap(), "{by} {figure}: {grouped}");
        }
        if !matches!(
            by,
            "product" | "category" | "brand" | "tax_rate" | "payment_method"
        ) {
            let sales: i64 = rows.iter().map(|r| r["sales"].as_i64().unwrap()).sum();
            assert_eq!(sales, raw.sales, "{by}: {grouped}");
        }
    }
    let by_category = report(&app, "by=category").await;
    let gpus = by_category["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "GPUs")
        .cloned()
        .unwrap();
    assert_eq!(
        (gpus["units"].as_i64(), gpus["sales"].as_i64()),
        (Some(1), Some(1)),
        "{by_category}"
    );
    let by_product = report(&app, "by=product").await;
    let cable = by_product["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "REP-CBL")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            cable["units"].as_i64(),
            cable["returned_units"].as_i64(),
            cable["voided_units"].as_i64()
        ),
        (Some(4), Some(2), Some(1)),
        "{cable}"
    );
    assert_ne!(cable["label"], "REP-CBL", "a product row carries its name");
    let staff = report(&app, "by=staff").await;
    assert_eq!(staff["rows"][0]["key"], "admin", "{staff}");

    // The tax report files what was kept.
    let tax = ok_json(app.get("/api/v1/reports/tax").await).await;
    assert_eq!(
        tax["kept_tax_cents"].as_i64().unwrap() + tax["kept_net_cents"].as_i64().unwrap(),
        kept_total,
        "{tax}"
    );

    // The previous period of the same length holds nothing of this test's sales.
    let today = report(&app, "").await;
    assert_eq!(today["previous"]["totals"]["sales"], 0, "{today}");
    let from = today["period"]["from"].as_str().unwrap();
    let to = today["period"]["to"].as_str().unwrap();
    assert!(today["previous"]["period"]["to"].as_str().unwrap() < from);
    let next_day = report(&app, &format!("from={to}&to={to}&location=attic")).await;
    assert_eq!(
        next_day["totals"]["sales"], 0,
        "another location's figures are apart"
    );

    // The CSV carries the JSON's rows.
    let by_product_csv = app
        .request(Method::GET, "/api/v1/reports/sales?by=product")
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(by_product_csv.status(), StatusCode::OK);
    assert!(
        by_product_csv.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = by_product_csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header_row = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let json_rows = by_product["rows"].as_array().unwrap();
    assert_eq!(rows.len(), json_rows.len(), "{text}");
    for (csv_row, json_row) in rows.iter().zip(json_rows) {
        for (name, value) in header_row.iter().zip(csv_row.iter()) {
            let expected = match name {
                "product" => json_row["key"].as_str().unwrap().to_owned(),
                "label" => json_row["label"].as_str().unwrap().to_owned(),
                figure => json_row[figure].as_i64().unwrap().to_string(),
            };
            assert_eq!(value, expected, "{name} in {text}");
        }
    }

    // Today's stock against the sales: the stock the inventory holds, valued; what never sold
    // is dead stock; the best seller is an A item. Viewers see no costs.
    stocked(
        &app,
        "REP-OLD",
        json!({"price_cents": 1_000, "cost_cents": 400, "category": "Cables"}),
    )
    .await;
    let stock = ok_json(app.get("/api/v1/reports/stock?days=30").await).await;
    let mut on_hand = 0;
    for sku in ["REP-GPU", "REP-SSD", "REP-CBL", "REP-OLD"] {
        on_hand += ok_json(app.get(&format!("/api/v1/inventory/{sku}")).await).await["totals"]["on_hand"]
            .as_i64()
            .unwrap();
    }
    assert_eq!(stock["totals"]["units"], on_hand, "{stock}");
    let item = |sku: &str| {
        stock["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["sku"] == sku)
            .cloned()
            .unwrap_or_else(|| panic!("{sku} in {stock}"))
    };
    assert_eq!(
        (
            item("REP-GPU")["sold_units"].as_i64(),
            item("REP-GPU")["abc"].as_str()
        ),
        (Some(1), Some("A"))
    );
    assert_eq!(item("REP-CBL")["sold_units"], 1, "4 sold, 2 returned, 1 voided");
    assert_eq!(
        (
            item("REP-OLD")["dead"].as_bool(),
            item("REP-OLD")["value_at_cost_cents"].as_i64()
        ),
        (Some(true), Some(20_000))
    );
    assert_eq!(stock["totals"]["dead_at_cost_cents"], 20_000, "{stock}");
    let (viewer, _) = app.user_client("vera", "viewer").await;
    let seen: Value = viewer
        .get(format!(
            "{}/api/v1/reports/stock",
            app.gateway.as_deref().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!seen.to_string().contains("cost_cents"), "{seen}");
    assert!(seen["totals"]["at_retail_cents"].as_i64().unwrap() > 0, "{seen}");
    // Nor costs and margins of sales, in JSON or CSV; the other figures they see.
    let gateway = app.gateway.as_deref().unwrap();
    let sales_seen: Value = viewer
        .get(format!("{gateway}/api/v1/reports/sales?by=product"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = sales_seen.to_string();
    assert!(
        !text.contains("cost_cents") && !text.contains("gross_margin"),
        "{text}"
    );
    assert_eq!(sales_seen["totals"]["units"], 7, "{sales_seen}");
    let sales_csv = viewer
        .get(format!("{gateway}/api/v1/reports/sales?by=product"))
        .header(header::ACCEPT, "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csv_header = sales_csv.lines().next().unwrap();
    assert!(csv_header.contains("kept_net_cents"), "{csv_header}");
    assert!(
        !csv_header.contains("cost_cents") && !csv_header.contains("gross_margin"),
        "{csv_header}"
    );

    // The closed shift, with its over/short per till.
    let shifts = ok_json(app.get("/api/v1/reports/shifts").await).await;
    assert_eq!(shifts["shifts"][0]["shift_id"], shift_id.as_str(), "{shifts}");
    assert_eq!(shifts["shifts"][0]["over_short_cents"], over_short, "{shifts}");
    assert_eq!(shifts["tills"][0]["net_over_short_cents"], over_short, "{shifts}");

    // A bad period is refused, saying which field.
    for query in [
        "from=2026-13-01",
        "from=2026-12-02&to=2026-12-01",
        "from=2000-01-01&to=2026-01-01",
        "by=colour",
    ] {
        let refused = app.get(&format!("/api/v1/reports/sales?{query}")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            refused.headers()[header::CONTENT_TYPE],
            "application/problem+json",
            "{query}"
        );
    }

    // The rebuild from the catalog and the sales history gives the live figures again.
    let queries = [
        "/api/v1/reports/sales?by=day",
        "/api/v1/reports/sales?by=product",
        "/api/v1/reports/sales?by=category",
        "/api/v1/reports/sales?by=staff",
        "/api/v1/reports/sales?by=payment_method",
        "/api/v1/reports/sales?by=tax_rate",
        "/api/v1/reports/tax",
        "/api/v1/reports/shifts",
    ];
    let mut live = Vec::new();
    for query in queries {
        live.push(ok_json(app.get(query).await).await);
    }
    // The history the rebuild reads is for services only: the gateway does not route it.
    assert_eq!(
        app.get("/internal/v1/events").await.status(),
        StatusCode::NOT_FOUND
    );
    // As a shop whose sales began before its reports: nothing rolled up yet.
    let db = backing.db.connect().await;
    for table in [
        "reports_daily",
        "reports_monthly",
        "reports_sales",
        "reports_shifts",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(db.pool())
            .await
            .unwrap();
    }
    assert_eq!(report(&app, "").await["totals"]["sales"], 0);
    let rebuilt = crate::support::process::command(Some(&backing))
        .args(["reports", "rebuild", "--catalog-url"])
        .arg(app.catalog.as_deref().unwrap())
        .arg("--sales-url")
        .arg(app.sales.as_deref().unwrap())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&rebuilt.stdout);
    assert!(
        rebuilt.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    // Three sales, a return, a void and a closed shift.
    assert!(said.contains("and 6 sales events replayed"), "{said}");
    for (query, before) in queries.iter().zip(&live) {
        assert_eq!(
            &ok_json(app.get(query).await).await,
            before,
            "{query} after a rebuild"
        );
    }
}
