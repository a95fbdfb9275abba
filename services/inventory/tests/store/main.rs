//! The inventory's store and use cases on every backend (SQLite, and MariaDB on this machine).
//!
//! # Layout
//! - [`levels`]: exact levels under concurrency, the ledger invariant, transfers, warnings,
//!   catalog events in any order.
//! - [`opening`]: opening stock from an import of products.
//! - [`purchasing`]: incoming and on hand through purchase orders, racing and retried
//!   deliveries, the average cost.
//! - [`reservations`]: all lines or none, no overselling under races, sales events moving
//!   stock exactly as reserved.
//! - [`serials`]: serialized units through receipts, sales (racing tills), returns, transfers
//!   and counts, with stock = units on the shelf.
//! - [`rmas`]: warranty cases moving units and stock exactly once.

use inventory::store::InventoryStore;
use testkit::TestDatabase;

/// Runs each named test on a fresh SQLite database and on a fresh MariaDB one.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let db = testkit::TestDatabase::sqlite();
                super::$name(crate::store(&db).await).await;
            })*
        }
        mod mysql {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(db) = testkit::TestDatabase::mysql().await else { return };
                super::$name(crate::store(&db).await).await;
            })*
        }
    };
}

mod levels;
mod opening;
mod purchasing;
mod reservations;
mod rmas;
mod serials;

/// A store on `db`, migrated.
async fn store(db: &TestDatabase) -> InventoryStore {
    let db = db.connect().await;
    db.migrate(&inventory::migrator(db.kind())).await.unwrap();
    InventoryStore::new(db)
}
