//! Till shifts through the gateway in both modes: a day at the till replayed and every figure
//! of its Z report checked to the cent; one open shift per till; a closed shift takes nothing
//! more; Z numbers per till; sales and cash refunds need a shift when the shop says so; a
//! clerk's refunds above the shop's limit need a manager, and say why.

use std::time::Duration;

use crate::support::{Backing, SseReader, TestApp, ok_json, product};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

modes!(
    a_day_at_the_till_adds_up_to_the_cent_in_the_z_report,
    a_clerks_refunds_above_the_limit_need_a_manager_and_a_reason,
    a_tills_requests_retried_with_their_key_count_once,
);

const WAIT: Duration = Duration::from_secs(20);
const PASSWORD: &str = "long walks on the beach 7";

async fn stocked(app: &TestApp, sku: &str, price_cents: i64) {
    app.create(&product(sku, json!({"price_cents": price_cents})))
        .await;
    let path = format!("/api/v1/inventory/{sku}/restock");
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json(&path, &json!({"quantity": 50})).await.status() == StatusCode::CREATED
    })
    .await;
}

async fn shop(app: &TestApp, require_shift: bool, approval_over: i64) {
    let rate = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": "standard", "name": "Standard", "rate_bp": 2000}),
        )
        .await;
    assert_eq!(rate.status(), StatusCode::CREATED);
    let settings = app
        .request(Method::PUT, "/api/v1/settings/shop")
        .json(
            &json!({"name": "Byte Corner", "currency": "GBP", "prices_include_tax": true,
                      "default_tax_rate": "standard", "require_shift": require_shift,
                      "approval_required_over_cents": approval_over}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), StatusCode::OK);
}

