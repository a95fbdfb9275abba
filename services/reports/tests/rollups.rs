//! The rollups on every backend (SQLite, and MariaDB on this machine), fed random histories
//! of sales, returns and voids through the consumer exactly as the bus delivers them, each
//! event twice: every report's figures equal the sums over the events themselves, whatever
//! the grouping, period or location.

use std::collections::BTreeMap;

use events::sales::{ReturnedLine, SaleCreated, SaleLine, SalePayment, SaleTax, SaleUpdated};
use events::{Bus, Consumer, Envelope};
use kernel::{PaymentMethod, SaleChange, SaleStatus, TaxRate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reports::Reports;
use reports::store::Filter;
use reports_api::inputs::Grouping;
use std::sync::Arc;
use storage::Db;
use testkit::TestDatabase;
use time::macros::{date, datetime};
use time::{Date, Duration};

const SKUS: [&str; 4] = ["A-1", "B-2", "C-3", "D-4"];
const LOCATIONS: [&str; 2] = ["main", "annex"];
const STAFF: [&str; 2] = ["ann", "bob"];
const FIRST_DAY: Date = date!(2026 - 10 - 01);

/// One thing that happened at the counter, on a day after [`FIRST_DAY`].
#[derive(Debug, Clone)]
enum Op {
    Sale {
        day: i64,
        location: usize,
        staff: usize,
        /// (SKU, quantity, unit price incl. tax, reduced rate)
        lines: Vec<(usize, i64, i64, bool)>,
        card_share: u8,
        change: i64,
        /// A manager who approved a discount.
        approver: Option<usize>,
    },
    /// Gives back up to `units` of the sale's first line, `days` after it, on the shelf or
    /// written off, maybe with a manager's approval.
    Return {
        sale: usize,
        units: i64,
        days: i64,
        restock: bool,
        approved: bool,
    },
    Void {
        sale: usize,
        days: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (
            0..40i64,
            0..2usize,
            0..2usize,
            prop::collection::vec((0..4usize, 1..5i64, 1..20_000i64, any::<bool>()), 1..4),
            0..=100u8,
            0..500i64,
            prop::option::of(0..2usize),
        )
            .prop_map(|(day, location, staff, lines, card_share, change, approver)| Op::Sale {
                day,
                location,
                staff,
                lines,
                card_share,
                change,
                approver,
            }),
        1 => (0..20usize, 1..4i64, 0..5i64, any::<bool>(), any::<bool>()).prop_map(
            |(sale, units, days, restock, approved)| Op::Return { sale, units, days, restock, approved }
        ),
        1 => (0..20usize, 0..5i64).prop_map(|(sale, days)| Op::Void { sale, days }),
    ]
}

fn rate(reduced: bool) -> (Option<String>, TaxRate) {
    if reduced {
        (Some("RED".into()), TaxRate::from_bp(5.5).unwrap())
    } else {
        (Some("STD".into()), TaxRate::from_bp(20.0).unwrap())
    }
}

/// Tax included in `total` at `rate` (a fixed rule; the rollups add whatever the events say).
fn tax_in(total: i64, rate: TaxRate) -> i64 {
    total * i64::from(rate.ppm()) / (1_000_000 + i64::from(rate.ppm()))
}

/// What a unit of `sku` cost when sold on `day`; the last SKU's cost is unknown.
fn unit_cost(sku: usize, day: i64) -> Option<i64> {
    (sku + 1 < SKUS.len()).then(|| (sku as i64 + 1) * 150 + day)
}

fn at(day: i64) -> time::OffsetDateTime {
    datetime!(2026-10-01 12:00 UTC) + Duration::days(day)
}

struct Sold {
    event: SaleCreated,
    day: i64,
    /// Units of the first line not yet given back; none once voided.
    first_left: i64,
    voided: bool,
}

/// The events of `ops`, in the order they happened.
fn history(ops: &[Op]) -> Vec<Envelope> {
    let mut sold: Vec<Sold> = Vec::new();
    let mut envelopes = Vec::new();
    for op in ops {
        match op {
            Op::Sale {
                day,
                location,
                staff,
                lines,
                card_share,
                change,
                approver,
            } => {
                let lines: Vec<SaleLine> = lines
                    .iter()
                    .map(|&(sku, quantity, unit, reduced)| {
                        let (code, rate) = rate(reduced);
                        let total = unit * quantity;
                        SaleLine {
                            serials: Vec::new(),
                            sku: SKUS[sku].into(),
                            quantity,
                            unit_price_cents: unit,
                            line_total_cents: total,
                            tax_cents: tax_in(total, rate),
                            discount_cents: quantity,
                            rate_bp: Some(rate),
                            tax_code: code,
                            unit_cost_cents: unit_cost(sku, *day),
                        }
                    })
                    .collect();
                let total: i64 = lines.iter().map(|l| l.line_total_cents).sum();
                let tax: i64 = lines.iter().map(|l| l.tax_cents).sum();
                let mut taxes: BTreeMap<String, SaleTax> = BTreeMap::new();
                for line in &lines {
                    let entry = taxes.entry(line.tax_code.clone().unwrap()).or_insert(SaleTax {
                        code: line.tax_code.clone(),
                        rate_bp: line.rate_bp.unwrap(),
                        net_cents: 0,
                        tax_cents: 0,
                    });
                    entry.net_cents += line.line_total_cents - line.tax_cents;
                    entry.tax_cents += line.tax_cents;
                }
                let card = total * i64::from(*card_share) / 100;
                let mut payments = vec![];
                if card > 0 {
                    payments.push(SalePayment {
                        method: PaymentMethod::Card,
                        amount_cents: card,
                    });
                }
                let cash = total - card;
                let change = if cash > 0 { *change } else { 0 };
                if cash > 0 {
                    payments.push(SalePayment {
                        method: PaymentMethod::Cash,
                        amount_cents: cash + change,
                    });
                }
                let event = SaleCreated {
                    sale_id: format!("sale-{}", sold.len()),
                    receipt_number: sold.len() as i64 + 1,
                    location: LOCATIONS[*location].into(),
                    payment_method: PaymentMethod::Card,
                    subtotal_cents: total - tax,
                    discount_cents: lines.iter().map(|l| l.discount_cents).sum(),
                    tax_cents: tax,
                    total_cents: total,
                    taxes: taxes.into_values().collect(),
                    payments,
                    tendered_cents: if cash > 0 { cash + change } else { 0 },
                    change_due_cents: change,
                    lines,
                    actor: Some(STAFF[*staff].into()),
                    approved_by: approver.map(|a| STAFF[a].to_owned()),
                    shift_id: None,
                    customer_id: None,
                };
                envelopes.push(Envelope::new("sales", None, at(*day), &event));
                sold.push(Sold {
                    first_left: event.lines[0].quantity,
                    event,
                    day: *day,
                    voided: false,
                });
            }
            Op::Return {
                sale,
                units,
                days,
                restock,
                approved,
            } => {
                let Some(sale) = sold.get_mut(*sale) else { continue };
                let units = (*units).min(sale.first_left);
                if sale.voided || units == 0 {
                    continue;
                }
                sale.first_left -= units;
                let line = &sale.event.lines[0];
                let refund = line.line_total_cents * units / line.quantity;
                let update = SaleUpdated {
                    sale_id: sale.event.sale_id.clone(),
                    receipt_number: sale.event.receipt_number,
                    location: sale.event.location.clone(),
                    change: SaleChange::Returned,
                    status: SaleStatus::PartiallyReturned,
                    lines: vec![ReturnedLine {
                        serials: Vec::new(),
                        sku: line.sku.clone(),
                        quantity: units,
                        restock: *restock,
                    }],
                    refund_cents: refund,
                    refund_tax_cents: tax_in(refund, line.rate_bp.unwrap()),
                    actor: Some("bob".into()),
                    approved_by: approved.then(|| "ann".to_owned()),
                };
                envelopes.push(Envelope::new("sales", None, at(sale.day + days), &update));
            }
            Op::Void { sale, days } => {
                let Some(sale) = sold.get_mut(*sale) else { continue };
                if sale.voided {
                    continue;
                }
                sale.voided = true;
                let event = &sale.event;
                let mut lines: Vec<ReturnedLine> = Vec::new();
                let mut refund = 0;
                let mut refund_tax = 0;
                for (i, line) in event.lines.iter().enumerate() {
                    let left = if i == 0 { sale.first_left } else { line.quantity };
                    if left == 0 {
                        continue;
                    }
                    let amount = line.line_total_cents * left / line.quantity;
                    refund += amount;
                    refund_tax += tax_in(amount, line.rate_bp.unwrap());
                    lines.push(ReturnedLine {
                        serials: Vec::new(),
                        sku: line.sku.clone(),
                        quantity: left,
                        restock: true,
                    });
                }
                if lines.is_empty() {
                    continue;
                }
                let update = SaleUpdated {
                    sale_id: event.sale_id.clone(),
                    receipt_number: event.receipt_number,
                    location: event.location.clone(),
                    change: SaleChange::Voided,
                    status: SaleStatus::Voided,
                    lines,
                    refund_cents: refund,
                    refund_tax_cents: refund_tax,
                    actor: Some("ann".into()),
                    approved_by: None,
                };
                envelopes.push(Envelope::new("sales", None, at(sale.day + days), &update));
            }
        }
    }
    envelopes
}

/// The sums a report must show for `filter`, computed from the events alone.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    sales: i64,
    units: i64,
    total: i64,
    tax: i64,
    refunds: i64,
    voids: i64,
    returned_units: i64,
    units_by_sku: BTreeMap<String, i64>,
    /// The cost of the units sold less that of those back on the shelf.
    cost: i64,
    uncosted_units: i64,
    approvals: BTreeMap<String, i64>,
}

