//! The inventory's store and use cases on every backend (SQLite, and MariaDB on this machine).
//!
//! # Layout
//! - [`levels`]: exact levels under concurrency, the ledger invariant, transfers, warnings,
//!   catalog events in any order.
//! - [`reservations`]: all lines or none, no overselling under races, sales events moving
//!   stock exactly as reserved.

mod levels;
mod reservations;
