//! The inventory's lists as CSV, with the listings' filters, streamed page by page: stock
//! levels, ledger entries, and purchase orders (one row per line; one order, or every order a
//! filter selects). Costs only for managers and admins.

use axum::extract::{Path, State};
use axum::response::Response;
use inventory_api::inputs::{MovementExportParams, StockExportParams};
use inventory_api::purchase_orders::{PurchaseOrder, PurchaseOrderExportParams, PurchaseOrderListParams};
use time::format_description::well_known::Rfc3339;
use web::csv_export::{self, field};
use web::{Actor, Problem, Query, costs};

use super::{AppState, location_param};
use crate::error::InventoryError;
use crate::store::ledger::MovementFilter;
use crate::store::levels::ListFilter;

/// Rows read from the database at a time (orders: 50, each with its lines).
const PAGE: u32 = 500;

pub async fn stock(
    State(app): State<AppState>,
    Query(params): Query<StockExportParams>,
) -> Result<Response, Problem> {
    let filter = ListFilter {
        location: location_param(params.location.as_deref())?.map(|l| l.as_str().to_owned()),
        below_threshold: params.below_threshold.unwrap_or(false),
        text: web::extract::query_text("q", params.q, 200)?,
    };
    let header = [
        "sku",
        "name",
        "active",
        "location",
        "on_hand",
        "reserved",
        "available",
        "incoming",
        "low_stock_threshold",
        "reorder_quantity",
    ];
    Ok(csv_export::response(
        "stock.csv",
        &header,
        move |after: Option<String>| {
            let app = app.clone();
            let filter = filter.clone();
            async move {
                let page = app.stock.list(&filter, after.as_deref(), PAGE).await?;
                let next = (page.len() == PAGE as usize).then(|| page.last().map(|(i, _)| i.sku.clone()));
                let rows = page
                    .iter()
                    .flat_map(|(item, levels)| {
                        levels.iter().map(move |l| {
                            vec![
                                item.sku.clone(),
                                item.name.clone(),
                                item.active.to_string(),
                                l.location.clone(),
                                l.on_hand.to_string(),
                                l.reserved.to_string(),
                                l.available().to_string(),
                                l.incoming.to_string(),
                                l.low_stock_threshold.to_string(),
                                l.reorder_quantity.to_string(),
                            ]
                        })
                    })
                    .collect();
                Ok::<_, InventoryError>((rows, next.flatten()))
            }
        },
    ))
}

pub async fn movements(
    State(app): State<AppState>,
    Query(params): Query<MovementExportParams>,
) -> Result<Response, Problem> {
    let invalid =
        |name: &str, reason: &str| Problem::bad_request("invalid-query", format!("{name} {reason}"));
    let time = |name: &str, raw: Option<&str>| {
        raw.map(|raw| {
            time::OffsetDateTime::parse(raw, &Rfc3339)
                .map(storage::clock::millis)
                .map_err(|_| invalid(name, "must be an RFC 3339 date and time"))
        })
        .transpose()
    };
    let filter = MovementFilter {
        sku: params
            .sku
            .as_deref()
            .map(|s| kernel::Sku::parse(s).map(kernel::Sku::into_string))
            .transpose()
            .map_err(|r| invalid("sku", &r))?,
        location: location_param(params.location.as_deref())?.map(|l| l.as_str().to_owned()),
        kind: params.kind,
        from_ms: time("from", params.from.as_deref())?,
        to_ms: time("to", params.to.as_deref())?,
    };
    let header = [
        "id",
        "created_at",
        "sku",
        "location",
        "kind",
        "quantity",
        "on_hand_before",
        "on_hand_after",
        "reason",
        "reference",
        "note",
        "actor",
    ];
    Ok(csv_export::response(
        "movements.csv",
        &header,
        move |after: Option<i64>| {
            let app = app.clone();
            let filter = filter.clone();
            async move {
                let page = app
                    .stock
                    .store()
                    .movements_matching(&filter, after.unwrap_or(0), PAGE)
                    .await?;
                let next = (page.len() == PAGE as usize).then(|| page.last().map(|m| m.id));
                let rows = page
                    .into_iter()
                    .map(|m| {
                        vec![
                            m.id.to_string(),
                            m.created_at.format(&Rfc3339).unwrap_or_default(),
                            m.sku,
                            m.location,
                            m.kind.as_str().to_owned(),
                            m.quantity.to_string(),
                            m.on_hand_before.to_string(),
                            m.on_hand_after.to_string(),
                            field(m.reason.map(|r| r.as_str())),
                            field(m.reference),
                            field(m.note),
                            field(m.actor),
                        ]
                    })
                    .collect();
                Ok::<_, InventoryError>((rows, next.flatten()))
            }
        },
    ))
}

/// Every line of the orders the filters select, newest order first.
pub async fn purchase_orders(
    State(app): State<AppState>,
    actor: Actor,
    Query(params): Query<PurchaseOrderExportParams>,
) -> Result<Response, Problem> {
    let filter = super::purchase_orders::filter(&PurchaseOrderListParams {
        status: params.status,
        supplier_id: params.supplier_id,
        location: params.location,
        sku: params.sku,
        ..PurchaseOrderListParams::default()
    })?;
    let with_costs = costs::visible_to(&actor);
    Ok(csv_export::response(
        "purchase-orders.csv",
        &order_header(with_costs),
        move |before: Option<i64>| {
            let app = app.clone();
            let filter = filter.clone();
            async move {
                let page = app.purchase_orders.list(&filter, before, 50).await?;
                let next = (page.len() == 50).then(|| page.last().map(|o| o.number));
                let rows = page.iter().flat_map(|o| order_rows(o, with_costs)).collect();
                Ok::<_, InventoryError>((rows, next.flatten()))
            }
        },
    ))
}

/// One order's lines, to send or file.
pub async fn purchase_order(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, InventoryError> {
    let order = app.purchase_orders.get(&id).await?;
    let with_costs = costs::visible_to(&actor);
    let filename = format!("PO-{:06}.csv", order.number);
    let rows = order_rows(&order, with_costs);
    Ok(csv_export::response(
        &filename,
        &order_header(with_costs),
        move |_: Option<()>| {
            let rows = rows.clone();
            async move { Ok::<_, InventoryError>((rows, None)) }
        },
    ))
}

fn order_header(with_costs: bool) -> Vec<&'static str> {
    let mut header = vec![
        "order",
        "status",
        "supplier",
        "location",
        "expected_at",
        "ordered_at",
        "sku",
        "supplier_sku",
        "name",
        "quantity",
        "received",
        "remaining",
    ];
    if with_costs {
        header.extend(["unit_cost_cents", "line_cost_cents"]);
    }
    header
}

fn order_rows(order: &PurchaseOrder, with_costs: bool) -> Vec<Vec<String>> {
    order
        .lines
        .iter()
        .map(|line| {
            let mut row = vec![
                format!("PO-{:06}", order.number),
                order.status.as_str().to_owned(),
                order.supplier_name.clone(),
                order.location.clone(),
                field(order.expected_at.clone()),
                field(order.ordered_at.and_then(|t| t.format(&Rfc3339).ok())),
                line.sku.clone(),
                field(line.supplier_sku.clone()),
                line.name.clone(),
                line.quantity.to_string(),
                line.received.to_string(),
                line.remaining.to_string(),
            ];
            if with_costs {
                // At most 10⁶ units at 10¹⁰ cents: within i64.
                row.extend([
                    line.unit_cost_cents.to_string(),
                    (line.quantity * line.unit_cost_cents).to_string(),
                ]);
            }
            row
        })
        .collect()
}
