//! The reports' use cases: a period checked, the rollups read and summed into report rows.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kernel::TaxRate;
use reports_api::inputs::Grouping;
use reports_api::views::{
    Comparison, Figures, Period, SalesReport, SalesRow, ShiftRow, ShiftsReport, StockReport, TaxReport,
    TaxRow, TillFigures,
};
use storage::Db;
use time::{Date, Duration, OffsetDateTime};

use crate::domain::{Dimension, Tally, parse_tax_member};
use crate::error::ReportsError;
use crate::sources::Sources;
use crate::stock::{ProductFacts, stock_figures};
use crate::store::{self, Filter, Group};

/// The longest period a report covers: ten years and their leap days.
pub const MAX_DAYS: i64 = 3_660;

/// The period `from`..=`to` (`YYYY-MM-DD`), by default the 30 days up to today (UTC).
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    location: Option<String>,
) -> Result<Filter, ReportsError> {
    // An empty location (a form's "all locations") names none.
    let location = location.filter(|l| !l.trim().is_empty());
    let to = match to {
        Some(text) => parse_day(text, "to")?,
        None => OffsetDateTime::now_utc().date(),
    };
    let from = match from {
        Some(text) => parse_day(text, "from")?,
        None => to - Duration::days(29),
    };
    if from > to {
        return Err(ReportsError::BadPeriod("to".into(), "is before from".into()));
    }
    if (to - from).whole_days() >= MAX_DAYS {
        return Err(ReportsError::BadPeriod(
            "to".into(),
            format!("is more than {MAX_DAYS} days after from"),
        ));
    }
    if let Some(code) = &location
        && kernel::LocationCode::parse(code).is_err()
    {
        return Err(ReportsError::BadPeriod(
            "location".into(),
            "is not a location code".into(),
        ));
    }
    Ok(Filter { from, to, location })
}

fn parse_day(text: &str, field: &str) -> Result<Date, ReportsError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format)
        .map_err(|_| ReportsError::BadPeriod(field.into(), "is not a date like 2026-11-30".into()))
}

fn period_view(filter: &Filter) -> Period {
    Period {
        from: store::day_key(filter.from),
        to: store::day_key(filter.to),
    }
}

fn figures(t: &Tally) -> Figures {
    Figures {
        sales: t.sales,
        units: t.units,
        discount_cents: t.discount_cents,
        net_cents: t.net_cents,
        tax_cents: t.tax_cents,
        total_cents: t.total_cents,
        returns: t.returns,
        returned_units: t.returned_units,
        refund_cents: t.refund_cents,
        refund_tax_cents: t.refund_tax_cents,
        voids: t.voids,
        voided_units: t.voided_units,
        void_cents: t.void_cents,
        void_tax_cents: t.void_tax_cents,
        kept_net_cents: t.kept_net_cents(),
        kept_tax_cents: t.kept_tax_cents(),
        cost_cents: t.kept_cost_cents(),
        gross_margin_cents: t.gross_margin_cents(),
        uncosted_units: t.uncosted_units,
        approvals: t.approvals,
    }
}

fn sum<'a>(mut tallies: impl Iterator<Item = &'a Tally>) -> Result<Tally, ReportsError> {
    tallies.try_fold(Tally::default(), |a, t| a.plus(t).ok_or(ReportsError::Overflow))
}

pub struct Reports {
    db: Db,
    /// The inventory, for today's stock; none where the reports only read their rollups.
    sources: Option<Arc<Sources>>,
}

impl Reports {
    pub fn new(db: Db) -> Reports {
        Reports { db, sources: None }
    }

    pub fn with_sources(db: Db, sources: Arc<Sources>) -> Reports {
        Reports {
            db,
            sources: Some(sources),
        }
    }

