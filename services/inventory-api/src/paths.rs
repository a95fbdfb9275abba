//! Every public route of the inventory with its OpenAPI description. The functions are the
//! operations' names in the document; the service's handlers serve them (utoipa attaches a
//! path's description to a function, and the contract has no handlers).

use kernel::states::AdjustmentReason;
use web::Problem;

use crate::inputs::*;
use crate::purchase_orders::*;
use crate::reorder::*;
use crate::rmas::*;
use crate::serials::*;
use crate::suppliers::*;
use crate::views::*;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_stock, get_stock, restock, adjust, count_stock, transfer, settings, movements, alerts,
          stock_value, list_locations, create_location, update_location, list_suppliers, create_supplier,
          get_supplier, change_supplier, archive_supplier, item_suppliers, set_item_suppliers,
          reorder_suggestions, list_purchase_orders, create_purchase_order, get_purchase_order,
          change_purchase_order, place_purchase_order, cancel_purchase_order, receive_purchase_order,
          orders_from_suggestions, item_costs, export_stock, export_movements, export_purchase_orders,
          export_purchase_order, refresh_thresholds, serial_lookup, item_serials, list_rmas, open_rma, get_rma,
          step_rma, note_rma),
    components(schemas(StockView, LevelView, Totals, StockPage, RestockInput, AdjustmentInput, CountInput,
                       TransferInput, SettingsInput, MovementView, MovementPage, AlertView, AlertList,
                       LocationView, LocationList, LocationInput, LocationPatch, AdjustmentReason, ChangeView,
                       TransferView, StockValueView, SupplierInput, SupplierPatch, Supplier, SupplierList, SupplierItemsInput,
                       SupplierItemInput, SupplierItem, SupplierItemList, ReorderSuggestions, ReorderGroup,
                       ReorderLine, PurchaseOrderInput, PurchaseOrderPatch, PurchaseOrderLineInput, ReceiptInput,
                       ReceiptLineInput, PurchaseOrderLine, ReceiptLine, Receipt, PurchaseOrder, PurchaseOrderPage,
                       ReceiptView, SuggestedOrdersInput, SuggestedLineInput, PurchaseOrderList, CostHistory,
                       CostChange, kernel::PurchaseOrderStatus, ThresholdRefresh, SerialLookup, SerialView,
                       SerialStep, SerialList, kernel::serial::SerialState, kernel::serial::SerialChange,
                       RmaInput, RmaStepInput, RmaNoteInput, RmaView, RmaStepView, RmaPage, RmaRef,
                       kernel::serial::RmaState)),
    tags((name = "inventory", description = "Stock per SKU and location, its ledger and alerts"),
         (name = "suppliers", description = "Who the shop buys from, and each product's suppliers"),
         (name = "purchasing", description = "Orders to suppliers, deliveries received against them, average cost"),
         (name = "serials", description = "Serialized units: where each is, its warranty and its history"),
         (name = "rmas", description = "Warranty cases: a faulty unit taken in, sent to its supplier, and the outcome"))
)]
pub struct InventoryApi;

/// List stock levels.
#[utoipa::path(get, path = "/api/v1/inventory", tag = "inventory", params(ListParams),
    responses((status = 200, body = StockPage)))]
pub fn list_stock() {}

/// A SKU's stock per location and in total.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}", tag = "inventory",
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = StockView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_stock() {}

/// Receive stock from a supplier.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/restock", tag = "inventory", request_body = RestockInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = ChangeView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "A named serial number's unit cannot take the change (already on the shelf, elsewhere, sold, held by a sale)", body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub fn restock() {}

/// Correct stock by hand (damaged, lost, found, returned…).
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/adjustments", tag = "inventory", request_body = AdjustmentInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, description = "Adjusted", body = ChangeView),
              (status = 200, description = "A delta of zero; nothing changed", body = ChangeView),
              (status = 409, description = "Stock would go below zero, or a named serial number's unit is not on the shelf there", body = Problem, content_type = "application/problem+json")))]
pub fn adjust() {}

/// Record a stock take: the difference to the counted quantity becomes an adjustment.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/count", tag = "inventory", request_body = CountInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, description = "The count differed; adjusted", body = ChangeView),
              (status = 200, description = "The count matched; nothing changed", body = ChangeView),
              (status = 409, description = "A named serial number's unit cannot take the change (already on the shelf, elsewhere, sold, held by a sale)", body = Problem, content_type = "application/problem+json")))]
