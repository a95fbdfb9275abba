//! What the purchase-order routes take and answer: orders to suppliers, their lines, and the
//! receipts of what arrived.

use kernel::PurchaseOrderStatus;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The most lines one order may have.
pub const MAX_ORDER_LINES: usize = 200;

/// A new order (a draft): to one supplier, for one location.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"supplier_id": "01930000-0000-7000-8000-000000000001", "location": "main",
                          "expected_at": "2026-12-08",
                          "lines": [{"sku": "GPU-4070", "quantity": 4, "unit_cost_cents": 48900}]}))]
pub struct PurchaseOrderInput {
    #[schema(value_type = web::schema::SupplierId)]
    pub supplier_id: String,
    /// Where the goods are delivered (default `main`).
    #[schema(value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// The day the supplier promised (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_at: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<1000>>)]
    pub note: Option<String>,
    /// At most 200 lines, each SKU once.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub lines: Vec<PurchaseOrderLineInput>,
}

/// What to change of a draft: only the fields sent; `lines` replaces every line.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseOrderPatch {
    #[schema(value_type = Option<web::schema::SupplierId>, nullable = false)]
    pub supplier_id: Option<String>,
    #[schema(value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// Blank clears it.
    #[schema(value_type = Option<String>, nullable = false)]
    pub expected_at: Option<String>,
    /// Blank clears it.
    #[schema(value_type = Option<web::schema::Paragraph<1000>>, nullable = false)]
    pub note: Option<String>,
    #[schema(max_items = 200, nullable = false)]
    pub lines: Option<Vec<PurchaseOrderLineInput>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurchaseOrderLineInput {
    #[schema(value_type = web::schema::Sku)]
    pub sku: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// What the supplier charges per unit; without it, the supplier's last cost for the
    /// product, else the catalog's cost.
    #[schema(nullable = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub unit_cost_cents: Option<i64>,
    /// Whether more than ordered may be received (default false).
    #[schema(nullable = false)]
    pub allow_over_receipt: Option<bool>,
}

/// A delivery against an order: what arrived of each SKU.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reference": "DN-20931", "lines": [{"sku": "GPU-4070", "quantity": 2}]}))]
pub struct ReceiptInput {
    /// 1 to 200 lines, each SKU of the order once.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<ReceiptLineInput>,
    /// The supplier's delivery note or invoice number.
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub reference: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<500>>)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptLineInput {
    #[schema(value_type = web::schema::Sku)]
    pub sku: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// What this delivery cost per unit when the invoice differs from the order.
    #[schema(nullable = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub unit_cost_cents: Option<i64>,
    /// For a serialized product: the serial number of each unit received, one per unit.
    #[serde(default)]
    #[schema(max_items = 1000, value_type = Vec<web::schema::SerialNumber>)]
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PurchaseOrderListParams {
    #[param(inline, nullable = false)]
    pub status: Option<PurchaseOrderStatus>,
    #[param(inline, value_type = Option<web::schema::SupplierId>, nullable = false)]
    pub supplier_id: Option<String>,
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// Orders with a line of this SKU.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub sku: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::NumberCursor>, nullable = false)]
    pub cursor: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurchaseOrderLine {
    pub sku: String,
    pub name: String,
    /// The supplier's own code for the product.
    pub supplier_sku: Option<String>,
    pub quantity: i64,
    pub received: i64,
    /// Still to come: ordered less received, never below zero.
    pub remaining: i64,
    /// Left out for clerks and viewers.
    pub unit_cost_cents: i64,
    pub allow_over_receipt: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptLine {
    pub sku: String,
    pub quantity: i64,
    /// Left out for clerks and viewers.
    pub unit_cost_cents: i64,
    /// The ledger entry that brought it in.
    pub movement_id: i64,
}

/// One delivery received against an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    pub id: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub lines: Vec<ReceiptLine>,
}

/// An order to a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurchaseOrder {
    pub id: String,
    /// The shop's order number, shown as `PO-000042`.
    pub number: i64,
    pub supplier_id: String,
    pub supplier_name: String,
    pub location: String,
    pub status: PurchaseOrderStatus,
    /// YYYY-MM-DD.
    pub expected_at: Option<String>,
    pub note: Option<String>,
    pub lines: Vec<PurchaseOrderLine>,
    /// Σ quantity × unit cost; left out for clerks and viewers.
    pub total_cost_cents: i64,
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ordered_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub cancelled_at: Option<OffsetDateTime>,
    /// Oldest first.
    pub receipts: Vec<Receipt>,
}

/// Orders, newest first.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurchaseOrderPage {
    pub items: Vec<PurchaseOrder>,
    pub next_cursor: Option<String>,
}

/// What a receipt answers: the receipt, and the order after it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReceiptView {
    pub receipt: Receipt,
    pub purchase_order: PurchaseOrder,
}

/// Draft orders made from reorder suggestions: the lines chosen, grouped into one draft per
/// supplier.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestedOrdersInput {
    /// Where the goods are to go (default `main`).
    #[schema(value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    /// 1 to 200 lines, each SKU once.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<SuggestedLineInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestedLineInput {
    #[schema(value_type = web::schema::Sku)]
    pub sku: String,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// The supplier to order from; default the product's preferred supplier.
    #[schema(value_type = Option<web::schema::SupplierId>, nullable = false)]
    pub supplier_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PurchaseOrderList {
    pub items: Vec<PurchaseOrder>,
}

/// The order listing's filters, for its CSV export (one row per line of every order).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PurchaseOrderExportParams {
    #[param(inline, nullable = false)]
    pub status: Option<PurchaseOrderStatus>,
    #[param(inline, value_type = Option<web::schema::SupplierId>, nullable = false)]
    pub supplier_id: Option<String>,
    #[param(inline, value_type = Option<web::schema::LocationCode>, nullable = false)]
    pub location: Option<String>,
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub sku: Option<String>,
}
