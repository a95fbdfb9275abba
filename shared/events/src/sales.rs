//! Events published by the sales service.

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
    pub payment_method: String,
    pub total_cents: i64,
    pub lines: Vec<SaleLine>,
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

/// A sale was voided (`change` = `voided`: every unit not yet returned comes back) or part of
/// it was returned (`change` = `returned`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleUpdated {
    pub sale_id: String,
    pub receipt_number: i64,
    pub location: String,
    pub change: String,
    /// The sale's status after the change: `completed`, `partially_returned`, `returned`,
    /// `voided`.
    pub status: String,
    pub lines: Vec<ReturnedLine>,
}

impl Event for SaleUpdated {
    const TYPE: &'static str = "SaleUpdated";
    const VERSION: u32 = 1;
}
