//! Every route of the reports with its OpenAPI description. The functions are the operations'
//! names in the document; the service's handlers serve them.

use web::Problem;

use crate::inputs::*;
use crate::views::*;

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(sales_report, tax_report, shifts_report, stock_report),
    components(schemas(Grouping, Figures, SalesRow, Period, Comparison, SalesReport, TaxRow, TaxReport,
                       ShiftRow, TillFigures, ShiftsReport, ValuationRow, StockTotals, StockItem, StockReport)),
    tags((name = "reports", description = "Figures over periods, from the reporting service's rollups"))
)]
pub struct ReportsApi;

/// Sales over a period, grouped by day, week, month, product, category, brand, location,
/// staff member, payment method or tax rate, with the totals of the period before of the same
/// length. `Accept: text/csv` answers the rows as CSV.
///
/// Sales count on the day they were rung up, returns and voids on the day they happened (UTC
/// days). By payment method, returns and voids are spread over the methods in proportion to
/// what each took for the sale.
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "reports", params(SalesParams),
    responses((status = 200, content((SalesReport = "application/json"), (String = "text/csv"))),
              (status = 400, description = "A bad date or period", body = Problem, content_type = "application/problem+json")))]
pub fn sales_report() {}

/// Net and tax per rate over a period, returns and voids taken off: what the shop files.
/// `Accept: text/csv` answers the rates as CSV.
#[utoipa::path(get, path = "/api/v1/reports/tax", tag = "reports", params(PeriodParams),
    responses((status = 200, content((TaxReport = "application/json"), (String = "text/csv"))),
              (status = 400, description = "A bad date or period", body = Problem, content_type = "application/problem+json")))]
pub fn tax_report() {}

/// The shifts closed in a period with their cash counts, and over and short per till.
/// `Accept: text/csv` answers the shifts as CSV.
#[utoipa::path(get, path = "/api/v1/reports/shifts", tag = "reports", params(PeriodParams),
    responses((status = 200, content((ShiftsReport = "application/json"), (String = "text/csv"))),
              (status = 400, description = "A bad date or period", body = Problem, content_type = "application/problem+json")))]
pub fn shifts_report() {}

/// The stock now and against a window of sales: its value at cost and at retail by location
/// and category, dead stock (stock and no sale in the window) and what it ties up, and per
/// product its sell-through, days of inventory, turnover and ABC class by net sales.
/// `Accept: text/csv` answers the products as CSV. Asks the inventory for today's stock, so it
/// answers 502 while the inventory cannot be reached.
#[utoipa::path(get, path = "/api/v1/reports/stock", tag = "reports", params(StockParams),
    responses((status = 200, content((StockReport = "application/json"), (String = "text/csv"))),
              (status = 400, description = "A bad day, window or location", body = Problem, content_type = "application/problem+json"),
              (status = 502, description = "The inventory did not answer", body = Problem, content_type = "application/problem+json")))]
pub fn stock_report() {}
