//! Exponential back-off with full jitter, for retrying a broker or database that is down.
//! Written here because it is eight lines; the crates that offer it wrap the retry loop
//! itself, which the relay and consumer loops need to own (they also watch for shutdown).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff { min, max, attempt: 0 }
    }

    /// The next delay: a random point in `[min, min · 2^attempt]`, capped at `max`.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.min.saturating_mul(1 << self.attempt.min(16)).min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let spread = ceiling.saturating_sub(self.min).as_millis() as u64;
        let random = (uuid::Uuid::new_v4().as_u128() as u64) % (spread + 1);
        self.min + Duration::from_millis(random)
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_in_bounds_and_reset() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 0..20 {
            let delay = backoff.next_delay();
            let ceiling = Duration::from_millis(100 * (1 << attempt.min(16))).min(Duration::from_secs(2));
            assert!(
                delay >= Duration::from_millis(100) && delay <= ceiling,
                "{attempt}: {delay:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() == Duration::from_millis(100));
    }
}
