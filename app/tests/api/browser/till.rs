//! The till in a real browser, as a cashier uses it: products found by name with the
//! keyboard and by scanning, a new customer, cash with the change due, a split tender, a
//! discount a manager approves, the basket surviving a reload, a receipt printed on an 80 mm
//! roll (the page emulated as print media at 80 mm, and screenshotted), and a reprint from the
//! sales history; then the Locations screen, and the till at tablet width.

use super::*;

modes!(the_till_sells_for_cash_split_and_approval_and_reprints);

/// Sets up what the shop owner would: a tax rate, the shop's receipt details in pounds, two
/// products in stock, and a manager.
async fn open_the_shop(app: &TestApp) {
    let created = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": "standard", "name": "Standard", "rate_bp": 2000}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let shop = app
        .request(reqwest::Method::PUT, "/api/v1/settings/shop")
        .json(
            &json!({"name": "Byte Corner", "address": ["12 Market Street", "Springfield"],
                      "tax_id": "GB123456789", "currency": "GBP", "prices_include_tax": true,
                      "default_tax_rate": "standard",
                      "receipt_footer": "Returns within 30 days with this receipt"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(shop.status(), StatusCode::OK);
    for (sku, name, price, barcode) in [
        ("TILL-CPU", "Ryzen 5 7600", 19_999, "4006381333931"),
        ("TILL-USB", "USB-C cable 1 m", 1_250, "5901234123457"),
    ] {
        app.create(&product(
            sku,
            json!({"name": name, "brand": "Acme", "price_cents": price, "barcode": barcode}),
        ))
        .await;
        let path = format!("/api/v1/inventory/{sku}/restock");
        testkit::eventually("the inventory learns of the product", WAIT, || async {
            app.post_json(&path, &json!({"quantity": 10})).await.status() == StatusCode::CREATED
        })
        .await;
    }
    app.user_client("mia", "manager").await;
}

async fn the_till_sells_for_cash_split_and_approval_and_reprints(app: TestApp, backing: Backing) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    open_the_shop(&app).await;
    let base = app.admin.clone().expect("the dashboard");
    let mode = mode_name(&backing);
    let till = Page::open(&driver, &base, format!("{mode}-till")).await;
    till.log_in("admin", ADMIN_PASSWORD).await;
    till.wait_shows("#current-user", "admin").await;
    till.open_screen("/pos").await;
    till.choose("#pos-location", "main").await;

    // Found by name with the keyboard: type, ↓ chooses the match, Enter adds it.
    let search = till.wait_for("#pos-search").await;
    search.send_keys("ryzen").await.unwrap();
    till.wait_shows("#pos-search-list", "Ryzen 5 7600").await;
    search
        .send_keys(&format!("{}{}", char::from(Key::Down), char::from(Key::Enter)))
        .await
        .unwrap();
    till.wait_for("#pos-lines tr[data-sku=\"TILL-CPU\"]").await;
    // Scanned: the cable's barcode, then Enter.
    search
        .send_keys(&format!("5901234123457{}", char::from(Key::Enter)))
        .await
        .unwrap();
    till.wait_for("#pos-lines tr[data-sku=\"TILL-USB\"]").await;
    till.wait_shows("#pos-total", "£212.49").await;

    // The basket survives a reload.
    till.browser.refresh().await.unwrap();
    till.wait_for("#pos-lines tr[data-sku=\"TILL-USB\"]").await;
    till.wait_shows("#pos-total", "£212.49").await;

    // A new customer, then cash: 250.00 given, 37.51 change in large figures.
    till.click("#pos-customer-new").await;
    till.type_into("#pos-customer-name", "Ada Lovelace").await;
    till.type_into("#pos-customer-phone", "+44 20 7946 0000").await;
    till.click("#pos-customer-save").await;
    till.wait_shows("#pos-customer", "Ada Lovelace").await;
    till.click("#pos-tender-cash").await;
    till.type_into("#pos-cash-given", "250").await;
    till.wait_shows("#pos-change", "£37.51").await;
    till.assert_labelled("the till").await;
    till.screenshot("cash").await;
    till.click("#pos-complete").await;
    let receipt = till.wait_for("#receipt[data-receipt-number]").await;
    let cash_sale = receipt
        .attr("data-sale-id")
        .await
        .unwrap()
        .expect("the sale's id");
    for wanted in [
        "Byte Corner",
        "12 Market Street",
        "GB123456789",
        "Ada Lovelace",
        "admin",
        "Ryzen 5 7600",
        "£212.49",
        "£250.00",
        "£37.51",
        "£35.41",
        "Returns within 30 days",
    ] {
        till.wait_shows("#receipt", wanted).await;
    }
    till.assert_receipt_fits_the_roll(&driver, "receipt-cash-80mm")
        .await;

    // A split tender: 50.00 in cash, the rest by card.
    till.click("#pos-new-sale").await;
    let search = till.wait_for("#pos-search").await;
    search
        .send_keys(&format!("TILL-CPU{}", char::from(Key::Enter)))
        .await
        .unwrap();
    till.wait_shows("#pos-total", "£199.99").await;
    till.click("#pos-tender-split").await;
    till.type_into("#pos-split-cash", "50").await;
    till.wait_shows("#pos-split-card", "£149.99").await;
    till.screenshot("split").await;
    till.click("#pos-complete").await;
    till.wait_for("#receipt[data-receipt-number]").await;
    till.wait_shows("#receipt dd[data-method=\"cash\"]", "£50.00")
        .await;
    till.wait_shows("#receipt dd[data-method=\"card\"]", "£149.99")
        .await;

    // 30 % off is beyond the shop's limit: the manager approves it at the till.
    till.click("#pos-new-sale").await;
    let search = till.wait_for("#pos-search").await;
    search
        .send_keys(&format!("TILL-CPU{}", char::from(Key::Enter)))
        .await
        .unwrap();
    till.type_into("#pos-discount-TILL-CPU", "30%").await;
    till.wait_shows("#pos-total", "£139.99").await;
    till.click("#pos-tender-card").await;
    till.click("#pos-complete").await;
    till.wait_for("dialog#approval-dialog[open]").await;
    till.type_into("#approval-username", "mia").await;
    till.type_into("#approval-password", "not the password").await;
    till.click("#approval-submit").await;
    till.wait_shows("#approval-error", "wrong").await;
    till.type_into("#approval-username", "mia").await;
    till.type_into("#approval-password", "long walks on the beach 7")
        .await;
    till.screenshot("approval").await;
    till.click("#approval-submit").await;
    till.wait_for("#receipt[data-receipt-number]").await;
    till.wait_shows("#receipt", "mia").await;
    till.wait_shows("#receipt", "£139.99").await;
    let stored = till
        .script("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage);")
        .await;
    assert!(
        !stored.as_str().unwrap().contains("long walks"),
        "the manager's password was stored"
    );

    // Reprint of the cash sale from the sales history, on the roll.
    till.browser
        .goto(&format!("{base}/sales/{cash_sale}"))
        .await
        .unwrap();
    till.click("#sale-reprint").await;
    till.wait_shows("#receipt", "£37.51").await;
    till.wait_shows("#receipt", "Ada Lovelace").await;
    till.assert_receipt_fits_the_roll(&driver, "reprint-80mm").await;
    // Printed, the page is the roll; A4 when asked, and back to the roll.
    assert_eq!(till.printed_page_mm(&driver).await, (80, 297));
    till.click("#receipt-a4").await;
    till.wait_for("#receipt.a4").await;
    assert_eq!(till.printed_page_mm(&driver).await, (210, 297));
    till.click("#receipt-a4").await;
    assert_eq!(till.printed_page_mm(&driver).await, (80, 297));

    // Locations: create, rename, deactivate; the till offers only active ones.
    till.open_screen("/locations").await;
    till.click("#new-location").await;
    till.fill("#location-form", "code", "back").await;
    till.fill("#location-form", "name", "Back room").await;
    till.click("#location-form-save").await;
    till.wait_shows("#location-list tr[data-code=\"back\"]", "Back room")
        .await;
    till.click("#location-list tr[data-code=\"back\"] .rename-location")
        .await;
    till.fill("#rename-location-form", "name", "Stock room").await;
    till.click("#rename-location-form-save").await;
    till.wait_shows("#location-list tr[data-code=\"back\"]", "Stock room")
        .await;
    till.assert_labelled("the locations").await;
    till.screenshot("locations").await;
    till.click("#location-list tr[data-code=\"back\"] .deactivate-location")
        .await;
    till.confirm(None).await;
    till.wait_for("#location-list tr[data-code=\"back\"] .reactivate-location")
        .await;

    // At tablet width the till and every table keep their actions in view.
    till.browser.set_window_size(768, 1024).await.unwrap();
    for (href, ready) in [
        ("/pos", "#pos-search"),
        ("/products", "#main tr[data-sku]"),
        ("/locations", "#location-list tr[data-code]"),
        ("/sales", "#main tr[data-sale-id]"),
    ] {
        till.open_screen(href).await;
        till.wait_for(ready).await;
        let cut = till
            .script(
                "const width = document.documentElement.clientWidth;
                 return [...document.querySelectorAll('#main button')]
                   .filter((b) => b.getClientRects().length && b.getBoundingClientRect().right > width + 0.5)
                   .map((b) => b.textContent);",
            )
            .await;
        assert_eq!(cut, json!([]), "{href}: buttons cut off at 768 px");
        till.screenshot(&format!("tablet-{}", &href[1..])).await;
    }
    till.assert_no_console_errors(&driver, &[403]).await;
    till.close().await;
    app.stop().await;
}
