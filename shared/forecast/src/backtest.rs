//! The forecast checked on synthetic sales histories whose nature is known: fast movers with a
//! level, a trend and a weekly season, and intermittent slow movers. Each history is cut at
//! several origins (rolling origin); the seven days after each cut are forecast from the days
//! before it and compared with what happened. Errors are scaled as in MASE (Hyndman & Koehler
//! 2006): by the in-sample mean absolute error of the naive one-step forecast, so that 1.0 is
//! "as good as yesterday's sales, known a day ahead". Two scores: per day, and for the seven-
//! day total (what a reorder covers).

use crate::forecast::forecast;

/// How long each synthetic history is, in days (26 weeks).
pub const DAYS: usize = 182;
/// The days forecast after each cut.
pub const HORIZON: usize = 7;
/// Where the histories are cut: every week over the last eight.
pub const ORIGINS: [usize; 8] = [119, 126, 133, 140, 147, 154, 161, 168];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Sells most days: level, trend, weekly season, Poisson noise.
    Fast,
    /// Sells on scattered days, one to a few units.
    Slow,
}

/// A seeded synthetic history of `kind`.
pub fn synthetic(kind: Kind, rng: &mut fastrand::Rng) -> Vec<f64> {
    match kind {
        Kind::Fast => {
            const WEEK: [f64; 7] = [1.0, 0.9, 0.9, 1.0, 1.1, 1.5, 1.3];
            let base = 3.0 + rng.f64() * 22.0;
            let slope = -0.003 + rng.f64() * 0.008;
            (0..DAYS)
                .map(|t| {
                    let rate = (base * (1.0 + slope * t as f64)).max(0.1) * WEEK[t % 7];
                    poisson(rate, rng)
                })
                .collect()
        }
        Kind::Slow => {
            let chance = 0.05 + rng.f64() * 0.25;
            (0..DAYS)
                .map(|_| {
                    if rng.f64() < chance {
                        1.0 + poisson(0.5, rng)
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}

/// A Poisson draw: Knuth's product of uniforms for small rates, the normal approximation above.
fn poisson(rate: f64, rng: &mut fastrand::Rng) -> f64 {
    if rate > 30.0 {
        let z = (-2.0 * rng.f64().max(1e-12).ln()).sqrt() * (std::f64::consts::TAU * rng.f64()).cos();
        return (rate + rate.sqrt() * z).round().max(0.0);
    }
    let limit = (-rate).exp();
    let (mut k, mut product) = (0.0, rng.f64());
    while product > limit {
        k += 1.0;
        product *= rng.f64();
    }
    k
}

/// A way of forecasting the next days from a history.
pub type Forecaster = fn(&[f64], usize) -> Vec<f64>;

/// Ours: the method the history's class calls for.
pub fn ours(history: &[f64], horizon: usize) -> Vec<f64> {
    forecast(history, horizon).daily
}

/// The naive forecast: the last day's sales, every day.
pub fn naive(history: &[f64], horizon: usize) -> Vec<f64> {
    vec![history.last().copied().unwrap_or(0.0); horizon]
}

/// The seasonal naive forecast: the same weekday of the last week.
pub fn seasonal_naive(history: &[f64], horizon: usize) -> Vec<f64> {
    (0..horizon).map(|h| history[history.len() - 7 + h % 7]).collect()
}

/// The scaled errors of `method` on one history: (per day, per seven-day total); none when the
/// history is flat before the first cut (no scale).
pub fn scaled_errors(history: &[f64], method: Forecaster) -> Option<(f64, f64)> {
    let train = &history[..ORIGINS[0]];
    let scale = train.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (train.len() - 1) as f64;
    if scale == 0.0 {
        return None;
    }
    let (mut daily, mut total) = (0.0, 0.0);
    for origin in ORIGINS {
        let predicted = method(&history[..origin], HORIZON);
        let actual = &history[origin..origin + HORIZON];
        daily += predicted
            .iter()
            .zip(actual)
            .map(|(p, a)| (p - a).abs())
            .sum::<f64>()
            / HORIZON as f64;
        total += (predicted.iter().sum::<f64>() - actual.iter().sum::<f64>()).abs() / HORIZON as f64;
    }
    let origins = ORIGINS.len() as f64;
    Some((daily / origins / scale, total / origins / scale))
}

/// Mean scaled errors (per day, per total) of `method` over `count` histories of `kind`.
pub fn score(kind: Kind, count: usize, seed: u64, method: Forecaster) -> (f64, f64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let scores: Vec<(f64, f64)> = (0..count)
        .filter_map(|_| scaled_errors(&synthetic(kind, &mut rng), method))
        .collect();
    let n = scores.len().max(1) as f64;
    (
        scores.iter().map(|s| s.0).sum::<f64>() / n,
        scores.iter().map(|s| s.1).sum::<f64>() / n,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same seeds as docs/forecasting.md; the outcome is fixed by them.
    const SEED: u64 = 2026;

    #[test]
    fn the_forecast_beats_the_naive_one_on_fast_and_slow_movers() {
        for kind in [Kind::Fast, Kind::Slow] {
            let ours = score(kind, 200, SEED, ours);
            let naive = score(kind, 200, SEED, naive);
            let seasonal = score(kind, 200, SEED, seasonal_naive);
            assert!(
                ours.1 < naive.1 && ours.1 < seasonal.1,
                "{kind:?} seven-day totals: ours {ours:?}, naive {naive:?}, seasonal {seasonal:?}"
            );
            if kind == Kind::Fast {
                assert!(
                    ours.0 < naive.0 && ours.0 < seasonal.0,
                    "{kind:?} per day: {ours:?} vs {naive:?}"
                );
            }
        }
    }

    #[test]
    fn synthetic_histories_are_what_they_claim() {
        let mut rng = fastrand::Rng::with_seed(1);
        let fast = synthetic(Kind::Fast, &mut rng);
        let slow = synthetic(Kind::Slow, &mut rng);
        assert_eq!((fast.len(), slow.len()), (DAYS, DAYS));
        let selling = |h: &[f64]| h.iter().filter(|d| **d > 0.0).count();
        assert!(selling(&fast) > DAYS * 3 / 4, "a fast mover sells most days");
        assert!(selling(&slow) < DAYS / 2, "a slow mover sells on few days");
    }
}
