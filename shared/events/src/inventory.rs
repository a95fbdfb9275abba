//! Events published by the inventory service. Quantities are whole units; `location` is a
//! location code such as `main`.

use kernel::MovementKind;
use kernel::states::AdjustmentReason;
use serde::{Deserialize, Serialize};

use crate::Event;

/// Stock arrived from a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestockReceived {
    pub restock_id: i64,
    pub sku: String,
    pub location: String,
    pub quantity: i64,
    pub on_hand_after: i64,
    pub supplier: Option<String>,
    pub unit_cost_cents: Option<i64>,
    pub reference: Option<String>,
    /// The purchase order the delivery was received against (none for a plain restock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_id: Option<String>,
    /// Its number as people read it, `PO-000042`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    /// The delivery (one receipt may bring several SKUs, one event each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
    /// The units received, one per unit, for a product with serial numbers (left out
    /// otherwise, and in events written before they were carried).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
}

impl Event for RestockReceived {
    const TYPE: &'static str = "RestockReceived";
    const VERSION: u32 = 1;
}

/// Stock was corrected by hand or by a stock take (`reason` `count_correction`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub movement_id: i64,
    pub sku: String,
    pub location: String,
    pub delta: i64,
    pub reason: AdjustmentReason,
    pub on_hand_after: i64,
    pub note: Option<String>,
    /// For a product with serial numbers, the units the change named: found (a positive
    /// delta), taken off (a negative one), or for a count every unit found on the shelf. Left
    /// out otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
}

impl Event for StockAdjusted {
    const TYPE: &'static str = "StockAdjusted";
    const VERSION: u32 = 1;
}

/// Stock moved between two locations, atomically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockTransferred {
    pub sku: String,
    pub from: String,
    pub to: String,
    pub quantity: i64,
    pub from_on_hand_after: i64,
    pub to_on_hand_after: i64,
    /// The units moved, for a product with serial numbers (left out otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
}

impl Event for StockTransferred {
    const TYPE: &'static str = "StockTransferred";
    const VERSION: u32 = 1;
}

/// Available stock of a SKU at a location fell to or below its low-stock threshold. Sent once
/// per crossing; re-armed when stock rises above the threshold again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevelWarning {
    pub sku: String,
    pub location: String,
    pub available: i64,
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
}

impl Event for StockLevelWarning {
    const TYPE: &'static str = "StockLevelWarning";
    const VERSION: u32 = 1;
}

/// One SKU's stock at one location after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelSnapshot {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

/// Stock levels changed because a sale was applied, voided or partly returned, or a warranty
/// case put a unit onto the shelf or took one off. Published so that live views (the
/// dashboard's event stream) show the effect on stock at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevelsChanged {
    pub location: String,
    /// `sale`, `sale_void`, `return` or `rma`.
    pub cause: MovementKind,
    /// What caused it, e.g. `sale 0193…` or `RMA-000042`.
    pub reference: String,
    pub levels: Vec<LevelSnapshot>,
}

impl Event for StockLevelsChanged {
    const TYPE: &'static str = "StockLevelsChanged";
    const VERSION: u32 = 1;
}

/// The type of every event the inventory publishes.
pub const PUBLISHED: &[&str] = &[
    RestockReceived::TYPE,
    StockAdjusted::TYPE,
    StockTransferred::TYPE,
    StockLevelWarning::TYPE,
    StockLevelsChanged::TYPE,
];
