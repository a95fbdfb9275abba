//! A circuit breaker per upstream, shared by every service that calls another over HTTP (the
//! gateway's proxy and the sales service's client), so that a failing upstream is left alone
//! for a while instead of being hammered, and callers fail fast with a clear 503.
//!
//! Written here rather than taken from tower-resilience: its breaker is a tower `Layer` around
//! a `Service`, while these calls are reqwest requests with per-call retry rules; adapting them
//! to tower services would take more code than this state machine, which is small enough to
//! test completely (see the tests below).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Consecutive failures that open a breaker.
pub const FAILURES_TO_OPEN: u32 = 5;
/// How long an open breaker refuses calls before letting one probe through.
pub const OPEN_FOR: Duration = Duration::from_secs(5);

/// The breaker refused a call: the upstream failed repeatedly and is not called for a while.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub retry_after: Duration,
}

/// Closed → open after repeated failures → half-open (one probe) → closed on success.
pub struct Breaker {
    name: &'static str,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

impl Breaker {
    /// A closed breaker; its state is exported as the gauge `circuit_breaker_state{upstream}`
    /// (0 closed, 1 open, 2 half-open).
    pub fn new(name: &'static str) -> Breaker {
        let breaker = Breaker {
            name,
            state: Mutex::new(State::Closed { failures: 0 }),
        };
        breaker.export(State::Closed { failures: 0 });
        breaker
    }

    /// `closed`, `open` or `half-open`, for readiness.
    pub fn state(&self) -> &'static str {
        match *self.state.lock().expect("breaker lock") {
            State::Closed { .. } => "closed",
            State::Open { until } if Instant::now() >= until => "half-open",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half-open",
        }
    }

    /// Whether a call may go out now. Every admitted call must be followed by [`Breaker::record`].
    pub fn admit(&self) -> Result<(), Open> {
        let mut state = self.state.lock().expect("breaker lock");
        match *state {
            State::Closed { .. } => Ok(()),
            State::Open { until } if Instant::now() >= until => {
                *state = State::HalfOpen { probing: true };
                self.export(*state);
                Ok(())
            }
            State::Open { until } => Err(Open {
                retry_after: until.saturating_duration_since(Instant::now()),
            }),
            State::HalfOpen { probing: true } => Err(Open {
                retry_after: Duration::from_secs(1),
            }),
            State::HalfOpen { probing: false } => {
                *state = State::HalfOpen { probing: true };
                Ok(())
            }
        }
    }

    /// The outcome of an admitted call. Only silence and 5xx are unhealthy: a 4xx is an answer
    /// from a healthy upstream.
    pub fn record(&self, healthy: bool) {
        let mut state = self.state.lock().expect("breaker lock");
        let next = match (*state, healthy) {
            (_, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, false) if failures + 1 < FAILURES_TO_OPEN => State::Closed {
                failures: failures + 1,
            },
            (_, false) => State::Open {
                until: Instant::now() + OPEN_FOR,
            },
        };
        if std::mem::discriminant(&next) != std::mem::discriminant(&*state) {
            tracing::warn!(upstream = self.name, from = ?*state, to = ?next, "circuit breaker changed state");
        }
        *state = next;
        self.export(next);
    }

    fn export(&self, state: State) {
        let value = match state {
            State::Closed { .. } => 0.0,
            State::Open { .. } => 1.0,
            State::HalfOpen { .. } => 2.0,
        };
        metrics::gauge!("circuit_breaker_state", "upstream" => self.name).set(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breaker_opens_after_repeated_failures_probes_once_and_closes_on_success() {
        let breaker = Breaker::new("test");
        for _ in 0..FAILURES_TO_OPEN - 1 {
            breaker.admit().unwrap();
            breaker.record(false);
        }
        assert_eq!(breaker.state(), "closed");
        breaker.admit().unwrap();
        breaker.record(false);
        assert_eq!(breaker.state(), "open");
        assert!(breaker.admit().is_err());
        // Past the open period: exactly one probe goes through.
        *breaker.state.lock().unwrap() = State::Open {
            until: Instant::now(),
        };
        breaker.admit().unwrap();
        assert!(breaker.admit().is_err(), "only one probe");
        breaker.record(true);
        assert_eq!(breaker.state(), "closed");
        // A failed probe opens it again.
        *breaker.state.lock().unwrap() = State::HalfOpen { probing: false };
        breaker.admit().unwrap();
        breaker.record(false);
        assert_eq!(breaker.state(), "open");
    }
}
