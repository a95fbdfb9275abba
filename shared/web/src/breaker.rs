//! A circuit breaker per replica of an upstream, shared by every service that calls another
//! over HTTP (through [`crate::replicas`]), so that a failing replica is left alone for a while
//! instead of being hammered, and callers fail fast with a clear 503.
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
    upstream: &'static str,
    replica: String,
    state: Mutex<State>,
    gauge: metrics::Gauge,
}

/// What [`Breaker::admit`] let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// A call to a closed breaker.
    Call,
    /// The one call that tests a half-open breaker: if it ends without an outcome (its caller
    /// went away), [`Breaker::abandon`] lets the next call probe instead.
    Probe,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

impl Breaker {
    /// A closed breaker for the replica `replica` (its address) of `upstream`; its state is
    /// exported as the gauge `circuit_breaker_state{upstream, replica}` (0 closed, 1 open,
    /// 2 half-open).
    pub fn new(upstream: &'static str, replica: &str) -> Breaker {
        let breaker = Breaker {
            upstream,
            replica: replica.to_owned(),
            state: Mutex::new(State::Closed { failures: 0 }),
            gauge: metrics::gauge!("circuit_breaker_state", "upstream" => upstream, "replica" => replica.to_owned()),
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
    pub fn admit(&self) -> Result<Admitted, Open> {
        let mut state = self.state.lock().expect("breaker lock");
        match *state {
            State::Closed { .. } => Ok(Admitted::Call),
            State::Open { until } if Instant::now() >= until => {
                *state = State::HalfOpen { probing: true };
                self.export(*state);
                Ok(Admitted::Probe)
            }
            State::Open { until } => Err(Open {
                retry_after: until.saturating_duration_since(Instant::now()),
            }),
            State::HalfOpen { probing: true } => Err(Open {
                retry_after: Duration::from_secs(1),
            }),
            State::HalfOpen { probing: false } => {
                *state = State::HalfOpen { probing: true };
                Ok(Admitted::Probe)
            }
        }
    }

    /// A probe ended without an outcome (its caller was cancelled): the next call probes.
    /// Without this, a half-open breaker whose probe was dropped would refuse every call.
    pub fn abandon(&self, admitted: Admitted) {
        let mut state = self.state.lock().expect("breaker lock");
        if admitted == Admitted::Probe && *state == (State::HalfOpen { probing: true }) {
            *state = State::HalfOpen { probing: false };
        }
    }

    /// Opens the breaker at once: the replica could not even be connected to, and other
    /// replicas can take its calls until it is probed again.
    pub fn trip(&self) {
        let mut state = self.state.lock().expect("breaker lock");
        self.change(
            &mut state,
            State::Open {
                until: Instant::now() + OPEN_FOR,
            },
        );
    }

    /// Whether the breaker refuses calls now (open and not yet due for a probe).
    pub fn is_open(&self) -> bool {
        self.state() == "open"
    }

    /// The outcome of an admitted call: unhealthy when the replica did not answer (or a proxy
    /// before it said 502/504); any answer of its own, a refusal included, is healthy.
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
        self.change(&mut state, next);
    }

    fn change(&self, state: &mut State, next: State) {
        if std::mem::discriminant(&next) != std::mem::discriminant(&*state) {
            tracing::warn!(upstream = self.upstream, replica = %self.replica, from = ?*state, to = ?next, "circuit breaker changed state");
            self.export(next);
        }
        *state = next;
    }

    /// Ends an open period now, as if its time had passed.
    #[cfg(test)]
    pub(crate) fn expire_for_test(&self) {
        let mut state = self.state.lock().expect("breaker lock");
        if let State::Open { .. } = *state {
            *state = State::Open {
                until: Instant::now(),
            };
        }
    }

    fn export(&self, state: State) {
        let value = match state {
            State::Closed { .. } => 0.0,
            State::Open { .. } => 1.0,
            State::HalfOpen { .. } => 2.0,
        };
        self.gauge.set(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breaker_opens_after_repeated_failures_probes_once_and_closes_on_success() {
        let breaker = Breaker::new("test", "http://127.0.0.1:1");
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

    #[test]
    fn a_probe_whose_caller_went_away_lets_the_next_call_probe() {
        let breaker = Breaker::new("test", "http://127.0.0.1:1");
        breaker.trip();
        assert!(breaker.is_open(), "one trip opens it");
        *breaker.state.lock().unwrap() = State::Open {
            until: Instant::now(),
        };
        let probe = breaker.admit().unwrap();
        assert_eq!(probe, Admitted::Probe);
        assert!(breaker.admit().is_err(), "only one probe");
        breaker.abandon(probe);
        let next = breaker.admit().expect("the abandoned probe's turn passes on");
        assert_eq!(next, Admitted::Probe);
        // A call admitted while closed never frees a probe it was not.
        breaker.abandon(Admitted::Call);
        assert!(breaker.admit().is_err(), "the second probe is still out");
        breaker.record(true);
        assert_eq!(breaker.admit(), Ok(Admitted::Call));
    }
}