fn expected(envelopes: &[Envelope], filter: &Filter) -> Expected {
    let mut e = Expected::default();
    for envelope in envelopes {
        let day = envelope.occurred_at.date();
        if day < filter.from || day > filter.to {
            continue;
        }
        if envelope.event_type == "SaleCreated" {
            let sale = SaleCreated::from_envelope(envelope).unwrap();
            if filter.location.as_deref().is_some_and(|l| l != sale.location) {
                continue;
            }
            e.sales += 1;
            e.total += sale.total_cents;
            e.tax += sale.tax_cents;
            for line in &sale.lines {
                e.units += line.quantity;
                *e.units_by_sku.entry(line.sku.clone()).or_default() += line.quantity;
                match line.unit_cost_cents {
                    Some(cost) => e.cost += cost * line.quantity,
                    None => e.uncosted_units += line.quantity,
                }
            }
            if let Some(approver) = sale.approved_by {
                *e.approvals.entry(approver).or_default() += 1;
            }
        } else {
            let update = SaleUpdated::from_envelope(envelope).unwrap();
            if filter.location.as_deref().is_some_and(|l| l != update.location) {
                continue;
            }
            let sale = envelopes
                .iter()
                .filter(|e| e.event_type == "SaleCreated")
                .map(|e| SaleCreated::from_envelope(e).unwrap())
                .find(|s| s.sale_id == update.sale_id)
                .unwrap();
            for returned in update.lines.iter().filter(|l| l.restock) {
                let line = sale.lines.iter().find(|l| l.sku == returned.sku).unwrap();
                e.cost -= line.unit_cost_cents.unwrap_or(0) * returned.quantity;
            }
            if let Some(approver) = update.approved_by {
                *e.approvals.entry(approver).or_default() += 1;
            }
            match update.change {
                SaleChange::Voided => e.voids += update.refund_cents,
                SaleChange::Returned => {
                    e.refunds += update.refund_cents;
                    e.returned_units += update.lines.iter().map(|l| l.quantity).sum::<i64>();
                }
            }
        }
    }
    e
}

