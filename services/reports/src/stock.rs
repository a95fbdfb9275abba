//! The stock report's arithmetic, no I/O: today's stock (from the inventory) set against a
//! window of sales (from the rollups), product by product and by location and category.

use std::collections::{BTreeMap, HashMap};

use inventory_api::valuation::StockValueLine;
use reports_api::views::{StockItem, StockTotals, ValuationRow};

use crate::domain::Tally;

/// What the report knows of a product besides its stock.
#[derive(Debug, Clone, Default)]
pub struct ProductFacts {
    pub name: String,
    pub category: String,
    /// Its figures over the window.
    pub window: Tally,
    /// The last day it sold on, up to the window's end.
    pub last_sold: Option<String>,
}

/// Valuation rows by location and category, the totals, and every product with stock or
/// sales in the window, the most valuable at cost first.
pub fn stock_figures(
    lines: &[StockValueLine],
    facts: &HashMap<String, ProductFacts>,
    days: i64,
) -> (Vec<ValuationRow>, StockTotals, Vec<StockItem>) {
    let unknown = ProductFacts::default();
    let facts_of = |sku: &str| facts.get(sku).unwrap_or(&unknown);
    let mut valuation: BTreeMap<(String, String), ValuationRow> = BTreeMap::new();
    let mut totals = StockTotals::default();
    let mut on_hand: BTreeMap<&str, (i64, Option<i64>)> = BTreeMap::new();
    for line in lines {
        let entry = on_hand.entry(&line.sku).or_insert((0, line.unit_cost_cents));
        entry.0 += line.on_hand;
        if line.on_hand <= 0 {
            continue;
        }
        let category = facts_of(&line.sku).category.clone();
        let row = valuation
            .entry((line.location.clone(), category.clone()))
            .or_insert(ValuationRow {
                location: line.location.clone(),
                category,
                skus: 0,
                units: 0,
                at_cost_cents: 0,
                at_retail_cents: 0,
            });
        row.skus += 1;
        row.units += line.on_hand;
        let at_cost = line.unit_cost_cents.and_then(|c| c.checked_mul(line.on_hand));
        let at_retail = line.price_cents.and_then(|p| p.checked_mul(line.on_hand));
        row.at_cost_cents = row.at_cost_cents.saturating_add(at_cost.unwrap_or(0));
        row.at_retail_cents = row.at_retail_cents.saturating_add(at_retail.unwrap_or(0));
        if at_cost.is_none() || at_retail.is_none() {
            totals.unpriced_skus += 1;
        }
    }
    for row in valuation.values() {
        totals.skus += row.skus;
        totals.units += row.units;
        totals.at_cost_cents = totals.at_cost_cents.saturating_add(row.at_cost_cents);
        totals.at_retail_cents = totals.at_retail_cents.saturating_add(row.at_retail_cents);
    }

    // Every product with stock or sales, with its ABC class by net sales.
    let mut skus: Vec<&str> = on_hand.keys().copied().collect();
    for (sku, f) in facts {
        if f.window.sales > 0 && !on_hand.contains_key(sku.as_str()) {
            skus.push(sku);
        }
    }
    let classes = abc(facts);
    let mut items: Vec<StockItem> = skus
        .into_iter()
        .map(|sku| {
            let f = facts_of(sku);
            let (stock, cost) = on_hand.get(sku).copied().unwrap_or((0, None));
            let sold = f.window.units - f.window.returned_units - f.window.voided_units;
            let held = stock.max(0);
            let dead = held > 0 && f.window.sales == 0;
            StockItem {
                sku: sku.to_owned(),
                name: if f.name.is_empty() {
                    sku.to_owned()
                } else {
                    f.name.clone()
                },
                category: f.category.clone(),
                on_hand: stock,
                unit_cost_cents: cost,
                value_at_cost_cents: cost.and_then(|c| c.checked_mul(held)),
                sold_units: sold,
                net_sales_cents: f.window.kept_net_cents(),
                last_sold: f.last_sold.clone(),
                dead,
                sell_through_percent: (sold + held > 0 && sold >= 0)
                    .then(|| round1(sold as f64 * 100.0 / (sold + held) as f64)),
                days_of_inventory: (sold > 0).then(|| held.saturating_mul(days) / sold),
                turnover: (held > 0 && sold > 0)
                    .then(|| round1(sold as f64 * 365.0 / days as f64 / held as f64)),
                abc: classes.get(sku).copied().unwrap_or('C').to_string(),
            }
        })
        .collect();
    for item in items.iter().filter(|i| i.dead) {
        totals.dead_skus += 1;
        totals.dead_units += item.on_hand;
        totals.dead_at_cost_cents = totals
            .dead_at_cost_cents
            .saturating_add(item.value_at_cost_cents.unwrap_or(0));
    }
    items.sort_by(|a, b| {
        b.value_at_cost_cents
            .unwrap_or(0)
            .cmp(&a.value_at_cost_cents.unwrap_or(0))
            .then_with(|| a.sku.cmp(&b.sku))
    });
    (valuation.into_values().collect(), totals, items)
}

