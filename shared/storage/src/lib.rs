//! Persistence shared by every service: a database handle that speaks SQLite or MySQL/MariaDB
//! through one code path, and a versioned read cache that lives in-process or in Redis.
//!
//! # Layout
//! - [`db`]: [`Db`], a pool over sqlx's `Any` driver; per-service migrations; error helpers.
//! - [`cache`]: [`VersionedCache`], whose writes never replace a newer value with an older one.

pub mod cache;
pub mod clock;
pub mod db;
pub mod idempotency;
pub mod redis_conn;

pub use cache::{CacheError, VersionedCache};
pub use db::{Db, DbError, Tx};
pub use idempotency::{Claim, IdempotencyKeys};
pub use settings::DatabaseKind;
