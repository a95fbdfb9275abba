//! Numbers a client sends with at most two decimals (a tax rate in basis points, a discount in
//! percent), read exactly as whole hundredths. JSON numbers arrive as binary floats, in which
//! 887.5 and 19.99 are only within a tiny error of whole hundredths; anything farther away has
//! a third decimal.

/// `value` in hundredths (`19.99` → 1999) when it is between 0 and `max` and has at most two
/// decimals.
pub fn hundredths(value: f64, max: f64) -> Option<u32> {
    let scaled = value * 100.0;
    let whole = scaled.round();
    let exact = (scaled - whole).abs() <= 1e-6;
    (value.is_finite() && (0.0..=max).contains(&value) && exact).then_some(whole as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_decimals_are_read_exactly_and_a_third_is_refused() {
        assert_eq!(hundredths(887.5, 10_000.0), Some(88_750));
        assert_eq!(hundredths(19.99, 100.0), Some(1_999));
        assert_eq!(hundredths(0.0, 100.0), Some(0));
        assert_eq!(hundredths(100.0, 100.0), Some(10_000));
        for bad in [887.555, -0.01, 100.01, f64::NAN, f64::INFINITY] {
            assert_eq!(hundredths(bad, 100.0), None, "{bad}");
        }
    }
}
