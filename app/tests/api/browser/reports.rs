//! The Reports screen in a real browser: sales rung up through the API show as the period's
//! totals against the period before, a trend chart by day, bars by category and a Pareto of
//! products with their ABC class; the table sorts by any column and downloads as CSV; tax per
//! rate, a closed shift's over/short and today's stock against the sales show below. At
//! desktop width and at 768 px.

use super::*;

modes!(the_reports_screen_shows_what_earns_money);

async fn the_reports_screen_shows_what_earns_money(app: TestApp, backing: Backing) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let shop = app
        .request(reqwest::Method::PUT, "/api/v1/settings/shop")
        .json(&json!({"name": "Byte Corner", "currency": "GBP", "prices_include_tax": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(shop.status(), StatusCode::OK);
    let products = [
        ("RPT-GPU", "GeForce RTX 4070", "GPUs", 59_900, 51_000),
        ("RPT-SSD", "Samsung 990 Pro 2 TB", "Storage", 15_999, 11_500),
        ("RPT-CBL", "HDMI cable 2 m", "Cables", 899, 210),
        ("RPT-MSE", "Logitech MX Master 3S", "Peripherals", 8_999, 6_300),
    ];
    for (sku, name, category, price, cost) in products {
        app.create(&product(
            sku,
            json!({"name": name, "category": category, "price_cents": price, "cost_cents": cost}),
        ))
        .await;
        let path = format!("/api/v1/inventory/{sku}/restock");
        testkit::eventually("the inventory learns of the product", WAIT, || async {
            app.post_json(&path, &json!({"quantity": 40})).await.status() == StatusCode::CREATED
        })
        .await;
    }
    for (sku, quantity) in [
        ("RPT-GPU", 1),
        ("RPT-SSD", 2),
        ("RPT-CBL", 5),
        ("RPT-MSE", 1),
        ("RPT-CBL", 3),
        ("RPT-SSD", 1),
    ] {
        let sold = app
            .post_json(
                "/api/v1/sales",
                &json!({"lines": [{"sku": sku, "quantity": quantity}], "payment_method": "card"}),
            )
            .await;
        assert_eq!(sold.status(), StatusCode::CREATED);
    }
    testkit::eventually("the reports see the sales", WAIT, || async {
        let report: Value = app.get("/api/v1/reports/sales").await.json().await.unwrap();
        report["totals"]["sales"] == 6
    })
    .await;

    let base = app.admin.clone().expect("the dashboard");
    let page = Page::open(&driver, &base, format!("{}-reports", mode_name(&backing))).await;
    app.user_client("rhoda", "manager").await;
    page.log_in("rhoda", "long walks on the beach 7").await;
    page.wait_for("#app-nav").await;
    page.open_screen("/reports").await;
    page.wait_for("#report-trend").await;
    page.wait_shows("[data-figure=sales] .card-value", "6").await;
    let net = page
        .text("[data-figure=kept_net_cents] .card-value")
        .await
        .unwrap();
    assert!(net.starts_with('£'), "money in the shop's currency: {net}");
    // A manager sees what the goods cost and the margin they left.
    let margin = page
        .text("[data-figure=gross_margin_cents] .card-value")
        .await
        .unwrap();
    assert!(margin.starts_with('£'), "{margin}");
    page.wait_for("#report-sales-table th[data-key=margin_percent]")
        .await;
    page.screenshot("by-day").await;
    page.assert_labelled("the reports").await;

    // Today's stock against the period's sales.
    page.wait_for("#report-stock-table").await;
    page.wait_shows("#report-stock-summary", "Dead stock").await;
    page.script("document.getElementById('report-stock').scrollIntoView()")
        .await;
    page.screenshot("stock").await;

    // By category: bars, and the table sorts by a click on a column's header.
    page.choose("#report-by", "category").await;
    page.wait_for("#report-bars").await;
    page.wait_shows("#report-sales-table tbody tr:first-child td:first-child", "GPUs")
        .await;
    page.click("#report-sales-table th[data-key=units] .sort").await;
    page.wait_shows(
        "#report-sales-table tbody tr:first-child td:first-child",
        "Cables",
    )
    .await;
    assert_eq!(
        page.script("return document.querySelector('#report-sales-table th[data-key=units]').getAttribute('aria-sort')")
            .await,
        json!("descending")
    );
    page.screenshot("by-category").await;

    // By product: the Pareto with ABC classes.
    page.choose("#report-by", "product").await;
    page.wait_for("#report-bars .share").await;
    let first_share = page.text("#report-bars .share").await.unwrap();
    assert!(
        first_share.ends_with("· A"),
        "the best seller is an A item: {first_share}"
    );
    page.screenshot("pareto").await;

    // The CSV of what is shown.
    let csv = page
        .script(
            "const real = URL.createObjectURL; let made = null; \
             URL.createObjectURL = (blob) => { made = blob; return real.call(URL, blob); }; \
             document.querySelector('#report-sales-table-csv').click(); \
             URL.createObjectURL = real; return made ? made.size : 0",
        )
        .await;
    assert!(csv.as_i64().unwrap() > 100, "a CSV was made: {csv}");

    // Tablet width: no sideways scroll of the page.
    page.browser.set_window_size(768, 1024).await.unwrap();
    page.choose("#report-by", "day").await;
    page.wait_for("#report-trend").await;
    let scrolls = page
        .script("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        .await;
    assert_eq!(scrolls, json!(false), "the reports fit 768 px");
    page.screenshot("768").await;
    page.assert_no_console_errors(&driver, &[]).await;
    page.close().await;
}