/// Each SKU that sold in the window: `A` while the share of net sales before it is under
/// 80 %, `B` under 95 %, `C` after.
fn abc(facts: &HashMap<String, ProductFacts>) -> HashMap<&str, char> {
    let mut selling: Vec<(&str, i64)> = facts
        .iter()
        .map(|(sku, f)| (sku.as_str(), f.window.kept_net_cents()))
        .filter(|(_, net)| *net > 0)
        .collect();
    selling.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let total: i128 = selling.iter().map(|(_, n)| i128::from(*n)).sum();
    let mut before: i128 = 0;
    selling
        .into_iter()
        .map(|(sku, net)| {
            let class = if before * 100 < total * 80 {
                'A'
            } else if before * 100 < total * 95 {
                'B'
            } else {
                'C'
            };
            before += i128::from(net);
            (sku, class)
        })
        .collect()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, location: &str, on_hand: i64, cost: Option<i64>) -> StockValueLine {
        StockValueLine {
            sku: sku.into(),
            location: location.into(),
            on_hand,
            unit_cost_cents: cost,
            price_cents: cost.map(|c| c * 2),
        }
    }

    fn sold(category: &str, units: i64, net: i64) -> ProductFacts {
        ProductFacts {
            name: String::new(),
            category: category.into(),
            window: Tally {
                sales: i64::from(units > 0),
                units,
                net_cents: net,
                ..Tally::default()
            },
            last_sold: None,
        }
    }

    #[test]
    fn stock_is_valued_and_set_against_its_sales() {
        let lines = [
            line("GPU", "main", 2, Some(40_000)),
            line("GPU", "annex", 1, Some(40_000)),
            line("CBL", "main", 50, Some(100)),
            line("OLD", "main", 4, Some(1_000)),
            line("NEW", "main", 3, None),
        ];
        let facts: HashMap<String, ProductFacts> = [
            ("GPU".to_owned(), sold("GPUs", 6, 300_000)),
            ("CBL".to_owned(), sold("Cables", 50, 60_000)),
            ("OLD".to_owned(), sold("GPUs", 0, 0)),
            ("GONE".to_owned(), sold("Cables", 1, 500)),
        ]
        .into_iter()
        .collect();
        let (valuation, totals, items) = stock_figures(&lines, &facts, 30);
        assert_eq!(valuation.len(), 4, "{valuation:?}");
        assert_eq!(
            (totals.units, totals.at_cost_cents, totals.unpriced_skus),
            (60, 3 * 40_000 + 5_000 + 4_000, 1)
        );
        assert_eq!(
            (totals.dead_skus, totals.dead_units, totals.dead_at_cost_cents),
            (2, 7, 4_000),
            "OLD and NEW hold stock and did not sell"
        );
        let gpu = items.iter().find(|i| i.sku == "GPU").unwrap();
        assert_eq!(gpu.on_hand, 3);
        assert_eq!(gpu.sell_through_percent, Some(66.7));
        assert_eq!(gpu.days_of_inventory, Some(15));
        assert_eq!(gpu.turnover, Some(24.3));
        assert_eq!(gpu.abc, "A");
        assert_eq!(items[0].sku, "GPU", "the most valuable first");
        let cables = items.iter().find(|i| i.sku == "CBL").unwrap();
        assert_eq!(
            (cables.abc.as_str(), cables.sell_through_percent),
            ("B", Some(50.0))
        );
        let gone = items.iter().find(|i| i.sku == "GONE").unwrap();
        assert_eq!((gone.on_hand, gone.abc.as_str(), gone.dead), (0, "C", false));
        assert_eq!(items.iter().find(|i| i.sku == "OLD").unwrap().abc, "C");
    }
}