    /// Today's stock against the `days` of sales up to `to`, at `location`, `limit` products.
    pub async fn stock(
        &self,
        to: Option<&str>,
        days: Option<u32>,
        location: Option<String>,
        limit: Option<u32>,
    ) -> Result<StockReport, ReportsError> {
        let days = days.unwrap_or(90);
        if !(1..=MAX_DAYS as u32).contains(&days) {
            return Err(ReportsError::BadPeriod(
                "days".into(),
                format!("must be 1 to {MAX_DAYS}"),
            ));
        }
        let limit = limit.unwrap_or(1_000);
        if !(1..=10_000).contains(&limit) {
            return Err(ReportsError::BadPeriod(
                "limit".into(),
                "must be 1 to 10000".into(),
            ));
        }
        let today = period(None, to, location)?;
        let filter = Filter {
            from: today.to - Duration::days(i64::from(days) - 1),
            to: today.to,
            location: today.location,
        };
        let sources = self
            .sources
            .as_ref()
            .ok_or_else(|| ReportsError::Source("no inventory to ask for the stock".into()))?;
        // The inventory's answer and the two reads of the rollups, side by side.
        let (lines, window, mut last) = futures::future::try_join3(
            async { sources.stock_values(filter.location.as_deref()).await },
            async {
                store::grouped(&self.db, Dimension::Sku, Group::Member, &filter)
                    .await
                    .map_err(ReportsError::from)
            },
            async {
                store::last_sold(&self.db, filter.to, filter.location.as_deref())
                    .await
                    .map_err(ReportsError::from)
            },
        )
        .await?;
        let mut skus: Vec<String> = lines.iter().map(|l| l.sku.clone()).collect();
        skus.extend(window.iter().map(|(sku, _)| sku.clone()));
        skus.sort();
        skus.dedup();
        let groups = store::product_groups(&self.db, &skus).await?;
        let mut facts: HashMap<String, ProductFacts> = skus
            .iter()
            .map(|sku| {
                let (name, category) = groups
                    .get(sku)
                    .map(|p| (p.name.clone(), p.category.clone()))
                    .unwrap_or_default();
                let facts = ProductFacts {
                    name,
                    category,
                    window: Tally::default(),
                    last_sold: last.remove(sku),
                };
                (sku.clone(), facts)
            })
            .collect();
        for (sku, tally) in window {
            if let Some(f) = facts.get_mut(&sku) {
                f.window = tally;
            }
        }
        let (valuation, totals, mut items) = stock_figures(&lines, &facts, i64::from(days));
        items.truncate(limit as usize);
        Ok(StockReport {
            period: period_view(&filter),
            location: filter.location.clone(),
            valuation,
            totals,
            items,
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Sales in `filter` grouped `by`, with the previous period's totals.
    pub async fn sales(&self, filter: &Filter, by: Grouping) -> Result<SalesReport, ReportsError> {
        let (dimension, group) = match by {
            Grouping::Day | Grouping::Week | Grouping::Month => (Dimension::Total, Group::Day),
            Grouping::Location => (Dimension::Total, Group::Location),
            Grouping::Product => (Dimension::Sku, Group::Member),
            Grouping::Category => (Dimension::Sku, Group::Category),
            Grouping::Brand => (Dimension::Sku, Group::Brand),
            Grouping::Staff => (Dimension::Staff, Group::Member),
            Grouping::PaymentMethod => (Dimension::PaymentMethod, Group::Member),
            Grouping::TaxRate => (Dimension::TaxRate, Group::Member),
        };
        let grouped = store::grouped(&self.db, dimension, group, filter).await?;
        // Grouped over the whole (by day, week, month or location), the rows are the totals'
        // parts; otherwise a product, rate or method may count under several rows.
        let totals = if dimension == Dimension::Total {
            sum(grouped.iter().map(|(_, t)| t))?
        } else {
            let whole = store::grouped(&self.db, Dimension::Total, Group::Member, filter).await?;
            sum(whole.iter().map(|(_, t)| t))?
        };
        let rows = match by {
            Grouping::Week | Grouping::Month => {
                let mut buckets: BTreeMap<String, Tally> = BTreeMap::new();
                for (day, tally) in &grouped {
                    let key = calendar_key(day, by)?;
                    let entry = buckets.entry(key).or_default();
                    *entry = entry.plus(tally).ok_or(ReportsError::Overflow)?;
                }
                buckets
                    .into_iter()
                    .map(|(key, t)| row(key.clone(), key, &t))
                    .collect()
            }
            Grouping::Day | Grouping::Location => grouped
                .iter()
                .map(|(k, t)| row(k.clone(), k.clone(), t))
                .collect(),
            Grouping::Product => {
                let skus: Vec<String> = grouped.iter().map(|(k, _)| k.clone()).collect();
                let products = store::product_groups(&self.db, &skus).await?;
                let mut rows: Vec<SalesRow> = grouped
                    .iter()
                    .map(|(k, t)| {
                        let name = products.get(k).map_or_else(|| k.clone(), |p| p.name.clone());
                        row(k.clone(), name, t)
                    })
                    .collect();
                by_kept(&mut rows);
                rows
            }
            Grouping::TaxRate => {
                let mut rows: Vec<SalesRow> = grouped
                    .iter()
                    .map(|(k, t)| row(k.clone(), tax_label(k), t))
                    .collect();
                by_kept(&mut rows);
                rows
            }
            Grouping::Category | Grouping::Brand | Grouping::Staff | Grouping::PaymentMethod => {
                let mut rows: Vec<SalesRow> = grouped
                    .iter()
                    .map(|(k, t)| {
                        let label = if k.is_empty() {
                            "(none)".to_owned()
                        } else {
                            k.clone()
                        };
                        row(k.clone(), label, t)
                    })
                    .collect();
                by_kept(&mut rows);
                rows
            }
        };
        let days = (filter.to - filter.from).whole_days() + 1;
        let before = Filter {
            from: filter.from - Duration::days(days),
            to: filter.from - Duration::days(1),
            location: filter.location.clone(),
        };
        let previous = sum(store::grouped(&self.db, Dimension::Total, Group::Member, &before)
            .await?
            .iter()
            .map(|(_, t)| t))?;
        Ok(SalesReport {
            period: period_view(filter),
            location: filter.location.clone(),
            by,
            rows,
            totals: figures(&totals),
            previous: Comparison {
                period: period_view(&before),
                totals: figures(&previous),
            },
        })
    }

    /// Net and tax per rate in `filter`, returns and voids taken off.
    pub async fn tax(&self, filter: &Filter) -> Result<TaxReport, ReportsError> {
        let grouped = store::grouped(&self.db, Dimension::TaxRate, Group::Member, filter).await?;
        let mut rates: Vec<TaxRow> = grouped
            .iter()
            .map(|(member, t)| {
                let (code, rate) = parse_tax_member(member).unwrap_or((String::new(), TaxRate::ZERO));
                TaxRow {
                    code,
                    rate_percent: percent(rate.ppm()),
                    net_cents: t.net_cents,
                    tax_cents: t.tax_cents,
                    refunded_net_cents: (t.refund_cents - t.refund_tax_cents)
                        + (t.void_cents - t.void_tax_cents),
                    refunded_tax_cents: t.refund_tax_cents + t.void_tax_cents,
                    kept_net_cents: t.kept_net_cents(),
                    kept_tax_cents: t.kept_tax_cents(),
                }
            })
            .collect();
        rates.sort_by(|a, b| b.kept_tax_cents.cmp(&a.kept_tax_cents).then(a.code.cmp(&b.code)));
        Ok(TaxReport {
            period: period_view(filter),
            location: filter.location.clone(),
            kept_net_cents: rates.iter().map(|r| r.kept_net_cents).sum(),
            kept_tax_cents: rates.iter().map(|r| r.kept_tax_cents).sum(),
            rates,
        })
    }

    /// The shifts closed in `filter`, and over and short per till.
    pub async fn shifts(&self, filter: &Filter) -> Result<ShiftsReport, ReportsError> {
        let kept = store::shifts(&self.db, filter).await?;
        let mut tills: BTreeMap<String, TillFigures> = BTreeMap::new();
        for shift in &kept {
            let till = tills.entry(shift.till.clone()).or_insert(TillFigures {
                till: shift.till.clone(),
                shifts: 0,
                over_cents: 0,
                short_cents: 0,
                net_over_short_cents: 0,
            });
            till.shifts += 1;
            if shift.over_short_cents >= 0 {
                till.over_cents += shift.over_short_cents;
            } else {
                till.short_cents -= shift.over_short_cents;
            }
            till.net_over_short_cents += shift.over_short_cents;
        }
        Ok(ShiftsReport {
            period: period_view(filter),
            location: filter.location.clone(),
            shifts: kept
                .into_iter()
                .map(|s| ShiftRow {
                    shift_id: s.shift_id,
                    till: s.till,
                    location: s.location,
                    z_number: s.z_number,
                    closed_at: s.closed_at,
                    closed_by: s.closed_by,
                    sales: s.sales,
                    total_cents: s.total_cents,
                    refunds_cents: s.refunds_cents,
                    expected_cash_cents: s.expected_cash_cents,
                    counted_cash_cents: s.counted_cash_cents,
                    over_short_cents: s.over_short_cents,
                })
                .collect(),
            tills: tills.into_values().collect(),
        })
    }
}

fn row(key: String, label: String, tally: &Tally) -> SalesRow {
    SalesRow {
        key,
        label,
        figures: figures(tally),
    }
}

/// What was kept, most first; the key breaks ties.
fn by_kept(rows: &mut [SalesRow]) {
    rows.sort_by(|a, b| {
        b.figures
            .kept_net_cents
            .cmp(&a.figures.kept_net_cents)
            .then_with(|| a.key.cmp(&b.key))
    });
}

/// The week (its Monday) or month (`YYYY-MM`) of a rollup day.
fn calendar_key(day: &str, by: Grouping) -> Result<String, ReportsError> {
    let date = parse_day(day, "day").map_err(|_| ReportsError::Corrupt(format!("rollup day {day:?}")))?;
    Ok(match by {
        Grouping::Week => {
            let back = i64::from(date.weekday().number_days_from_monday());
            store::day_key(date - Duration::days(back))
        }
        _ => format!("{:04}-{:02}", date.year(), u8::from(date.month())),
    })
}

/// `STD 20%`, `20%` without a code.
fn tax_label(member: &str) -> String {
    match parse_tax_member(member) {
        Some((code, rate)) if code.is_empty() => format!("{}%", percent(rate.ppm())),
        Some((code, rate)) => format!("{code} {}%", percent(rate.ppm())),
        None => member.to_owned(),
    }
}

/// A rate in parts per million as a percentage without trailing zeros: 200000 → `20`,
/// 55000 → `5.5`.
fn percent(ppm: u32) -> String {
    let whole = ppm / 10_000;
    let fraction = ppm % 10_000;
    if fraction == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{fraction:04}").trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_default_to_thirty_days_and_refuse_nonsense() {
        let f = period(None, Some("2026-11-30"), None).unwrap();
        assert_eq!(store::day_key(f.from), "2026-11-01");
        assert!(period(Some("2026-12-01"), Some("2026-11-30"), None).is_err());
        assert!(period(Some("2026-13-01"), None, None).is_err());
        assert!(period(Some("2000-01-01"), Some("2026-01-01"), None).is_err());
        assert!(period(None, None, Some("no such code!".into())).is_err());
        assert_eq!(period(None, None, Some(String::new())).unwrap().location, None);
    }

    #[test]
    fn weeks_start_on_monday_and_months_are_named() {
        assert_eq!(calendar_key("2026-12-06", Grouping::Week).unwrap(), "2026-11-30");
        assert_eq!(calendar_key("2026-11-30", Grouping::Week).unwrap(), "2026-11-30");
        assert_eq!(calendar_key("2026-11-30", Grouping::Month).unwrap(), "2026-11");
    }

    #[test]
    fn rates_read_as_percentages() {
        assert_eq!(percent(200_000), "20");
        assert_eq!(percent(55_000), "5.5");
        assert_eq!(percent(0), "0");
        assert_eq!(tax_label("STD|200000"), "STD 20%");
        assert_eq!(tax_label("|0"), "0%");
    }
}
