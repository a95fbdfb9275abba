//! How a basket becomes amounts, in integer cents with arithmetic that never wraps.
//!
//! # The rules
//! 1. A line's list amount is its unit price × quantity. A line discount (an amount, or a
//!    percentage of the list amount rounded half away from zero) is taken off it.
//! 2. A basket discount (an amount, or a percentage of what the lines come to after their own
//!    discounts) is **spread over the lines in proportion to those amounts**: each line takes
//!    its exact share rounded down, and the cents left over go one each to the lines with the
//!    largest remainders (the earlier line first on a tie), so the shares add up to the basket
//!    discount exactly.
//! 3. Tax is computed per line on what is left, as [`kernel::tax`] says (half away from zero),
//!    at the line's rate: the product's, else the shop's default, else none.
//! 4. The sale's figures are sums of its lines': `subtotal` (net), `tax`, `total` (what the
//!    customer pays); `taxes` sums net and tax per rate.
//!
//! A line whose discounts together exceed the shop's limit (a percentage of its list amount)
//! is priced but listed in [`Priced::beyond_limit`]: such a sale needs a manager's approval.

use kernel::money::spread;
use kernel::{Cents, FieldError, FieldErrors, Overflow, Pricing, TaxRate, Total};

use super::SaleRequest;

/// A discount as the clerk gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    Cents(Cents),
    /// Basis points of a percent: 1250 is 12.5 %.
    Percent(u32),
}

impl Discount {
    pub const NONE: Discount = Discount::Cents(Cents::ZERO);

    /// `{prefix}discount_cents` or `{prefix}discount_percent`, at most one; none is no discount.
    pub fn parse(
        errors: &mut FieldErrors,
        prefix: &str,
        cents: Option<i64>,
        percent: Option<f64>,
    ) -> Option<Discount> {
        let cents_field = format!("{prefix}discount_cents");
        let percent_field = format!("{prefix}discount_percent");
        let both = cents.is_some() && percent.is_some();
        if both {
            errors.push(&cents_field, "give discount_cents or discount_percent, not both");
        }
        let cents = cents.map(|c| {
            errors.check(
                &cents_field,
                if c < 0 {
                    Err("must not be negative".to_owned())
                } else {
                    Ok(Discount::Cents(Cents::new(c)))
                },
            )
        });
        let percent = percent.map(|p| {
            errors.check(
                &percent_field,
                kernel::decimal::hundredths(p, 100.0)
                    .map(Discount::Percent)
                    .ok_or_else(|| "must be between 0 and 100, with at most two decimals".to_owned()),
            )
        });
        if both {
            return None;
        }
        match (cents, percent) {
            (Some(parsed), None) | (None, Some(parsed)) => parsed,
            _ => Some(Discount::NONE),
        }
    }

    /// The amount off `base`, refused when it is more than `base`.
    fn off(self, base: Cents) -> Result<Cents, String> {
        let off = match self {
            Discount::Cents(cents) => cents,
            Discount::Percent(hundredths) => base
                .share_rounded(i64::from(hundredths), 10_000)
                .map_err(|_| TOO_LARGE.to_owned())?,
        };
        if off > base {
            Err(format!("must be at most {base}, the amount it is taken off"))
        } else {
            Ok(off)
        }
    }
}

const TOO_LARGE: &str = "makes an amount too large to be represented";

/// What the catalog and the shop say about a product at the moment of the sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub name: String,
    pub unit_price: Cents,
    /// The code of the rate that applies, none when the shop has no rate for it.
    pub tax_code: Option<String>,
    pub tax_rate: TaxRate,
    /// The warranty a unit is sold with, in months.
    pub warranty_months: i64,
}

/// The shop's terms for every sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub pricing: Pricing,
    /// The most a line may be discounted, in percent of its list amount.
    pub max_discount_percent: u32,
}

/// A line priced: list amount, discounts, tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
    /// The line's own discount plus its share of the basket discount.
    pub discount_cents: i64,
    pub tax_code: Option<String>,
    pub tax_rate: TaxRate,
    pub net_cents: i64,
    pub tax_cents: i64,
    /// What the customer pays for the line, tax included.
    pub line_total_cents: i64,
    /// The units' serial numbers, as the request named them.
    pub serials: Vec<String>,
    pub warranty_months: i64,
}

