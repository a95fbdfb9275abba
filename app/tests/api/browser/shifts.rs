//! A cashier's shift in a real browser: the shop requires shifts, so the till asks for the
//! float first; a cash sale with change; cash paid out; a blind close with the drawer counted
//! note by note and coin by coin; the Z report (a penny short) printed on the 80 mm roll; the
//! shift in the Shifts history.

use super::*;

modes!(a_cashier_opens_sells_pays_out_and_closes_blind);

async fn a_cashier_opens_sells_pays_out_and_closes_blind(app: TestApp, backing: Backing) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let rate = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": "standard", "name": "Standard", "rate_bp": 2000}),
        )
        .await;
    assert_eq!(rate.status(), StatusCode::CREATED);
    let shop = app
        .request(reqwest::Method::PUT, "/api/v1/settings/shop")
        .json(
            &json!({"name": "Byte Corner", "currency": "GBP", "prices_include_tax": true,
                      "default_tax_rate": "standard", "require_shift": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(shop.status(), StatusCode::OK);
    app.create(&product(
        "SHIFT-1",
        json!({"name": "Ryzen 5 7600", "price_cents": 1_999, "barcode": BARCODE}),
    ))
    .await;
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json("/api/v1/inventory/SHIFT-1/restock", &json!({"quantity": 5}))
            .await
            .status()
            == StatusCode::CREATED
    })
    .await;
    app.user_client("cal", "clerk").await;
    let base = app.admin.clone().expect("the dashboard");
    let mode = mode_name(&backing);
    let till = Page::open(&driver, &base, format!("{mode}-shift")).await;
    till.log_in("cal", "long walks on the beach 7").await;
    till.wait_shows("#current-user", "cal").await;
    till.open_screen("/pos").await;

    // No shift yet, and the shop requires one: nothing can be sold until the float is in.
    till.wait_for("#shift-bar[data-state=\"none\"]").await;
    till.wait_for("#shift-required").await;
    assert!(
        !till.wait_for("#pos-search").await.is_enabled().await.unwrap(),
        "the till sells without a shift"
    );
    till.type_into("#shift-float", "100").await;
    till.assert_labelled("the shift's opening").await;
    till.click("#shift-open-submit").await;
    till.wait_for("#shift-bar[data-state=\"open\"]").await;
    till.wait_shows("#shift-status", "£100.00").await;

    // A cash sale: 50.00 for 19.99, 30.01 change.
    let search = till.wait_for("#pos-search").await;
    search
        .send_keys(&format!("{BARCODE}{}", char::from(Key::Enter)))
        .await
        .unwrap();
    till.wait_shows("#pos-total", "£19.99").await;
    till.type_into("#pos-cash-given", "50").await;
    till.wait_shows("#pos-change", "£30.01").await;
    till.click("#pos-complete").await;
    till.wait_for("#receipt[data-receipt-number]").await;
    till.click("#pos-new-sale").await;

    // 15.00 out of the drawer for the window cleaner (the shift bar is at the top).
    till.script("window.scrollTo(0, 0);").await;
    till.click("#shift-cash-movement").await;
    till.wait_for("dialog#cash-movement-dialog[open]").await;
    till.click("#cash-kind-paid_out").await;
    till.type_into("#cash-amount", "15").await;
    till.type_into("#cash-reason", "Window cleaner").await;
    till.assert_labelled("paid in and out").await;
    till.click("#cash-movement-submit").await;
    till.eventually("the dialog closed", || async {
        (!till.has("dialog#cash-movement-dialog[open]").await).then_some(())
    })
    .await;

    // Closing blind: the drawer should hold 100.00 + 50.00 − 30.01 − 15.00 = 104.99; the
    // cashier counts 104.98 without being told.
    till.script("window.scrollTo(0, 0);").await;
    till.click("#shift-close").await;
    till.wait_for("#shift-close-form").await;
    let page_text = till.text("main").await.unwrap_or_default();
    assert!(
        !page_text.contains("104.99"),
        "the expected cash shows before the count"
    );
    for (denomination, count) in [(5_000, 2), (200, 2), (50, 1), (20, 2), (5, 1), (2, 1), (1, 1)] {
        till.type_into(&format!("#count-{denomination}"), &count.to_string())
            .await;
    }
    till.wait_shows("#count-total", "£104.98").await;
    till.assert_labelled("the cash count").await;
    till.screenshot("count").await;
    till.click("#shift-close-submit").await;

    // The Z report: a penny short, and it prints on the roll.
    till.wait_for("#receipt.z-report[data-z-number=\"1\"]").await;
    till.wait_shows("[data-figure=\"expected\"]", "£104.99").await;
    till.wait_shows("[data-figure=\"counted\"]", "£104.98").await;
    till.wait_shows("[data-figure=\"over_short\"]", "0.01").await;
    assert!(
        till.has("[data-figure=\"over_short\"][data-state=\"short\"]")
            .await
    );
    till.wait_shows("[data-figure=\"paid_out\"]", "£15.00").await;
    till.wait_shows("[data-figure=\"change_given\"]", "£30.01").await;
    till.assert_receipt_fits_the_roll(&driver, "z-report-80mm").await;
    assert_eq!(till.printed_page_mm(&driver).await, (80, 297));

    // The history shows the shift, short by a penny.
    till.open_screen("/shifts").await;
    till.wait_shows(
        "#shift-list tr[data-status=\"closed\"] td[data-field=\"over_short\"]",
        "0.01",
    )
    .await;
    till.screenshot("shifts").await;
    till.browser.set_window_size(768, 1024).await.unwrap();
    till.screenshot("tablet-shifts").await;
    till.assert_no_console_errors(&driver, &[]).await;
    till.close().await;
    app.stop().await;
}
