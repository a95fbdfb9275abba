//! Events are a published contract: payloads written by earlier releases (sitting in an outbox,
//! a queue or a dead-letter table) must still read, and reading then writing one must give the
//! same JSON. The states inside them travel as their stable texts.

use events::inventory::{StockAdjusted, StockLevelsChanged};
use events::sales::{SaleCreated, SaleUpdated};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `text` reads as `T` and writes back unchanged (compared as JSON values).
fn round_trips<T: Serialize + DeserializeOwned>(text: &str) {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let event: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(serde_json::to_value(&event).unwrap(), value);
}

#[test]
fn sale_events_read_and_write_back_unchanged() {
    round_trips::<SaleCreated>(
        r#"{"sale_id":"0193a","receipt_number":7,"location":"MAIN","payment_method":"cash",
            "subtotal_cents":1250,"tax_cents":250,"total_cents":1500,
            "taxes":[{"code":"standard","rate_bp":2000,"net_cents":1250,"tax_cents":250}],
            "payments":[{"method":"cash","amount_cents":1000},{"method":"card","amount_cents":1000}],
            "tendered_cents":1000,"change_due_cents":500,
            "lines":[{"sku":"A-1","quantity":3,"unit_price_cents":500,"line_total_cents":1500,"tax_cents":250}],
            "actor":"maria"}"#,
    );
    // The fields added within version 2: discounts, each line's rate, the shift and customer.
    round_trips::<SaleCreated>(
        r#"{"sale_id":"0193b","receipt_number":8,"location":"MAIN","payment_method":"card",
            "subtotal_cents":1150,"discount_cents":100,"tax_cents":230,"total_cents":1380,
            "taxes":[{"code":"standard","rate_bp":20,"net_cents":1150,"tax_cents":230}],
            "payments":[{"method":"card","amount_cents":1380}],"tendered_cents":0,"change_due_cents":0,
            "lines":[{"sku":"A-1","quantity":3,"unit_price_cents":500,"line_total_cents":1380,"tax_cents":230,
                      "discount_cents":100,"rate_bp":20,"tax_code":"standard"}],
            "actor":"maria","shift_id":"0193c","customer_id":"0193d"}"#,
    );
    for (change, status) in [
        ("voided", "voided"),
        ("returned", "partially_returned"),
        ("returned", "returned"),
    ] {
        round_trips::<SaleUpdated>(&format!(
            r#"{{"sale_id":"0193a","receipt_number":7,"location":"MAIN","change":"{change}","status":"{status}",
                "lines":[{{"sku":"A-1","quantity":1,"restock":false}}],"refund_cents":500,"refund_tax_cents":83}}"#
        ));
    }
}

/// A SaleUpdated of version 1 (no refund figures) still reads, with its lines.
#[test]
fn a_sale_updated_of_version_1_still_reads() {
    let stored = r#"{"id":"0193a0d8-0000-7000-8000-000000000002","type":"SaleUpdated","version":1,
        "occurred_at":"2026-11-26T10:00:00Z","source":"sales",
        "data":{"sale_id":"0193a","receipt_number":7,"location":"MAIN","change":"voided","status":"voided",
            "lines":[{"sku":"A-1","quantity":3,"restock":true}],"actor":"maria"}}"#;
    let envelope: events::Envelope = serde_json::from_str(stored).unwrap();
    let update = SaleUpdated::from_envelope(&envelope).unwrap();
    assert_eq!(update.lines[0].quantity, 3);
    assert_eq!((update.refund_cents, update.refund_tax_cents), (0, 0));
    assert_eq!(update.actor.as_deref(), Some("maria"));
}

/// A SaleCreated of version 1, as it may still sit in an outbox or a dead-letter table, reads
/// as a sale without tax paid in one payment.
#[test]
fn a_sale_created_of_version_1_still_reads() {
    let stored = r#"{"id":"0193a0d8-0000-7000-8000-000000000001","type":"SaleCreated","version":1,
        "occurred_at":"2026-11-26T10:00:00Z","source":"sales",
        "data":{"sale_id":"0193a","receipt_number":7,"location":"MAIN","payment_method":"transfer",
            "total_cents":1500,"lines":[{"sku":"A-1","quantity":3,"unit_price_cents":500,"line_total_cents":1500}],
            "actor":"maria"}}"#;
    let envelope: events::Envelope = serde_json::from_str(stored).unwrap();
    let sale = SaleCreated::from_envelope(&envelope).unwrap();
    assert_eq!(sale.lines[0].quantity, 3);
    assert_eq!(
        (sale.subtotal_cents, sale.tax_cents, sale.total_cents),
        (1500, 0, 1500)
    );
    assert_eq!(sale.payments.len(), 1);
    assert_eq!(sale.tendered_cents, 0, "paid by transfer, no cash");
    assert_eq!(sale.actor.as_deref(), Some("maria"));
}

#[test]
fn stock_events_of_version_1_read_and_write_back_unchanged() {
    for reason in [
        "count_correction",
        "damaged",
        "lost",
        "found",
        "returned",
        "other",
    ] {
        round_trips::<StockAdjusted>(&format!(
            r#"{{"movement_id":12,"sku":"A-1","location":"MAIN","delta":-2,"reason":"{reason}",
                "on_hand_after":5,"note":null}}"#
        ));
    }
    for cause in ["sale", "sale_void", "return"] {
        round_trips::<StockLevelsChanged>(&format!(
            r#"{{"location":"MAIN","cause":"{cause}","reference":"sale 0193a",
                "levels":[{{"sku":"A-1","on_hand":4,"reserved":0,"available":4}}]}}"#
        ));
    }
}

#[test]
fn an_unknown_state_is_refused_rather_than_guessed() {
    let text = r#"{"sale_id":"s","receipt_number":1,"location":"MAIN","change":"exchanged","status":"voided","lines":[]}"#;
    assert!(serde_json::from_str::<SaleUpdated>(text).is_err());
}
