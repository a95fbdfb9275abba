//! Leases that let one replica of a service do a job while the others stand by: the relay's
//! publishing, and housekeeping such as releasing lapsed reservations. A lease is a named row
//! of the service's `<service>_relay_lease` table (the relay's was the first): its holder and
//! when it expires. A holder renews it as it goes on working; when the holder dies, the lease
//! expires and the next replica to ask takes it. A holder that stops cleanly gives it up, so
//! another takes over at once.
//!
//! Written here rather than with a lock service: the service's own database is the one thing
//! every replica of it already shares, and an `UPDATE … WHERE holder = me OR expired` is the
//! whole protocol.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::AssertSqlSafe;
use storage::clock::now_ms;
use storage::{DatabaseKind, Db};
use tokio_util::sync::CancellationToken;

/// One named lease of one service.
pub struct Lease {
    service: &'static str,
    name: &'static str,
    db: Db,
    holder: String,
    lasts: Duration,
    take_sql: String,
    /// When this process last wrote the lease, on the monotonic clock (a jump of the wall
    /// clock must not stretch it); `None` while another holds it.
    renewed: Mutex<Option<Instant>>,
    /// Whether the lease's row is known to exist.
    created: std::sync::atomic::AtomicBool,
}

impl Lease {
    /// The lease `name` of `service`, lasting `lasts` from each renewal. A holder writes it
    /// again after a third of that, so it never runs out while the holder goes on.
    pub fn new(service: &'static str, name: &'static str, db: Db, lasts: Duration) -> Lease {
        Lease {
            service,
            name,
            db,
            holder: uuid::Uuid::new_v4().to_string(),
            lasts,
            take_sql: format!(
                "UPDATE {service}_relay_lease SET holder = ?, expires_at = ? \
                 WHERE name = ? AND (holder = ? OR expires_at < ?)"
            ),
            renewed: Mutex::new(None),
            created: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether this process holds the lease now: it takes the lease when it is free or
    /// expired, and renews its own when a third of it has passed.
    pub async fn hold(&self) -> Result<bool, sqlx::Error> {
        let renewed = *self.renewed.lock().unwrap_or_else(|e| e.into_inner());
        if renewed.is_some_and(|at| at.elapsed() < self.lasts / 3) {
            return Ok(true);
        }
        self.create().await?;
        let written = Instant::now();
        let now = now_ms();
        let lasts = i64::try_from(self.lasts.as_millis()).unwrap_or(i64::MAX);
        // Through a write transaction: on SQLite, `Db::begin` queues it behind the process's
        // other writers instead of meeting them in SQLite's busy handler.
        let mut tx = self.db.begin().await?;
        let taken = sqlx::query(AssertSqlSafe(self.take_sql.as_str()))
            .bind(self.holder.clone())
            .bind(now.saturating_add(lasts))
            .bind(self.name)
            .bind(self.holder.clone())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let held = taken.rows_affected() == 1;
        if held && renewed.is_none() {
            tracing::info!(
                service = self.service,
                lease = self.name,
                "lease taken: this replica does the work"
            );
        }
        *self.renewed.lock().unwrap_or_else(|e| e.into_inner()) = held.then_some(written);
        Ok(held)
    }

    /// Gives the lease up if this process holds it, so another replica can take it at once.
    pub async fn give_up(&self) {
        let held = self.renewed.lock().unwrap_or_else(|e| e.into_inner()).take();
        if held.is_none() {
            return;
        }
        let sql = format!(
            "UPDATE {}_relay_lease SET expires_at = 0 WHERE name = ? AND holder = ?",
            self.service
        );
        let given = async {
            let mut tx = self.db.begin().await?;
            sqlx::query(AssertSqlSafe(sql))
                .bind(self.name)
                .bind(self.holder.clone())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = given {
            tracing::debug!(service = self.service, lease = self.name, error = %e, "lease not given up; it expires on its own");
        }
    }

    /// Adds the lease's row the first time it is asked for (the relay's comes with the
    /// service's first migration; later jobs add theirs here).
    async fn create(&self) -> Result<(), sqlx::Error> {
        use std::sync::atomic::Ordering;
        if self.created.load(Ordering::Relaxed) {
            return Ok(());
        }
        let insert = match self.db.kind() {
            DatabaseKind::Sqlite => "INSERT OR IGNORE INTO",
            DatabaseKind::MySql => "INSERT IGNORE INTO",
        };
        let sql = format!(
            "{insert} {}_relay_lease (name, holder, expires_at) VALUES (?, '', 0)",
            self.service
        );
        let mut tx = self.db.begin().await?;
        sqlx::query(AssertSqlSafe(sql))
            .bind(self.name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.created.store(true, Ordering::Relaxed);
        Ok(())
    }
}

/// Runs `job` until `shutdown` on one replica at a time: the one holding the lease `name` of
/// `service`. `job` answers how long to wait before its next run; the other replicas ask for
/// the lease every `every`. The lease lasts three of those, at least 15 s and at most an hour,
/// so the replicas do not each run the job, and another takes over within that time when the
/// holder dies. (A job run less often than every 20 minutes may then run on another replica
/// before its period is over, and a run longer than the lease may overlap another replica's:
/// the lease is renewed between runs, not during one. The jobs run this way are idempotent.)
pub async fn one_replica_at_a_time<F, Fut>(
    service: &'static str,
    name: &'static str,
    db: Db,
    every: Duration,
    shutdown: CancellationToken,
    mut job: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Duration>,
{
    let lasts = (every * 3).clamp(Duration::from_secs(15), Duration::from_secs(3600));
    let lease = Lease::new(service, name, db, lasts);
    loop {
        let pause = match lease.hold().await {
            Ok(true) => job().await,
            Ok(false) => every,
            Err(e) => {
                tracing::warn!(service, job = name, error = %e, "cannot ask for the job's lease");
                every
            }
        };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    lease.give_up().await;
}
