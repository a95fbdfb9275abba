//! Serial numbers in a real browser: a manager receives three serialized GPUs against an
//! order by scanning the barcode once and each unit's serial number, sells one at the till by
//! scanning its serial number (the receipt shows it with the warranty's last day), looks the
//! unit up from the header and opens a warranty case, which goes to the supplier on the case
//! board. Screenshots at 1366 and 768 px.

use super::*;

modes!(a_serialized_gpu_is_received_sold_looked_up_and_taken_back_under_warranty);

const GPU_BARCODE: &str = "5901234123457";
const SERIALS: [&str; 3] = ["GPU-SN-0001", "GPU-SN-0002", "GPU-SN-0003"];

async fn a_serialized_gpu_is_received_sold_looked_up_and_taken_back_under_warranty(
    app: TestApp,
    backing: Backing,
) {
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
        "SN-GPU",
        json!({"name": "GeForce RTX 5070 12GB", "category": "Graphics cards", "price_cents": 59_900,
               "cost_cents": 48_000, "barcode": GPU_BARCODE, "serialized": true, "warranty_months": 36}),
    ))
    .await;
    testkit::eventually("the inventory knows the GPU carries serials", WAIT, || async {
        let stock = app.get("/api/v1/inventory/SN-GPU").await;
        stock.status() == StatusCode::OK && stock.json::<Value>().await.unwrap()["serialized"] == true
    })
    .await;
    let supplier: Value = app
        .post_json(
            "/api/v1/suppliers",
            &json!({"name": "Northern Components", "lead_time_days": 3}),
        )
        .await
        .json()
        .await
        .unwrap();
    let order: Value = app
        .post_json(
            "/api/v1/purchase-orders",
            &json!({"supplier_id": supplier["id"], "lines": [{"sku": "SN-GPU", "quantity": 3, "unit_cost_cents": 48_000}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = order["id"].as_str().unwrap().to_owned();
    ok_json(
        app.post_json(&format!("/api/v1/purchase-orders/{id}/order"), &json!({}))
            .await,
    )
    .await;
    app.user_client("moira", "manager").await;

    let base = app.admin.clone().expect("the dashboard");
    let mode = mode_name(&backing);
    let page = Page::open(&driver, &base, format!("{mode}-serials")).await;
    page.log_in("moira", "long walks on the beach 7").await;
    page.wait_shows("#current-user", "moira").await;

    // Receiving: the barcode once, then one scan per unit's serial number.
    page.browser
        .goto(&format!("{base}/purchasing/{id}/receive"))
        .await
        .unwrap();
    let scan = page.wait_for("#receive-scan").await;
    let row = "#receive-lines tr[data-sku=\"SN-GPU\"][data-serialized=\"true\"]";
    page.wait_for(row).await;
    scan.send_keys(&format!("{GPU_BARCODE}{}", char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_shows("#receive-scan-message", "serial number").await;
    for serial in SERIALS {
        scan.send_keys(&format!("{}{}", serial.to_lowercase(), char::from(Key::Enter)))
            .await
            .unwrap();
        page.wait_for(&format!("{row} li.serial-chip[data-serial=\"{serial}\"]"))
            .await;
    }
    page.wait_shows(&format!("{row} td[data-field=\"remaining\"]"), "0")
        .await;
    // The same unit again is refused on the spot.
    scan.send_keys(&format!("{}{}", SERIALS[0], char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_for("#receive-scan-message[data-state=\"error\"]").await;
    page.assert_labelled("receiving serialized units").await;
    page.screenshot("receive-serials").await;
    page.click("#receive-submit").await;
    page.wait_for("#receive-result[data-state=\"success\"]").await;
    let shelf = ok_json(app.get("/api/v1/inventory/SN-GPU/serials").await).await;
    assert_eq!(shelf["items"].as_array().unwrap().len(), 3);

    // The till: scanning a unit's serial number adds that unit.
    page.open_screen("/pos").await;
    page.choose("#pos-location", "main").await;
    let search = page.wait_for("#pos-search").await;
    search
        .send_keys(&format!("{}{}", SERIALS[1], char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_for(&format!(
        "#pos-lines tr[data-sku=\"SN-GPU\"] li.serial-chip[data-serial=\"{}\"]",
        SERIALS[1]
    ))
    .await;
    page.wait_shows("#pos-total", "£599.00").await;
    page.wait_for("#pos-lines .serial-count[data-missing=\"0\"]")
        .await;
    page.click("#pos-tender-card").await;
    page.assert_labelled("the till with a serialized unit").await;
    page.screenshot("till-serial").await;
    page.click("#pos-complete").await;
    let receipt = page.wait_for("#receipt[data-receipt-number]").await;
    let sale_id = receipt
        .attr("data-sale-id")
        .await
        .unwrap()
        .expect("the sale's id");
    page.wait_shows("#receipt .receipt-serial", SERIALS[1]).await;
    page.wait_shows("#receipt .receipt-warranty", "Warranty until")
        .await;
    page.assert_receipt_fits_the_roll(&driver, "receipt-serial-80mm")
        .await;
    let sale = ok_json(app.get(&format!("/api/v1/sales/{sale_id}")).await).await;
    assert_eq!(sale["lines"][0]["serials"], json!([SERIALS[1]]));

    // Looked up from the header: sold, under warranty, with its history.
    let unit = ".serial-unit[data-sku=\"SN-GPU\"][data-state=\"sold\"]";
    testkit::eventually("the sale reaches the unit", WAIT, || async {
        let found = app.get(&format!("/api/v1/serials/{}", SERIALS[1])).await;
        found.status() == StatusCode::OK
            && found.json::<Value>().await.unwrap()["units"][0]["state"] == "sold"
    })
    .await;
    let lookup = page.wait_for("#serial-lookup-input").await;
    lookup
        .send_keys(&format!(
            "{}{}",
            SERIALS[1].to_lowercase(),
            char::from(Key::Enter)
        ))
        .await
        .unwrap();
    page.wait_for(unit).await;
    page.wait_for("[data-field=\"warranty\"][data-under-warranty=\"true\"]")
        .await;
    page.wait_shows(".serial-history", "Received").await;
    page.wait_shows(".serial-history", "Sold").await;
    page.assert_labelled("a unit's page").await;
    page.screenshot("serial-lookup").await;
    page.browser.set_window_size(768, 1024).await.unwrap();
    page.screenshot("serial-lookup-768").await;
    page.browser.set_window_size(1366, 900).await.unwrap();

    // The customer brings it back: a warranty case, then to the supplier.
    page.type_into("#rma-fault", "Fans stop after ten minutes, then artefacts")
        .await;
    page.click("#rma-open-submit").await;
    page.wait_for("#rma[data-state=\"received\"]").await;
    page.wait_shows("#rma", "RMA-000001").await;
    page.assert_labelled("a warranty case").await;
    page.screenshot("rma-received").await;
    let supplier_id = supplier["id"].as_str().unwrap();
    page.wait_for(&format!("#rma-supplier option[value=\"{supplier_id}\"]"))
        .await;
    page.choose("#rma-supplier", supplier_id).await;
    page.type_into("#rma-step-note", "Supplier RMA 55102").await;
    page.click("#rma-steps button[data-to=\"sent_to_supplier\"]")
        .await;
    page.wait_for("#rma[data-state=\"sent_to_supplier\"]").await;
    page.wait_shows("#rma-history", "Supplier RMA 55102").await;
    let returned = ok_json(app.get(&format!("/api/v1/serials/{}", SERIALS[1])).await).await;
    assert_eq!(returned["units"][0]["state"], "at_supplier");

    // The case board.
    page.open_screen("/rmas").await;
    page.wait_for(
        "#rma-board section[data-stage=\"sent_to_supplier\"] .rma-card[data-reference=\"RMA-000001\"]",
    )
    .await;
    page.assert_labelled("the warranty cases").await;
    page.screenshot("rma-board").await;
    page.browser.set_window_size(768, 1024).await.unwrap();
    page.screenshot("rma-board-768").await;
    let nav_scrolls = page
        .script(
            "const nav = document.querySelector('#app-nav'); return nav.scrollWidth > nav.clientWidth + 1;",
        )
        .await;
    assert_eq!(
        nav_scrolls,
        json!(false),
        "the nav with the lookup wraps at 768 px"
    );
    page.browser.set_window_size(1366, 900).await.unwrap();

    // Found by its receipt too: the sale lists the unit, a link to its page.
    page.browser
        .goto(&format!("{base}/sales/{sale_id}"))
        .await
        .unwrap();
    page.click("#return-items").await;
    page.wait_for("#return-form input[type=\"checkbox\"][name^=\"unit-\"]")
        .await;
    page.screenshot("sale-return-serials").await;
    page.browser.set_window_size(768, 1024).await.unwrap();
    page.screenshot("sale-return-serials-768").await;
    page.browser.set_window_size(1366, 900).await.unwrap();
    page.click(&format!(".sale-serials a[data-serial=\"{}\"]", SERIALS[1]))
        .await;
    page.wait_for(".serial-unit[data-state=\"at_supplier\"]").await;
    page.wait_shows(".serial-unit", "RMA-000001").await;

    // The till looked the scanned serial number up as a product first: its 404 is expected.
    page.assert_no_console_errors(&driver, &[404]).await;
    page.close().await;
}
