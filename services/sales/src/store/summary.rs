//! The figures of a period: count, revenue, units, by payment method, tax per rate, by day,
//! best sellers.

use std::collections::{BTreeMap, HashMap, HashSet};

use kernel::{Cents, Overflow, PaymentMethod, SaleStatus};
use sales_api::views::{DayFigures, MethodFigures, ProductFigures, Summary, TOP_PRODUCTS};
use sqlx::Row;
use storage::clock::from_millis;

use super::SalesStore;
use kernel::money::spread;

use crate::domain::pricing::per_rate;
use crate::domain::{Payment, Settlement, TaxFigures, refund_for};
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
            "SELECT s.id, s.refunded_cents, s.created_at, s.total_cents - s.refunded_cents, \
             l.quantity - l.returned_quantity, l.sku, l.name, l.line_total_cents, l.quantity, l.returned_quantity, \
             l.tax_rate, l.rate_ppm, l.tax_cents \
             FROM sales_sales s JOIN sales_lines l ON l.sale_id = s.id \
             WHERE s.status <> ? AND s.created_at >= ? AND s.created_at < ? ORDER BY s.created_at",
        )
        .bind(SaleStatus::Voided.as_str())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.db.pool())
        .await?;
        let payments = self.payments_in(from_ms, to_ms).await?;
        let mut summary = Summary::default();
        let mut methods: BTreeMap<PaymentMethod, MethodFigures> = BTreeMap::new();
        let mut taxes: Vec<TaxFigures> = Vec::new();
        let mut days: BTreeMap<String, DayFigures> = BTreeMap::new();
        let mut products: HashMap<String, ProductFigures> = HashMap::new();
        let mut seen = HashSet::new();
        for row in rows {
            let id: String = row.try_get(0)?;
            let refunded = Cents::new(row.try_get(1)?);
            let at = from_millis(row.try_get(2)?);
            let revenue: i64 = row.try_get(3)?;
            let units: i64 = row.try_get(4)?;
            let sku: String = row.try_get(5)?;
            let line_total = Cents::new(row.try_get(7)?);
            let sold: i64 = row.try_get(8)?;
            let returned: i64 = row.try_get(9)?;
            let tax = Cents::new(row.try_get(12)?);
            // What is left of the line after its returns, and of its tax.
            let kept = |amount: Cents| {
                refund_for(amount, sold, 0, returned).and_then(|refund| amount.checked_sub(refund))
            };
            let line_revenue = kept(line_total).map_err(too_large)?.get();
            let line_tax = kept(tax).map_err(too_large)?.get();
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
            taxes.push(TaxFigures {
                code: row.try_get(10)?,
                rate: super::sales::stored_rate(row.try_get(11)?)?,
                net_cents: line_revenue - line_tax,
                tax_cents: line_tax,
            });
            let day = format!("{:04}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day());
            let day_figures = days.entry(day.clone()).or_insert(DayFigures {
                day,
                count: 0,
                revenue_cents: 0,
                units: 0,
            });
            grow(&mut day_figures.units, units)?;
            grow(&mut summary.units, units)?;
            if seen.insert(id.clone()) {
                summary.count += 1;
                grow(&mut summary.revenue_cents, revenue)?;
                day_figures.count += 1;
                grow(&mut day_figures.revenue_cents, revenue)?;
                let Some(settlement) = payments.get(&id) else {
                    return Err(SaleError::Database(sqlx::Error::RowNotFound));
                };
                for (method, taken) in taken_after_refund(settlement, refunded)? {
                    let m = methods.entry(method).or_insert(MethodFigures {
                        payment_method: method,
                        count: 0,
                        revenue_cents: 0,
                    });
                    m.count += 1;
                    grow(&mut m.revenue_cents, taken)?;
                }
            }
        }
        summary.average_basket_cents = if summary.count > 0 {
            summary.revenue_cents / summary.count
        } else {
            0
        };
        summary.by_payment_method = methods.into_values().collect();
        summary.taxes = per_rate(taxes)
            .map_err(too_large)?
            .into_iter()
            .map(super::sales::tax_line)
            .collect();
        summary.by_day = days.into_values().collect();
        let mut top: Vec<ProductFigures> = products.into_values().filter(|p| p.units > 0).collect();
        top.sort_by(|a, b| (b.units, b.revenue_cents, &a.sku).cmp(&(a.units, a.revenue_cents, &b.sku)));
        top.truncate(TOP_PRODUCTS);
        summary.top_products = top;
        Ok(summary)
    }

    /// The payments and change of every sale counted in `[from_ms, to_ms)`, by sale id.
    async fn payments_in(&self, from_ms: i64, to_ms: i64) -> Result<HashMap<String, Settlement>, SaleError> {
        let rows = sqlx::query(
            "SELECT s.id, s.tendered_cents, s.change_due_cents, p.method, p.amount_cents \
             FROM sales_sales s JOIN sales_payments p ON p.sale_id = s.id \
             WHERE s.status <> ? AND s.created_at >= ? AND s.created_at < ? ORDER BY s.id, p.payment_no",
        )
        .bind(SaleStatus::Voided.as_str())
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.db.pool())
        .await?;
        let mut sales: HashMap<String, Settlement> = HashMap::new();
        for row in rows {
            let settlement = sales.entry(row.try_get(0)?).or_insert(Settlement {
                payments: Vec::new(),
                tendered_cents: row.try_get(1)?,
                change_due_cents: row.try_get(2)?,
            });
            settlement.payments.push(Payment {
                method: super::stored(&row.try_get::<String, _>(3)?, PaymentMethod::parse)?,
                amount: Cents::new(row.try_get(4)?),
            });
        }
        Ok(sales)
    }
}

/// What each method of a sale brought in, the sale's refunds taken off in proportion to what
/// each method took (to the cent, as a basket discount is spread), so the methods add up to
/// the sale's revenue.
fn taken_after_refund(
    settlement: &Settlement,
    refunded: Cents,
) -> Result<Vec<(PaymentMethod, i64)>, SaleError> {
    let taken = settlement.taken_by_method();
    let amounts: Vec<Cents> = taken.iter().map(|(_, cents)| Cents::new(*cents)).collect();
    let refunds = spread(refunded, &amounts);
    Ok(taken
        .into_iter()
        .zip(refunds)
        .map(|((method, cents), refund)| (method, cents - refund.get()))
        .collect())
}