/// A request as `client`; the status and the JSON body (null when there is none).
async fn call(client: &Client, method: Method, url: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = client.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn cents(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

async fn a_day_at_the_till_adds_up_to_the_cent_in_the_z_report(app: TestApp, _: Backing) {
    shop(&app, true, 5_000).await;
    stocked(&app, "DAY-A", 1_999).await;
    stocked(&app, "DAY-B", 500).await;
    let base = app.gateway.clone().unwrap();
    let url = |path: &str| format!("{base}/api/v1{path}");
    let (clerk, _) = app.user_client("cal", "clerk").await;
    app.user_client("mia", "manager").await;

    // The morning: a float of 100.00; the till has one open shift at a time.
    let (status, shift) = call(
        &clerk,
        Method::POST,
        &url("/shifts"),
        Some(json!({"till": "Till-1", "location": "main", "opening_float_cents": 10_000})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{shift}");
    assert_eq!(
        (shift["till"].as_str(), shift["status"].as_str()),
        (Some("till-1"), Some("open"))
    );
    let id = shift["id"].as_str().unwrap().to_owned();
    let (status, twice) = call(
        &clerk,
        Method::POST,
        &url("/shifts"),
        Some(json!({"till": "till-1", "location": "main", "opening_float_cents": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{twice}");
    assert_eq!(twice["shift_id"], id.as_str());
    let (status, _) = call(
        &clerk,
        Method::POST,
        &url("/shifts"),
        Some(json!({"till": "till-9", "location": "attic", "opening_float_cents": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown location");

    // The shop requires shifts: a sale without one is refused.
    let sell = |body: Value| {
        let clerk = clerk.clone();
        let url = url("/sales");
        async move { call(&clerk, Method::POST, &url, Some(body)).await }
    };
    let (status, refused) =
        sell(json!({"lines": [{"sku": "DAY-B", "quantity": 1}], "payment_method": "card"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "shift_id");

    // The day: cash with change, card, a split, exact cash.
    let mut sales = Vec::new();
    for body in [
        json!({"lines": [{"sku": "DAY-A", "quantity": 2}], "payments": [{"method": "cash", "amount_cents": 5_000}]}),
        json!({"lines": [{"sku": "DAY-B", "quantity": 1}], "payment_method": "card"}),
        json!({"lines": [{"sku": "DAY-A", "quantity": 1}, {"sku": "DAY-B", "quantity": 2}],
               "payments": [{"method": "cash", "amount_cents": 1_000}, {"method": "card", "amount_cents": 1_999}]}),
        json!({"lines": [{"sku": "DAY-B", "quantity": 3}], "payments": [{"method": "cash", "amount_cents": 1_500}]}),
    ] {
        let mut body = body;
        body["shift_id"] = json!(id);
        let (status, sale) = sell(body).await;
        assert_eq!(status, StatusCode::CREATED, "{sale}");
        assert_eq!(sale["shift_id"], id.as_str());
        sales.push(sale);
    }
    assert_eq!(sales[0]["change_due_cents"], 1_002);

    // A partial return in cash and a void by card, within the clerk's limit of 50.00.
    let sale_id = |i: usize| sales[i]["id"].as_str().unwrap().to_owned();
    let (status, returned) = call(
        &clerk,
        Method::POST,
        &url(&format!("/sales/{}/returns", sale_id(0))),
        Some(
            json!({"lines": [{"sku": "DAY-A", "quantity": 1}], "reason": "changed_mind",
                    "refund_method": "cash", "shift_id": id}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{returned}");
    assert_eq!(returned["refunded_cents"], 1_999);
    let (status, voided) = call(
        &clerk,
        Method::POST,
        &url(&format!("/sales/{}/void", sale_id(1))),
        Some(json!({"reason": "wrong_item", "shift_id": id})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    let history = voided["history"].as_array().unwrap();
    let last = history.last().unwrap()["detail"].as_str().unwrap();
    assert!(last.contains("refunded by card (wrong_item)"), "{last}");
    // A cash refund needs the shift when the shop requires one.
    let (status, problem) = call(
        &clerk,
        Method::POST,
        &url(&format!("/sales/{}/returns", sale_id(3))),
        Some(json!({"lines": [{"sku": "DAY-B", "quantity": 1}], "refund_method": "cash"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "shift_id");

    // Cash out for the window cleaner, change brought in from the bank.
    for (kind, amount, reason) in [
        ("paid_out", 1_500, "Window cleaner"),
        ("paid_in", 2_000, "Change from the bank"),
    ] {
        let (status, moved) = call(
            &clerk,
            Method::POST,
            &url(&format!("/shifts/{id}/cash-movements")),
            Some(json!({"kind": kind, "amount_cents": amount, "reason": reason})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{moved}");
        assert_eq!(moved["actor"], "cal");
    }

    // The cashier counts blind: the X report is the manager's.
    let (status, _) = call(&clerk, Method::GET, &url(&format!("/shifts/{id}/report")), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let x = ok_json(app.get(&format!("/api/v1/shifts/{id}/report")).await).await;
    assert_eq!(x["kind"], "x");
    assert_eq!(x["cash"]["counted_cents"], Value::Null);

    // Closing with 150.00 counted: expected 100.00 + 75.00 taken − 10.02 change − 19.99
    // refunded + 20.00 in − 15.00 out = 149.99, so 0.01 over.
    let mut events = SseReader::open(&clerk, &base, None).await;
    let (status, z) = call(
        &clerk,
        Method::POST,
        &url(&format!("/shifts/{id}/close")),
        Some(json!({"counted_cash_cents": 15_000, "note": "Counted twice"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{z}");
    assert_eq!(z["kind"], "z");
    assert_eq!(z["shift"]["z_number"], 1);
    assert_eq!(z["shift"]["closed_by"], "cal");
    assert_eq!(
        (
            z["shift"]["expected_cash_cents"].as_i64(),
            z["shift"]["over_short_cents"].as_i64()
        ),
        (Some(14_999), Some(1))
    );
    assert_eq!(
        z["cash"],
        json!({"opening_float_cents": 10_000, "cash_taken_cents": 7_500, "change_given_cents": 1_002,
               "cash_refunds_cents": 1_999, "paid_in_cents": 2_000, "paid_out_cents": 1_500,
               "expected_cents": 14_999, "counted_cents": 15_000, "over_short_cents": 1})
    );
    // The Z report is the sum of its sales, as they were recorded.
    let total = |field: &str| sales.iter().map(|s| cents(&s[field])).sum::<i64>();
    assert_eq!(z["sales"]["count"], 4);
    assert_eq!(
        z["sales"]["gross_cents"],
        2 * 1_999 + 500 + 1_999 + 2 * 500 + 3 * 500
    );
    assert_eq!(z["sales"]["total_cents"], total("total_cents"));
    assert_eq!(z["sales"]["tax_cents"], total("tax_cents"));
    assert_eq!(z["sales"]["net_cents"], total("subtotal_cents"));
    assert_eq!(z["sales"]["discount_cents"], 0);
    assert_eq!(z["sales"]["first_receipt"], sales[0]["receipt_number"]);
    assert_eq!(z["sales"]["last_receipt"], sales[3]["receipt_number"]);
    let taxed: i64 = z["taxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| cents(&t["tax_cents"]))
        .sum();
    assert_eq!(taxed, total("tax_cents"));
    assert_eq!(
        z["payments"],
        json!([{"method": "cash", "count": 3, "amount_cents": 5_000 - 1_002 + 1_000 + 1_500},
               {"method": "card", "count": 2, "amount_cents": 500 + 1_999}])
    );
    let paid: i64 = z["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| cents(&p["amount_cents"]))
        .sum();
    assert_eq!(
        paid,
        total("total_cents"),
        "payments = total, change out of the cash"
    );
    assert_eq!(
        z["refunds"],
        json!([{"method": "cash", "count": 1, "amount_cents": 1_999},
               {"method": "card", "count": 1, "amount_cents": 500}])
    );
    assert_eq!(z["returns"], json!({"count": 1, "amount_cents": 1_999}));
    assert_eq!(z["voids"], json!({"count": 1, "amount_cents": 500}));
    assert_eq!(z["cash_movements"].as_array().unwrap().len(), 2);
    // ShiftClosed carries the Z report's totals to whoever listens.
    let closed = loop {
        let event = events.next(WAIT).await.expect("ShiftClosed on the event stream");
        if event.event == "ShiftClosed" {
            break event.data;
        }
    };
    let data = if closed.get("data").is_some() {
        &closed["data"]
    } else {
        &closed
    };
    assert_eq!(data["z_number"], 1);
    assert_eq!(data["total_cents"], total("total_cents"));
    assert_eq!(data["refunds_cents"], 1_999 + 500);
    assert_eq!(data["over_short_cents"], 1);

    // A closed shift is immutable: no second close, no sale, no cash; its report stays.
    let (status, problem) = call(
        &clerk,
        Method::POST,
        &url(&format!("/shifts/{id}/close")),
        Some(json!({"counted_cash_cents": 1})),
    )
    .await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("urn:inventory-tracker:problem:shift-closed")
        )
    );
    let (status, _) =
        sell(json!({"lines": [{"sku": "DAY-B", "quantity": 1}], "payment_method": "card", "shift_id": id}))
            .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &clerk,
        Method::POST,
        &url(&format!("/shifts/{id}/cash-movements")),
        Some(json!({"kind": "paid_in", "amount_cents": 1, "reason": "late"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &clerk,
        Method::POST,
        &url(&format!("/sales/{}/returns", sale_id(3))),
        Some(json!({"lines": [{"sku": "DAY-B", "quantity": 1}], "refund_method": "cash", "shift_id": id})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a refund out of a closed shift");
    let (status, again) = call(&clerk, Method::GET, &url(&format!("/shifts/{id}/report")), None).await;
    assert_eq!(status, StatusCode::OK, "anyone reads a Z report");
    assert_eq!(again, z);

    // Z numbers run per till.
    let mut numbers = Vec::new();
    for till in ["till-1", "till-2", "till-1"] {
        let (_, shift) = call(
            &clerk,
            Method::POST,
            &url("/shifts"),
            Some(json!({"till": till, "location": "main", "opening_float_cents": 0})),
        )
        .await;
        let (status, z) = call(
            &clerk,
            Method::POST,
            &url(&format!("/shifts/{}/close", shift["id"].as_str().unwrap())),
            Some(json!({"counted_cash_cents": 0})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{z}");
        numbers.push(cents(&z["shift"]["z_number"]));
    }
    assert_eq!(numbers, [2, 1, 3]);
    let listed = ok_json(app.get("/api/v1/shifts?till=till-1&status=closed").await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    let opened = shift["opened_at"].as_str().unwrap();
    let since = ok_json(app.get(&format!("/api/v1/shifts?from={opened}&limit=200")).await).await;
    assert_eq!(since["items"].as_array().unwrap().len(), 4, "today's four shifts");
    let before = ok_json(app.get(&format!("/api/v1/shifts?to={opened}")).await).await;
    assert_eq!(before["items"], json!([]));
}

async fn a_clerks_refunds_above_the_limit_need_a_manager_and_a_reason(app: TestApp, _: Backing) {
    // The default limit, 0: every refund of a clerk needs a manager.
    shop(&app, false, 0).await;
    stocked(&app, "REF-A", 2_500).await;
    let base = app.gateway.clone().unwrap();
    let url = |path: &str| format!("{base}/api/v1{path}");
    let (clerk, _) = app.user_client("cal", "clerk").await;
    app.user_client("mia", "manager").await;
    let (status, sale) = call(
        &clerk,
        Method::POST,
        &url("/sales"),
        Some(json!({"lines": [{"sku": "REF-A", "quantity": 3}], "payment_method": "cash"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sale}");
    let returns = url(&format!("/sales/{}/returns", sale["id"].as_str().unwrap()));
    let one = json!({"lines": [{"sku": "REF-A", "quantity": 1}], "reason": "damaged"});

    let (status, problem) = call(&clerk, Method::POST, &returns, Some(one.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:approval-required");
    let (status, problem) = call(
        &clerk,
        Method::POST,
        &returns,
        Some(json!({"lines": [{"sku": "REF-A", "quantity": 1}], "reason": "other"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "note");

    let mut approved = one.clone();
    approved["approval"] = json!({"username": "mia", "password": PASSWORD});
    let (status, after) = call(&clerk, Method::POST, &returns, Some(approved)).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let entry = after["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(entry["approved_by"], "mia");
    assert_eq!(entry["actor"], "cal");
    assert!(entry["detail"].as_str().unwrap().contains("(damaged)"), "{entry}");
    // A manager needs nobody's approval.
    let manager_return = app.post_json(&returns.replace(&base, ""), &one).await;
    assert_eq!(manager_return.status(), StatusCode::OK);
    let entry = ok_json(manager_return).await["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(entry["approved_by"], Value::Null);
}

/// A till whose answers were lost sends the same requests again with their keys: the shift is
/// opened once, the cash paid out once, and the close answers the same Z report instead of
/// "closed already" (as a void did before the fault campaign found it).
async fn a_tills_requests_retried_with_their_key_count_once(app: TestApp, _: Backing) {
    let keyed = |path: &str, key: &'static str, body: Value| {
        app.request(Method::POST, path)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let opening = json!({"till": "till-retry", "location": "main", "opening_float_cents": 10_000});
    let opened = keyed("/api/v1/shifts", "open-1", opening.clone()).await.unwrap();
    assert_eq!(opened.status(), StatusCode::CREATED);
    let opened: Value = opened.json().await.unwrap();
    let again = keyed("/api/v1/shifts", "open-1", opening).await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::CREATED,
        "not refused as a till with an open shift"
    );
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], opened["id"]);

    let id = opened["id"].as_str().unwrap();
    let cash = format!("/api/v1/shifts/{id}/cash-movements");
    let paid_out = json!({"kind": "paid_out", "amount_cents": 1_500, "reason": "Window cleaner"});
    for _ in 0..2 {
        let moved = keyed(&cash, "cash-1", paid_out.clone()).await.unwrap();
        assert_eq!(moved.status(), StatusCode::CREATED);
    }
    let changed = keyed(
        &cash,
        "cash-1",
        json!({"kind": "paid_out", "amount_cents": 2_500, "reason": "Window cleaner"}),
    )
    .await
    .unwrap();
    assert_eq!(
        changed.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the key with another body"
    );

    let close = format!("/api/v1/shifts/{id}/close");
    let closing = json!({"counted_cash_cents": 8_500});
    let z = ok_json(keyed(&close, "close-1", closing.clone()).await.unwrap()).await;
    assert_eq!(cents(&z["cash"]["paid_out_cents"]), 1_500, "paid out once: {z}");
    assert_eq!(cents(&z["cash"]["expected_cents"]), 8_500);
    let retried = keyed(&close, "close-1", closing.clone()).await.unwrap();
    assert_eq!(retried.status(), StatusCode::OK, "not refused as closed already");
    assert_eq!(ok_json(retried).await, z);
    let without_key = app.post_json(&close, &closing).await;
    assert_eq!(
        without_key.status(),
        StatusCode::CONFLICT,
        "a new close of a closed shift"
    );
}
