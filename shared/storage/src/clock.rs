//! Times as every table stores them: UTC unix milliseconds in a BIGINT, which both engines
//! compare and sort the same way.

use time::OffsetDateTime;

/// `at` in unix milliseconds.
pub fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).expect("timestamps fit in i64 milliseconds")
}

/// A stored time back as a timestamp.
pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    millis(OffsetDateTime::now_utc())
}

/// `at` cut to the milliseconds that are stored, so a value returned right after a write
/// equals the one read back later.
pub fn stored_precision(at: OffsetDateTime) -> OffsetDateTime {
    from_millis(millis(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_round_trip_and_drop_finer_precision() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_789).unwrap();
        assert_eq!(millis(at), 1_764_000_000_123);
        assert_eq!(from_millis(millis(at)), stored_precision(at));
        assert_eq!(stored_precision(at).nanosecond(), 123_000_000);
    }
}
