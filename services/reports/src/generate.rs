//! A made-up history of sales, for benchmarks and demonstrations: any number of days of sales
//! shaped like a computer shop's — busier on Fridays and Saturdays, a December peak and a
//! slow growth over the year, a few best sellers and a long tail, one to four lines, mostly
//! card, some cash with change, returns and voids, discounts a manager approved — rolled up
//! through the same arithmetic as the live events ([`crate::domain`]) straight into the
//! reports' tables.
//!
//! Only into the reports: the other services know nothing of these sales, and a rebuild
//! replaces them with the shop's real history. A database whose rollups hold anything is
//! refused, so a shop's figures are never mixed with made-up ones.

use std::collections::BTreeMap;

use events::sales::{ReturnedLine, SaleCreated, SaleLine, SalePayment, SaleTax, SaleUpdated};
use kernel::{PaymentMethod, SaleChange, SaleStatus, TaxRate};
use storage::Db;
use time::{Date, Duration, Month, Weekday};

use crate::domain::{Tallies, sale_tallies, update_tallies};
use crate::error::ReportsError;
use crate::store::{self, KeptProduct};

/// What to make up.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The last day of the history (UTC).
    pub end: Date,
    pub days: u32,
    pub sales: u64,
    pub products: u32,
    /// The same seed makes the same history.
    pub seed: u64,
}

/// What was made up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub sales: u64,
    pub lines: u64,
    pub returns: u64,
    pub voids: u64,
    pub products: u64,
}

/// Categories with the range of their prices in cents.
const CATEGORIES: [(&str, i64, i64); 10] = [
    ("GPUs", 25_000, 160_000),
    ("CPUs", 12_000, 60_000),
    ("Laptops", 50_000, 250_000),
    ("Monitors", 12_000, 80_000),
    ("Storage", 4_000, 30_000),
    ("Memory", 3_000, 20_000),
    ("Networking", 2_000, 25_000),
    ("Peripherals", 1_500, 15_000),
    ("Software", 2_000, 20_000),
    ("Cables", 300, 2_500),
];

const BRANDS: [&str; 8] = [
    "Acme",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Proseware",
    "Wingtip",
];

/// Locations with their share of the sales, three clerks each and the manager who approves.
const LOCATIONS: [(&str, f64, [&str; 3], &str); 3] = [
    ("main", 0.55, ["ann", "bob", "cat"], "mia"),
    ("north", 0.30, ["dan", "eve", "fay"], "noah"),
    ("web", 0.15, ["gus", "hal", "ivy"], "olga"),
];

/// Returns come within this many days of their sale.
const RETURN_WITHIN_DAYS: i64 = 14;

/// Refunds above this need a manager's approval.
const APPROVAL_OVER_CENTS: i64 = 20_000;

struct Product {
    sku: String,
    price_cents: i64,
    cost_cents: i64,
}

