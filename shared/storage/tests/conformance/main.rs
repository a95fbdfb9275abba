//! What every storage backend promises, checked on each (SQLite and in-process, MariaDB and
//! Redis on this machine).
//!
//! # Layout
//! - [`cache`]: the versioned cache.
//! - [`idempotency`]: idempotency keys.

mod cache;
mod idempotency;
