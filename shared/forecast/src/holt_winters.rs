//! Holt–Winters for daily sales: a level, a damped trend and an additive weekly season,
//! updated day by day. The smoothing weights are chosen per history from a small grid by the
//! mean absolute one-step error inside the history.

const SEASON: usize = 7;
/// How much of the trend is kept each day ahead: a rise flattens out instead of running away.
const DAMPING: f64 = 0.9;
const ALPHAS: [f64; 3] = [0.1, 0.2, 0.4];
const BETAS: [f64; 3] = [0.01, 0.05, 0.15];
const GAMMAS: [f64; 3] = [0.05, 0.15, 0.3];

/// The state after a history: level, trend, the season's seven terms, and where the season
/// stands (the index of the next day's term).
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    level: f64,
    trend: f64,
    season: [f64; SEASON],
    next: usize,
    /// The one-step errors inside the history (after the first week).
    pub errors: Vec<f64>,
}

impl Fitted {
    /// The forecast `h` days ahead (h ≥ 1), never below zero.
    pub fn ahead(&self, h: usize) -> f64 {
        let damped: f64 = (1..=h).map(|i| DAMPING.powi(i as i32)).sum();
        (self.level + damped * self.trend + self.season[(self.next + h - 1) % SEASON]).max(0.0)
    }
}

fn run(daily: &[f64], alpha: f64, beta: f64, gamma: f64) -> Fitted {
    let first: f64 = daily[..SEASON].iter().sum::<f64>() / SEASON as f64;
    let second: f64 = daily[SEASON..2 * SEASON].iter().sum::<f64>() / SEASON as f64;
    let mut season = [0.0; SEASON];
    for (i, term) in season.iter_mut().enumerate() {
        *term = (daily[i] - first + daily[SEASON + i] - second) / 2.0;
    }
    let mut level = first;
    let mut trend = (second - first) / SEASON as f64;
    let mut errors = Vec::with_capacity(daily.len());
    for (t, &y) in daily.iter().enumerate().skip(SEASON) {
        let s = t % SEASON;
        errors.push(y - (level + DAMPING * trend + season[s]));
        let previous = level;
        level = alpha * (y - season[s]) + (1.0 - alpha) * (level + DAMPING * trend);
        trend = beta * (level - previous) + (1.0 - beta) * DAMPING * trend;
        season[s] = gamma * (y - level) + (1.0 - gamma) * season[s];
    }
    Fitted {
        level,
        trend,
        season,
        next: daily.len() % SEASON,
        errors,
    }
}

/// The best fit of `daily` (at least two weeks, oldest first) over the grid of weights.
pub fn fit(daily: &[f64]) -> Fitted {
    assert!(daily.len() >= 2 * SEASON, "Holt–Winters needs two weeks");
    let mae = |f: &Fitted| f.errors.iter().map(|e| e.abs()).sum::<f64>() / f.errors.len().max(1) as f64;
    let mut best: Option<(f64, Fitted)> = None;
    for alpha in ALPHAS {
        for beta in BETAS {
            for gamma in GAMMAS {
                let fitted = run(daily, alpha, beta, gamma);
                let error = mae(&fitted);
                if best.as_ref().is_none_or(|(e, _)| error < *e) {
                    best = Some((error, fitted));
                }
            }
        }
    }
    best.expect("the grid is not empty").1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_pattern_is_learned_and_continued() {
        // 10 a day on weekdays, 20 on the two weekend days, for twelve weeks.
        let week = [10.0, 10.0, 10.0, 10.0, 10.0, 20.0, 20.0];
        let daily: Vec<f64> = (0..84).map(|d| week[d % 7]).collect();
        let fitted = fit(&daily);
        for h in 1..=7 {
            let wanted = week[(84 + h - 1) % 7];
            assert!(
                (fitted.ahead(h) - wanted).abs() < 0.5,
                "day {h}: {}",
                fitted.ahead(h)
            );
        }
    }

    #[test]
    fn a_rise_is_followed_but_damped() {
        let daily: Vec<f64> = (0..70).map(|d| 10.0 + d as f64 * 0.5).collect();
        let fitted = fit(&daily);
        let next = fitted.ahead(1);
        assert!((next - 45.0).abs() < 2.0, "{next}");
        // The damped trend adds at most 0.5 × 0.9 / 0.1 = 4.5 however far ahead.
        assert!(fitted.ahead(365) < next + 5.0);
    }
}
