//! Tax, discounts and payments at the counter, through the gateway in both modes: the
//! worked cases of the rounding rule, a rate frozen into the sale, cash with change, split
//! tenders, and the invariants (payments = total + change, net + tax = total, the summary's
//! methods and rates add up).

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product, try_login};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

modes!(
    tax_is_charged_per_line_and_frozen_into_the_sale,
    tax_is_added_to_net_prices_when_the_shop_says_so,
    cash_gives_change_and_a_split_tender_pays_the_rest,
    a_basket_discount_is_spread_over_the_lines_and_lowers_the_tax,
    a_discount_beyond_the_limit_needs_a_managers_approval,
    returns_in_parts_give_back_exactly_the_money_and_tax_charged,
);

const WAIT: Duration = Duration::from_secs(20);

/// A product at `price_cents` (with `extra` fields) known to the inventory with 50 on hand.
async fn stocked(app: &TestApp, sku: &str, price_cents: i64, extra: Value) {
    let mut body = product(
        sku,
        json!({"price_cents": price_cents, "cost_cents": price_cents / 2}),
    );
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    app.create(&body).await;
    let path = format!("/api/v1/inventory/{sku}/restock");
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json(&path, &json!({"quantity": 50})).await.status() == StatusCode::CREATED
    })
    .await;
}

