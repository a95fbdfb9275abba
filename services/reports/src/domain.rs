//! What each sales event adds to the daily rollups: pure arithmetic, no I/O.
//!
//! A sale adds to the day it was rung up; a return or a void to the day it happened, so a
//! closed period's figures never move. Each event's figures are tallied per bucket (day,
//! location, dimension, member) and the buckets are summed by the store.
//!
//! A return or void names SKUs and units, with one refund for all of them: the refund (and
//! its tax) is spread over the SKUs in proportion to what their units were sold for, and over
//! the payment methods in proportion to what each took, to the cent ([`spread`]), so every
//! dimension adds up to the same total.

use std::collections::BTreeMap;

use events::sales::{SaleCreated, SaleLine, SaleUpdated};
use kernel::money::spread;
use kernel::{Cents, PaymentMethod, SaleChange, TaxRate};
use serde::{Deserialize, Serialize};
use time::Date;

/// What a rollup is kept by, beside day and location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    /// Everything, under the empty member.
    Total,
    Sku,
    /// The person who rang up the sale or took the return.
    Staff,
    PaymentMethod,
    /// A tax rate: its code and rate, see [`tax_member`].
    TaxRate,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Total,
        Dimension::Sku,
        Dimension::Staff,
        Dimension::PaymentMethod,
        Dimension::TaxRate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Total => "total",
            Dimension::Sku => "sku",
            Dimension::Staff => "staff",
            Dimension::PaymentMethod => "payment_method",
            Dimension::TaxRate => "tax_rate",
        }
    }
}

/// One rollup row's identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bucket {
    pub day: Date,
    pub location: String,
    pub dimension: Dimension,
    pub member: String,
}

