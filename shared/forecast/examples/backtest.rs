//! Prints the backtest's table for docs/forecasting.md:
//! `cargo run -p forecast --example backtest`.

use forecast::backtest::{Forecaster, Kind, naive, ours, score, seasonal_naive};

fn main() {
    const SEED: u64 = 2026;
    const COUNT: usize = 200;
    println!("| histories | method | MASE per day | scaled error of the 7-day total |");
    println!("|---|---|---:|---:|");
    for (kind, name) in [(Kind::Fast, "fast movers"), (Kind::Slow, "slow movers")] {
        let methods: [(&str, Forecaster); 3] = [
            ("ours (Holt–Winters / Croston–SBA)", ours),
            ("naive (yesterday)", naive),
            ("seasonal naive (same day last week)", seasonal_naive),
        ];
        for (label, method) in methods {
            let (daily, total) = score(kind, COUNT, SEED, method);
            println!("| {COUNT} {name} | {label} | {daily:.3} | {total:.3} |");
        }
    }
}
