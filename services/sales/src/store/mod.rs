//! SQL for the sales tables. A sale, its status history, its SaleCreated event and the
//! idempotency key's stored answer commit in one transaction; so do a void or a return with
//! their SaleUpdated.
//!
//! # Layout
//! - [`sales`]: recording, reading, listing and changing sales.
//! - [`summary`]: the figures of a period.
//! - [`customers`]: the shop's customers.
//! - [`shifts`]: till shifts, cash movements, the X and Z reports.

pub mod customers;
pub mod sales;
pub mod shifts;
pub mod summary;

use events::Outbox;
use kernel::{PaymentMethod, SaleStatus};
use storage::{Claim, Db};

pub const OUTBOX_TABLE: &str = "sales_outbox";

/// Who asked for a change and under which request it travels: stored with the sale and its
/// history, and carried by the event to the inventory's ledger.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// A username, or `service:<name>`; none for calls without an identity (tests of the store).
    pub actor: Option<String>,
    pub correlation_id: Option<String>,
}

/// Which sales a listing shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub sku: Option<String>,
    pub payment_method: Option<PaymentMethod>,
    pub status: Option<SaleStatus>,
    /// The sales made to this customer.
    pub customer_id: Option<String>,
}

impl ListFilter {
    /// Whether the listing asks for one product's sales and nothing else.
    fn names_only_a_sku(&self) -> bool {
        let Self {
            from_ms,
            to_ms,
            sku,
            payment_method,
            status,
            customer_id,
        } = self;
        sku.is_some()
            && from_ms.is_none()
            && to_ms.is_none()
            && payment_method.is_none()
            && status.is_none()
            && customer_id.is_none()
    }
}

#[derive(Clone, Debug)]
pub struct SalesStore {
    db: Db,
    outbox: Outbox,
    keys: storage::IdempotencyKeys,
}

impl SalesStore {
    pub fn new(db: Db) -> SalesStore {
        SalesStore {
            db,
            outbox: Outbox::new(OUTBOX_TABLE),
            keys: storage::IdempotencyKeys::new("sales_idempotency"),
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The events written after position `after`, up to `limit` of them.
    pub async fn event_history(&self, after: i64, limit: i64) -> Result<events::HistoryPage, sqlx::Error> {
        self.outbox.history(&self.db, after, limit).await
    }

    /// Claims `key` for `request` (its canonical JSON), or tells what became of it before.
    pub async fn claim(&self, key: &str, request: &str) -> Result<Claim, sqlx::Error> {
        self.keys.claim(&self.db, key, request).await
    }

    /// After the keyed work failed: the key's answer, if an earlier attempt it took over from
    /// committed meanwhile; else the key is released.
    pub async fn after_failure(&self, key: &str) -> Result<Option<storage::idempotency::Claim>, sqlx::Error> {
        self.keys.after_failure(&self.db, key).await
    }

    /// Keys older than `age_ms` are forgotten (they are kept at least 24 hours).
    pub async fn purge_keys(&self, age_ms: i64) -> Result<u64, sqlx::Error> {
        self.keys.purge(&self.db, age_ms).await
    }
}

/// A stored state's text as its enum; a value this code does not know is a broken row.
fn stored<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(text).ok_or_else(|| sqlx::Error::Decode(format!("unknown stored value {text:?}").into()))
}
