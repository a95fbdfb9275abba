//! The forecast of one product's daily sales, by the method its demand class calls for.

use crate::classify::{DemandClass, classify};
use crate::{croston, holt_winters};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Nothing sold: nothing forecast.
    Zero,
    /// A short history's mean daily rate.
    Average,
    HoltWinters,
    CrostonSba,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Zero => "zero",
            Method::Average => "average",
            Method::HoltWinters => "holt_winters",
            Method::CrostonSba => "croston_sba",
        }
    }
}

/// Units per day for the days after the history, and how far a day's sales stray from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub method: Method,
    /// Day 1, 2, … after the history.
    pub daily: Vec<f64>,
    /// The standard deviation of one day's sales around the forecast, from the one-step
    /// errors inside the history.
    pub sigma: f64,
}

impl Forecast {
    /// The units forecast over the next `days` (beyond the horizon, the last day repeats).
    pub fn over(&self, days: usize) -> f64 {
        let last = self.daily.last().copied().unwrap_or(0.0);
        (0..days)
            .map(|d| self.daily.get(d).copied().unwrap_or(last))
            .sum()
    }
}

fn spread(errors: &[f64], fallback: f64) -> f64 {
    if errors.len() < 2 {
        return fallback;
    }
    (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt()
}

/// The forecast of `daily` (units sold per day, oldest first) for the next `horizon` days.
pub fn forecast(daily: &[f64], horizon: usize) -> Forecast {
    match classify(daily) {
        DemandClass::None => Forecast {
            method: Method::Zero,
            daily: vec![0.0; horizon],
            sigma: 0.0,
        },
        DemandClass::Short => {
            let mean = daily.iter().sum::<f64>() / daily.len() as f64;
            let errors: Vec<f64> = daily.iter().map(|y| y - mean).collect();
            Forecast {
                method: Method::Average,
                daily: vec![mean; horizon],
                sigma: spread(&errors, mean.sqrt()),
            }
        }
        DemandClass::Regular => {
            let fitted = holt_winters::fit(daily);
            Forecast {
                method: Method::HoltWinters,
                daily: (1..=horizon).map(|h| fitted.ahead(h)).collect(),
                sigma: spread(&fitted.errors, 0.0),
            }
        }
        DemandClass::Intermittent => {
            let (rate, errors) = croston::sba(daily);
            Forecast {
                method: Method::CrostonSba,
                daily: vec![rate; horizon],
                sigma: spread(&errors, rate.sqrt()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_gets_its_method() {
        assert_eq!(forecast(&[0.0; 40], 7).method, Method::Zero);
        assert_eq!(forecast(&[3.0; 5], 7).method, Method::Average);
        assert_eq!(forecast(&[3.0; 40], 7).method, Method::HoltWinters);
        let scattered: Vec<f64> = (0..60).map(|d| if d % 9 == 0 { 1.0 } else { 0.0 }).collect();
        let slow = forecast(&scattered, 7);
        assert_eq!(slow.method, Method::CrostonSba);
        assert_eq!(slow.daily.len(), 7);
        assert!((slow.over(14) - 14.0 * slow.daily[0]).abs() < 1e-9);
    }
}