pub fn count_stock() {}

/// Move stock between two locations, atomically.
#[utoipa::path(post, path = "/api/v1/inventory/{sku}/transfers", tag = "inventory", request_body = TransferInput,
    params(("sku" = inline(web::schema::Sku), Path), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = TransferView),
              (status = 409, description = "Not enough stock at the source, or a named serial number's unit is not on the shelf there", body = Problem, content_type = "application/problem+json")))]
pub fn transfer() {}

/// Set the low-stock threshold and reorder quantity of a SKU at a location.
#[utoipa::path(put, path = "/api/v1/inventory/{sku}/settings", tag = "inventory", request_body = SettingsInput,
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = LevelView)))]
pub fn settings() {}

/// The stock ledger of a SKU, newest first.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}/movements", tag = "inventory",
    params(("sku" = inline(web::schema::Sku), Path), PageParams),
    responses((status = 200, body = MovementPage)))]
pub fn movements() {}

/// SKUs at or below their low-stock threshold.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "inventory", params(LocationParams),
    responses((status = 200, body = AlertList)))]
pub fn alerts() {}

/// What the stock on hand is worth at cost and at selling price, at one location or all.
#[utoipa::path(get, path = "/api/v1/stock-value", tag = "inventory", params(LocationParams),
    responses((status = 200, body = StockValueView), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub fn stock_value() {}

/// Every location.
#[utoipa::path(get, path = "/api/v1/locations", tag = "inventory", responses((status = 200, body = LocationList)))]
pub fn list_locations() {}

/// Add a location (back room, showroom, second shop…).
#[utoipa::path(post, path = "/api/v1/locations", tag = "inventory", request_body = LocationInput,
    responses((status = 201, body = LocationView),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
pub fn create_location() {}

/// Rename, (de)activate or change the negative-stock policy of a location.
#[utoipa::path(patch, path = "/api/v1/locations/{code}", tag = "inventory", request_body = LocationPatch,
    params(("code" = inline(web::schema::LocationCode), Path)),
    responses((status = 200, body = LocationView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The main location cannot be deactivated", body = Problem, content_type = "application/problem+json")))]
pub fn update_location() {}

/// The suppliers in name order (at most 500); `q` finds them by name, contact, email, phone or
/// notes.
#[utoipa::path(get, path = "/api/v1/suppliers", tag = "suppliers", params(SupplierListParams),
    responses((status = 200, body = SupplierList)))]
pub fn list_suppliers() {}

/// Record a supplier (the name is required; lead time 7 days unless said).
#[utoipa::path(post, path = "/api/v1/suppliers", tag = "suppliers", request_body = SupplierInput,
    responses((status = 201, body = Supplier),
              (status = 422, description = "A missing name or an invalid field", body = Problem, content_type = "application/problem+json")))]
pub fn create_supplier() {}

/// One supplier.
#[utoipa::path(get, path = "/api/v1/suppliers/{id}", tag = "suppliers",
    params(("id" = String, Path, description = "The supplier's id")),
    responses((status = 200, body = Supplier), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_supplier() {}

/// Change a supplier: only the fields sent.
#[utoipa::path(patch, path = "/api/v1/suppliers/{id}", tag = "suppliers", request_body = SupplierPatch,
    params(("id" = String, Path, description = "The supplier's id")),
    responses((status = 200, body = Supplier),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "No field, or an invalid one", body = Problem, content_type = "application/problem+json")))]
pub fn change_supplier() {}

/// Archive a supplier: kept for history, offered for nothing new.
#[utoipa::path(delete, path = "/api/v1/suppliers/{id}", tag = "suppliers",
    params(("id" = String, Path, description = "The supplier's id")),
    responses((status = 204, description = "Archived"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn archive_supplier() {}

/// A product's suppliers, the preferred first (costs only for managers and admins).
#[utoipa::path(get, path = "/api/v1/inventory/{sku}/suppliers", tag = "suppliers",
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = SupplierItemList), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn item_suppliers() {}

/// Replace a product's suppliers.
#[utoipa::path(put, path = "/api/v1/inventory/{sku}/suppliers", tag = "suppliers", request_body = SupplierItemsInput,
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = SupplierItemList),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A supplier that does not exist, is archived or is named twice, or more than one preferred", body = Problem, content_type = "application/problem+json")))]
pub fn set_item_suppliers() {}

