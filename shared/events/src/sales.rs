//! Events published by the sales service.

use kernel::{PaymentMethod, SaleChange, SaleStatus, TaxRate};
use serde::{Deserialize, Serialize};

use crate::{Envelope, Event};

fn is_zero(cents: &i64) -> bool {
    *cents == 0
}

/// One line of a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub sku: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    /// What the customer paid for the line, tax included.
    pub line_total_cents: i64,
    /// The tax in `line_total_cents` (0 in version 1).
    #[serde(default)]
    pub tax_cents: i64,
    /// The line's discount, its share of the basket's included (left out when 0, as in
    /// events written before it was carried).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount_cents: i64,
    /// The line's tax rate and its code; none in events written before they were carried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_bp: Option<TaxRate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<String>,
    /// What a unit cost the shop when the sale was rung up (the inventory's moving average
    /// cost as it held the stock): the cost of goods sold. Left out when unknown, as in
    /// events written before it was carried. The live stream leaves it out for everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_cents: Option<i64>,
    /// The serial numbers of the units sold, one per unit, for a serialized product (left
    /// out otherwise, and in events written before they were carried).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
}

/// Net and tax of a sale at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleTax {
    /// The rate's code; none when the shop had no rate for the lines.
    pub code: Option<String>,
    pub rate_bp: TaxRate,
    pub net_cents: i64,
    pub tax_cents: i64,
}

/// One payment of a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalePayment {
    pub method: PaymentMethod,
    pub amount_cents: i64,
}

/// A sale was recorded at the counter. Its stock was reserved under `sale_id` before; the
/// inventory turns that reservation into sale movements when it applies this event.
///
/// Version 2 added the tax (`subtotal_cents`, `tax_cents`, `taxes`, each line's
/// `tax_cents`) and the payments (`payments`, `tendered_cents`, `change_due_cents`).
/// [`SaleCreated::from_envelope`] reads both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleCreated {
    pub sale_id: String,
    pub receipt_number: i64,
    pub location: String,
    /// The method that paid the most.
    pub payment_method: PaymentMethod,
    /// After discounts, without tax.
    pub subtotal_cents: i64,
    /// Every discount, the lines' own and the basket's (left out when 0, as in events
    /// written before it was carried).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount_cents: i64,
    pub tax_cents: i64,
    /// What the customer paid: `subtotal_cents + tax_cents`.
    pub total_cents: i64,
    pub taxes: Vec<SaleTax>,
    /// Together `total_cents + change_due_cents`.
    pub payments: Vec<SalePayment>,
    /// The cash handed over.
    pub tendered_cents: i64,
    pub change_due_cents: i64,
    pub lines: Vec<SaleLine>,
    /// Who recorded the sale (a username, or `service:<name>`). Optional: version 1 events
    /// written before actors were kept carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The manager who approved discounts beyond the shop's limit, when one was needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// The till's shift and the shop's customer, when the sale had them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
}

impl Event for SaleCreated {
    const TYPE: &'static str = "SaleCreated";
    const VERSION: u32 = 2;
}

/// The shape of SaleCreated version 1: no tax, one payment of the whole total.
#[derive(Deserialize)]
struct SaleCreatedV1 {
    sale_id: String,
    receipt_number: i64,
    location: String,
    payment_method: PaymentMethod,
    total_cents: i64,
    lines: Vec<SaleLine>,
    #[serde(default)]
    actor: Option<String>,
}

impl From<SaleCreatedV1> for SaleCreated {
    fn from(v1: SaleCreatedV1) -> SaleCreated {
        let cash = v1.payment_method == PaymentMethod::Cash;
        SaleCreated {
            sale_id: v1.sale_id,
            receipt_number: v1.receipt_number,
            location: v1.location,
            payment_method: v1.payment_method,
            subtotal_cents: v1.total_cents,
            discount_cents: 0,
            tax_cents: 0,
            total_cents: v1.total_cents,
            taxes: vec![SaleTax {
                code: None,
                rate_bp: TaxRate::ZERO,
                net_cents: v1.total_cents,
                tax_cents: 0,
            }],
            payments: vec![SalePayment {
                method: v1.payment_method,
                amount_cents: v1.total_cents,
            }],
            tendered_cents: if cash { v1.total_cents } else { 0 },
            change_due_cents: 0,
            lines: v1.lines,
            actor: v1.actor,
            approved_by: None,
            shift_id: None,
            customer_id: None,
        }
    }
}

impl SaleCreated {
    /// The sale in `envelope`, of either version; a version 1 sale reads as untaxed and paid
    /// in one payment.
    pub fn from_envelope(envelope: &Envelope) -> Result<SaleCreated, String> {
        let malformed = |e: serde_json::Error| format!("malformed SaleCreated: {e}");
        match envelope.version {
            1 => serde_json::from_value::<SaleCreatedV1>(envelope.data.clone())
                .map(SaleCreated::from)
                .map_err(malformed),
            2 => serde_json::from_value(envelope.data.clone()).map_err(malformed),
            other => Err(format!("SaleCreated version {other} is not understood")),
        }
    }
}

/// Units of one SKU that a sale update gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedLine {
    pub sku: String,
    pub quantity: i64,
    /// True: back on the shelf. False: written off (damaged), stock does not change.
    pub restock: bool,
    /// The serial numbers of the units given back, for a serialized product (left out
    /// otherwise): back on the shelf, or kept apart as faulty when written off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
}