async fn rate(app: &TestApp, code: &str, bp: f64) {
    let response = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": code, "name": code, "rate_bp": bp}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn shop(app: &TestApp, prices_include_tax: bool, default_tax_rate: Option<&str>) {
    let response = app
        .request(Method::PUT, "/api/v1/settings/shop")
        .json(
            &json!({"name": "Byte Corner", "currency": "EUR", "prices_include_tax": prices_include_tax,
                      "default_tax_rate": default_tax_rate}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

async fn sell(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app.post_json("/api/v1/sales", &body).await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The invariants every recorded sale keeps.
fn assert_balanced(sale: &Value) {
    let cents = |v: &Value| v.as_i64().unwrap();
    let sum = |items: &Value, field: &str| -> i64 {
        items.as_array().unwrap().iter().map(|i| cents(&i[field])).sum()
    };
    assert_eq!(
        sum(&sale["payments"], "amount_cents"),
        cents(&sale["total_cents"]) + cents(&sale["change_due_cents"]),
        "payments = total + change: {sale}"
    );
    assert_eq!(
        cents(&sale["subtotal_cents"]) + cents(&sale["tax_cents"]),
        cents(&sale["total_cents"])
    );
    assert_eq!(
        sum(&sale["lines"], "line_total_cents"),
        cents(&sale["total_cents"])
    );
    assert_eq!(sum(&sale["lines"], "tax_cents"), cents(&sale["tax_cents"]));
    assert_eq!(sum(&sale["taxes"], "tax_cents"), cents(&sale["tax_cents"]));
    assert_eq!(sum(&sale["taxes"], "net_cents"), cents(&sale["subtotal_cents"]));
    assert!(cents(&sale["change_due_cents"]) <= cents(&sale["tendered_cents"]));
}

async fn tax_is_charged_per_line_and_frozen_into_the_sale(app: TestApp, _: Backing) {
    rate(&app, "standard", 2000.0).await;
    rate(&app, "reduced", 500.0).await;
    shop(&app, true, Some("standard")).await;
    stocked(&app, "TAX-GROSS", 1999, json!({})).await;
    stocked(&app, "TAX-CABLE", 1050, json!({"tax_rate": "reduced"})).await;

    let (status, sale) = sell(
        &app,
        json!({"lines": [{"sku": "TAX-GROSS", "quantity": 1}, {"sku": "TAX-CABLE", "quantity": 2}],
               "payment_method": "card"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    assert_balanced(&sale);
    // 19.99 gross at 20 %: 3.33 tax, 16.66 net. 21.00 gross at 5 %: 1.00 tax, 20.00 net.
    let line = |i: usize| {
        let l = &sale["lines"][i];
        (
            l["tax_rate"].clone(),
            l["rate_bp"].as_f64(),
            l["net_cents"].as_i64(),
            l["tax_cents"].as_i64(),
        )
    };
    assert_eq!(line(0), (json!("standard"), Some(2000.0), Some(1666), Some(333)));
    assert_eq!(line(1), (json!("reduced"), Some(500.0), Some(2000), Some(100)));
    assert_eq!(
        (
            sale["subtotal_cents"].as_i64(),
            sale["tax_cents"].as_i64(),
            sale["total_cents"].as_i64()
        ),
        (Some(3666), Some(433), Some(4099))
    );
    assert_eq!(
        sale["taxes"],
        json!([{"code": "standard", "rate_bp": 2000, "net_cents": 1666, "tax_cents": 333},
               {"code": "reduced", "rate_bp": 500, "net_cents": 2000, "tax_cents": 100}])
    );

    // The rate changes; the sale keeps the one it was made at, a new sale takes the new one.
    let changed = app
        .patch_json("/api/v1/tax-rates/standard", &json!({"rate_bp": 2100}), None)
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let id = sale["id"].as_str().unwrap();
    let read = ok_json(app.get(&format!("/api/v1/sales/{id}")).await).await;
    assert_eq!(read, sale, "the sale as answered is the sale as stored");
    assert_eq!(read["lines"][0]["rate_bp"], 2000);
    let (_, later) = sell(
        &app,
        json!({"lines": [{"sku": "TAX-GROSS", "quantity": 1}], "payment_method": "cash"}),
    )
    .await;
    assert_eq!(later["lines"][0]["rate_bp"], 2100);
    assert_eq!(later["tax_cents"], 347, "19.99 × 21/121 = 3.4693");
    assert_balanced(&later);

    // The summary's tax per rate: two rates of "standard" (as sold), and "reduced".
    let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
    let taxes = summary["taxes"].as_array().unwrap();
    let tax: i64 = taxes.iter().map(|t| t["tax_cents"].as_i64().unwrap()).sum();
    assert_eq!(tax, 433 + 347);
    assert_eq!(taxes.len(), 3, "{taxes:?}");
}

async fn tax_is_added_to_net_prices_when_the_shop_says_so(app: TestApp, _: Backing) {
    rate(&app, "nyc", 887.5).await;
    shop(&app, false, Some("nyc")).await;
    stocked(&app, "TAX-NET", 1000, json!({})).await;
    let (status, sale) = sell(
        &app,
        json!({"lines": [{"sku": "TAX-NET", "quantity": 1}], "payment_method": "card"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    // 10.00 net at 8.875 %: 0.8875 → 0.89 tax.
    assert_eq!(
        (
            sale["subtotal_cents"].as_i64(),
            sale["tax_cents"].as_i64(),
            sale["total_cents"].as_i64()
        ),
        (Some(1000), Some(89), Some(1089))
    );
    assert_eq!(sale["lines"][0]["rate_bp"], 887.5);
    assert_balanced(&sale);
}

async fn cash_gives_change_and_a_split_tender_pays_the_rest(app: TestApp, _: Backing) {
    stocked(&app, "PAY-1", 1850, json!({})).await;
    stocked(&app, "PAY-2", 12_999, json!({})).await;
    let available =
        || async { ok_json(app.get("/api/v1/inventory/PAY-1").await).await["totals"]["available"].clone() };

    // Cash over the total: the change is due back.
    let (status, cash) = sell(
        &app,
        json!({"lines": [{"sku": "PAY-1", "quantity": 1}],
               "payments": [{"method": "cash", "amount_cents": 2000}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{cash}");
    assert_eq!(
        (cash["tendered_cents"].as_i64(), cash["change_due_cents"].as_i64()),
        (Some(2000), Some(150))
    );
    assert_eq!(cash["payment_method"], "cash");
    assert_balanced(&cash);

    // 50.00 in cash, the rest by card.
    let (status, split) = sell(
        &app,
        json!({"lines": [{"sku": "PAY-2", "quantity": 1}],
               "payments": [{"method": "cash", "amount_cents": 5000}, {"method": "card", "amount_cents": 7999}]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{split}");
    assert_eq!(split["change_due_cents"], 0);
    assert_eq!(split["payment_method"], "card", "the method that paid the most");
    assert_eq!(split["payments"].as_array().unwrap().len(), 2);
    assert_balanced(&split);

    // Refusals say what is wrong and record nothing: short, an overcharged card, both forms.
    let before = available().await;
    for (body, reason) in [
        (
            json!({"lines": [{"sku": "PAY-1", "quantity": 1}],
                   "payments": [{"method": "cash", "amount_cents": 1000}, {"method": "card", "amount_cents": 500}]}),
            "350 short",
        ),
        (
            json!({"lines": [{"sku": "PAY-1", "quantity": 1}],
                   "payments": [{"method": "card", "amount_cents": 2000}]}),
            "only cash",
        ),
        (
            json!({"lines": [{"sku": "PAY-1", "quantity": 1}], "payment_method": "cash",
                   "payments": [{"method": "cash", "amount_cents": 2000}]}),
            "not both",
        ),
    ] {
        let (status, problem) = sell(&app, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "payments");
        let said = problem["errors"][0]["reason"].as_str().unwrap();
        assert!(said.contains(reason), "{said}");
    }
    assert_eq!(available().await, before, "nothing was reserved");

    // The summary splits what came in by method, the change out of the cash, and the
    // methods add up to the revenue; a payment method filter finds split sales.
    let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
    assert_eq!(summary["revenue_cents"], 1850 + 12_999);
    assert_eq!(
        summary["by_payment_method"],
        json!([{"payment_method": "cash", "count": 2, "revenue_cents": 1850 + 5000},
               {"payment_method": "card", "count": 1, "revenue_cents": 7999}])
    );
    let cash_sales = ok_json(app.get("/api/v1/sales?payment_method=cash").await).await;
    assert_eq!(cash_sales["items"].as_array().unwrap().len(), 2);

    // A return gives money back; the methods still add up to the revenue.
    let id = split["id"].as_str().unwrap();
    let returned = app
        .post_json(
            &format!("/api/v1/sales/{id}/returns"),
            &json!({"lines": [{"sku": "PAY-2", "quantity": 1}]}),
        )
        .await;
    assert_eq!(returned.status(), StatusCode::OK);
    let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
    let by_method: i64 = summary["by_payment_method"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["revenue_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(summary["revenue_cents"], 1850);
    assert_eq!(by_method, 1850);
}

async fn a_basket_discount_is_spread_over_the_lines_and_lowers_the_tax(app: TestApp, _: Backing) {
    rate(&app, "standard", 2000.0).await;
    shop(&app, true, Some("standard")).await;
    stocked(&app, "DISC-A", 10_000, json!({})).await;
    stocked(&app, "DISC-B", 5_000, json!({})).await;
    // 10 % off line B, then 10.00 off the basket of 100.00 + 45.00.
    let (status, sale) = sell(
        &app,
        json!({"lines": [{"sku": "DISC-A", "quantity": 1}, {"sku": "DISC-B", "quantity": 1, "discount_percent": 10}],
               "discount_cents": 1000, "payment_method": "card"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    assert_balanced(&sale);
    // Shares of 10.00 over 100.00 and 45.00: 6.90 (6.8966) and 3.10 (3.1034).
    assert_eq!(sale["lines"][0]["discount_cents"], 690);
    assert_eq!(sale["lines"][1]["discount_cents"], 500 + 310);
    assert_eq!(sale["discount_cents"], 1500);
    assert_eq!(sale["total_cents"], 15_000 - 1500);
    // Tax on what is left of each line: 93.10 → 15.52, 41.90 → 6.98.
    assert_eq!(sale["lines"][0]["tax_cents"], 1552);
    assert_eq!(sale["lines"][1]["tax_cents"], 698);
    // Beyond the shop's limit (20 % by default) the line needs a manager's approval, with or
    // without the basket.
    let (status, problem) = sell(
        &app,
        json!({"lines": [{"sku": "DISC-A", "quantity": 1, "discount_percent": 15}],
               "discount_percent": 10, "payment_method": "card"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:approval-required");
    assert_eq!(problem["errors"][0]["field"], "lines[0].discount_percent");
}

async fn a_discount_beyond_the_limit_needs_a_managers_approval(app: TestApp, _: Backing) {
    stocked(&app, "APPR-1", 10_000, json!({})).await;
    let base = app.gateway.clone().unwrap();
    let (clerk, _) = app.user_client("cal", "clerk").await;
    app.user_client("mia", "manager").await;
    let password = "long walks on the beach 7";
    let sale = |approval: Value| {
        let mut body = json!({"lines": [{"sku": "APPR-1", "quantity": 1, "discount_percent": 30}],
                              "payment_method": "card"});
        if !approval.is_null() {
            body["approval"] = approval;
        }
        body
    };
    let sell_as_clerk = |body: Value| {
        let clerk = clerk.clone();
        let url = format!("{base}/api/v1/sales");
        async move {
            let response = clerk.post(url).json(&body).send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let available =
        || async { ok_json(app.get("/api/v1/inventory/APPR-1").await).await["totals"]["available"].clone() };
    let before = available().await;

    // 30 % is beyond the 20 % limit: the problem names the line; nothing is reserved.
    let (status, problem) = sell_as_clerk(sale(Value::Null)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:approval-required");
    assert_eq!(problem["errors"][0]["field"], "lines[0].discount_percent");
    // A clerk cannot approve, even with the right password; a malformed approval is refused.
    let (status, problem) = sell_as_clerk(sale(json!({"username": "cal", "password": password}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:approval-refused");
    let (status, problem) = sell_as_clerk(sale(json!({"username": "mia"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(available().await, before, "nothing was reserved");

    // The manager's credentials approve this one sale; the sale names both people and never
    // the password.
    let (status, approved) = sell_as_clerk(sale(json!({"username": "MIA", "password": password}))).await;
    assert_eq!(status, StatusCode::CREATED, "{approved}");
    assert_eq!(approved["approved_by"], "mia");
    assert_eq!(approved["recorded_by"], "cal");
    assert_eq!(approved["total_cents"], 7_000);
    assert!(!approved.to_string().contains(password));
    let stored = ok_json(
        app.get(&format!("/api/v1/sales/{}", approved["id"].as_str().unwrap()))
            .await,
    )
    .await;
    assert_eq!(stored["approved_by"], "mia");
    // The reports count the approval under the manager who gave it.
    testkit::eventually("the reports count mia's approval", WAIT, || async {
        let staff = ok_json(app.get("/api/v1/reports/sales?by=staff").await).await;
        staff["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["key"] == "mia" && r["approvals"] == 1)
    })
    .await;
    // An approval where none is needed is not recorded.
    let (status, plain) = sell_as_clerk(
        json!({"lines": [{"sku": "APPR-1", "quantity": 1}], "payment_method": "card",
                                              "approval": {"username": "mia", "password": password}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{plain}");
    assert_eq!(plain["approved_by"], Value::Null);

    // Wrong approvals count toward the manager's lockout: after five, even her own login
    // with the right password waits.
    for _ in 0..5 {
        let (status, problem) = sell_as_clerk(sale(
            json!({"username": "mia", "password": "not her password at all"}),
        ))
        .await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::TOO_MANY_REQUESTS,
            "{status} {problem}"
        );
    }
    let login = try_login(&base, "mia", password).await;
    assert_eq!(login.status(), StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = sell_as_clerk(sale(json!({"username": "mia", "password": password}))).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a locked manager approves nothing"
    );
}

async fn returns_in_parts_give_back_exactly_the_money_and_tax_charged(app: TestApp, _: Backing) {
    rate(&app, "standard", 2000.0).await;
    shop(&app, true, Some("standard")).await;
    stocked(&app, "PART-1", 999, json!({})).await;
    let (status, sale) = sell(
        &app,
        json!({"lines": [{"sku": "PART-1", "quantity": 3}], "payment_method": "card"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    let (total, tax) = (
        sale["total_cents"].as_i64().unwrap(),
        sale["tax_cents"].as_i64().unwrap(),
    );
    assert_eq!((total, tax), (2997, 500), "gross 29.97 at 20 %: tax 4.995 → 5.00");
    let id = sale["id"].as_str().unwrap();
    let mut refunds = Vec::new();
    for _ in 0..3 {
        let before = ok_json(app.get(&format!("/api/v1/sales/{id}")).await).await;
        let after = ok_json(
            app.post_json(
                &format!("/api/v1/sales/{id}/returns"),
                &json!({"lines": [{"sku": "PART-1", "quantity": 1}]}),
            )
            .await,
        )
        .await;
        let gave = |field: &str| after[field].as_i64().unwrap() - before[field].as_i64().unwrap();
        refunds.push((gave("refunded_cents"), gave("refunded_tax_cents")));
        if refunds.len() == 1 {
            // One unit back: the summary's tax is what is left, net of the return.
            let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
            assert_eq!(summary["taxes"][0]["tax_cents"], 500 - 166);
            assert_eq!(summary["taxes"][0]["net_cents"], (2997 - 999) - (500 - 166));
            assert_eq!(summary["revenue_cents"], 2997 - 999);
        }
    }
    // Cumulative shares: 9.99 each, tax 1.66 + 1.67 + 1.67; never more than was charged.
    assert_eq!(refunds, [(999, 166), (999, 167), (999, 167)]);
    let returned = ok_json(app.get(&format!("/api/v1/sales/{id}")).await).await;
    assert_eq!(returned["status"], "returned");
    assert_eq!(
        (
            returned["refunded_cents"].as_i64(),
            returned["refunded_tax_cents"].as_i64()
        ),
        (Some(total), Some(tax))
    );
    let summary = ok_json(app.get("/api/v1/sales/summary").await).await;
    assert_eq!(summary["revenue_cents"], 0);
    assert_eq!(summary["taxes"][0]["tax_cents"], 0);
    assert_eq!(summary["taxes"][0]["net_cents"], 0);
}