/// Declares [`Tally`] with its figures listed once: the struct, its column names (those of the
/// rollup tables) and its conversions to and from an array in that order.
macro_rules! tally {
    ($($(#[$doc:meta])* $field:ident),* $(,)?) => {
        /// The figures a rollup row sums.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct Tally {
            $($(#[$doc])* pub $field: i64,)*
        }

        impl Tally {
            /// The rollups' columns, in the order of [`Tally::figures`].
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
            pub const COUNT: usize = Tally::FIELDS.len();

            pub fn figures(&self) -> [i64; Tally::COUNT] {
                [$(self.$field),*]
            }

            pub fn from_figures(figures: [i64; Tally::COUNT]) -> Tally {
                let [$($field),*] = figures;
                Tally { $($field),* }
            }
        }
    };
}

tally! {
    sales,
    units,
    discount_cents,
    net_cents,
    tax_cents,
    total_cents,
    returns,
    returned_units,
    refund_cents,
    refund_tax_cents,
    voids,
    voided_units,
    void_cents,
    void_tax_cents,
    /// What the units sold cost the shop (those with a known cost).
    cost_cents,
    /// Units sold without a known cost: their cost is not in `cost_cents`.
    uncosted_units,
    /// The cost of units that returns and voids put back on the shelf (written-off units
    /// stay a cost: the shop bore it).
    returned_cost_cents,
    voided_cost_cents,
    /// Approvals given (a discount beyond the limit, a refund): under the approver for staff.
    approvals,
}

impl Tally {
    /// `self + other`, figure by figure; `None` on overflow.
    pub fn plus(&self, other: &Tally) -> Option<Tally> {
        let (a, b) = (self.figures(), other.figures());
        let mut sum = [0; Tally::COUNT];
        for i in 0..Tally::COUNT {
            sum[i] = a[i].checked_add(b[i])?;
        }
        Some(Tally::from_figures(sum))
    }

    /// Every figure's opposite, to take a part off a sum; `None` on overflow.
    pub fn negated(&self) -> Option<Tally> {
        let mut figures = self.figures();
        for figure in &mut figures {
            *figure = figure.checked_neg()?;
        }
        Some(Tally::from_figures(figures))
    }

    /// Net sales less the net of returns and voids.
    pub fn kept_net_cents(&self) -> i64 {
        self.net_cents - (self.refund_cents - self.refund_tax_cents) - (self.void_cents - self.void_tax_cents)
    }

    /// Tax less the tax of returns and voids.
    pub fn kept_tax_cents(&self) -> i64 {
        self.tax_cents - self.refund_tax_cents - self.void_tax_cents
    }

    /// The cost of goods sold: the cost of the units sold less that of the units back on the
    /// shelf.
    pub fn kept_cost_cents(&self) -> i64 {
        self.cost_cents - self.returned_cost_cents - self.voided_cost_cents
    }

    /// What the shop kept, without tax, less what those goods cost it.
    pub fn gross_margin_cents(&self) -> i64 {
        self.kept_net_cents() - self.kept_cost_cents()
    }
}

/// The member under which a tax rate is kept: its code (empty without one) and its rate in
/// parts per million, so that a rate changed later is a different member.
pub fn tax_member(code: Option<&str>, rate: TaxRate) -> String {
    format!("{}|{}", code.unwrap_or(""), rate.ppm())
}

/// The code and rate of a [`tax_member`]; none for a malformed one.
pub fn parse_tax_member(member: &str) -> Option<(String, TaxRate)> {
    let (code, ppm) = member.split_once('|')?;
    Some((code.to_owned(), TaxRate::from_ppm(ppm.parse().ok()?)?))
}

/// What the reporting service keeps of a sale to attribute its later returns and void.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSale {
    pub location: String,
    /// Per SKU, in order of first appearance.
    pub skus: Vec<SoldSku>,
    /// What each method took (cash net of change), in order of first appearance.
    pub taken: Vec<(PaymentMethod, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoldSku {
    pub sku: String,
    pub quantity: i64,
    /// Tax included.
    pub total_cents: i64,
    pub tax_cents: i64,
    /// The [`tax_member`] of its first line.
    pub tax: String,
    /// What a unit cost the shop, from its first line with a known cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_cents: Option<i64>,
}

/// The figures of one event, summed per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies(pub BTreeMap<Bucket, Tally>);

impl Tallies {
    /// Adds every bucket of `other` to these.
    pub fn absorb(&mut self, other: Tallies) {
        for (bucket, tally) in other.0 {
            let entry = self.0.entry(bucket).or_default();
            *entry = entry.plus(&tally).unwrap_or(*entry);
        }
    }

    fn add(&mut self, day: Date, location: &str, dimension: Dimension, member: &str, tally: Tally) {
        let bucket = Bucket {
            day,
            location: location.to_owned(),
            dimension,
            member: member.to_owned(),
        };
        let entry = self.0.entry(bucket).or_default();
        // One event's own figures are sums of i64 cents it already carried.
        *entry = entry.plus(&tally).unwrap_or(*entry);
    }
}

/// What `sale`, rung up on `day`, adds; and what is kept of it for its returns.
pub fn sale_tallies(sale: &SaleCreated, day: Date) -> (Tallies, RecordedSale) {
    let mut tallies = Tallies::default();
    let at = |t: &mut Tallies, dimension, member: &str, tally| {
        t.add(day, &sale.location, dimension, member, tally)
    };
    let units: i64 = sale.lines.iter().map(|l| l.quantity).sum();
    let whole = Tally {
        sales: 1,
        units,
        discount_cents: sale.discount_cents,
        net_cents: sale.subtotal_cents,
        tax_cents: sale.tax_cents,
        total_cents: sale.total_cents,
        cost_cents: sale.lines.iter().map(line_cost).sum(),
        uncosted_units: sale.lines.iter().map(uncosted_units).sum(),
        ..Tally::default()
    };
    at(&mut tallies, Dimension::Total, "", whole);
    at(
        &mut tallies,
        Dimension::Staff,
        sale.actor.as_deref().unwrap_or(""),
        whole,
    );
    if let Some(approver) = &sale.approved_by {
        let approval = Tally {
            approvals: 1,
            ..Tally::default()
        };
        at(&mut tallies, Dimension::Total, "", approval);
        at(&mut tallies, Dimension::Staff, approver, approval);
    }

    let mut skus: Vec<SoldSku> = Vec::new();
    let mut by_sku: BTreeMap<&str, Tally> = BTreeMap::new();
    for line in &sale.lines {
        let tax = match line.rate_bp {
            Some(rate) => tax_member(line.tax_code.as_deref(), rate),
            None => String::new(),
        };
        match skus.iter_mut().find(|s| s.sku == line.sku) {
            Some(sold) => {
                sold.quantity += line.quantity;
                sold.total_cents += line.line_total_cents;
                sold.tax_cents += line.tax_cents;
                sold.unit_cost_cents = sold.unit_cost_cents.or(line.unit_cost_cents);
            }
            None => skus.push(SoldSku {
                sku: line.sku.clone(),
                quantity: line.quantity,
                total_cents: line.line_total_cents,
                tax_cents: line.tax_cents,
                tax,
                unit_cost_cents: line.unit_cost_cents,
            }),
        }
        let entry = by_sku.entry(&line.sku).or_insert(Tally {
            sales: 1,
            ..Tally::default()
        });
        add_line(entry, line);
    }
    for (sku, tally) in by_sku {
        at(&mut tallies, Dimension::Sku, sku, tally);
    }

    // Per rate: the lines' when they carry their rate, else the sale's own split per rate.
    if sale.lines.iter().all(|l| l.rate_bp.is_some()) {
        let mut by_rate: BTreeMap<String, Tally> = BTreeMap::new();
        for line in &sale.lines {
            let member = tax_member(line.tax_code.as_deref(), line.rate_bp.unwrap_or(TaxRate::ZERO));
            let entry = by_rate.entry(member).or_insert(Tally {
                sales: 1,
                ..Tally::default()
            });
            add_line(entry, line);
        }
        for (member, tally) in by_rate {
            at(&mut tallies, Dimension::TaxRate, &member, tally);
        }
    } else {
        for rate in &sale.taxes {
            let tally = Tally {
                sales: 1,
                net_cents: rate.net_cents,
                tax_cents: rate.tax_cents,
                total_cents: rate.net_cents + rate.tax_cents,
                ..Tally::default()
            };
            at(
                &mut tallies,
                Dimension::TaxRate,
                &tax_member(rate.code.as_deref(), rate.rate_bp),
                tally,
            );
        }
    }

    let taken = taken_by_method(sale);
    let amounts: Vec<Cents> = taken.iter().map(|(_, c)| Cents::new(*c)).collect();
    let nets = spread(Cents::new(sale.subtotal_cents), &amounts);
    let taxes = spread(Cents::new(sale.tax_cents), &amounts);
    let discounts = spread(Cents::new(sale.discount_cents), &amounts);
    let costs = spread(Cents::new(whole.cost_cents), &amounts);
    for (i, (method, cents)) in taken.iter().enumerate() {
        let tally = Tally {
            sales: 1,
            discount_cents: discounts[i].get(),
            net_cents: nets[i].get(),
            tax_cents: taxes[i].get(),
            total_cents: *cents,
            cost_cents: costs[i].get(),
            ..Tally::default()
        };
        at(&mut tallies, Dimension::PaymentMethod, method.as_str(), tally);
    }

    let recorded = RecordedSale {
        location: sale.location.clone(),
        skus,
        taken,
    };
    (tallies, recorded)
}

/// Adds a sale's line to a product's or a rate's figures.
fn add_line(tally: &mut Tally, line: &SaleLine) {
    tally.units += line.quantity;
    tally.discount_cents += line.discount_cents;
    tally.net_cents += line.line_total_cents - line.tax_cents;
    tally.tax_cents += line.tax_cents;
    tally.total_cents += line.line_total_cents;
    tally.cost_cents += line_cost(line);
    tally.uncosted_units += uncosted_units(line);
}

/// What a line's units cost the shop; 0 when their cost is unknown.
fn line_cost(line: &SaleLine) -> i64 {
    line.unit_cost_cents
        .map_or(0, |cost| cost.saturating_mul(line.quantity))
}

fn uncosted_units(line: &SaleLine) -> i64 {
    if line.unit_cost_cents.is_some() {
        0
    } else {
        line.quantity
    }
}

/// What each method took for `sale`: its payments, cash less the change given.
fn taken_by_method(sale: &SaleCreated) -> Vec<(PaymentMethod, i64)> {
    let mut taken: Vec<(PaymentMethod, i64)> = Vec::new();
    for payment in &sale.payments {
        match taken.iter_mut().find(|(m, _)| *m == payment.method) {
            Some((_, cents)) => *cents += payment.amount_cents,
            None => taken.push((payment.method, payment.amount_cents)),
        }
    }
    if let Some((_, cash)) = taken.iter_mut().find(|(m, _)| *m == PaymentMethod::Cash) {
        *cash -= sale.change_due_cents;
    }
    taken.retain(|(_, cents)| *cents > 0);
    taken
}

/// What `update` (a return or a void on `day`) of the `sale` it names takes off.
pub fn update_tallies(update: &SaleUpdated, sale: &RecordedSale, day: Date) -> Tallies {
    let mut tallies = Tallies::default();
    let void = update.change == SaleChange::Voided;
    let figures = |units: i64, cents: i64, tax: i64, cost: i64| {
        if void {
            Tally {
                voids: 1,
                voided_units: units,
                void_cents: cents,
                void_tax_cents: tax,
                voided_cost_cents: cost,
                ..Tally::default()
            }
        } else {
            Tally {
                returns: 1,
                returned_units: units,
                refund_cents: cents,
                refund_tax_cents: tax,
                returned_cost_cents: cost,
                ..Tally::default()
            }
        }
    };
    let location = update.location.as_str();

    // Per SKU: the units given back, weighed by what they were sold for, and the cost of
    // those back on the shelf.
    let mut given_back: Vec<(&SoldSku, i64, i64)> = Vec::new();
    for line in &update.lines {
        let Some(sold) = sale.skus.iter().find(|s| s.sku == line.sku) else {
            continue;
        };
        let cost = if line.restock {
            sold.unit_cost_cents
                .map_or(0, |unit| unit.saturating_mul(line.quantity))
        } else {
            0
        };
        match given_back.iter_mut().find(|(s, _, _)| s.sku == line.sku) {
            Some((_, quantity, back)) => {
                *quantity += line.quantity;
                *back += cost;
            }
            None => given_back.push((sold, line.quantity, cost)),
        }
    }
    let units: i64 = update.lines.iter().map(|l| l.quantity).sum();
    let cost_back: i64 = given_back.iter().map(|(_, _, cost)| cost).sum();
    let whole = figures(units, update.refund_cents, update.refund_tax_cents, cost_back);
    tallies.add(day, location, Dimension::Total, "", whole);
    tallies.add(
        day,
        location,
        Dimension::Staff,
        update.actor.as_deref().unwrap_or(""),
        whole,
    );
    if let Some(approver) = &update.approved_by {
        let approval = Tally {
            approvals: 1,
            ..Tally::default()
        };
        tallies.add(day, location, Dimension::Total, "", approval);
        tallies.add(day, location, Dimension::Staff, approver, approval);
    }
    let weight = |amount: i64, sold: &SoldSku, quantity: i64| {
        let share = i128::from(amount) * i128::from(quantity) / i128::from(sold.quantity.max(1));
        Cents::new(i64::try_from(share).unwrap_or(i64::MAX))
    };
    let by_total: Vec<Cents> = given_back
        .iter()
        .map(|(s, q, _)| weight(s.total_cents, s, *q))
        .collect();
    let by_tax: Vec<Cents> = given_back
        .iter()
        .map(|(s, q, _)| weight(s.tax_cents, s, *q))
        .collect();
    // A share can round down to nothing (a cent of tax on three units, one given back): the
    // amount is then spread by the units given back, so no cent goes missing from the SKUs.
    let units_back: Vec<Cents> = given_back.iter().map(|(_, q, _)| Cents::new(*q)).collect();
    let spread_by = |amount: i64, weights: &[Cents]| {
        let nothing = weights.iter().all(|w| w.get() == 0);
        spread(Cents::new(amount), if nothing { &units_back } else { weights })
    };
    let refunds = spread_by(update.refund_cents, &by_total);
    let taxes = spread_by(update.refund_tax_cents, &by_tax);
    let mut by_rate: BTreeMap<&str, (i64, i64, i64, i64)> = BTreeMap::new();
    for (i, (sold, quantity, cost)) in given_back.iter().enumerate() {
        let (refund, tax) = (refunds[i].get(), taxes[i].get());
        tallies.add(
            day,
            location,
            Dimension::Sku,
            &sold.sku,
            figures(*quantity, refund, tax, *cost),
        );
        let rate = by_rate.entry(&sold.tax).or_default();
        *rate = (rate.0 + quantity, rate.1 + refund, rate.2 + tax, rate.3 + cost);
    }
    // Lines sold before events carried their rate have none to be given back under.
    for (member, (units, refund, tax, cost)) in by_rate {
        if !member.is_empty() {
            tallies.add(
                day,
                location,
                Dimension::TaxRate,
                member,
                figures(units, refund, tax, cost),
            );
        }
    }

    let amounts: Vec<Cents> = sale.taken.iter().map(|(_, c)| Cents::new(*c)).collect();
    let refunds = spread(Cents::new(update.refund_cents), &amounts);
    let taxes = spread(Cents::new(update.refund_tax_cents), &amounts);
    let costs = spread(Cents::new(cost_back), &amounts);
    for (i, (method, _)) in sale.taken.iter().enumerate() {
        tallies.add(
            day,
            location,
            Dimension::PaymentMethod,
            method.as_str(),
            figures(0, refunds[i].get(), taxes[i].get(), costs[i].get()),
        );
    }
    tallies
}

#[cfg(test)]
mod tests {
    use events::sales::{ReturnedLine, SaleLine, SalePayment, SaleTax};
    use kernel::SaleStatus;
    use time::macros::date;

    use super::*;

    fn rate() -> TaxRate {
        TaxRate::from_bp(20.0).unwrap()
    }

    fn line(sku: &str, quantity: i64, total: i64, tax: i64) -> SaleLine {
        SaleLine {
            serials: Vec::new(),
            sku: sku.into(),
            quantity,
            unit_price_cents: total / quantity,
            line_total_cents: total,
            tax_cents: tax,
            discount_cents: 0,
            rate_bp: Some(rate()),
            tax_code: Some("STD".into()),
            // B's cost is unknown.
            unit_cost_cents: (sku == "A").then_some(200),
        }
    }

    fn sale() -> SaleCreated {
        SaleCreated {
            sale_id: "s1".into(),
            receipt_number: 1,
            location: "main".into(),
            payment_method: PaymentMethod::Cash,
            subtotal_cents: 1_000,
            discount_cents: 0,
            tax_cents: 200,
            total_cents: 1_200,
            taxes: vec![SaleTax {
                code: Some("STD".into()),
                rate_bp: rate(),
                net_cents: 1_000,
                tax_cents: 200,
            }],
            payments: vec![
                SalePayment {
                    method: PaymentMethod::Card,
                    amount_cents: 700,
                },
                SalePayment {
                    method: PaymentMethod::Cash,
                    amount_cents: 1_000,
                },
            ],
            tendered_cents: 1_000,
            change_due_cents: 500,
            lines: vec![line("A", 3, 900, 150), line("B", 1, 300, 50)],
            actor: Some("ann".into()),
            approved_by: Some("cat".into()),
            shift_id: None,
            customer_id: None,
        }
    }

    fn sum(tallies: &Tallies, dimension: Dimension) -> Tally {
        tallies
            .0
            .iter()
            .filter(|(b, _)| b.dimension == dimension)
            .fold(Tally::default(), |a, (_, t)| a.plus(t).unwrap())
    }

    #[test]
    fn every_dimension_of_a_sale_adds_up_to_its_total() {
        let (tallies, recorded) = sale_tallies(&sale(), date!(2026 - 11 - 30));
        let total = sum(&tallies, Dimension::Total);
        assert_eq!((total.sales, total.units, total.total_cents), (1, 4, 1_200));
        for dimension in [Dimension::Sku, Dimension::TaxRate, Dimension::PaymentMethod] {
            let s = sum(&tallies, dimension);
            assert_eq!(
                (s.net_cents, s.tax_cents, s.total_cents),
                (1_000, 200, 1_200),
                "{dimension:?}"
            );
        }
        assert_eq!(
            recorded.taken,
            vec![(PaymentMethod::Card, 700), (PaymentMethod::Cash, 500)]
        );
        assert_eq!((total.cost_cents, total.uncosted_units), (600, 1));
        for dimension in [Dimension::Sku, Dimension::TaxRate, Dimension::PaymentMethod] {
            assert_eq!(sum(&tallies, dimension).cost_cents, 600, "{dimension:?}");
        }
        let approvals: Vec<(&str, i64)> = tallies
            .0
            .iter()
            .filter(|(b, t)| b.dimension == Dimension::Staff && t.approvals > 0)
            .map(|(b, t)| (b.member.as_str(), t.approvals))
            .collect();
        assert_eq!(approvals, [("cat", 1)]);
        assert_eq!(total.approvals, 1);
    }

    /// One unit of `sku` given back.
    fn returned(sku: &str, restock: bool) -> ReturnedLine {
        ReturnedLine {
            serials: Vec::new(),
            sku: sku.into(),
            quantity: 1,
            restock,
        }
    }

    /// A return of `lines` from sale s1 by bob, approved by cat.
    fn a_return(lines: Vec<ReturnedLine>, refund_cents: i64, refund_tax_cents: i64) -> SaleUpdated {
        SaleUpdated {
            sale_id: "s1".into(),
            receipt_number: 1,
            location: "main".into(),
            change: SaleChange::Returned,
            status: SaleStatus::PartiallyReturned,
            lines,
            refund_cents,
            refund_tax_cents,
            actor: Some("bob".into()),
            approved_by: Some("cat".into()),
        }
    }

    /// Found by `tests/rollups.rs`'s random histories: a cent of tax refunded on one unit of
    /// three fell between the SKUs.
    #[test]
    fn a_refund_whose_share_rounds_to_nothing_still_reaches_its_sku() {
        let mut sold = sale();
        sold.lines = vec![line("A", 3, 900, 1), line("B", 1, 300, 50)];
        let (_, recorded) = sale_tallies(&sold, date!(2026 - 11 - 30));
        let update = SaleUpdated {
            approved_by: None,
            ..a_return(vec![returned("A", false)], 300, 1)
        };
        let tallies = update_tallies(&update, &recorded, date!(2026 - 12 - 01));
        for dimension in [
            Dimension::Total,
            Dimension::Sku,
            Dimension::PaymentMethod,
            Dimension::TaxRate,
        ] {
            let s = sum(&tallies, dimension);
            assert_eq!((s.refund_cents, s.refund_tax_cents), (300, 1), "{dimension:?}");
        }
    }

    #[test]
    fn a_return_is_spread_over_skus_and_methods_to_the_cent() {
        let (_, recorded) = sale_tallies(&sale(), date!(2026 - 11 - 30));
        let update = a_return(vec![returned("A", true), returned("B", false)], 601, 101);
        let tallies = update_tallies(&update, &recorded, date!(2026 - 12 - 01));
        let total = sum(&tallies, Dimension::Total);
        assert_eq!(
            (total.returns, total.returned_units, total.refund_cents),
            (1, 2, 601)
        );
        for dimension in [Dimension::Sku, Dimension::PaymentMethod, Dimension::TaxRate] {
            let s = sum(&tallies, dimension);
            assert_eq!((s.refund_cents, s.refund_tax_cents), (601, 101), "{dimension:?}");
        }
        let rate = sum(&tallies, Dimension::TaxRate);
        assert_eq!((rate.returns, rate.returned_units), (1, 2));
        // A's unit went back on the shelf at its cost; B's was written off and stays a cost.
        assert_eq!(total.returned_cost_cents, 200);
        for dimension in [Dimension::Sku, Dimension::PaymentMethod, Dimension::TaxRate] {
            assert_eq!(sum(&tallies, dimension).returned_cost_cents, 200, "{dimension:?}");
        }
        assert_eq!(total.approvals, 1);
        let staff: Vec<&str> = tallies
            .0
            .keys()
            .filter(|b| b.dimension == Dimension::Staff)
            .map(|b| b.member.as_str())
            .collect();
        assert_eq!(staff, ["bob", "cat"]);
    }

    #[test]
    fn tax_members_read_back() {
        let member = tax_member(Some("STD"), rate());
        assert_eq!(parse_tax_member(&member), Some(("STD".to_owned(), rate())));
        assert_eq!(parse_tax_member("nonsense"), None);
    }
}
