//! Persistence shared by every service: a database handle that speaks SQLite or MySQL/MariaDB
//! through one code path, and a versioned read cache that lives in-process or in Redis.
//!
//! # Layout
//! - [`cache`]: [`VersionedCache`], whose writes never replace a newer value with an older one.
//! - [`clock`]: times as every table stores them (UTC milliseconds).
//! - [`db`]: [`Db`], a pool over sqlx's `Any` driver; per-service migrations; error helpers,
//!   and retrying a transaction its engine chose as a deadlock victim.
//! - [`idempotency`]: [`IdempotencyKeys`], each key's claim and the first answer, stored with
//!   the work.
//! - [`redis_conn`]: a Redis connection opened on first use that reconnects by itself.

pub mod cache;
pub mod clock;
pub mod db;
pub mod idempotency;
pub mod redis_conn;

pub use cache::{CacheError, VersionedCache};
pub use db::{Db, DbError, Tx};
pub use idempotency::{Claim, IdempotencyKeys};
pub use settings::DatabaseKind;
