//! The demand class of a history: how often it sells.

/// Above this average interval between demands (in days) a history is intermittent
/// (Syntetos, Boylan & Croston 2005).
pub const INTERMITTENT_ADI: f64 = 1.32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandClass {
    /// Nothing sold in the history.
    None,
    /// Too few days to estimate a pattern.
    Short,
    /// Demand on most days.
    Regular,
    /// Demand on scattered days.
    Intermittent,
}

/// The fewest days a pattern is estimated from: two weekly seasons.
pub const MIN_DAYS: usize = 14;

/// The class of a daily history (units per day, oldest first).
pub fn classify(daily: &[f64]) -> DemandClass {
    let selling_days = daily.iter().filter(|d| **d > 0.0).count();
    if selling_days == 0 {
        DemandClass::None
    } else if daily.len() < MIN_DAYS {
        DemandClass::Short
    } else if daily.len() as f64 / selling_days as f64 > INTERMITTENT_ADI {
        DemandClass::Intermittent
    } else {
        DemandClass::Regular
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histories_are_classed_by_how_often_they_sell() {
        assert_eq!(classify(&[0.0; 30]), DemandClass::None);
        assert_eq!(classify(&[1.0; 10]), DemandClass::Short);
        assert_eq!(classify(&[2.0; 28]), DemandClass::Regular);
        let mut scattered = [0.0; 28];
        scattered[3] = 1.0;
        scattered[17] = 2.0;
        assert_eq!(classify(&scattered), DemandClass::Intermittent);
    }
}