async fn check(db: &Db, envelopes: &[Envelope]) -> Result<(), TestCaseError> {
    for table in [
        "reports_daily",
        "reports_monthly",
        "reports_sales",
        "reports_inbox",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(db.pool())
            .await
            .unwrap();
    }
    let consumer = Consumer::new(
        "reports",
        "test",
        &reports::events::SALES_TYPES,
        db.clone(),
        Bus::in_process(),
        Arc::new(reports::events::ReportEvents { engine: db.kind() }),
        3,
    );
    // Every event delivered twice, the second time after the next ones: the inbox applies
    // each once. They come in batches of one to four, as waiting deliveries are applied.
    let mut start = 0;
    let mut previous = 0..0;
    for size in (1..=4).cycle() {
        if start == envelopes.len() {
            break;
        }
        let batch = start..(start + size).min(envelopes.len());
        consumer.apply_all(&envelopes[batch.clone()]).await.unwrap();
        consumer.apply_all(&envelopes[previous]).await.unwrap();
        (start, previous) = (batch.end, batch);
    }
    let reports = Reports::new(db.clone());
    // Whole months and part-months: October and the first days of November; the end of
    // October and the whole of November.
    let periods = [
        (FIRST_DAY, FIRST_DAY + Duration::days(50), None),
        (date!(2026 - 10 - 15), date!(2026 - 11 - 30), None),
        // Months read whole less the days left out: October less its 1st; November less its
        // last two days; October less three days, at one location.
        (date!(2026 - 10 - 02), date!(2026 - 11 - 14), None),
        (date!(2026 - 10 - 01), date!(2026 - 11 - 28), None),
        (
            date!(2026 - 10 - 03),
            date!(2026 - 10 - 30),
            Some("main".to_owned()),
        ),
        (
            FIRST_DAY + Duration::days(10),
            FIRST_DAY + Duration::days(20),
            None,
        ),
        (
            FIRST_DAY,
            FIRST_DAY + Duration::days(50),
            Some("annex".to_owned()),
        ),
    ];
    for (from, to, location) in periods {
        let filter = Filter { from, to, location };
        let want = expected(envelopes, &filter);
        for by in Grouping::ALL {
            let report = reports.sales(&filter, by).await.unwrap();
            let t = report.totals;
            let sum = |f: fn(&reports_api::views::Figures) -> i64| {
                report.rows.iter().map(|r| f(&r.figures)).sum::<i64>()
            };
            prop_assert_eq!(
                (
                    t.sales,
                    t.units,
                    t.total_cents,
                    t.tax_cents,
                    t.refund_cents,
                    t.void_cents,
                    t.returned_units
                ),
                (
                    want.sales,
                    want.units,
                    want.total,
                    want.tax,
                    want.refunds,
                    want.voids,
                    want.returned_units
                ),
                "{:?} {:?}",
                by,
                filter
            );
            prop_assert_eq!(sum(|f| f.total_cents), t.total_cents, "{:?}", by);
            prop_assert_eq!(sum(|f| f.refund_cents), t.refund_cents, "{:?}", by);
            prop_assert_eq!(sum(|f| f.void_cents), t.void_cents, "{:?}", by);
            prop_assert_eq!(sum(|f| f.kept_net_cents), t.kept_net_cents, "{:?}", by);
            prop_assert_eq!(sum(|f| f.kept_tax_cents), t.kept_tax_cents, "{:?}", by);
            prop_assert_eq!(
                (t.cost_cents, t.uncosted_units, t.approvals),
                (
                    want.cost,
                    want.uncosted_units,
                    want.approvals.values().sum::<i64>()
                ),
                "{:?} {:?}",
                by,
                filter
            );
            prop_assert_eq!(t.gross_margin_cents, t.kept_net_cents - t.cost_cents);
            prop_assert_eq!(sum(|f| f.cost_cents), t.cost_cents, "{:?}", by);
            prop_assert_eq!(sum(|f| f.gross_margin_cents), t.gross_margin_cents, "{:?}", by);
            if by == Grouping::Staff {
                let approvals: BTreeMap<String, i64> = report
                    .rows
                    .iter()
                    .filter(|r| r.figures.approvals > 0)
                    .map(|r| (r.key.clone(), r.figures.approvals))
                    .collect();
                prop_assert_eq!(&approvals, &want.approvals);
            }
            if by == Grouping::Product {
                let units: BTreeMap<String, i64> = report
                    .rows
                    .iter()
                    .filter(|r| r.figures.units > 0)
                    .map(|r| (r.key.clone(), r.figures.units))
                    .collect();
                prop_assert_eq!(&units, &want.units_by_sku);
            }
        }
        let tax = reports.tax(&filter).await.unwrap();
        prop_assert_eq!(
            tax.kept_tax_cents,
            want.tax - reports_tax_given_back(envelopes, &filter)
        );
    }
    Ok(())
}

fn reports_tax_given_back(envelopes: &[Envelope], filter: &Filter) -> i64 {
    envelopes
        .iter()
        .filter(|e| e.event_type == "SaleUpdated")
        .filter(|e| e.occurred_at.date() >= filter.from && e.occurred_at.date() <= filter.to)
        .map(|e| SaleUpdated::from_envelope(e).unwrap())
        .filter(|u| filter.location.as_deref().is_none_or(|l| l == u.location))
        .map(|u| u.refund_tax_cents)
        .sum()
}

fn run(db: TestDatabase) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(async {
        let db = db.connect().await;
        db.migrate(&reports::migrator(db.kind())).await.unwrap();
        db
    });
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            runtime.block_on(check(&db, &history(&ops)))
        })
        .unwrap();
}

#[test]
fn random_histories_add_up_on_sqlite() {
    run(TestDatabase::sqlite());
}

#[test]
fn random_histories_add_up_on_mysql() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDatabase::mysql()) else {
        return;
    };
    drop(runtime);
    run(db);
}
