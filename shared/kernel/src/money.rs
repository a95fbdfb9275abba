//! Money in integer cents (the currency's minor unit). Arithmetic is checked: a result that
//! does not fit is an [`Overflow`], never a wrapped number.

use serde::{Deserialize, Serialize};

/// A result too large (or too small) to be represented as cents in 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

impl std::fmt::Display for Overflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the amount is beyond ±{} cents, the largest the system represents",
            i64::MAX
        )
    }
}

impl std::error::Error for Overflow {}

/// An amount of money in cents; negative for money going out (refunds, change).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);
    /// The highest price a product may have: 100 million in the shop's currency, far above
    /// any computer part.
    pub const MAX_PRICE: Cents = Cents(10_000_000_000);

    pub const fn new(cents: i64) -> Cents {
        Cents(cents)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Cents) -> Result<Cents, Overflow> {
        self.0.checked_add(other.0).map(Cents).ok_or(Overflow)
    }

    pub fn checked_sub(self, other: Cents) -> Result<Cents, Overflow> {
        self.0.checked_sub(other.0).map(Cents).ok_or(Overflow)
    }

    /// The amount of `quantity` units at this price.
    pub fn times(self, quantity: i64) -> Result<Cents, Overflow> {
        self.0.checked_mul(quantity).map(Cents).ok_or(Overflow)
    }

    /// `self × numerator / denominator`, rounded toward zero, computed without an
    /// intermediate overflow: a share of an amount (e.g. the refund of some of a line's units).
    pub fn share(self, numerator: i64, denominator: i64) -> Result<Cents, Overflow> {
        if denominator == 0 {
            return Err(Overflow);
        }
        let exact = i128::from(self.0) * i128::from(numerator) / i128::from(denominator);
        i64::try_from(exact).map(Cents).map_err(|_| Overflow)
    }

    /// `self × numerator / denominator`, rounded half away from zero (0.5 cent → 1 cent,
    /// −0.5 → −1), the rounding of tax and percentage discounts.
    pub fn share_rounded(self, numerator: i64, denominator: i64) -> Result<Cents, Overflow> {
        if denominator == 0 {
            return Err(Overflow);
        }
        let product = i128::from(self.0) * i128::from(numerator);
        let denominator = i128::from(denominator);
        let (quotient, remainder) = (product / denominator, product % denominator);
        let away = if 2 * remainder.abs() >= denominator.abs() {
            // The exact result's sign: the remainder has the product's sign.
            if (product < 0) == (denominator < 0) { 1 } else { -1 }
        } else {
            0
        };
        i64::try_from(quotient + away).map(Cents).map_err(|_| Overflow)
    }
}

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A running sum of amounts (and of amounts times quantities) kept in 128 bits, so adding
/// millions of rows cannot wrap; [`Total::cents`] says whether the result fits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    sum: i128,
    overflowed: bool,
}

impl Total {
    pub fn add(&mut self, amount: Cents) {
        self.add_i128(i128::from(amount.0));
    }

    /// Adds `quantity` units at `price`.
    pub fn add_times(&mut self, price: Cents, quantity: i64) {
        // Two 64-bit factors always fit in 128 bits.
        self.add_i128(i128::from(price.0) * i128::from(quantity));
    }

    fn add_i128(&mut self, value: i128) {
        match self.sum.checked_add(value) {
            Some(sum) => self.sum = sum,
            None => self.overflowed = true,
        }
    }

    pub fn cents(self) -> Result<Cents, Overflow> {
        if self.overflowed {
            return Err(Overflow);
        }
        i64::try_from(self.sum).map(Cents).map_err(|_| Overflow)
    }
}

impl FromIterator<Cents> for Total {
    fn from_iter<I: IntoIterator<Item = Cents>>(amounts: I) -> Total {
        let mut total = Total::default();
        for amount in amounts {
            total.add(amount);
        }
        total
    }
}

/// `total` spread over `amounts` in proportion to them, to the cent: each takes its share
/// rounded down, and the cents left go to the largest remainders (the earlier on a tie).
pub fn spread(total: Cents, amounts: &[Cents]) -> Vec<Cents> {
    let base: i128 = amounts.iter().map(|a| i128::from(a.get())).sum();
    if base == 0 || total == Cents::ZERO {
        return vec![Cents::ZERO; amounts.len()];
    }
    let total = i128::from(total.get());
    let exact: Vec<(i128, i128)> = amounts
        .iter()
        .map(|a| {
            let product = total * i128::from(a.get());
            (product / base, product % base)
        })
        .collect();
    let mut shares: Vec<i128> = exact.iter().map(|(share, _)| *share).collect();
    let left = total - shares.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    for &i in order.iter().take(left as usize) {
        shares[i] += 1;
    }
    // Each share is at most its amount, which is an i64.
    shares.into_iter().map(|s| Cents::new(s as i64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_refuses_to_wrap() {
        let max = Cents::new(i64::MAX);
        assert_eq!(max.checked_add(Cents::new(1)), Err(Overflow));
        assert_eq!(Cents::new(i64::MIN).checked_sub(Cents::new(1)), Err(Overflow));
        assert_eq!(Cents::MAX_PRICE.times(1_000_000_000), Err(Overflow));
        assert_eq!(Cents::new(1999).times(3), Ok(Cents::new(5997)));
    }

    #[test]
    fn a_total_of_many_large_amounts_says_when_it_does_not_fit() {
        let mut total = Total::default();
        total.add_times(Cents::MAX_PRICE, 1_000_000_000);
        assert_eq!(total.cents(), Err(Overflow), "10^19 cents is beyond i64");
        let mut total = Total::default();
        total.add_times(Cents::MAX_PRICE, 1_000_000_000);
        total.add_times(Cents::MAX_PRICE, -1_000_000_000);
        assert_eq!(total.cents(), Ok(Cents::ZERO), "only the result must fit");
        let sum: Total = [Cents::new(i64::MAX), Cents::new(1), Cents::new(-2)]
            .into_iter()
            .collect();
        assert_eq!(sum.cents(), Ok(Cents::new(i64::MAX - 1)));
        let mut huge = Total::default();
        for _ in 0..4 {
            huge.add_times(Cents::new(i64::MAX), i64::MAX);
        }
        assert_eq!(huge.cents(), Err(Overflow), "even 128 bits can overflow");
    }

    #[test]
    fn a_share_is_computed_without_intermediate_overflow() {
        assert_eq!(Cents::new(8697).share(1, 3), Ok(Cents::new(2899)));
        assert_eq!(Cents::new(i64::MAX).share(2, 2), Ok(Cents::new(i64::MAX)));
        assert_eq!(Cents::new(1).share(1, 0), Err(Overflow));
    }

    #[test]
    fn a_rounded_share_goes_half_away_from_zero() {
        let cases = [
            (5, 1, 10, 1),   // 0.5 → 1
            (-5, 1, 10, -1), // −0.5 → −1
            (4, 1, 10, 0),
            (15, 1, 10, 2),
            (1999, 2000, 12000, 333),   // 333.17
            (1000, 88750, 1000000, 89), // 88.75
            (1, 1, -2, -1),
        ];
        for (amount, numerator, denominator, expected) in cases {
            assert_eq!(
                Cents::new(amount).share_rounded(numerator, denominator),
                Ok(Cents::new(expected)),
                "{amount} × {numerator} / {denominator}"
            );
        }
        assert_eq!(Cents::new(i64::MAX).share_rounded(i64::MAX, 1), Err(Overflow));
        assert_eq!(Cents::new(1).share_rounded(1, 0), Err(Overflow));
    }
}