/// A sale was voided (every unit not yet returned comes back) or part of it was returned.
/// Version 2 carries the money given back and its tax; [`SaleUpdated::from_envelope`] reads
/// both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleUpdated {
    pub sale_id: String,
    pub receipt_number: i64,
    pub location: String,
    pub change: SaleChange,
    /// The sale's status after the change.
    pub status: SaleStatus,
    pub lines: Vec<ReturnedLine>,
    /// The money given back by this change, tax included (0 in version 1, which did not say).
    #[serde(default)]
    pub refund_cents: i64,
    /// The tax in `refund_cents`.
    #[serde(default)]
    pub refund_tax_cents: i64,
    /// Who voided the sale or took the return; optional for the same reason as
    /// [`SaleCreated::actor`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The manager who approved the refund, when the shop's rules needed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

impl Event for SaleUpdated {
    const TYPE: &'static str = "SaleUpdated";
    const VERSION: u32 = 2;
}

impl SaleUpdated {
    /// The change in `envelope`, of either version; version 1 had no refund figures, which
    /// read as 0.
    pub fn from_envelope(envelope: &Envelope) -> Result<SaleUpdated, String> {
        match envelope.version {
            1 | 2 => serde_json::from_value(envelope.data.clone())
                .map_err(|e| format!("malformed SaleUpdated: {e}")),
            other => Err(format!("SaleUpdated version {other} is not understood")),
        }
    }
}

/// A till's shift was closed: its Z report's totals, for the books and the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClosed {
    pub shift_id: String,
    pub till: String,
    pub location: String,
    pub z_number: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub closed_at: time::OffsetDateTime,
    pub sales_count: i64,
    /// After discounts, without tax.
    pub net_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    /// What each method took (cash net of change).
    pub payments: Vec<SalePayment>,
    /// Money given back during the shift, returns and voids.
    pub refunds_cents: i64,
    pub expected_cash_cents: i64,
    pub counted_cash_cents: i64,
    /// Counted − expected: negative when the drawer was short.
    pub over_short_cents: i64,
    /// Who closed the shift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

impl Event for ShiftClosed {
    const TYPE: &'static str = "ShiftClosed";
    const VERSION: u32 = 1;
}

/// The type of every event the sales service publishes.
pub const PUBLISHED: &[&str] = &[SaleCreated::TYPE, SaleUpdated::TYPE, ShiftClosed::TYPE];

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(version: u32, data: &str) -> Envelope {
        let mut envelope = Envelope::new(
            "sales",
            None,
            time::OffsetDateTime::now_utc(),
            &SaleUpdated {
                sale_id: "s0".into(),
                receipt_number: 0,
                location: "main".into(),
                change: SaleChange::Voided,
                status: SaleStatus::Voided,
                lines: vec![],
                refund_cents: 0,
                refund_tax_cents: 0,
                actor: None,
                approved_by: None,
            },
        );
        envelope.event_type = SaleCreated::TYPE.to_owned();
        envelope.version = version;
        envelope.data = serde_json::from_str(data).unwrap();
        envelope
    }

    #[test]
    fn a_version_1_sale_reads_as_untaxed_and_paid_at_once() {
        let old = r#"{"sale_id":"s1","receipt_number":7,"location":"MAIN","payment_method":"cash",
            "total_cents":500,"lines":[{"sku":"A","quantity":1,"unit_price_cents":500,"line_total_cents":500}]}"#;
        let sale = SaleCreated::from_envelope(&envelope(1, old)).unwrap();
        assert_eq!(sale.actor, None);
        assert_eq!(sale.lines[0].tax_cents, 0);
        assert_eq!(
            (sale.subtotal_cents, sale.tax_cents, sale.total_cents),
            (500, 0, 500)
        );
        assert_eq!(
            sale.payments,
            [SalePayment {
                method: PaymentMethod::Cash,
                amount_cents: 500
            }]
        );
        assert_eq!(sale.tendered_cents, 500);
        // Version 2 has the figures itself; an unknown version is refused.
        let v2 = serde_json::to_string(&sale).unwrap();
        assert_eq!(SaleCreated::from_envelope(&envelope(2, &v2)).unwrap(), sale);
        assert!(SaleCreated::from_envelope(&envelope(3, &v2)).is_err());
        assert!(
            SaleCreated::from_envelope(&envelope(2, old)).is_err(),
            "v2 needs its fields"
        );
    }

    #[test]
    fn a_version_1_update_reads_without_refund_figures() {
        let old = r#"{"sale_id":"s1","receipt_number":7,"location":"MAIN","change":"returned",
            "status":"partially_returned","lines":[{"sku":"A","quantity":1,"restock":true}]}"#;
        let mut stored = envelope(1, old);
        stored.event_type = SaleUpdated::TYPE.to_owned();
        let update = SaleUpdated::from_envelope(&stored).unwrap();
        assert_eq!(update.lines[0].quantity, 1);
        assert_eq!((update.refund_cents, update.refund_tax_cents), (0, 0));
        stored.version = 3;
        assert!(SaleUpdated::from_envelope(&stored).is_err());
    }

    #[test]
    fn the_actor_and_approver_travel_with_a_sale_update() {
        let update = SaleUpdated {
            sale_id: "s1".into(),
            receipt_number: 7,
            location: "MAIN".into(),
            change: SaleChange::Voided,
            status: SaleStatus::Voided,
            lines: vec![],
            refund_cents: 1_200,
            refund_tax_cents: 200,
            actor: Some("maria".into()),
            approved_by: Some("boss".into()),
        };
        let text = serde_json::to_string(&update).unwrap();
        assert!(text.contains(r#""actor":"maria""#), "{text}");
        assert!(text.contains(r#""approved_by":"boss""#), "{text}");
        assert_eq!(serde_json::from_str::<SaleUpdated>(&text).unwrap(), update);
        let without = SaleUpdated {
            actor: None,
            approved_by: None,
            ..update
        };
        let text = serde_json::to_string(&without).unwrap();
        assert!(!text.contains("actor") && !text.contains("approved_by"), "{text}");
    }
}
