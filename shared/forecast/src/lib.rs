//! Demand forecasts for a shop's products from their daily sales, and what to reorder.
//!
//! A computer shop sells two kinds of product: fast movers (cables, mice, drives) that sell
//! most days, with a weekly rhythm and a trend, and slow movers (a particular GPU, a server
//! board) that sell on a few scattered days. One method does not suit both, so each history is
//! first classified by its average interval between demands (ADI, Syntetos & Boylan 2005):
//!
//! - ADI ≤ 1.32 (demand most days): **Holt–Winters** additive with a damped trend and a weekly
//!   season, its smoothing weights chosen per product from a small grid by in-sample one-step
//!   error. The damped trend keeps a recent rise from being extrapolated for ever.
//! - ADI > 1.32 (intermittent): **Croston's method with the Syntetos–Boylan approximation**
//!   (SBA), which forecasts the demand rate as size over interval, debiased; exponential
//!   smoothing of such series is biased towards the last spike.
//! - Shorter than two weeks: the mean daily rate (nothing better can be estimated).
//!
//! [`backtest`] checks the choice on synthetic histories with known trend, weekly season and
//! intermittency, against the naive forecast, by MASE (Hyndman & Koehler 2006).
//!
//! # Layout
//! - [`classify`]: the demand class of a history.
//! - [`holt_winters`]: damped-trend weekly Holt–Winters.
//! - [`croston`]: the Croston–SBA rate of intermittent demand.
//! - [`forecast`]: the forecast of a history, by the method its class calls for.
//! - [`reorder`]: safety stock, reorder point and the quantity to order.
//! - [`backtest`]: synthetic histories, rolling-origin evaluation and MASE.

pub mod backtest;
pub mod classify;
pub mod croston;
pub mod forecast;
pub mod holt_winters;
pub mod reorder;

pub use forecast::{Forecast, Method, forecast};
pub use reorder::{Policy, Suggestion, suggest};
