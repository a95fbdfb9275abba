//! The inventory's rules, free of HTTP and SQL: what a location code, a quantity and an
//! adjustment reason may be, and when a low-stock warning is due.

use serde::{Deserialize, Serialize};

/// The largest quantity one operation may move; far above any shop's stock of one item, far
/// below anything that could overflow a sum.
pub const MAX_QUANTITY: i64 = 1_000_000;

pub use kernel::{FieldError, LocationCode};

/// Collects every bad field of a request so one answer can list them all.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, field: &str, reason: impl Into<String>) {
        self.0.push(FieldError::new(field, reason));
    }

    /// Runs `parse` on a present value, recording its error.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|reason| self.push(field, reason)).ok()
    }

    pub fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.push(field, "is required");
        }
        value
    }

    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }
}

/// A number of units moved in by one operation: 1 to [`MAX_QUANTITY`].
pub fn positive_quantity(value: i64) -> Result<i64, String> {
    if (1..=MAX_QUANTITY).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between 1 and {MAX_QUANTITY}"))
    }
}

/// A change of stock by hand: at most [`MAX_QUANTITY`] either way; zero changes nothing.
pub fn delta(value: i64) -> Result<i64, String> {
    if value.abs() > MAX_QUANTITY {
        Err(format!("must be between -{MAX_QUANTITY} and {MAX_QUANTITY}"))
    } else {
        Ok(value)
    }
}

/// A counted stock, a threshold or a reorder quantity: 0 to [`MAX_QUANTITY`].
pub fn count(value: i64) -> Result<i64, String> {
    if (0..=MAX_QUANTITY).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between 0 and {MAX_QUANTITY}"))
    }
}

/// Why stock was adjusted by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentReason {
    CountCorrection,
    Damaged,
    Lost,
    Found,
    Returned,
    Other,
}

impl AdjustmentReason {
    pub const ALL: [AdjustmentReason; 6] = [
        AdjustmentReason::CountCorrection,
        AdjustmentReason::Damaged,
        AdjustmentReason::Lost,
        AdjustmentReason::Found,
        AdjustmentReason::Returned,
        AdjustmentReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentReason::CountCorrection => "count_correction",
            AdjustmentReason::Damaged => "damaged",
            AdjustmentReason::Lost => "lost",
            AdjustmentReason::Found => "found",
            AdjustmentReason::Returned => "returned",
            AdjustmentReason::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Result<AdjustmentReason, String> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|r| r.as_str()).collect();
            format!("must be one of {}", names.join(", "))
        })
    }
}

/// The low-stock state of one level after a change, and whether the change crossed into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowStock {
    /// Whether a warning has been sent for the current low period.
    pub warned: bool,
    /// Whether this change must send a StockLevelWarning.
    pub warn_now: bool,
}

/// A warning is due when available stock is at or below the threshold and none was sent since
/// it last rose above it; rising above the threshold re-arms it. Archived products never warn.
pub fn low_stock(available: i64, threshold: i64, already_warned: bool, product_active: bool) -> LowStock {
    let low = available <= threshold;
    match (low, already_warned) {
        (true, false) => LowStock {
            warned: true,
            warn_now: product_active,
        },
        (true, true) => LowStock {
            warned: true,
            warn_now: false,
        },
        (false, _) => LowStock {
            warned: false,
            warn_now: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_bounded() {
        assert!(positive_quantity(0).is_err() && positive_quantity(-1).is_err());
        assert!(positive_quantity(MAX_QUANTITY + 1).is_err());
        assert_eq!(positive_quantity(5), Ok(5));
        assert!(delta(-MAX_QUANTITY - 1).is_err() && delta(MAX_QUANTITY + 1).is_err());
        assert_eq!(delta(0), Ok(0));
        assert_eq!(delta(-3), Ok(-3));
        assert_eq!(count(0), Ok(0));
        assert!(count(-1).is_err());
    }

    #[test]
    fn reasons_parse_from_their_names_only() {
        for reason in AdjustmentReason::ALL {
            assert_eq!(AdjustmentReason::parse(reason.as_str()), Ok(reason));
        }
        assert!(
            AdjustmentReason::parse("stolen")
                .unwrap_err()
                .contains("count_correction")
        );
    }

    #[test]
    fn a_warning_is_sent_once_per_crossing() {
        // Above the threshold: armed, no warning.
        let s = low_stock(10, 5, false, true);
        assert_eq!((s.warned, s.warn_now), (false, false));
        // Falls to the threshold: one warning.
        let s = low_stock(5, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (true, true));
        // Stays low: silent.
        let s = low_stock(2, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (true, false));
        // Rises above: re-armed; falls again: warns again.
        let s = low_stock(6, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (false, false));
        let s = low_stock(0, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (true, true));
        // Archived products never warn.
        assert!(!low_stock(0, 5, false, false).warn_now);
    }
}
