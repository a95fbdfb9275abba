//! The outbox relay: publishes a service's outbox rows in order, marking each published only
//! after the transport confirmed it. While the transport is down it backs off and retries;
//! the service keeps writing to its outbox meanwhile, and the backlog drains on return.
//!
//! Several processes of one service may run a relay on the same database; a [`Lease`] lets
//! only one publish at a time, so events leave in `seq` order. A relay that stops gives its
//! lease up; if a holder dies or stalls past its lease, another takes over and an event may be
//! published twice; consumers deduplicate.

use std::time::Duration;

use sqlx::{AssertSqlSafe, Row};
use storage::Db;
use storage::clock::now_ms;
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::bus::{Bus, BusError, Message, Published};
use crate::lease::Lease;

/// Rows published per round trip to the database.
const BATCH: i64 = 200;
/// How often an idle relay looks for new rows.
const POLL: Duration = Duration::from_millis(50);
/// How long a relay's lease lasts without renewal. The relay publishes on it for a third of
/// that before writing it again: renewing at every round was a write transaction per batch
/// (and 20 a second while idle), which on SQLite waits for the one writer like a sale does.
const LEASE: Duration = Duration::from_secs(15);
/// How often backlog metrics are refreshed.
const STATS_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("outbox: {0}")]
    Database(#[from] sqlx::Error),
    #[error("publishing: {0}")]
    Bus(#[from] BusError),
}

pub struct Relay {
    service: &'static str,
    db: Db,
    bus: Bus,
    lease: Lease,
    select_sql: String,
    mark_sql: String,
    stats_sql: String,
}

impl Relay {
    /// A relay for the tables `<service>_outbox` and `<service>_relay_lease`, which hold
    /// events of the `published` types. Their counters exist at 0 from here on, so the first
    /// event after a restart shows in rates.
    pub fn new(service: &'static str, published: &[&'static str], db: Db, bus: Bus) -> Relay {
        for event_type in published {
            metrics::counter!("events_published_total", "service" => service, "type" => *event_type)
                .increment(0);
        }
        Relay {
            service,
            lease: Lease::new(service, "outbox", db.clone(), LEASE),
            db,
            bus,
            select_sql: format!(
                "SELECT seq, event_id, event_type, payload FROM {service}_outbox \
                 WHERE published_at IS NULL ORDER BY seq LIMIT ?"
            ),
            mark_sql: format!("UPDATE {service}_outbox SET published_at = ? WHERE seq IN "),
            stats_sql: format!(
                "SELECT COUNT(*), MIN(occurred_at) FROM {service}_outbox WHERE published_at IS NULL"
            ),
        }
    }

    /// Publishes until `shutdown` is cancelled.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        let mut stats_due = tokio::time::Instant::now();
        loop {
            let wait = match self.relay_once().await {
                Ok(published) => {
                    backoff.reset();
                    if published > 0 { Duration::ZERO } else { POLL }
                }
                Err(e) => {
                    let delay = backoff.next_delay();
                    tracing::warn!(service = self.service, error = %e, retry_in_ms = delay.as_millis() as u64,
                        "outbox relay cannot publish; retrying");
                    delay
                }
            };
            if tokio::time::Instant::now() >= stats_due {
                stats_due = tokio::time::Instant::now() + STATS_EVERY;
                if let Err(e) = self.record_stats().await {
                    tracing::debug!(service = self.service, error = %e, "outbox stats unavailable");
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => {
                    // One last batch: the events of the last requests leave now rather than at
                    // the next start (the caller bounds how long this may take).
                    if let Err(e) = self.relay_once().await {
                        tracing::debug!(service = self.service, error = %e, "last relay before stopping failed");
                    }
                    self.lease.give_up().await;
                    return;
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Publishes the next batch of unpublished rows, in order. Returns how many were published;
    /// stops at the first failure (the rows before it stay marked).
    pub async fn relay_once(&self) -> Result<usize, RelayError> {
        if !self.lease.hold().await? {
            return Ok(0);
        }
        let rows = sqlx::query(AssertSqlSafe(self.select_sql.as_str()))
            .bind(BATCH)
            .fetch_all(self.db.pool())
            .await?;
        let mut seqs = Vec::with_capacity(rows.len());
        let mut messages = Vec::with_capacity(rows.len());
        for row in rows {
            seqs.push(row.try_get::<i64, _>(0)?);
            messages.push(Message {
                id: row.try_get(1)?,
                event_type: row.try_get(2)?,
                payload: row.try_get::<String, _>(3)?.into_bytes().into(),
            });
        }
        let Published { safe, failure } = self.bus.publish_all(&messages).await;
        for message in &messages[..safe] {
            metrics::counter!("events_published_total", "service" => self.service, "type" => message.event_type.clone())
                .increment(1);
        }
        let confirmed = &seqs[..safe];
        // Exactly the confirmed rows are marked, in one statement. Not "every row up to the last
        // one": sequence numbers are taken at insert but become visible at commit, so a row with
        // a lower `seq` may commit after this batch was read, and marking by range would mark it
        // published without it ever being sent (the sales crash test caught this under load).
        if !confirmed.is_empty() {
            let sql = format!("{}({})", self.mark_sql, vec!["?"; confirmed.len()].join(", "));
            let mut mark = sqlx::query(AssertSqlSafe(sql)).bind(now_ms());
            for &seq in confirmed {
                mark = mark.bind(seq);
            }
            let mut tx = self.db.begin().await?;
            mark.execute(&mut *tx).await?;
            tx.commit().await?;
        }
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(safe),
        }
    }

    async fn record_stats(&self) -> Result<(), sqlx::Error> {
        let row = sqlx::query(AssertSqlSafe(self.stats_sql.as_str()))
            .fetch_one(self.db.pool())
            .await?;
        let backlog: i64 = row.try_get(0)?;
        let oldest: Option<i64> = row.try_get(1)?;
        metrics::gauge!("outbox_backlog", "service" => self.service).set(backlog as f64);
        let age = oldest.map_or(0.0, |t| ((now_ms() - t).max(0) as f64) / 1000.0);
        metrics::gauge!("outbox_oldest_age_seconds", "service" => self.service).set(age);
        Ok(())
    }
}
