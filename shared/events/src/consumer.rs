//! Idempotent consumers: each event is applied in one database transaction together with a row
//! in the consumer's inbox (`<service>_inbox`, keyed by event id), and acknowledged only after
//! that transaction committed. A redelivered or duplicated event finds its inbox row and
//! changes nothing. An event that keeps failing is recorded in `<service>_dead_letters` with
//! its error and dead-lettered, and the consumer goes on with the next.
//!
//! Deliveries that are already waiting are applied together, in order, in one transaction
//! (up to [`batch_limit`]), so that a consumer behind a busy service catches up with one commit per
//! batch instead of one per event. Their inbox rows are written with one statement, and a
//! handler may apply them with fewer statements than one event at a time
//! ([`Handler::handle_all`]). If any of them fails, the batch is rolled back and each is
//! applied on its own, with its own retries and dead letter.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sqlx::{AnyConnection, AssertSqlSafe};
use storage::Db;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::backoff::Backoff;
use crate::bus::{Bus, Delivery};
use crate::envelope::Envelope;
use storage::clock::now_ms;

/// The most deliveries applied in one transaction. A batch holds what it wrote until it commits:
/// on SQLite the writer's turn, on MariaDB the rows' locks, which the tills' reservations of the
/// same products wait for; so batches on MariaDB are kept short.
pub fn batch_limit(engine: storage::DatabaseKind) -> usize {
    match engine {
        storage::DatabaseKind::Sqlite => 16,
        storage::DatabaseKind::MySql => 4,
    }
}

/// Why applying an event failed.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Retrying cannot help (unknown version, impossible data): dead-letter at once.
    #[error("{0}")]
    Permanent(String),
    /// Might work later (database busy or down).
    #[error("{0}")]
    Transient(String),
}

impl From<sqlx::Error> for HandleError {
    fn from(e: sqlx::Error) -> Self {
        HandleError::Transient(e.to_string())
    }
}

/// What a consuming service does with an event, inside the transaction that also records it
/// in the inbox.
pub trait Handler: Send + Sync + 'static {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Envelope,
    ) -> BoxFuture<'a, Result<(), HandleError>>;

    /// Applies several events, in order, inside one transaction. A handler that can apply a
    /// batch with fewer statements than one event at a time overrides this; the effect must be
    /// the same as [`Handler::handle`] on each in turn.
    fn handle_all<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelopes: &'a [&'a Envelope],
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(one_by_one(self, conn, envelopes))
    }
}

/// Applies `envelopes` with [`Handler::handle`], one after another: what [`Handler::handle_all`]
/// does unless a handler knows better, and what such a handler falls back to.
pub async fn one_by_one<H: Handler + ?Sized>(
    handler: &H,
    conn: &mut AnyConnection,
    envelopes: &[&Envelope],
) -> Result<(), HandleError> {
    for envelope in envelopes {
        handler.handle(&mut *conn, envelope).await?;
    }
    Ok(())
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Already applied earlier (a redelivery or a duplicate publish).
    Duplicate,
    DeadLettered(String),
}

#[derive(Clone)]
pub struct Consumer {
    service: &'static str,
    queue: String,
    types: Vec<&'static str>,
    db: Db,
    bus: Bus,
    handler: Arc<dyn Handler>,
    max_attempts: u32,
    inbox_sql: String,
    dead_letter_sql: String,
}