/// Fills the reports' tables with the history `plan` describes.
pub async fn generate(db: &Db, plan: &Plan) -> Result<Generated, ReportsError> {
    let held: Option<i64> = sqlx::query_scalar("SELECT 1 FROM reports_daily LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    if held.is_some() {
        return Err(ReportsError::Source(
            "the reports already hold figures: a made-up history goes only into an empty database".into(),
        ));
    }
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    let (kept, products) = catalog(&mut rng, plan.products.max(1));
    let mut conn = db.pool().acquire().await?;
    let kind = db.kind();
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    for product in &kept {
        store::keep_product(&mut tx, kind, product).await?;
    }
    tx.commit().await?;

    let popularity = cumulative((0..products.len()).map(|rank| 1.0 / (rank as f64 + 1.0).powf(1.07)));
    let first = plan.end - Duration::days(i64::from(plan.days.max(1)) - 1);
    let per_day = sales_per_day(first, plan.days.max(1), plan.sales);
    let mut generated = Generated {
        products: products.len() as u64,
        ..Generated::default()
    };
    // Returns land on later days: each day's tallies are written once no later sale can add
    // to them.
    let mut pending: BTreeMap<Date, Tallies> = BTreeMap::new();
    let mut number = 0i64;
    for (offset, count) in per_day.iter().enumerate() {
        let day = first + Duration::days(offset as i64);
        for _ in 0..*count {
            number += 1;
            let sale = sale(&mut rng, &products, &popularity, number);
            generated.sales += 1;
            generated.lines += sale.lines.len() as u64;
            let (tallies, recorded) = sale_tallies(&sale, day);
            pending.entry(day).or_default().absorb(tallies);
            if let Some((update, on)) = change(&mut rng, &sale, day)
                && on <= plan.end
            {
                match update.change {
                    SaleChange::Voided => generated.voids += 1,
                    SaleChange::Returned => generated.returns += 1,
                }
                pending
                    .entry(on)
                    .or_default()
                    .absorb(update_tallies(&update, &recorded, on));
            }
        }
        let settled: Vec<Date> = pending
            .keys()
            .copied()
            .filter(|d| *d < day - Duration::days(RETURN_WITHIN_DAYS))
            .collect();
        for settled_day in settled {
            let tallies = pending.remove(&settled_day).unwrap_or_default();
            write(db, &tallies).await?;
        }
    }
    for tallies in pending.into_values() {
        write(db, &tallies).await?;
    }
    Ok(generated)
}

async fn write(db: &Db, tallies: &Tallies) -> Result<(), ReportsError> {
    let mut tx = db.begin().await?;
    store::add(&mut tx, db.kind(), tallies).await?;
    tx.commit().await?;
    Ok(())
}

/// The products, most popular first.
fn catalog(rng: &mut fastrand::Rng, count: u32) -> (Vec<KeptProduct>, Vec<Product>) {
    let mut kept = Vec::with_capacity(count as usize);
    let mut products = Vec::with_capacity(count as usize);
    for i in 0..count {
        let (category, low, high) = CATEGORIES[rng.usize(..CATEGORIES.len())];
        let brand = BRANDS[rng.usize(..BRANDS.len())];
        // Prices end in 99, costs are 55–85 % of them.
        let price_cents = (rng.i64(low..=high) / 100) * 100 + 99;
        let cost_cents = price_cents * rng.i64(55..=85) / 100;
        let sku = format!("GEN-{:05}", i + 1);
        kept.push(KeptProduct {
            sku: sku.clone(),
            name: format!("{brand} {} {}", category.trim_end_matches('s'), i + 1),
            category: category.to_owned(),
            brand: Some(brand.to_owned()),
            version: 1,
        });
        products.push(Product {
            sku,
            price_cents,
            cost_cents,
        });
    }
    (kept, products)
}

/// The running sums of `weights`, to draw from with [`draw`].
fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// An index drawn in proportion to the weights behind `cumulative`.
fn draw(rng: &mut fastrand::Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let at = rng.f64() * total;
    cumulative.partition_point(|&c| c <= at).min(cumulative.len() - 1)
}

