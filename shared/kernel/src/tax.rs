//! Sales tax (VAT, GST): a rate, whether shelf prices include it, and how an amount splits
//! into net and tax.
//!
//! # Rounding
//! Tax is computed **per line** on the line's amount after every discount, and rounded
//! **half away from zero** to the cent: with prices that include tax, `tax = amount × r /
//! (1 + r)` and `net = amount − tax`; with tax added, `tax = amount × r` and `gross = amount +
//! tax`. The sale's tax is the sum of its lines' tax, so each line's figures on a receipt add
//! up to the sale's.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money::{Cents, Overflow};

/// Parts per million in one basis point (0.01 %).
const PPM_PER_BP: u32 = 100;
const MILLION: i64 = 1_000_000;

/// A tax rate, to a hundredth of a basis point (0.0001 %), so that rates like New York's
/// 8.875 % are exact. Between 0 and 100 %. In the API it is `rate_bp`, in basis points, a
/// number with at most two decimals (`2000` = 20 %, `887.5` = 8.875 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaxRate(u32);

impl TaxRate {
    pub const ZERO: TaxRate = TaxRate(0);
    /// 100 %, in basis points.
    pub const MAX_BP: u32 = 10_000;

    /// A rate from basis points: `0 ≤ bp ≤ 10000`, at most two decimals.
    pub fn from_bp(bp: f64) -> Result<TaxRate, String> {
        // Hundredths of a basis point are parts per million.
        crate::decimal::hundredths(bp, f64::from(Self::MAX_BP))
            .map(TaxRate)
            .ok_or_else(|| {
                "must be between 0 and 10000 basis points (0–100 %), with at most two decimals".to_owned()
            })
    }

    pub const fn from_ppm(ppm: u32) -> Option<TaxRate> {
        if ppm <= Self::MAX_BP * PPM_PER_BP {
            Some(TaxRate(ppm))
        } else {
            None
        }
    }

    pub const fn ppm(self) -> u32 {
        self.0
    }

    /// The rate in basis points, as the API shows it.
    pub fn bp(self) -> f64 {
        f64::from(self.0) / f64::from(PPM_PER_BP)
    }

    /// How `amount`, priced as `pricing` says, splits into net and tax.
    pub fn apply(self, amount: Cents, pricing: Pricing) -> Result<Taxed, Overflow> {
        let rate = i64::from(self.0);
        match pricing {
            Pricing::TaxIncluded => {
                let tax = amount.share_rounded(rate, MILLION + rate)?;
                Ok(Taxed {
                    net: amount.checked_sub(tax)?,
                    tax,
                    gross: amount,
                })
            }
            Pricing::TaxAdded => {
                let tax = amount.share_rounded(rate, MILLION)?;
                Ok(Taxed {
                    net: amount,
                    tax,
                    gross: amount.checked_add(tax)?,
                })
            }
        }
    }
}

/// Serialized as `rate_bp`: a whole number when it is one (`2000`), else a decimal (`887.5`).
impl Serialize for TaxRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(PPM_PER_BP) {
            serializer.serialize_u32(self.0 / PPM_PER_BP)
        } else {
            serializer.serialize_f64(self.bp())
        }
    }
}

impl<'de> Deserialize<'de> for TaxRate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TaxRate, D::Error> {
        let bp = f64::deserialize(deserializer)?;
        TaxRate::from_bp(bp).map_err(serde::de::Error::custom)
    }
}

/// Whether shelf prices include tax (gross prices, as in the EU) or tax is added at the till
/// (net prices, as in the US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pricing {
    TaxIncluded,
    TaxAdded,
}

impl Pricing {
    pub fn from_prices_include_tax(include: bool) -> Pricing {
        if include {
            Pricing::TaxIncluded
        } else {
            Pricing::TaxAdded
        }
    }
}

/// An amount split into what the shop earns and the tax it collects: `net + tax = gross`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taxed {
    pub net: Cents,
    pub tax: Cents,
    pub gross: Cents,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(bp: f64) -> TaxRate {
        TaxRate::from_bp(bp).unwrap()
    }

    /// Known cases, worked by hand: (amount, rate in bp, pricing, net, tax, gross).
    #[test]
    fn tax_splits_by_the_documented_rule() {
        use Pricing::*;
        let cases = [
            (1999, 2000.0, TaxIncluded, 1666, 333, 1999), // 19.99 gross at 20 %: 3.3317 tax
            (1000, 887.5, TaxAdded, 1000, 89, 1089),      // 10.00 net at 8.875 %: 0.8875 tax
            (1000, 2000.0, TaxIncluded, 833, 167, 1000),  // 1.6667 tax
            (600, 2000.0, TaxIncluded, 500, 100, 600),    // exact
            (105, 500.0, TaxIncluded, 100, 5, 105),       // exact
            (10, 500.0, TaxAdded, 10, 1, 11),             // 0.5 cent → 1 (half away from zero)
            (30, 500.0, TaxAdded, 30, 2, 32),             // 1.5 cents → 2
            (-1999, 2000.0, TaxIncluded, -1666, -333, -1999), // a refund mirrors the sale
            (2499, 0.0, TaxAdded, 2499, 0, 2499),
            (12345, 10000.0, TaxIncluded, 6172, 6173, 12345), // 100 %: 61.725 → 61.73
            (999_999, 1900.0, TaxIncluded, 840_335, 159_664, 999_999),
            (999_999, 725.0, TaxAdded, 999_999, 72_500, 1_072_499), // 724.99928 → 725.00
        ];
        for (amount, bp, pricing, net, tax, gross) in cases {
            let taxed = rate(bp).apply(Cents::new(amount), pricing).unwrap();
            assert_eq!(
                (taxed.net.get(), taxed.tax.get(), taxed.gross.get()),
                (net, tax, gross),
                "{amount} at {bp} bp, {pricing:?}"
            );
        }
    }

    #[test]
    fn rates_have_at_most_two_decimals_of_a_basis_point() {
        assert_eq!(rate(2000.0).ppm(), 200_000);
        assert_eq!(rate(887.5).ppm(), 88_750);
        assert_eq!(rate(19.99).ppm(), 1_999);
        for bad in [-1.0, 10_000.01, 887.555, f64::NAN, f64::INFINITY] {
            assert!(TaxRate::from_bp(bad).is_err(), "{bad}");
        }
        assert_eq!(TaxRate::from_ppm(1_000_001), None);
    }

    #[test]
    fn rates_read_and_print_as_people_write_them() {
        assert_eq!(serde_json::to_string(&rate(2000.0)).unwrap(), "2000");
        assert_eq!(serde_json::to_string(&rate(887.5)).unwrap(), "887.5");
        assert_eq!(serde_json::from_str::<TaxRate>("887.5").unwrap(), rate(887.5));
        assert!(serde_json::from_str::<TaxRate>("-5").is_err());
    }
}
