//! The figures of a stretch of time as sums that add up: an hour's figures can be kept once
//! the hour is over, and a summary of a month adds the hours in it, in order.

use std::collections::BTreeMap;

use kernel::{Overflow, PaymentMethod, TaxRate};
use sales_api::views::{DayFigures, MethodFigures, ProductFigures, Summary, TOP_PRODUCTS, TaxLine};
use serde::{Deserialize, Serialize};
use storage::clock::from_millis;

use super::pricing::{TaxFigures, per_rate};

/// An hour in milliseconds: the unit the figures are kept in.
pub const HOUR_MS: i64 = 3_600_000;

/// The hour an instant (unix milliseconds) falls in.
pub fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(HOUR_MS)
}

/// Counts, money and units of the sales of a stretch of time, returns taken off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub count: i64,
    pub revenue_cents: i64,
    pub units: i64,
    pub methods: BTreeMap<PaymentMethod, MethodTally>,
    /// In the order the rates were first met, as a receipt lists them.
    pub taxes: Vec<TaxFigures>,
    pub products: BTreeMap<String, ProductTally>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodTally {
    pub count: i64,
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductTally {
    /// The name on the latest of its lines counted.
    pub name: String,
    pub units: i64,
    pub revenue_cents: i64,
}

/// What is left of one sale line after its returns.
pub struct LineFigures {
    pub sku: String,
    pub name: String,
    pub units: i64,
    pub revenue_cents: i64,
    pub tax_code: Option<String>,
    pub rate: TaxRate,
    pub tax_cents: i64,
}

fn grow(figure: &mut i64, by: i64) -> Result<(), Overflow> {
    *figure = figure.checked_add(by).ok_or(Overflow)?;
    Ok(())
}

impl Figures {
    /// Counts a sale: what it brought in after refunds, and what each method took of that.
    pub fn add_sale(&mut self, revenue_cents: i64, taken: &[(PaymentMethod, i64)]) -> Result<(), Overflow> {
        grow(&mut self.count, 1)?;
        grow(&mut self.revenue_cents, revenue_cents)?;
        for &(method, cents) in taken {
            let tally = self.methods.entry(method).or_default();
            grow(&mut tally.count, 1)?;
            grow(&mut tally.revenue_cents, cents)?;
        }
        Ok(())
    }

    /// Counts a line of a sale; lines are added oldest first, so a product keeps its newest name.
    pub fn add_line(&mut self, line: LineFigures) -> Result<(), Overflow> {
        grow(&mut self.units, line.units)?;
        let tax = TaxFigures {
            code: line.tax_code,
            rate: line.rate,
            net_cents: line.revenue_cents.checked_sub(line.tax_cents).ok_or(Overflow)?,
            tax_cents: line.tax_cents,
        };
        self.taxes = per_rate(std::mem::take(&mut self.taxes).into_iter().chain([tax]))?;
        self.add_product(
            line.sku,
            ProductTally {
                name: line.name,
                units: line.units,
                revenue_cents: line.revenue_cents,
            },
        )
    }

    /// Adds the figures of a later stretch of time.
    pub fn add(&mut self, later: Figures) -> Result<(), Overflow> {
        grow(&mut self.count, later.count)?;
        grow(&mut self.revenue_cents, later.revenue_cents)?;
        grow(&mut self.units, later.units)?;
        for (method, tally) in later.methods {
            let mine = self.methods.entry(method).or_default();
            grow(&mut mine.count, tally.count)?;
            grow(&mut mine.revenue_cents, tally.revenue_cents)?;
        }
        self.taxes = per_rate(std::mem::take(&mut self.taxes).into_iter().chain(later.taxes))?;
        for (sku, product) in later.products {
            self.add_product(sku, product)?;
        }
        Ok(())
    }

    fn add_product(&mut self, sku: String, later: ProductTally) -> Result<(), Overflow> {
        match self.products.get_mut(&sku) {
            Some(mine) => {
                grow(&mut mine.units, later.units)?;
                grow(&mut mine.revenue_cents, later.revenue_cents)?;
                mine.name = later.name;
            }
            None => {
                self.products.insert(sku, later);
            }
        }
        Ok(())
    }
}

/// The summary of a period from the figures of its hours, oldest first.
pub fn summarize(hours: impl IntoIterator<Item = (i64, Figures)>) -> Result<Summary, Overflow> {
    let mut total = Figures::default();
    let mut days: BTreeMap<String, DayFigures> = BTreeMap::new();
    for (hour, figures) in hours {
        if figures.count == 0 {
            continue;
        }
        let start = from_millis(hour.checked_mul(HOUR_MS).ok_or(Overflow)?);
        let day = format!(
            "{:04}-{:02}-{:02}",
            start.year(),
            u8::from(start.month()),
            start.day()
        );
        let day_figures = days.entry(day.clone()).or_insert(DayFigures {
            day,
            count: 0,
            revenue_cents: 0,
            units: 0,
        });
        grow(&mut day_figures.count, figures.count)?;
        grow(&mut day_figures.revenue_cents, figures.revenue_cents)?;
        grow(&mut day_figures.units, figures.units)?;
        total.add(figures)?;
    }
    let mut top: Vec<ProductFigures> = total
        .products
        .into_iter()
        .filter(|(_, p)| p.units > 0)
        .map(|(sku, p)| ProductFigures {
            sku,
            name: p.name,
            units: p.units,
            revenue_cents: p.revenue_cents,
        })
        .collect();
    top.sort_by(|a, b| (b.units, b.revenue_cents, &a.sku).cmp(&(a.units, a.revenue_cents, &b.sku)));
    top.truncate(TOP_PRODUCTS);
    Ok(Summary {
        count: total.count,
        revenue_cents: total.revenue_cents,
        units: total.units,
        average_basket_cents: if total.count > 0 {
            total.revenue_cents / total.count
        } else {
            0
        },
        by_payment_method: total
            .methods
            .into_iter()
            .map(|(payment_method, m)| MethodFigures {
                payment_method,
                count: m.count,
                revenue_cents: m.revenue_cents,
            })
            .collect(),
        taxes: total.taxes.into_iter().map(TaxLine::from).collect(),
        by_day: days.into_values().collect(),
        top_products: top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, name: &str, units: i64, revenue: i64, tax: i64) -> LineFigures {
        LineFigures {
            sku: sku.into(),
            name: name.into(),
            units,
            revenue_cents: revenue,
            tax_code: Some("VAT".into()),
            rate: TaxRate::from_ppm(200_000).unwrap(),
            tax_cents: tax,
        }
    }

    fn hour(sales: &[(&str, &str, i64, i64)]) -> Figures {
        let mut figures = Figures::default();
        for &(sku, name, units, revenue) in sales {
            figures
                .add_sale(revenue, &[(PaymentMethod::Cash, revenue)])
                .unwrap();
            figures
                .add_line(line(sku, name, units, revenue, revenue / 6))
                .unwrap();
        }
        figures
    }

    #[test]
    fn hours_added_up_equal_the_sales_counted_at_once() {
        let sales = [
            ("A", "Mouse", 2, 1_200),
            ("B", "Cable", 1, 600),
            ("A", "Mouse v2", 1, 600),
        ];
        let whole = hour(&sales);
        let mut parts = hour(&sales[..1]);
        parts.add(hour(&sales[1..])).unwrap();
        assert_eq!(parts, whole);
        assert_eq!(whole.products["A"].name, "Mouse v2");
        assert_eq!(whole.products["A"].units, 3);
        assert_eq!(whole.taxes.len(), 1);
        assert_eq!(whole.taxes[0].tax_cents, 200 + 100 + 100);
    }

    #[test]
    fn a_summary_groups_hours_by_utc_day_and_ranks_by_units() {
        // 2026-12-01T23:00Z and 2026-12-02T00:00Z.
        let late = hour_of(1_796_166_000_000);
        let summary = summarize([
            (late, hour(&[("A", "Mouse", 1, 500)])),
            (late + 1, hour(&[("B", "Cable", 3, 900), ("A", "Mouse", 1, 500)])),
            (late + 2, Figures::default()),
        ])
        .unwrap();
        assert_eq!(summary.count, 3);
        assert_eq!(summary.revenue_cents, 1_900);
        assert_eq!(summary.average_basket_cents, 633);
        let days: Vec<_> = summary.by_day.iter().map(|d| (d.day.as_str(), d.count)).collect();
        assert_eq!(days, [("2026-12-01", 1), ("2026-12-02", 2)]);
        let top: Vec<_> = summary
            .top_products
            .iter()
            .map(|p| (p.sku.as_str(), p.units))
            .collect();
        assert_eq!(top, [("B", 3), ("A", 2)]);
    }

    #[test]
    fn a_figure_beyond_64_bits_is_refused() {
        let mut figures = hour(&[("A", "Mouse", 1, i64::MAX)]);
        assert!(figures.add(hour(&[("A", "Mouse", 1, 1)])).is_err());
    }
}