/// What to order now, per product at a location, grouped by preferred supplier: a demand
/// forecast from the last 182 days of sales (Holt–Winters or Croston–SBA, see
/// docs/forecasting.md), the reorder point for the supplier's lead time (7 days without one) and
/// the service level, and the quantity that brings on hand plus incoming up to the demand over
/// the lead time and a week.
#[utoipa::path(get, path = "/api/v1/reorder-suggestions", tag = "suppliers", params(ReorderParams),
    responses((status = 200, body = ReorderSuggestions),
              (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A location or a service level out of range", body = Problem, content_type = "application/problem+json")))]
pub fn reorder_suggestions() {}

/// Purchase orders, newest first, filtered by state, supplier, location or SKU.
#[utoipa::path(get, path = "/api/v1/purchase-orders", tag = "purchasing", params(PurchaseOrderListParams),
    responses((status = 200, body = PurchaseOrderPage),
              (status = 400, description = "A filter or cursor that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn list_purchase_orders() {}

/// Write a draft order to a supplier. A line without a unit cost takes the supplier's last cost
/// for the product, else the catalog's.
#[utoipa::path(post, path = "/api/v1/purchase-orders", tag = "purchasing", request_body = PurchaseOrderInput,
    responses((status = 201, body = PurchaseOrder),
              (status = 422, description = "An unknown or archived supplier, a location, SKU, quantity or cost that cannot be", body = Problem, content_type = "application/problem+json")))]
pub fn create_purchase_order() {}

/// One order with its lines and deliveries.
#[utoipa::path(get, path = "/api/v1/purchase-orders/{id}", tag = "purchasing",
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, body = PurchaseOrder), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_purchase_order() {}

/// Change a draft: only the fields sent; `lines` replaces every line.
#[utoipa::path(patch, path = "/api/v1/purchase-orders/{id}", tag = "purchasing", request_body = PurchaseOrderPatch,
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, body = PurchaseOrder),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The order was sent already", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "No field, or an invalid one", body = Problem, content_type = "application/problem+json")))]
pub fn change_purchase_order() {}

/// Send a draft to the supplier: its lines become incoming stock at its location.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/order", tag = "purchasing",
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, body = PurchaseOrder),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A draft without lines, or its location is deactivated", body = Problem, content_type = "application/problem+json")))]
pub fn place_purchase_order() {}

/// Call off a draft, or an order nothing of which has arrived: what it had incoming goes.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/cancel", tag = "purchasing",
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, body = PurchaseOrder),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Something was received, or it is cancelled already", body = Problem, content_type = "application/problem+json")))]
pub fn cancel_purchase_order() {}

/// Receive a delivery against an order: each line into stock through the ledger (one
/// `RestockReceived` naming the order per SKU), out of incoming, and into the average cost.
/// More than remains of a line is refused unless the line allows it.
#[utoipa::path(post, path = "/api/v1/purchase-orders/{id}/receipts", tag = "purchasing", request_body = ReceiptInput,
    params(("id" = String, Path, description = "The order's id"), ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = ReceiptView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The order is not open (a draft, received or cancelled), a serial number received is on the shelf already, or the idempotency key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A SKU not on the order, more than remains, or an invalid field", body = Problem, content_type = "application/problem+json")))]
pub fn receive_purchase_order() {}

/// Turn chosen reorder suggestions into draft orders, one per supplier (the line's, else the
/// product's preferred supplier).
#[utoipa::path(post, path = "/api/v1/reorder-suggestions/purchase-orders", tag = "purchasing", request_body = SuggestedOrdersInput,
    responses((status = 201, body = PurchaseOrderList),
              (status = 422, description = "A line without a supplier, an unknown SKU or supplier, or an invalid field", body = Problem, content_type = "application/problem+json")))]
pub fn orders_from_suggestions() {}