/// Net and tax per rate, for the receipt and the books.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaxFigures {
    pub code: Option<String>,
    pub rate: TaxRate,
    pub net_cents: i64,
    pub tax_cents: i64,
}

impl From<TaxFigures> for sales_api::views::TaxLine {
    fn from(f: TaxFigures) -> Self {
        sales_api::views::TaxLine {
            code: f.code,
            rate_bp: f.rate,
            net_cents: f.net_cents,
            tax_cents: f.tax_cents,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Unit prices × quantities, before any discount.
    pub list_cents: i64,
    pub discount_cents: i64,
    /// What the shop earns: after discounts, without tax.
    pub subtotal_cents: i64,
    pub tax_cents: i64,
    /// What the customer pays.
    pub total_cents: i64,
    pub units: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub lines: Vec<PricedLine>,
    /// The lines discounted beyond the shop's limit, each with why.
    pub beyond_limit: Vec<FieldError>,
    pub taxes: Vec<TaxFigures>,
    pub totals: Totals,
}

/// Prices `request` with `offer(sku)` under `terms`; every refusal names its field.
pub fn price(
    request: &SaleRequest,
    terms: Terms,
    offer: impl Fn(&str) -> Offer,
) -> Result<Priced, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    let offers: Vec<Offer> = request.lines.iter().map(|line| offer(&line.sku)).collect();
    // 1. List amounts and line discounts.
    let mut list = Vec::new();
    let mut after = Vec::new();
    for (i, (line, offer)) in request.lines.iter().zip(&offers).enumerate() {
        let Ok(amount) = offer.unit_price.times(line.quantity) else {
            errors.push(format!("lines[{i}]"), TOO_LARGE);
            continue;
        };
        let field = match line.discount {
            Discount::Cents(_) => format!("lines[{i}].discount_cents"),
            Discount::Percent(_) => format!("lines[{i}].discount_percent"),
        };
        match line.discount.off(amount) {
            Ok(off) => {
                list.push(amount);
                after.push(amount.checked_sub(off).expect("off ≤ amount"));
            }
            Err(reason) => errors.push(field, reason),
        }
    }
    let mut errors_so_far = errors.into_vec();
    if !errors_so_far.is_empty() {
        return Err(errors_so_far);
    }
    // 2. The basket discount, spread.
    let basket_base = after
        .iter()
        .copied()
        .collect::<Total>()
        .cents()
        .map_err(|_| vec![FieldError::new("lines", TOO_LARGE)])?;
    let basket_field = match request.discount {
        Discount::Cents(_) => "discount_cents",
        Discount::Percent(_) => "discount_percent",
    };
    let basket = request
        .discount
        .off(basket_base)
        .map_err(|reason| vec![FieldError::new(basket_field, reason)])?;
    let shares = spread(basket, &after);
    // 3. Limits and tax, per line.
    let mut lines = Vec::new();
    let mut beyond_limit = Vec::new();
    for (i, ((line, offer), (&list_amount, (&after_line, &share)))) in request
        .lines
        .iter()
        .zip(&offers)
        .zip(list.iter().zip(after.iter().zip(&shares)))
        .enumerate()
    {
        let discount = list_amount
            .checked_sub(after_line)
            .and_then(|d| d.checked_add(share));
        let limit = list_amount.share(i64::from(terms.max_discount_percent), 100);
        let (Ok(discount), Ok(limit)) = (discount, limit) else {
            errors_so_far.push(FieldError::new(format!("lines[{i}]"), TOO_LARGE));
            continue;
        };
        if discount > limit {
            let field = match line.discount {
                Discount::Percent(_) => "discount_percent",
                Discount::Cents(_) => "discount_cents",
            };
            beyond_limit.push(FieldError::new(
                format!("lines[{i}].{field}"),
                format!(
                    "the line's discounts, with its share of the basket discount, go beyond the \
                     shop's limit of {}% of its price",
                    terms.max_discount_percent
                ),
            ));
        }
        let amount = after_line.checked_sub(share).expect("share ≤ amount");
        let Ok(taxed) = offer.tax_rate.apply(amount, terms.pricing) else {
            errors_so_far.push(FieldError::new(format!("lines[{i}]"), TOO_LARGE));
            continue;
        };
        lines.push(PricedLine {
            sku: line.sku.clone(),
            name: offer.name.clone(),
            quantity: line.quantity,
            unit_price_cents: offer.unit_price.get(),
            discount_cents: discount.get(),
            tax_code: offer.tax_code.clone(),
            tax_rate: offer.tax_rate,
            net_cents: taxed.net.get(),
            tax_cents: taxed.tax.get(),
            line_total_cents: taxed.gross.get(),
            serials: line.serials.iter().map(|s| s.as_str().to_owned()).collect(),
            warranty_months: offer.warranty_months,
        });
    }
    if !errors_so_far.is_empty() {
        return Err(errors_so_far);
    }
    let too_large = |_| {
        vec![FieldError::new(
            "lines",
            "make a total too large to be represented",
        )]
    };
    let sum = |values: &mut dyn Iterator<Item = i64>| {
        values.map(Cents::new).collect::<Total>().cents().map(Cents::get)
    };
    let totals = Totals {
        list_cents: sum(&mut list.iter().map(|c| c.get())).map_err(too_large)?,
        discount_cents: sum(&mut lines.iter().map(|l| l.discount_cents)).map_err(too_large)?,
        subtotal_cents: sum(&mut lines.iter().map(|l| l.net_cents)).map_err(too_large)?,
        tax_cents: sum(&mut lines.iter().map(|l| l.tax_cents)).map_err(too_large)?,
        total_cents: sum(&mut lines.iter().map(|l| l.line_total_cents)).map_err(too_large)?,
        units: lines.iter().map(|l| l.quantity).sum(),
    };
    Ok(Priced {
        // The lines' sums fit (the totals above did), so their sums per rate do too.
        taxes: per_rate(lines.iter().map(PricedLine::tax_figures)).map_err(too_large)?,
        lines,
        beyond_limit,
        totals,
    })
}

/// Net and tax summed per rate (its code and its rate as sold), in order of first appearance:
/// the `taxes` of a sale, or of a period.
pub fn per_rate(items: impl IntoIterator<Item = TaxFigures>) -> Result<Vec<TaxFigures>, Overflow> {
    let mut figures: Vec<TaxFigures> = Vec::new();
    for item in items {
        match figures
            .iter_mut()
            .find(|f| f.code == item.code && f.rate == item.rate)
        {
            Some(f) => {
                f.net_cents = f.net_cents.checked_add(item.net_cents).ok_or(Overflow)?;
                f.tax_cents = f.tax_cents.checked_add(item.tax_cents).ok_or(Overflow)?;
            }
            None => figures.push(item),
        }
    }
    Ok(figures)
}

impl PricedLine {
    fn tax_figures(&self) -> TaxFigures {
        TaxFigures {
            code: self.tax_code.clone(),
            rate: self.tax_rate,
            net_cents: self.net_cents,
            tax_cents: self.tax_cents,
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::PaymentMethod;

    use super::*;
    use crate::domain::{LineRequest, Tender};

    fn request(lines: &[(&str, i64, Discount)], basket: Discount) -> SaleRequest {
        SaleRequest {
            lines: lines
                .iter()
                .map(|&(sku, quantity, discount)| LineRequest {
                    serials: Vec::new(),
                    sku: sku.to_owned(),
                    quantity,
                    discount,
                })
                .collect(),
            discount: basket,
            tender: Tender::Whole(PaymentMethod::Cash),
            location: "main".to_owned(),
            customer: None,
            customer_id: None,
            note: None,
            shift_id: None,
        }
    }

    fn offer(price: i64, bp: f64) -> Offer {
        Offer {
            warranty_months: 0,
            name: "x".into(),
            unit_price: Cents::new(price),
            tax_code: (bp > 0.0).then(|| "standard".to_owned()),
            tax_rate: TaxRate::from_bp(bp).unwrap(),
        }
    }

    const EU: Terms = Terms {
        pricing: Pricing::TaxIncluded,
        max_discount_percent: 100,
    };
    const US: Terms = Terms {
        pricing: Pricing::TaxAdded,
        max_discount_percent: 100,
    };

    #[test]
    fn the_issues_examples_in_both_pricing_modes() {
        let one = request(&[("A", 1, Discount::NONE)], Discount::NONE);
        let eu = price(&one, EU, |_| offer(1999, 2000.0)).unwrap();
        assert_eq!(
            (
                eu.totals.subtotal_cents,
                eu.totals.tax_cents,
                eu.totals.total_cents
            ),
            (1666, 333, 1999)
        );
        let us = price(&one, US, |_| offer(1000, 887.5)).unwrap();
        assert_eq!(
            (
                us.totals.subtotal_cents,
                us.totals.tax_cents,
                us.totals.total_cents
            ),
            (1000, 89, 1089)
        );
    }

    #[test]
    fn tax_is_rounded_per_line_and_summed_per_rate() {
        // Two lines of 0.10 net at 5 %: 0.5 cent each, rounded up per line, 2 cents in all
        // (on their sum it would be 1 cent); a third line has no rate.
        let sale = request(
            &[
                ("A", 1, Discount::NONE),
                ("B", 1, Discount::NONE),
                ("C", 1, Discount::NONE),
            ],
            Discount::NONE,
        );
        let priced = price(&sale, US, |sku| {
            if sku == "C" {
                offer(10, 0.0)
            } else {
                offer(10, 500.0)
            }
        })
        .unwrap();
        assert_eq!(priced.totals.tax_cents, 2);
        assert_eq!(priced.totals.total_cents, 32);
        assert_eq!(
            priced.taxes,
            [
                TaxFigures {
                    code: Some("standard".into()),
                    rate: TaxRate::from_bp(500.0).unwrap(),
                    net_cents: 20,
                    tax_cents: 2
                },
                TaxFigures {
                    code: None,
                    rate: TaxRate::ZERO,
                    net_cents: 10,
                    tax_cents: 0
                },
            ]
        );
    }

    #[test]
    fn discounts_reduce_the_taxable_amount() {
        // 2 × 19.99 gross, 10 % off the line: 39.98 − 4.00 = 35.98, of which 20 % VAT is 6.00.
        let sale = request(&[("A", 2, Discount::Percent(1000))], Discount::NONE);
        let priced = price(&sale, EU, |_| offer(1999, 2000.0)).unwrap();
        let line = &priced.lines[0];
        assert_eq!(line.discount_cents, 400);
        assert_eq!(
            (line.net_cents, line.tax_cents, line.line_total_cents),
            (2998, 600, 3598)
        );
        assert_eq!(priced.totals.list_cents, 3998);
    }

    #[test]
    fn a_basket_discount_is_spread_to_the_cent() {
        // 10.00 off 100.00 + 50.00 + 50.00 after line discounts: 5.00, 2.50, 2.50.
        let sale = request(
            &[
                ("A", 1, Discount::NONE),
                ("B", 1, Discount::NONE),
                ("C", 1, Discount::NONE),
            ],
            Discount::Cents(Cents::new(1000)),
        );
        let priced = price(&sale, EU, |sku| {
            offer(if sku == "A" { 10_000 } else { 5_000 }, 0.0)
        })
        .unwrap();
        let shares: Vec<i64> = priced.lines.iter().map(|l| l.discount_cents).collect();
        assert_eq!(shares, [500, 250, 250]);
        // 0.10 off three equal lines: 4, 3, 3 (the earliest line takes the odd cent).
        let sale = request(
            &[
                ("A", 1, Discount::NONE),
                ("B", 1, Discount::NONE),
                ("C", 1, Discount::NONE),
            ],
            Discount::Cents(Cents::new(10)),
        );
        let priced = price(&sale, EU, |_| offer(333, 0.0)).unwrap();
        let shares: Vec<i64> = priced.lines.iter().map(|l| l.discount_cents).collect();
        assert_eq!(shares, [4, 3, 3]);
        assert_eq!(priced.totals.total_cents, 999 - 10);
        // A percentage of the basket, after the lines' own discounts.
        let sale = request(
            &[
                ("A", 1, Discount::Cents(Cents::new(1000))),
                ("B", 1, Discount::NONE),
            ],
            Discount::Percent(1000),
        );
        let priced = price(&sale, EU, |_| offer(5000, 0.0)).unwrap();
        assert_eq!(priced.totals.discount_cents, 1000 + 900);
        assert_eq!(priced.totals.total_cents, 8100);
    }

    #[test]
    fn the_invariants_hold_for_many_baskets() {
        for seed in 0..500_i64 {
            let n = (seed % 5 + 1) as usize;
            let lines: Vec<(String, i64, Discount)> = (0..n)
                .map(|i| {
                    let k = seed * 31 + i as i64 * 17;
                    (format!("S{i}"), k % 7 + 1, Discount::Percent((k % 3000) as u32))
                })
                .collect();
            let refs: Vec<(&str, i64, Discount)> =
                lines.iter().map(|(s, q, d)| (s.as_str(), *q, *d)).collect();
            let basket = Discount::Cents(Cents::new(seed % 997));
            let sale = request(&refs, basket);
            for terms in [EU, US] {
                let priced = price(&sale, terms, |sku| {
                    let k = sku.as_bytes()[1] as i64;
                    offer(
                        k * 137 + seed % 1000 + 1,
                        [0.0, 500.0, 887.5, 2000.0][(k % 4) as usize],
                    )
                })
                .unwrap();
                let t = priced.totals;
                assert_eq!(t.subtotal_cents + t.tax_cents, t.total_cents, "net + tax = total");
                let gross_after: i64 = priced.lines.iter().map(|l| l.line_total_cents).sum();
                assert_eq!(gross_after, t.total_cents);
                let tax_by_rate: i64 = priced.taxes.iter().map(|f| f.tax_cents).sum();
                assert_eq!(tax_by_rate, t.tax_cents, "taxes per rate add up");
                let discounted = match terms.pricing {
                    Pricing::TaxIncluded => t.total_cents,
                    Pricing::TaxAdded => t.subtotal_cents,
                };
                assert_eq!(t.list_cents - t.discount_cents, discounted, "seed {seed}");
            }
        }
    }

    #[test]
    fn discounts_beyond_the_shops_limit_are_listed_and_beyond_the_amount_refused() {
        let terms = Terms {
            pricing: Pricing::TaxIncluded,
            max_discount_percent: 20,
        };
        let greedy = request(&[("A", 1, Discount::Cents(Cents::new(5000)))], Discount::NONE);
        let priced = price(&greedy, terms, |_| offer(10_000, 0.0)).unwrap();
        assert_eq!(priced.beyond_limit.len(), 1);
        assert_eq!(priced.beyond_limit[0].field, "lines[0].discount_cents");
        assert_eq!(priced.totals.total_cents, 5_000, "priced as asked");
        let fair = request(&[("A", 1, Discount::Cents(Cents::new(2000)))], Discount::NONE);
        assert!(
            price(&fair, terms, |_| offer(10_000, 0.0))
                .unwrap()
                .beyond_limit
                .is_empty()
        );
        // Within the limit alone, beyond it with the basket's share.
        let hidden = request(
            &[("A", 1, Discount::Cents(Cents::new(1500)))],
            Discount::Cents(Cents::new(1000)),
        );
        assert_eq!(
            price(&hidden, terms, |_| offer(10_000, 0.0))
                .unwrap()
                .beyond_limit
                .len(),
            1
        );
        let more_than_all = request(&[("A", 1, Discount::NONE)], Discount::Cents(Cents::new(10_001)));
        let refused = price(&more_than_all, EU, |_| offer(10_000, 0.0)).unwrap_err();
        assert_eq!(refused[0].field, "discount_cents");
    }
}