impl Consumer {
    /// A consumer for `service`, receiving `types` on the queue `<queue_prefix>.<service>`.
    pub fn new(
        service: &'static str,
        queue_prefix: &str,
        types: &[&'static str],
        db: Db,
        bus: Bus,
        handler: Arc<dyn Handler>,
        max_attempts: u32,
    ) -> Consumer {
        Consumer {
            service,
            queue: format!("{queue_prefix}.{service}"),
            types: types.to_vec(),
            db,
            bus,
            handler,
            max_attempts: max_attempts.max(1),
            inbox_sql: format!(
                "INSERT INTO {service}_inbox (event_id, event_type, applied_at) VALUES (?, ?, ?)"
            ),
            dead_letter_sql: format!(
                "INSERT INTO {service}_dead_letters (event_id, event_type, payload, error, attempts, \
                 dead_at) VALUES (?, ?, ?, ?, ?, ?)"
            ),
        }
    }

    pub fn queue(&self) -> &str {
        &self.queue
    }

    /// Subscribes (now, so that nothing published from here on is missed by the in-process
    /// bus) and returns the loop that consumes until `shutdown`, resubscribing with back-off
    /// whenever the subscription is lost.
    ///
    /// Its counters exist at 0 from here on, per type it consumes, so that the first failure
    /// or dead letter after a restart shows in `increase()`.
    pub async fn start(self, shutdown: CancellationToken) -> impl Future<Output = ()> + Send + 'static {
        for &event_type in &self.types {
            for outcome in ["applied", "duplicate"] {
                metrics::counter!("events_consumed_total", "consumer" => self.service,
                    "type" => event_type, "outcome" => outcome)
                .increment(0);
            }
            metrics::counter!("events_failed_total", "consumer" => self.service, "type" => event_type)
                .increment(0);
            metrics::counter!("events_dead_lettered_total", "consumer" => self.service, "type" => event_type)
                .increment(0);
        }
        let first = self.bus.subscribe(&self.queue, &self.types).await;
        let limit = batch_limit(self.db.kind());
        async move {
            let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
            let mut subscription = first;
            loop {
                match subscription {
                    Ok(mut deliveries) => {
                        backoff.reset();
                        loop {
                            tokio::select! {
                                () = shutdown.cancelled() => return,
                                next = deliveries.next() => match next {
                                    Some(delivery) => {
                                        let mut batch = vec![delivery];
                                        while batch.len() < limit && let Some(more) = deliveries.ready() {
                                            batch.push(more);
                                        }
                                        self.process_all(batch).await;
                                    }
                                    None => break,
                                },
                            }
                        }
                        tracing::warn!(queue = %self.queue, "subscription ended; resubscribing");
                    }
                    Err(e) => {
                        tracing::warn!(queue = %self.queue, error = %e, "cannot subscribe; retrying");
                    }
                }
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(backoff.next_delay()) => {}
                }
                subscription = self.bus.subscribe(&self.queue, &self.types).await;
            }
        }
    }

    /// Applies deliveries in order, together in one transaction when they all succeed at the
    /// first attempt, else each on its own; settles each and returns what became of each.
    pub async fn process_all(&self, deliveries: Vec<Delivery>) -> Vec<Outcome> {
        if deliveries.len() > 1 {
            let decoded: Option<Vec<Envelope>> = deliveries
                .iter()
                .map(|d| serde_json::from_slice::<Envelope>(&d.message.payload).ok())
                .collect();
            if let Some(envelopes) = decoded {
                match self.apply_all(&envelopes).await {
                    Ok(outcomes) => {
                        for ((delivery, envelope), outcome) in
                            deliveries.into_iter().zip(&envelopes).zip(&outcomes)
                        {
                            self.record_lag(envelope);
                            self.applied(delivery, outcome)
                                .instrument(self.span(envelope))
                                .await;
                        }
                        return outcomes;
                    }
                    Err(e) => {
                        tracing::debug!(queue = %self.queue, events = envelopes.len(), error = %e,
                            "a batch failed; applying its events one by one");
                    }
                }
            }
        }
        let mut outcomes = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            outcomes.push(self.process(delivery).await);
        }
        outcomes
    }

    /// Applies one delivery (retrying transient failures) and settles it.
    pub async fn process(&self, delivery: Delivery) -> Outcome {
        let message = &delivery.message;
        let event_type = message.event_type.clone();
        let envelope = match serde_json::from_slice::<Envelope>(&message.payload) {
            Ok(envelope) => envelope,
            Err(e) => {
                let reason = format!("undecodable event: {e}");
                return self.dead_letter(delivery, &event_type, 1, reason).await;
            }
        };
        self.record_lag(&envelope);
        let span = self.span(&envelope);
        self.settle(delivery, envelope, event_type).instrument(span).await
    }

    fn record_lag(&self, envelope: &Envelope) {
        if let Ok(lag) = (time::OffsetDateTime::now_utc() - envelope.occurred_at).try_into() {
            let lag: Duration = lag;
            metrics::gauge!("event_consumer_lag_seconds", "consumer" => self.service).set(lag.as_secs_f64());
        }
    }

    /// Every line logged while applying an event names it and the request that caused it.
    fn span(&self, envelope: &Envelope) -> tracing::Span {
        tracing::info_span!("event", consumer = self.service, event_id = %envelope.id,
            event_type = %envelope.event_type,
            correlation_id = envelope.correlation_id.as_deref().unwrap_or(""))
    }

    /// Counts and acknowledges a delivery whose effect is committed (or was already).
    async fn applied(&self, delivery: Delivery, outcome: &Outcome) {
        let label = if *outcome == Outcome::Applied {
            "applied"
        } else {
            "duplicate"
        };
        metrics::counter!("events_consumed_total", "consumer" => self.service,
            "type" => delivery.message.event_type.clone(), "outcome" => label)
        .increment(1);
        tracing::info!(outcome = label, "event applied");
        if let Err(e) = delivery.ack().await {
            // The effect is committed; the redelivery will be a duplicate.
            tracing::warn!(queue = %self.queue, error = %e, "ack failed after commit");
        }
    }

    async fn settle(&self, delivery: Delivery, envelope: Envelope, event_type: String) -> Outcome {
        let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(2));
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.apply(&envelope).await {
                Ok(outcome) => {
                    self.applied(delivery, &outcome).await;
                    return outcome;
                }
                Err(HandleError::Permanent(reason)) => {
                    return self.dead_letter(delivery, &event_type, attempt, reason).await;
                }
                Err(HandleError::Transient(reason)) if attempt >= self.max_attempts => {
                    return self.dead_letter(delivery, &event_type, attempt, reason).await;
                }
                Err(HandleError::Transient(reason)) => {
                    metrics::counter!("events_failed_total", "consumer" => self.service, "type" => event_type.clone())
                        .increment(1);
                    let delay = backoff.next_delay();
                    tracing::warn!(queue = %self.queue, event_id = %envelope.id, %event_type, attempt,
                        error = %reason, "event failed; retrying");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// One attempt: inbox row and effect in one transaction.
    pub async fn apply(&self, envelope: &Envelope) -> Result<Outcome, HandleError> {
        let mut outcomes = self.apply_all(std::slice::from_ref(envelope)).await?;
        Ok(outcomes.pop().expect("one outcome per event"))
    }

    /// One attempt at several events, in order: their inbox rows and effects in one
    /// transaction, all or none.
    pub async fn apply_all(&self, envelopes: &[Envelope]) -> Result<Vec<Outcome>, HandleError> {
        let mut tx = self.db.begin().await?;
        let outcomes = self.record_in_inbox(&mut tx, envelopes).await?;
        let applied: Vec<&Envelope> = envelopes
            .iter()
            .zip(&outcomes)
            .filter(|(_, outcome)| **outcome == Outcome::Applied)
            .map(|(envelope, _)| envelope)
            .collect();
        if !applied.is_empty() {
            self.handler.handle_all(&mut tx, &applied).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Inbox rows for `envelopes`: `Applied` for each one new, `Duplicate` for each already
    /// there. One statement when none is a duplicate (the common case); else one per event. A
    /// failed insert undoes only itself, on SQLite and MariaDB alike, so the transaction goes on.
    async fn record_in_inbox(
        &self,
        conn: &mut AnyConnection,
        envelopes: &[Envelope],
    ) -> Result<Vec<Outcome>, HandleError> {
        let at = now_ms();
        if envelopes.len() > 1 {
            let sql = format!(
                "INSERT INTO {}_inbox (event_id, event_type, applied_at) VALUES {}",
                self.service,
                vec!["(?, ?, ?)"; envelopes.len()].join(", ")
            );
            let mut insert = sqlx::query(AssertSqlSafe(sql));
            for envelope in envelopes {
                insert = insert
                    .bind(envelope.id.to_string())
                    .bind(envelope.event_type.clone())
                    .bind(at);
            }
            match insert.execute(&mut *conn).await {
                Ok(_) => return Ok(vec![Outcome::Applied; envelopes.len()]),
                Err(e) if storage::db::unique_violation(&e).is_some() => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut outcomes = Vec::with_capacity(envelopes.len());
        for envelope in envelopes {
            let recorded = sqlx::query(AssertSqlSafe(self.inbox_sql.as_str()))
                .bind(envelope.id.to_string())
                .bind(envelope.event_type.clone())
                .bind(at)
                .execute(&mut *conn)
                .await;
            match recorded {
                Ok(_) => outcomes.push(Outcome::Applied),
                Err(e) if storage::db::unique_violation(&e).is_some() => outcomes.push(Outcome::Duplicate),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(outcomes)
    }

    async fn dead_letter(
        &self,
        delivery: Delivery,
        event_type: &str,
        attempts: u32,
        reason: String,
    ) -> Outcome {
        tracing::error!(queue = %self.queue, event_id = %delivery.message.id, event_type, attempts,
            error = %reason, "event dead-lettered");
        metrics::counter!("events_dead_lettered_total", "consumer" => self.service, "type" => event_type.to_owned())
            .increment(1);
        let recorded = async {
            let mut tx = self.db.begin().await?;
            sqlx::query(AssertSqlSafe(self.dead_letter_sql.as_str()))
                .bind(delivery.message.id.clone())
                .bind(event_type.to_owned())
                .bind(String::from_utf8_lossy(&delivery.message.payload).into_owned())
                .bind(reason.clone())
                .bind(i64::from(attempts))
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        };
        if let Err(e) = recorded.await {
            tracing::error!(queue = %self.queue, error = %e, "could not record the dead letter");
        }
        if let Err(e) = delivery.dead_letter().await {
            tracing::warn!(queue = %self.queue, error = %e, "dead-lettering failed; it will be redelivered");
        }
        Outcome::DeadLettered(reason)
    }
}
