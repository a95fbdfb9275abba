//! Every route of the sales service with its OpenAPI description. The functions are the
//! operations' names in the document; the service's handlers serve them (utoipa attaches a
//! path's description to a function, and the contract has no handlers).

use web::Problem;

use crate::inputs::*;
use crate::shifts::*;
use crate::views::*;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_sale, list_sales, get_sale, void_sale, return_items, summary,
          list_customers, create_customer, get_customer, change_customer, archive_customer,
          customer_sales, open_shift, list_shifts, get_shift, move_cash, shift_report, close_shift,
          export_sales, export_customers),
    components(schemas(SaleInput, LineInput, ApprovalInput, Sale, Line, HistoryEntry,
                       SalePage, ReturnInput, ReturnLineInput, Summary, MethodFigures,
                       DayFigures, ProductFigures, CustomerInput, CustomerPatch, Customer, CustomerPage,
                       RefundInput, RefundReason, ShiftInput, CashMovementInput, CloseInput, Shift,
                       ShiftPage, CashMovement, ShiftReport)),
    tags((name = "sales", description = "The counter: sales, voids, returns, the dashboard summary"),
         (name = "customers", description = "The shop's customers and their purchases"),
         (name = "shifts", description = "Till shifts: float, cash in and out, the X and Z reports"))
)]
pub struct SalesApi;

/// Record a sale: priced from the catalog, all lines reserved or none. Send an
/// `Idempotency-Key` header to make retries harmless.
#[utoipa::path(post, path = "/api/v1/sales", tag = "sales", request_body = SaleInput,
    params(("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = Sale),
              (status = 403, description = "Discounts beyond the shop's limit without an approval (`approval-required`, the lines in `errors`), or an approval refused (`approval-refused`)", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not enough stock for some lines (listed), or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid lines, unknown SKUs, an unknown or archived customer, or a key reused with another body", body = Problem, content_type = "application/problem+json"),
              (status = 429, description = "Too many wrong approvals: the approving manager is locked out for a while", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "Inventory unavailable; nothing recorded (Retry-After)", body = Problem, content_type = "application/problem+json")))]
pub fn create_sale() {}

/// One sale with its lines and status history.
#[utoipa::path(get, path = "/api/v1/sales/{id}", tag = "sales", params(("id" = String, Path, description = "The sale's id")),
    responses((status = 200, body = Sale), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_sale() {}

/// Void a sale: every unit not yet returned goes back to stock and its money back. The body
/// (why, how the money goes back, the till's shift, a manager's approval) may be left out.
#[utoipa::path(post, path = "/api/v1/sales/{id}/void", tag = "sales",
    params(("id" = String, Path, description = "The sale's id"),
           ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    request_body(content = Option<RefundInput>, description = "Optional"),
    responses((status = 200, body = Sale),
              (status = 403, description = "A clerk's refund above the shop's limit without an approval (`approval-required`), or an approval refused", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "Already voided or fully returned, the shift named is closed, or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "A reason `other` without a note, a shift that does not exist, a cash refund without a shift where the shop requires one, or a key reused with another body", body = Problem, content_type = "application/problem+json")))]
pub fn void_sale() {}

/// Take back part of a sale, restocked or written off; never more than was sold.
#[utoipa::path(post, path = "/api/v1/sales/{id}/returns", tag = "sales", request_body = ReturnInput,
    params(("id" = String, Path, description = "The sale's id"),
           ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 200, body = Sale),
              (status = 403, description = "A clerk's refund above the shop's limit without an approval (`approval-required`), or an approval refused", body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The sale is voided or fully returned, the shift named is closed, or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "Invalid lines, a SKU not on the sale, more units than can still be returned, a reason `other` without a note, a cash refund without a shift where the shop requires one, or a key reused with another body", body = Problem, content_type = "application/problem+json")))]
pub fn return_items() {}

/// Sales, newest first.
#[utoipa::path(get, path = "/api/v1/sales", tag = "sales", params(ListParams), responses((status = 200, body = SalePage)))]
pub fn list_sales() {}

/// Count, revenue, units, average basket, by payment method and by day; the last 30 days by
/// default.
#[utoipa::path(get, path = "/api/v1/sales/summary", tag = "sales", params(SummaryParams),
    responses((status = 200, body = Summary)))]
pub fn summary() {}

/// Customers in name order; `q` finds them by name, phone, email or notes.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(CustomerListParams),
    responses((status = 200, body = CustomerPage)))]
