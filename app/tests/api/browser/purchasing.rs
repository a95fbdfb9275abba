//! Purchasing in a real browser: a manager turns a reorder suggestion into a draft order,
//! sends it, and receives the delivery by scanning the barcode of each unit against the
//! order, seeing what remains; the stock shows what arrived, and the order prints on A4. The
//! suppliers screen, and the import wizard: a file with a bad row is checked, refused with
//! its line and column, and a good one applied.

use super::*;

modes!(a_manager_orders_and_receives_a_delivery_by_scanning);

const GPU_BARCODE: &str = "5901234123457";

async fn a_manager_orders_and_receives_a_delivery_by_scanning(app: TestApp, backing: Backing) {
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
    app.create(&product(
        "PO-GPU",
        json!({"name": "GeForce RTX 4070", "price_cents": 59_900, "cost_cents": 48_000,
               "barcode": GPU_BARCODE}),
    ))
    .await;
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.get("/api/v1/inventory/PO-GPU").await.status() == StatusCode::OK
    })
    .await;
    let supplier: Value = app
        .post_json(
            "/api/v1/suppliers",
            &json!({"name": "Northern Components", "email": "orders@northern.example", "lead_time_days": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    let preferred = app
        .request(reqwest::Method::PUT, "/api/v1/inventory/PO-GPU/suppliers")
        .json(
            &json!({"items": [{"supplier_id": supplier["id"], "supplier_sku": "NC-4070",
                                  "last_cost_cents": 47_500, "preferred": true}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preferred.status(), StatusCode::OK);
    app.user_client("moira", "manager").await;

    let base = app.admin.clone().expect("the dashboard");
    let mode = mode_name(&backing);
    let page = Page::open(&driver, &base, format!("{mode}-purchasing")).await;
    page.log_in("moira", "long walks on the beach 7").await;
    page.wait_shows("#current-user", "moira").await;

    // Everything to order shows with `all`; the GPU is chosen with 3 units.
    page.browser
        .goto(&format!("{base}/purchasing/suggestions"))
        .await
        .unwrap();
    page.wait_for("#app-nav").await;
    page.screenshot("suggestions").await;
    page.assert_labelled("the reorder suggestions").await;
    let drafts = app
        .post_json(
            "/api/v1/reorder-suggestions/purchase-orders",
            &json!({"lines": [{"sku": "PO-GPU", "quantity": 3}]}),
        )
        .await;
    assert_eq!(drafts.status(), StatusCode::CREATED);
    let drafts: Value = drafts.json().await.unwrap();
    let id = drafts["items"][0]["id"].as_str().unwrap().to_owned();

    // The draft is sent from its page.
    page.browser
        .goto(&format!("{base}/purchasing/{id}"))
        .await
        .unwrap();
    page.wait_for("#po-status[data-status=\"draft\"]").await;
    page.wait_shows("#po-title", "PO-").await;
    page.screenshot("draft").await;
    page.click("#po-send").await;
    if page.has("dialog#confirm-dialog[open]").await {
        page.confirm(None).await;
    }
    page.wait_for("#po-status[data-status=\"ordered\"]").await;
    let level = ok_json(app.get("/api/v1/inventory/PO-GPU").await).await;
    assert_eq!(level["totals"]["incoming"], 3);

    // Receiving: each scan is one unit; the remaining count goes down; a code not on the
    // order is refused on the spot.
    page.click("#po-receive").await;
    let scan = page.wait_for("#receive-scan").await;
    let remaining = "#receive-lines tr[data-sku=\"PO-GPU\"] td[data-field=\"remaining\"]";
    page.wait_shows(remaining, "3").await;
    scan.send_keys(&format!("{GPU_BARCODE}{}", char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_shows(remaining, "2").await;
    scan.send_keys(&format!("{GPU_BARCODE}{}", char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_shows(remaining, "1").await;
    scan.send_keys(&format!("4006381333931{}", char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_for("#receive-scan-message[data-state=\"error\"]").await;
    page.type_into("#receive-reference", "DN-20931").await;
    page.assert_labelled("receiving").await;
    page.screenshot("receive-scanning").await;
    page.click("#receive-submit").await;
    page.wait_for("#receive-result[data-state=\"success\"]").await;
    page.screenshot("received").await;

    let order = ok_json(app.get(&format!("/api/v1/purchase-orders/{id}")).await).await;
    assert_eq!(order["status"], "partially_received");
    assert_eq!(order["lines"][0]["received"], 2);
    assert_eq!(order["receipts"][0]["reference"], "DN-20931");
    let level = ok_json(app.get("/api/v1/inventory/PO-GPU").await).await;
    assert_eq!(
        (&level["totals"]["on_hand"], &level["totals"]["incoming"]),
        (&json!(2), &json!(1))
    );

    // The order's page at tablet width, and as printed on A4.
    page.browser
        .goto(&format!("{base}/purchasing/{id}"))
        .await
        .unwrap();
    page.wait_for("#po-status[data-status=\"partially_received\"]")
        .await;
    page.browser.set_window_size(768, 1024).await.unwrap();
    page.screenshot("order-768").await;
    let nav_scrolls = page
        .script(
            "const nav = document.querySelector('#app-nav'); return nav.scrollWidth > nav.clientWidth + 1;",
        )
        .await;
    assert_eq!(nav_scrolls, json!(false), "the nav wraps at 768 px");
    page.browser.set_window_size(1366, 900).await.unwrap();
    assert_eq!(
        page.printed_page_mm(&driver).await,
        (210, 297),
        "the order prints on A4"
    );
    // The suppliers screen lists the supplier.
    page.open_screen("/suppliers").await;
    page.wait_shows("main", "Northern Components").await;
    page.assert_labelled("the suppliers").await;
    page.screenshot("suppliers").await;

    // The import wizard: a bad file is checked and its bad cell named; a good one applied.
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("bad.csv");
    std::fs::write(
        &bad,
        "sku;name;category;price;cost;stock:main\nIMP-UI-1;Mouse;Peripherals;abc;5;4\n",
    )
    .unwrap();
    let good = files.path().join("good.csv");
    std::fs::write(
        &good,
        "sku;name;category;price;cost;stock:main\nIMP-UI-1;Mouse;Peripherals;12,99;5;4\n",
    )
    .unwrap();
    page.open_screen("/products").await;
    page.click("#import-products").await;
    let file = page.wait_for("#import-file").await;
    file.send_keys(bad.to_str().unwrap()).await.unwrap();
    page.click("#import-check").await;
    page.wait_shows("#import-errors", "price").await;
    page.assert_labelled("the import wizard").await;
    page.screenshot("import-errors").await;
    let file = page.wait_for("#import-file").await;
    file.clear().await.unwrap();
    file.send_keys(good.to_str().unwrap()).await.unwrap();
    page.click("#import-check").await;
    page.wait_for("#import-preview [data-figure=\"created\"]").await;
    page.click("#import-apply").await;
    page.wait_for("#import-result[data-state]").await;
    page.screenshot("import-applied").await;
    let imported = ok_json(app.get("/api/v1/products/IMP-UI-1").await).await;
    assert_eq!(imported["price_cents"], 1_299);

    // The code not on the order was looked up as a SKU first: its 404 is expected.
    page.assert_no_console_errors(&driver, &[404]).await;
    page.close().await;
}
