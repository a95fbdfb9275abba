//! Croston's method with the Syntetos–Boylan approximation: the demand rate of an intermittent
//! history as the smoothed size of its demands over the smoothed interval between them,
//! multiplied by 1 − α/2 to remove Croston's upward bias.

/// The smoothing weight of sizes and intervals; slow movers change slowly.
const ALPHA: f64 = 0.1;

/// The daily demand rate after `daily`, and the one-step errors of the rate along the way.
pub fn sba(daily: &[f64]) -> (f64, Vec<f64>) {
    let mut size: Option<f64> = None;
    let mut interval = 1.0;
    let mut since_last = 0.0;
    let mut errors = Vec::with_capacity(daily.len());
    let rate = |size: Option<f64>, interval: f64| size.map_or(0.0, |z| (1.0 - ALPHA / 2.0) * z / interval);
    for &y in daily {
        if size.is_some() {
            errors.push(y - rate(size, interval));
        }
        since_last += 1.0;
        if y > 0.0 {
            match size {
                None => {
                    size = Some(y);
                    interval = since_last;
                }
                Some(z) => {
                    size = Some(z + ALPHA * (y - z));
                    interval += ALPHA * (since_last - interval);
                }
            }
            since_last = 0.0;
        }
    }
    (rate(size, interval), errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_intermittent_demand_is_forecast_as_its_debiased_rate() {
        // Two units every fourth day: a rate of 0.5 a day, debiased by 1 − α/2.
        let daily: Vec<f64> = (0..200).map(|d| if d % 4 == 3 { 2.0 } else { 0.0 }).collect();
        let (rate, errors) = sba(&daily);
        assert!((rate - 0.5 * 0.95).abs() < 1e-9, "{rate}");
        assert!(!errors.is_empty());
        assert_eq!(sba(&[0.0; 10]).0, 0.0);
    }
}