pub fn list_customers() {}

/// Record a customer (the counter may).
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = Customer),
              (status = 422, description = "A missing name or an invalid field", body = Problem, content_type = "application/problem+json")))]
pub fn create_customer() {}

/// One customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "The customer's id")),
    responses((status = 200, body = Customer), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_customer() {}

/// Change a customer's name, phone, email or notes: only the fields sent change.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", request_body = CustomerPatch,
    params(("id" = String, Path, description = "The customer's id")),
    responses((status = 200, body = Customer),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "No field, or an invalid one", body = Problem, content_type = "application/problem+json")))]
pub fn change_customer() {}

/// Archive a customer (managers): their sales keep them; new sales cannot name them.
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "The customer's id")),
    responses((status = 204, description = "Archived"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn archive_customer() {}

/// A customer's purchases, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/sales", tag = "customers",
    params(("id" = String, Path, description = "The customer's id"), HistoryParams),
    responses((status = 200, body = SalePage), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn customer_sales() {}

/// Open a shift on a till with its float; one open shift per till.
#[utoipa::path(post, path = "/api/v1/shifts", tag = "shifts", request_body = ShiftInput,
    params(("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = Shift),
              (status = 409, description = "The till has an open shift (`shift-already-open`, its id in `shift_id`), or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "An invalid field, a location that does not exist or is inactive, or a key reused with another body", body = Problem, content_type = "application/problem+json")))]
pub fn open_shift() {}

/// Shifts, newest first.
#[utoipa::path(get, path = "/api/v1/shifts", tag = "shifts", params(ShiftListParams),
    responses((status = 200, body = ShiftPage)))]
pub fn list_shifts() {}

/// One shift.
#[utoipa::path(get, path = "/api/v1/shifts/{id}", tag = "shifts",
    params(("id" = String, Path, description = "The shift's id")),
    responses((status = 200, body = Shift), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn get_shift() {}

/// Cash paid into or out of an open shift's drawer.
#[utoipa::path(post, path = "/api/v1/shifts/{id}/cash-movements", tag = "shifts", request_body = CashMovementInput,
    params(("id" = String, Path, description = "The shift's id"),
           ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 201, body = CashMovement),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The shift is closed, or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "An invalid field, or a key reused with another body", body = Problem, content_type = "application/problem+json")))]
pub fn move_cash() {}

/// The X report of an open shift (managers and admins: the till is counted blind), or the Z
/// report of a closed one.
#[utoipa::path(get, path = "/api/v1/shifts/{id}/report", tag = "shifts",
    params(("id" = String, Path, description = "The shift's id")),
    responses((status = 200, body = ShiftReport),
              (status = 403, description = "The X report of an open shift asked by a clerk or a viewer", body = Problem, content_type = "application/problem+json"),
              (status = 404, body = Problem, content_type = "application/problem+json")))]
pub fn shift_report() {}

/// Close a shift with the cash counted: the Z report (numbered per till) is the answer, and
/// ShiftClosed is published. A closed shift never changes.
#[utoipa::path(post, path = "/api/v1/shifts/{id}/close", tag = "shifts", request_body = CloseInput,
    params(("id" = String, Path, description = "The shift's id"),
           ("Idempotency-Key" = inline(Option<web::schema::IdempotencyKey>), Header, nullable = false, description = "Retries with the same key get the first answer")),
    responses((status = 200, body = ShiftReport),
              (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, description = "The shift is closed already, or the key is in use", body = Problem, content_type = "application/problem+json"),
              (status = 422, description = "An invalid field, or a key reused with another body", body = Problem, content_type = "application/problem+json")))]
pub fn close_shift() {}

/// Every line of the sales the filters select as CSV, newest sale first, streamed.
#[utoipa::path(get, path = "/api/v1/sales/export.csv", tag = "sales", params(SalesExportParams),
    responses((status = 200, description = "One row per sale line", content_type = "text/csv", body = String),
              (status = 400, description = "A filter that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn export_sales() {}

/// The customers the filters select as CSV, in name order, streamed (clerks and up: personal data).
#[utoipa::path(get, path = "/api/v1/customers/export.csv", tag = "customers", params(CustomerExportParams),
    responses((status = 200, description = "One row per customer", content_type = "text/csv", body = String),
              (status = 400, description = "A filter that cannot be one", body = Problem, content_type = "application/problem+json")))]
pub fn export_customers() {}
