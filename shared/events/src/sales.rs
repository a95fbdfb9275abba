//! Events published by the sales service.

use kernel::{PaymentMethod, SaleChange, SaleStatus};
use serde::{Deserialize, Serialize};

use crate::Event;

/// One line of a sale as inventory needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub sku: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub line_total_cents: i64,
}

/// A sale was recorded at the counter. Its stock was reserved under `sale_id` before; the
/// inventory turns that reservation into sale movements when it applies this event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleCreated {
    pub sale_id: String,
    pub receipt_number: i64,
    pub location: String,
    pub payment_method: PaymentMethod,
    pub total_cents: i64,
    pub lines: Vec<SaleLine>,
    /// Who recorded the sale (a username, or `service:<name>`). Added after version 1 was
    /// first published, so it is optional: events written before it carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

impl Event for SaleCreated {
    const TYPE: &'static str = "SaleCreated";
    const VERSION: u32 = 1;
}

/// Units of one SKU that a sale update gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedLine {
    pub sku: String,
    pub quantity: i64,
    /// True: back on the shelf. False: written off (damaged), stock does not change.
    pub restock: bool,
}

/// A sale was voided (every unit not yet returned comes back) or part of it was returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleUpdated {
    pub sale_id: String,
    pub receipt_number: i64,
    pub location: String,
    pub change: SaleChange,
    /// The sale's status after the change.
    pub status: SaleStatus,
    pub lines: Vec<ReturnedLine>,
    /// Who voided the sale or took the return; optional for the same reason as
    /// [`SaleCreated::actor`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

impl Event for SaleUpdated {
    const TYPE: &'static str = "SaleUpdated";
    const VERSION: u32 = 1;
}

/// The type of every event the sales service publishes.
pub const PUBLISHED: &[&str] = &[SaleCreated::TYPE, SaleUpdated::TYPE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_created_written_before_actors_still_reads() {
        let old = r#"{"sale_id":"s1","receipt_number":7,"location":"MAIN","payment_method":"cash",
            "total_cents":500,"lines":[{"sku":"A","quantity":1,"unit_price_cents":500,"line_total_cents":500}]}"#;
        let sale: SaleCreated = serde_json::from_str(old).unwrap();
        assert_eq!(sale.actor, None);
        assert_eq!(sale.lines.len(), 1);
    }

    #[test]
    fn the_actor_travels_with_a_sale_update() {
        let update = SaleUpdated {
            sale_id: "s1".into(),
            receipt_number: 7,
            location: "MAIN".into(),
            change: SaleChange::Voided,
            status: SaleStatus::Voided,
            lines: vec![],
            actor: Some("maria".into()),
        };
        let text = serde_json::to_string(&update).unwrap();
        assert!(text.contains(r#""actor":"maria""#), "{text}");
        assert_eq!(serde_json::from_str::<SaleUpdated>(&text).unwrap(), update);
        let without = SaleUpdated {
            actor: None,
            ..update
        };
        assert!(!serde_json::to_string(&without).unwrap().contains("actor"));
    }
}