/// How many of `total` sales fall on each of `days` days from `first`: Friday and Saturday
/// busiest, Sunday quietest, December a third busier, and a fifth more at the end than at the
/// start; exactly `total` in all (largest remainders).
fn sales_per_day(first: Date, days: u32, total: u64) -> Vec<u64> {
    let weights: Vec<f64> = (0..days)
        .map(|i| {
            let day = first + Duration::days(i64::from(i));
            let week = match day.weekday() {
                Weekday::Monday => 0.80,
                Weekday::Tuesday => 0.85,
                Weekday::Wednesday => 0.90,
                Weekday::Thursday => 1.00,
                Weekday::Friday => 1.25,
                Weekday::Saturday => 1.50,
                Weekday::Sunday => 0.70,
            };
            let season = if day.month() == Month::December { 1.35 } else { 1.0 };
            let growth = 1.0 + 0.2 * f64::from(i) / f64::from(days);
            week * season * growth
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut counts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut short = total.saturating_sub(counts.iter().sum());
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    for i in order.into_iter().cycle() {
        if short == 0 {
            break;
        }
        counts[i] += 1;
        short -= 1;
    }
    counts
}

/// A location drawn by its share of the sales (without building a table per sale).
fn location_index(rng: &mut fastrand::Rng) -> usize {
    let mut at = rng.f64();
    for (i, location) in LOCATIONS.iter().enumerate() {
        if at < location.1 {
            return i;
        }
        at -= location.1;
    }
    LOCATIONS.len() - 1
}

fn standard_rate() -> TaxRate {
    TaxRate::from_bp(20.0).expect("20 % is a rate")
}

/// Tax included in `total` at 20 %.
fn tax_in(total: i64) -> i64 {
    total / 6
}

/// One sale: its location and clerk, lines, discounts, payments.
fn sale(rng: &mut fastrand::Rng, products: &[Product], popularity: &[f64], number: i64) -> SaleCreated {
    let (location, _, clerks, manager) = LOCATIONS[location_index(rng)];
    let line_count = match rng.u8(..100) {
        0..60 => 1,
        60..85 => 2,
        85..95 => 3,
        _ => 4,
    };
    let discounted = rng.u8(..100) < 8;
    let mut approved_by = None;
    let mut lines = Vec::with_capacity(line_count);
    for i in 0..line_count {
        let product = &products[draw(rng, popularity)];
        let quantity = match rng.u8(..100) {
            0..85 => 1,
            85..95 => 2,
            _ => rng.i64(3..=5),
        };
        let gross = product.price_cents * quantity;
        let percent = if discounted && i == 0 {
            let percent = rng.i64(5..=30);
            if percent > 20 {
                approved_by = Some(manager.to_owned());
            }
            percent
        } else {
            0
        };
        let discount = gross * percent / 100;
        let total = gross - discount;
        lines.push(SaleLine {
            serials: Vec::new(),
            sku: product.sku.clone(),
            quantity,
            unit_price_cents: product.price_cents,
            line_total_cents: total,
            tax_cents: tax_in(total),
            discount_cents: discount,
            rate_bp: Some(standard_rate()),
            tax_code: Some("STD".to_owned()),
            unit_cost_cents: Some(product.cost_cents),
        });
    }
    let total: i64 = lines.iter().map(|l| l.line_total_cents).sum();
    let tax: i64 = lines.iter().map(|l| l.tax_cents).sum();
    let (method, tendered) = match rng.u8(..100) {
        0..72 => (PaymentMethod::Card, 0),
        72..95 => {
            // Cash handed over in notes: the next 5, 10 or 20 above the total.
            let note = [500, 1_000, 2_000][rng.usize(..3)];
            (PaymentMethod::Cash, (total / note + 1) * note)
        }
        _ => (PaymentMethod::Transfer, 0),
    };
    let (paid, change) = if method == PaymentMethod::Cash {
        (tendered, tendered - total)
    } else {
        (total, 0)
    };
    SaleCreated {
        sale_id: format!("gen-{number}"),
        receipt_number: number,
        location: location.to_owned(),
        payment_method: method,
        subtotal_cents: total - tax,
        discount_cents: lines.iter().map(|l| l.discount_cents).sum(),
        tax_cents: tax,
        total_cents: total,
        taxes: vec![SaleTax {
            code: Some("STD".to_owned()),
            rate_bp: standard_rate(),
            net_cents: total - tax,
            tax_cents: tax,
        }],
        payments: vec![SalePayment {
            method,
            amount_cents: paid,
        }],
        tendered_cents: tendered,
        change_due_cents: change,
        lines,
        actor: Some(clerks[rng.usize(..clerks.len())].to_owned()),
        approved_by,
        shift_id: None,
        customer_id: None,
    }
}

/// Whether `sale` is voided (the same day) or partly returned (within two weeks), and when.
fn change(rng: &mut fastrand::Rng, sale: &SaleCreated, day: Date) -> Option<(SaleUpdated, Date)> {
    let roll = rng.u16(..1_000);
    let manager = LOCATIONS
        .iter()
        .find(|l| l.0 == sale.location)
        .map(|l| l.3.to_owned());
    if roll < 6 {
        let update = SaleUpdated {
            sale_id: sale.sale_id.clone(),
            receipt_number: sale.receipt_number,
            location: sale.location.clone(),
            change: SaleChange::Voided,
            status: SaleStatus::Voided,
            lines: sale
                .lines
                .iter()
                .map(|l| ReturnedLine {
                    serials: Vec::new(),
                    sku: l.sku.clone(),
                    quantity: l.quantity,
                    restock: true,
                })
                .collect(),
            refund_cents: sale.total_cents,
            refund_tax_cents: sale.tax_cents,
            actor: sale.actor.clone(),
            approved_by: (sale.total_cents > APPROVAL_OVER_CENTS)
                .then_some(manager)
                .flatten(),
        };
        return Some((update, day));
    }
    if roll >= 31 {
        return None;
    }
    let line = &sale.lines[0];
    let quantity = rng.i64(1..=line.quantity);
    let refund = line.line_total_cents * quantity / line.quantity;
    let update = SaleUpdated {
        sale_id: sale.sale_id.clone(),
        receipt_number: sale.receipt_number,
        location: sale.location.clone(),
        change: SaleChange::Returned,
        status: if quantity == line.quantity && sale.lines.len() == 1 {
            SaleStatus::Returned
        } else {
            SaleStatus::PartiallyReturned
        },
        lines: vec![ReturnedLine {
            serials: Vec::new(),
            sku: line.sku.clone(),
            quantity,
            restock: rng.u8(..100) < 85,
        }],
        refund_cents: refund,
        refund_tax_cents: line.tax_cents * quantity / line.quantity,
        actor: sale.actor.clone(),
        approved_by: (refund > APPROVAL_OVER_CENTS).then_some(manager).flatten(),
    };
    Some((update, day + Duration::days(rng.i64(0..RETURN_WITHIN_DAYS))))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_days_share_exactly_the_sales_asked_for_busiest_on_saturdays() {
        let first = date!(2026 - 01 - 05);
        let counts = sales_per_day(first, 364, 1_000_000);
        assert_eq!(counts.iter().sum::<u64>(), 1_000_000);
        let weekday_total = |weekday: Weekday| -> u64 {
            counts
                .iter()
                .enumerate()
                .filter(|(i, _)| (first + Duration::days(*i as i64)).weekday() == weekday)
                .map(|(_, c)| c)
                .sum()
        };
        assert!(weekday_total(Weekday::Saturday) > weekday_total(Weekday::Thursday));
        assert!(weekday_total(Weekday::Sunday) < weekday_total(Weekday::Monday));
    }

    #[test]
    fn a_few_best_sellers_and_a_long_tail() {
        let mut rng = fastrand::Rng::with_seed(7);
        let popularity = cumulative((0..2_000).map(|rank| 1.0 / (rank as f64 + 1.0).powf(1.07)));
        let mut hits = vec![0u32; 2_000];
        for _ in 0..100_000 {
            hits[draw(&mut rng, &popularity)] += 1;
        }
        let top_twenty: u32 = hits[..20].iter().sum();
        assert!(top_twenty > 30_000, "the top 1 % sell a third: {top_twenty}");
        assert!(
            hits.iter().filter(|h| **h > 0).count() > 1_500,
            "most of the tail sells"
        );
    }

    #[test]
    fn sales_add_up_and_pay_their_total() {
        let mut rng = fastrand::Rng::with_seed(1);
        let (_, products) = catalog(&mut rng, 50);
        let popularity = cumulative((0..50).map(|rank| 1.0 / (rank as f64 + 1.0)));
        for number in 1..500 {
            let sale = sale(&mut rng, &products, &popularity, number);
            assert_eq!(sale.subtotal_cents + sale.tax_cents, sale.total_cents);
            let paid: i64 = sale.payments.iter().map(|p| p.amount_cents).sum();
            assert_eq!(paid, sale.total_cents + sale.change_due_cents);
            if let Some((update, on)) = change(&mut rng, &sale, date!(2026 - 06 - 01)) {
                assert!(update.refund_cents <= sale.total_cents);
                assert!(on >= date!(2026 - 06 - 01));
            }
        }
    }
}
