//! What the inventory's routes answer.

use kernel::MovementKind;
use kernel::states::AdjustmentReason;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    /// Ordered from suppliers and not yet received.
    #[serde(default)]
    pub incoming: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LevelView {
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// `on_hand − reserved`.
    pub available: i64,
    /// Ordered from suppliers and not yet received (open purchase orders).
    #[serde(default)]
    pub incoming: i64,
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
    /// Available is at or below the threshold.
    pub low: bool,
    /// The threshold and reorder quantity follow the forecast's reorder point.
    #[serde(default)]
    pub follows_forecast: bool,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A SKU's stock at every location and in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockView {
    pub sku: String,
    pub name: String,
    /// False once the catalog archived the product (no more alerts).
    pub active: bool,
    /// Whether each unit carries a serial number: its stock changes name one per unit.
    #[serde(default)]
    pub serialized: bool,
    /// The warranty a unit is sold with, in months (0: none).
    #[serde(default)]
    pub warranty_months: i64,
    pub totals: Totals,
    pub locations: Vec<LevelView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockPage {
    pub items: Vec<StockView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The result of a stock operation: the ledger entry and the SKU's stock after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeView {
    /// The ledger entry; null when a stock take found the count already right.
    pub movement_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restock_id: Option<i64>,
    pub level: LevelView,
    pub stock: StockView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransferView {
    pub from: LevelView,
    pub to: LevelView,
    pub stock: StockView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MovementView {
    pub id: i64,
    pub location: String,
    pub kind: MovementKind,
    /// Signed change of on-hand.
    pub quantity: i64,
    pub on_hand_before: i64,
    pub on_hand_after: i64,
    pub reason: Option<AdjustmentReason>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MovementPage {
    pub items: Vec<MovementView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertView {
    pub sku: String,
    pub name: String,
    pub location: String,
    pub available: i64,
    pub low_stock_threshold: i64,
    /// How far below the threshold available stock is (0 when exactly at it).
    pub deficit: i64,
    /// The reorder quantity, or the deficit if that is larger.
    pub suggested_reorder: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlertList {
    pub items: Vec<AlertView>,
}

/// What the stock on hand is worth. Negative on-hand counts as none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockValueView {
    /// Left out for clerks and viewers.
    #[schema(required = false)]
    pub at_cost_cents: i64,
    pub at_price_cents: i64,
    pub units: i64,
    /// SKUs with stock on hand.
    pub skus: i64,
    /// SKUs with stock whose price and cost the inventory does not know yet (known before it
    /// kept prices and not changed in the catalog since); left out of both values.
    pub unpriced_skus: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocationView {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub allow_negative: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LocationList {
    pub items: Vec<LocationView>,
}

/// A SKU's moving weighted average cost and the receipts that moved it (managers only: every
/// cost is left out for clerks and viewers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CostHistory {
    pub sku: String,
    /// None before the first costed receipt: the catalog's cost stands in.
    pub average_cost_cents: Option<i64>,
    pub catalog_cost_cents: Option<i64>,
    /// The latest 100, newest first.
    pub changes: Vec<CostChange>,
}

/// How one receipt moved the average cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CostChange {
    pub quantity: i64,
    pub unit_cost_cents: i64,
    /// Units on hand (every location, none below zero) before the receipt.
    pub units_before: i64,
    pub average_before_cost_cents: Option<i64>,
    pub average_after_cost_cents: i64,
    pub purchase_order_id: Option<String>,
    pub movement_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}
