//! `/api/v1/serials/{serial}`: a unit found by its serial number, with its warranty and its
//! history; `/api/v1/inventory/{sku}/serials`: a SKU's units in one state.

use axum::extract::{Path, State};
use inventory_api::serials::{MAX_UNITS, SerialList, SerialListParams, SerialLookup};
use kernel::serial::{SerialNumber, SerialState};
use time::OffsetDateTime;
use web::{Json, Problem, Query};

use super::{AppState, location_param, views};
use crate::error::InventoryError;
use crate::stock::known_sku;
use crate::store::rmas::RmaFilter;

pub async fn lookup(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<SerialLookup>, InventoryError> {
    // Text that cannot be a serial number names no unit the shop has had.
    let serial = SerialNumber::parse(&raw).map_err(|_| InventoryError::SerialNotFound(raw.clone()))?;
    let records = app.stock.store().serial_records(&serial).await?;
    if records.is_empty() {
        return Err(InventoryError::SerialNotFound(serial.to_string()));
    }
    let filter = RmaFilter {
        state: None,
        serial: Some(serial.to_string()),
    };
    let cases = app.rmas.list(&filter, None, 100).await?;
    let today = OffsetDateTime::now_utc().date();
    Ok(Json(SerialLookup {
        serial: serial.to_string(),
        units: records
            .iter()
            .map(|r| views::serial((&r.unit, &r.name, &r.history), &cases, today))
            .collect(),
    }))
}

pub async fn of_item(
    State(app): State<AppState>,
    Path(sku): Path<String>,
    Query(params): Query<SerialListParams>,
) -> Result<Json<SerialList>, Problem> {
    let (item, _) = app.stock.stock(&known_sku(&sku)?).await?;
    let location = location_param(params.location.as_deref())?;
    let units = app
        .stock
        .store()
        .serial_units(
            &item.sku,
            location.as_ref().map(|l| l.as_str()),
            params.state.unwrap_or(SerialState::InStock),
            MAX_UNITS,
        )
        .await?;
    let today = OffsetDateTime::now_utc().date();
    Ok(Json(SerialList {
        items: units
            .iter()
            .map(|u| views::serial((u, &item.name, &[]), &[], today))
            .collect(),
    }))
}
