//! The transactional outbox: an event is a row written in the same database transaction as
//! the change it describes, so either both happen or neither does. A relay publishes the rows
//! later, in `seq` order, and marks them published.
//!
//! Each service owns its outbox table (`<service>_outbox`); every one has the same columns:
//! `seq` (auto-increment), `event_id`, `event_type`, `event_version`, `occurred_at` (unix
//! milliseconds), `payload` (the envelope as JSON) and `published_at` (null until published).

use sqlx::{AnyConnection, AssertSqlSafe};
use storage::Db;

use crate::Envelope;

/// A page of a service's event history: its events in the order they were written, and where
/// the next page starts (none: this was the last).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HistoryPage {
    pub events: Vec<Envelope>,
    pub next: Option<i64>,
}

/// Writes to one service's outbox table.
#[derive(Debug, Clone)]
pub struct Outbox {
    table: &'static str,
    insert_sql: String,
    count_pending_sql: String,
}

impl Outbox {
    /// `table` is a name fixed in the service's code (never input), which is why it is safe to
    /// put into the SQL text.
    pub fn new(table: &'static str) -> Outbox {
        Outbox {
            table,
            insert_sql: format!(
                "INSERT INTO {table} (event_id, event_type, event_version, occurred_at, payload) \
                 VALUES (?, ?, ?, ?, ?)"
            ),
            count_pending_sql: format!("SELECT COUNT(*) FROM {table} WHERE published_at IS NULL"),
        }
    }

    /// Appends `envelope` inside the caller's transaction.
    pub async fn append(&self, conn: &mut AnyConnection, envelope: &Envelope) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_string(envelope).expect("envelopes serialize to JSON");
        let occurred_at_ms = i64::try_from(envelope.occurred_at.unix_timestamp_nanos() / 1_000_000)
            .expect("timestamps fit in i64 milliseconds");
        sqlx::query(AssertSqlSafe(self.insert_sql.as_str()))
            .bind(envelope.id.to_string())
            .bind(envelope.event_type.clone())
            .bind(i64::from(envelope.version))
            .bind(occurred_at_ms)
            .bind(payload)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Appends `envelopes` inside the caller's transaction, in order, a hundred rows per
    /// statement: for changes that write thousands of events at once (an import).
    pub async fn append_all(
        &self,
        conn: &mut AnyConnection,
        envelopes: &[Envelope],
    ) -> Result<(), sqlx::Error> {
        for chunk in envelopes.chunks(100) {
            let sql = format!(
                "INSERT INTO {} (event_id, event_type, event_version, occurred_at, payload) VALUES {}",
                self.table,
                vec!["(?, ?, ?, ?, ?)"; chunk.len()].join(", ")
            );
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for envelope in chunk {
                let occurred_at_ms = i64::try_from(envelope.occurred_at.unix_timestamp_nanos() / 1_000_000)
                    .expect("timestamps fit in i64 milliseconds");
                query = query
                    .bind(envelope.id.to_string())
                    .bind(envelope.event_type.clone())
                    .bind(i64::from(envelope.version))
                    .bind(occurred_at_ms)
                    .bind(serde_json::to_string(envelope).expect("envelopes serialize to JSON"));
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Up to `limit` events written after the one at `after` (0: from the first), in the order
    /// they were written, published or not: the service's event history, for a consumer that
    /// rebuilds what it derives from it. Each comes with its position, the `after` of the next
    /// page.
    pub async fn history(&self, db: &Db, after: i64, limit: i64) -> Result<HistoryPage, sqlx::Error> {
        let sql = format!(
            "SELECT seq, payload FROM {} WHERE seq > ? ORDER BY seq LIMIT ?",
            self.table
        );
        let rows: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(after)
            .bind(limit)
            .fetch_all(db.pool())
            .await?;
        let next = (rows.len() as i64 == limit)
            .then(|| rows.last().map(|(seq, _)| *seq))
            .flatten();
        let events = rows
            .into_iter()
            .map(|(_, payload)| serde_json::from_str(&payload).map_err(|e| sqlx::Error::Decode(Box::new(e))))
            .collect::<Result<Vec<Envelope>, _>>()?;
        Ok(HistoryPage { events, next })
    }

    /// Events written but not yet published.
    pub async fn pending(&self, db: &Db) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(AssertSqlSafe(self.count_pending_sql.as_str()))
            .fetch_one(db.pool())
            .await
    }
}
