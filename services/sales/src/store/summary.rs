//! The figures of a period: count, revenue, units, by payment method, by day, best sellers.

use std::collections::{BTreeMap, HashMap, HashSet};

use kernel::{Cents, Overflow, PaymentMethod, SaleStatus};
use sales_api::views::{DayFigures, MethodFigures, ProductFigures, Summary, TOP_PRODUCTS};
use sqlx::Row;
use storage::clock::from_millis;

use super::SalesStore;
use crate::domain::refund_for;
use crate::error::SaleError;

/// A figure of the summary beyond 64 bits.
fn too_large(_: Overflow) -> SaleError {
    SaleError::TooLarge("a figure of the summary")
}

/// Adds `by` to a figure, refusing to wrap.
fn grow(figure: &mut i64, by: i64) -> Result<(), SaleError> {
    *figure = figure.checked_add(by).ok_or(Overflow).map_err(too_large)?;
    Ok(())
}

impl SalesStore {
    /// Figures of the sales made in `[from_ms, to_ms)`.
    pub async fn summary(&self, from_ms: i64, to_ms: i64) -> Result<Summary, SaleError> {
        // One row per sale line; the few thousand sales of a shop's range are summed here, which
        // keeps the SQL the same on both engines (no DECIMAL sums, no date functions).
        let rows = sqlx::query(
            "SELECT s.id, s.payment_method, s.created_at, s.total_cents - s.refunded_cents, \
             l.quantity - l.returned_quantity, l.sku, l.name, l.line_total_cents, l.quantity, l.returned_quantity \
             FROM sales_sales s JOIN sales_lines l ON l.sale_id = s.id \
             WHERE s.status <> ? AND s.created_at >= ? AND s.created_at < ? ORDER BY s.created_at",
        )
        .bind(SaleStatus::Voided.as_str())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.db.pool())
        .await?;
        let mut summary = Summary::default();
        let mut methods: BTreeMap<PaymentMethod, MethodFigures> = BTreeMap::new();
        let mut days: BTreeMap<String, DayFigures> = BTreeMap::new();
        let mut products: HashMap<String, ProductFigures> = HashMap::new();
        let mut seen = HashSet::new();
        for row in rows {
            let id: String = row.try_get(0)?;
            let method = super::stored(&row.try_get::<String, _>(1)?, PaymentMethod::parse)?;
            let at = from_millis(row.try_get(2)?);
            let revenue: i64 = row.try_get(3)?;
            let units: i64 = row.try_get(4)?;
            let sku: String = row.try_get(5)?;
            let line_total = Cents::new(row.try_get(7)?);
            let sold: i64 = row.try_get(8)?;
            let line_revenue = refund_for(line_total, sold, row.try_get(9)?)
                .and_then(|refund| line_total.checked_sub(refund))
                .map_err(too_large)?
                .get();
            let product = products.entry(sku.clone()).or_insert_with(|| ProductFigures {
                sku,
                name: String::new(),
                units: 0,
                revenue_cents: 0,
            });
            // Rows come oldest first, so the last name seen is the newest.
            product.name = row.try_get(6)?;
            grow(&mut product.units, units)?;
            grow(&mut product.revenue_cents, line_revenue)?;
            let day = format!("{:04}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day());
            let day_figures = days.entry(day.clone()).or_insert(DayFigures {
                day,
                count: 0,
                revenue_cents: 0,
                units: 0,
            });
            grow(&mut day_figures.units, units)?;
            grow(&mut summary.units, units)?;
            if seen.insert(id) {
                summary.count += 1;
                grow(&mut summary.revenue_cents, revenue)?;
                day_figures.count += 1;
                grow(&mut day_figures.revenue_cents, revenue)?;
                let m = methods.entry(method).or_insert(MethodFigures {
                    payment_method: method,
                    count: 0,
                    revenue_cents: 0,
                });
                m.count += 1;
                grow(&mut m.revenue_cents, revenue)?;
            }
        }
        summary.average_basket_cents = if summary.count > 0 {
            summary.revenue_cents / summary.count
        } else {
            0
        };
        summary.by_payment_method = methods.into_values().collect();
        summary.by_day = days.into_values().collect();
        let mut top: Vec<ProductFigures> = products.into_values().filter(|p| p.units > 0).collect();
        top.sort_by(|a, b| (b.units, b.revenue_cents, &a.sku).cmp(&(a.units, a.revenue_cents, &b.sku)));
        top.truncate(TOP_PRODUCTS);
        summary.top_products = top;
        Ok(summary)
    }
}
