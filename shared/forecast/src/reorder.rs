//! What to order: the reorder point covers the forecast demand over the supplier's lead time
//! plus safety stock for the service level; when on hand plus incoming falls to it, order up
//! to the demand over the lead time and one review period, with its safety stock.

use crate::Forecast;

/// The days between two looks at the stock (suggestions are weekly by default).
pub const REVIEW_DAYS: u32 = 7;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub lead_time_days: u32,
    pub review_days: u32,
    /// The chance of not running out during a lead time, e.g. 0.95.
    pub service_level: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    pub lead_time_demand: f64,
    pub safety_stock: f64,
    /// Order when on hand plus incoming is at or below this.
    pub reorder_point: i64,
    pub order_up_to: i64,
    /// What to order now; 0 when the stock position is above the reorder point.
    pub quantity: i64,
}

/// The suggestion for a product with `forecast`, `on_hand` and `incoming` under `policy`.
pub fn suggest(forecast: &Forecast, policy: Policy, on_hand: i64, incoming: i64) -> Suggestion {
    let z = normal_quantile(policy.service_level.clamp(0.5, 0.9999));
    let lead = policy.lead_time_days.max(1) as usize;
    let cover = lead + policy.review_days as usize;
    let lead_time_demand = forecast.over(lead);
    let safety_stock = z * forecast.sigma * (lead as f64).sqrt();
    let reorder_point = (lead_time_demand + safety_stock).ceil() as i64;
    let order_up_to = (forecast.over(cover) + z * forecast.sigma * (cover as f64).sqrt()).ceil() as i64;
    let position = on_hand.saturating_add(incoming);
    let quantity = if position <= reorder_point && forecast.over(cover) > 0.0 {
        (order_up_to - position).max(0)
    } else {
        0
    };
    Suggestion {
        lead_time_demand,
        safety_stock,
        reorder_point,
        order_up_to,
        quantity,
    }
}

/// The standard normal quantile of `p` (0 < p < 1), by Acklam's rational approximation
/// (relative error below 1.2e-9). Written here because it is the one statistical function
/// needed, and a statistics crate would bring far more than twenty lines.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.38357751867269e+02,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Method;

    #[test]
    fn the_normal_quantile_matches_the_tables() {
        for (p, z) in [
            (0.5, 0.0),
            (0.9, 1.281_551_6),
            (0.95, 1.644_853_6),
            (0.99, 2.326_347_9),
            (0.01, -2.326_347_9),
        ] {
            assert!(
                (normal_quantile(p) - z).abs() < 1e-6,
                "{p}: {}",
                normal_quantile(p)
            );
        }
    }

    #[test]
    fn stock_at_the_reorder_point_orders_up_to_the_cover() {
        let steady = Forecast {
            method: Method::HoltWinters,
            daily: vec![10.0; 30],
            sigma: 2.0,
        };
        let policy = Policy {
            lead_time_days: 4,
            review_days: 7,
            service_level: 0.95,
        };
        // Lead time demand 40, safety 1.645 × 2 × 2 = 6.58: reorder at 47.
        let s = suggest(&steady, policy, 30, 17);
        assert_eq!(s.reorder_point, 47);
        // Up to 110 + 1.645 × 2 × √11 = 120.9 → 121, less the 47 on hand and incoming.
        assert_eq!((s.order_up_to, s.quantity), (121, 121 - 47));
        assert_eq!(
            suggest(&steady, policy, 40, 8).quantity,
            0,
            "above the reorder point"
        );
        let dead = Forecast {
            daily: vec![0.0; 30],
            sigma: 0.0,
            ..steady
        };
        assert_eq!(
            suggest(&dead, policy, 0, 0).quantity,
            0,
            "nothing sells, nothing is ordered"
        );
    }
}
