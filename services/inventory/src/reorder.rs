//! Reorder suggestions: for each product at a location, a forecast of its demand from the
//! ledger's sales (see the `forecast` crate and docs/forecasting.md), the reorder point for the
//! preferred supplier's lead time and the shop's service level, and what to order now, grouped
//! by supplier, after what is on hand and what open purchase orders are still to bring.

use std::collections::BTreeMap;
use std::sync::Arc;

use forecast::reorder::REVIEW_DAYS;
use inventory_api::reorder::{ReorderGroup, ReorderLine, ReorderParams, ReorderSuggestions};
use kernel::{FieldErrors, LocationCode};

use crate::error::InventoryError;
use crate::store::InventoryStore;

/// The days of sales a forecast learns from: half a year, enough for trend and season.
pub const HISTORY_DAYS: u32 = 182;
/// The lead time of a product without a preferred supplier.
pub const DEFAULT_LEAD_TIME_DAYS: i64 = 7;

pub struct Reorder {
    store: Arc<InventoryStore>,
}

impl Reorder {
    pub fn new(store: Arc<InventoryStore>) -> Reorder {
        Reorder { store }
    }

    /// The suggestions for `params.location` as of `now_ms`.
    pub async fn suggestions(
        &self,
        params: &ReorderParams,
        now_ms: i64,
    ) -> Result<ReorderSuggestions, InventoryError> {
        let mut errors = FieldErrors::new();
        let location = match params.location.as_deref() {
            None => Some(LocationCode::main()),
            Some(raw) => errors.check("location", LocationCode::parse(raw)),
        };
        let service_level = params.service_level.unwrap_or(95);
        if !(50..=99).contains(&service_level) {
            errors.push("service_level", "must be between 50 and 99");
        }
        let location = errors
            .finish_parsed(location)
            .map_err(InventoryError::Validation)?;
        let location = location.as_str().to_owned();
        if self.store.location(&location).await?.is_none() {
            return Err(InventoryError::LocationNotFound(location));
        }
        let preferred = self.store.preferred_suppliers().await?;
        let mut groups: BTreeMap<Option<String>, ReorderGroup> = BTreeMap::new();
        for demand in self.store.demand(&location, HISTORY_DAYS, now_ms).await? {
            let supplier = preferred.get(&demand.sku);
            let lead_time_days = supplier.map_or(DEFAULT_LEAD_TIME_DAYS, |s| s.lead_time_days);
            let policy = forecast::Policy {
                lead_time_days: u32::try_from(lead_time_days).unwrap_or(0),
                review_days: REVIEW_DAYS,
                service_level: f64::from(service_level) / 100.0,
            };
            let horizon = (lead_time_days.max(1) + i64::from(REVIEW_DAYS)) as usize;
            let predicted = forecast::forecast(&demand.daily, horizon);
            let incoming = demand.incoming;
            let suggestion = forecast::suggest(&predicted, policy, demand.on_hand, incoming);
            if suggestion.quantity == 0 && params.all != Some(true) {
                continue;
            }
            let group = groups
                .entry(supplier.map(|s| s.supplier_id.clone()))
                .or_insert_with(|| ReorderGroup {
                    supplier_id: supplier.map(|s| s.supplier_id.clone()),
                    supplier_name: supplier.map(|s| s.supplier_name.clone()),
                    lines: Vec::new(),
                });
            group.lines.push(ReorderLine {
                sku: demand.sku,
                name: demand.name,
                on_hand: demand.on_hand,
                incoming,
                method: predicted.method.as_str().to_owned(),
                forecast_daily: round2(predicted.over(7) / 7.0),
                lead_time_days,
                lead_time_demand: round2(suggestion.lead_time_demand),
                safety_stock: round2(suggestion.safety_stock),
                reorder_point: suggestion.reorder_point,
                order_up_to: suggestion.order_up_to,
                suggested_quantity: suggestion.quantity,
            });
        }
        Ok(ReorderSuggestions {
            location,
            service_level,
            history_days: HISTORY_DAYS,
            groups: groups.into_values().collect(),
        })
    }
}

impl Reorder {
    /// Sets the threshold and reorder quantity of every level that follows the forecast: the
    /// reorder point at the default service level, and what brings stock from there up to a
    /// week beyond the lead time. Returns how many levels changed.
    pub async fn refresh_thresholds(&self, now_ms: i64) -> Result<usize, InventoryError> {
        let following = self.store.levels_following_forecast().await?;
        let mut by_location: BTreeMap<String, Vec<crate::domain::Level>> = BTreeMap::new();
        for level in following {
            by_location.entry(level.location.clone()).or_default().push(level);
        }
        let mut changed = 0;
        for (location, levels) in by_location {
            let params = ReorderParams {
                location: Some(location.clone()),
                service_level: None,
                all: Some(true),
            };
            let suggestions = self.suggestions(&params, now_ms).await?;
            let lines: BTreeMap<&str, &ReorderLine> = suggestions
                .groups
                .iter()
                .flat_map(|g| &g.lines)
                .map(|l| (l.sku.as_str(), l))
                .collect();
            for level in levels {
                let Some(line) = lines.get(level.sku.as_str()) else {
                    continue;
                };
                let threshold = line.reorder_point.clamp(0, kernel::quantity::MAX_MOVE);
                let reorder = (line.order_up_to - line.reorder_point).clamp(0, kernel::quantity::MAX_MOVE);
                if (threshold, reorder) == (level.low_stock_threshold, level.reorder_quantity) {
                    continue;
                }
                let settings = crate::domain::LevelSettings {
                    sku: level.sku.clone(),
                    location: LocationCode::parse(&location)
                        .map_err(|_| InventoryError::UnknownLocation(location.clone()))?,
                    low_stock_threshold: threshold,
                    reorder_quantity: reorder,
                    follows_forecast: true,
                    origin: crate::domain::Origin {
                        actor: Some("forecast".into()),
                        correlation_id: None,
                    },
                };
                self.store.settings(&settings).await?;
                changed += 1;
            }
        }
        Ok(changed)
    }
}

/// Two decimals are plenty for a person reading a forecast.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