/// A SKU's moving weighted average cost and the latest 100 receipts that moved it (costs only
/// for managers and admins).
#[utoipa::path(get, path = "/api/v1/inventory/{sku}/costs", tag = "purchasing",
    params(("sku" = inline(web::schema::Sku), Path)),
    responses((status = 200, body = CostHistory), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn item_costs() {}

/// The stock levels the listing's filters select as CSV (one row per SKU and location),
/// streamed.
#[utoipa::path(get, path = "/api/v1/inventory/export.csv", tag = "inventory", params(StockExportParams),
    responses((status = 200, description = "The levels as CSV", content_type = "text/csv", body = String),
              (status = 400, description = "A filter that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn export_stock() {}

/// Ledger entries as CSV, oldest first, by SKU, location, kind and time, streamed.
#[utoipa::path(get, path = "/api/v1/movements/export.csv", tag = "inventory", params(MovementExportParams),
    responses((status = 200, description = "The entries as CSV", content_type = "text/csv", body = String),
              (status = 400, description = "A filter that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn export_movements() {}

/// Every line of the orders the filters select as CSV, newest order first, streamed (costs
/// only for managers and admins).
#[utoipa::path(get, path = "/api/v1/purchase-orders/export.csv", tag = "purchasing", params(PurchaseOrderExportParams),
    responses((status = 200, description = "The lines as CSV", content_type = "text/csv", body = String),
              (status = 400, description = "A filter that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn export_purchase_orders() {}

/// One order's lines as CSV, to send to the supplier or file.
#[utoipa::path(get, path = "/api/v1/purchase-orders/{id}/export.csv", tag = "purchasing",
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, description = "The order as CSV", content_type = "text/csv", body = String),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn export_purchase_order() {}

/// Set now the low-stock threshold and reorder quantity of every level that follows the
/// forecast (the inventory also does it every six hours).
#[utoipa::path(post, path = "/api/v1/reorder-suggestions/thresholds", tag = "suppliers",
    responses((status = 200, body = ThresholdRefresh)))]
pub fn refresh_thresholds() {}

/// A unit found by its serial number (case does not matter): its product, where it is, the
/// sale and customer, the warranty's last day and everything that happened to it.
#[utoipa::path(get, path = "/api/v1/serials/{serial}", tag = "serials",
    params(("serial" = inline(web::schema::SerialNumber), Path)),
    responses((status = 200, body = SerialLookup),
              (status = 404, description = "The shop has never had a unit with this serial number", body = Problem, content_type = "application/problem+json")))]
pub fn serial_lookup() {}

/// A serialized SKU's units in one state (on the shelf unless another is asked), by serial
/// number, at most 500.
#[utoipa::path(get, path = "/api/v1/inventory/{sku}/serials", tag = "serials",
    params(("sku" = inline(web::schema::Sku), Path), SerialListParams),
    responses((status = 200, body = SerialList),
              (status = 400, description = "A filter that cannot be one", body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn item_serials() {}

/// Warranty cases, newest first.
#[utoipa::path(get, path = "/api/v1/rmas", tag = "rmas", params(RmaListParams),
    responses((status = 200, body = RmaPage),
              (status = 400, description = "A filter or cursor that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn list_rmas() {}

/// Open a warranty case on a unit found by its serial number: a sold unit is taken back from
/// its customer (it leaves the customer's hands, not the shelf); a faulty unit of the shop's
/// is handled where it is.
#[utoipa::path(post, path = "/api/v1/rmas", tag = "rmas", request_body = RmaInput,
    responses((status = 201, body = RmaView),
              (status = 404, description = "The shop has never had a unit with this serial number", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The unit cannot be taken back now", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A unit neither sold nor faulty, one with an open case, or an invalid field", body = Problem, content_type = "application/problem+json")))]
pub fn open_rma() {}

/// A warranty case with its history and the states it may go to next.
#[utoipa::path(get, path = "/api/v1/rmas/{id}", tag = "rmas",
    params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, body = RmaView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_rma() {}

/// Move a case to its next state. Sent to the supplier: the unit leaves the shop. Repaired
/// or rejected: a customer's unit goes back to the customer, the shop's onto the shelf when
/// sound. Replaced: the supplier keeps the unit and the replacement goes to the customer
/// (from the shelf when it is on it) or, for the shop's own unit, onto the shelf. Refunded:
/// the supplier keeps the unit. Every unit onto or off the shelf is an `rma` ledger entry.
#[utoipa::path(post, path = "/api/v1/rmas/{id}/steps", tag = "rmas", request_body = RmaStepInput,
    params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, body = RmaView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The case's state does not allow the step, or the replacement cannot be used", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A missing supplier or replacement, or an invalid field", body = Problem, content_type = "application/problem+json")))]
pub fn step_rma() {}

/// A note on a case (a call to the customer, the supplier's RMA number…).
#[utoipa::path(post, path = "/api/v1/rmas/{id}/notes", tag = "rmas", request_body = RmaNoteInput,
    params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, body = RmaView),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub fn note_rma() {}
