//! Events published by the product catalog.

use serde::{Deserialize, Serialize};

use crate::Event;

/// A product as it is after the change; prices in cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSnapshot {
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub category: String,
    pub brand: Option<String>,
    pub price_cents: i64,
    pub cost_cents: i64,
    pub barcode: Option<String>,
    /// The code of the product's tax rate; none: the shop's default. Absent in events
    /// written before tax rates existed.
    #[serde(default)]
    pub tax_rate: Option<String>,
    pub active: bool,
    /// Each unit carries a serial number; the warranty in months (0: none). Absent in events
    /// written before they existed, which read as false and 0.
    #[serde(default)]
    pub serialized: bool,
    #[serde(default)]
    pub warranty_months: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCreated {
    pub product: ProductSnapshot,
    /// The shop's stock settings for new products when this one was created; absent in
    /// events written before the shop had settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_defaults: Option<StockDefaults>,
}

/// What a new product's stock settings start at, at every location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockDefaults {
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
}

impl Event for ProductCreated {
    const TYPE: &'static str = "ProductCreated";
    const VERSION: u32 = 1;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductUpdated {
    pub product: ProductSnapshot,
    /// Names of the fields whose value changed, e.g. `["price_cents"]`.
    pub changed: Vec<String>,
}

impl Event for ProductUpdated {
    const TYPE: &'static str = "ProductUpdated";
    const VERSION: u32 = 1;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductArchived {
    pub sku: String,
    pub version: i64,
}

impl Event for ProductArchived {
    const TYPE: &'static str = "ProductArchived";
    const VERSION: u32 = 1;
}

/// The type of every event the catalog publishes.
/// Opening stock loaded with an import of products: each line sets the SKU's stock at a
/// location to a counted quantity. It follows the products' own events in the outbox, and
/// names each product so that it can be known without them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningStockImported {
    pub import_id: String,
    pub lines: Vec<OpeningStockLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningStockLine {
    pub sku: String,
    pub name: String,
    pub location: String,
    pub quantity: i64,
}

impl Event for OpeningStockImported {
    const TYPE: &'static str = "OpeningStockImported";
    const VERSION: u32 = 1;
}

pub const PUBLISHED: &[&str] = &[
    ProductCreated::TYPE,
    ProductUpdated::TYPE,
    ProductArchived::TYPE,
    OpeningStockImported::TYPE,
];
