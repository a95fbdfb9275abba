//! Idempotency keys: a retried request with the same key gets the first request's answer
//! instead of doing the work again. The answer is stored in the transaction of the work
//! itself, so "done" and "answer recorded" cannot disagree after a crash.
//!
//! Each service keeps its keys in its own table (`<service>_idempotency`) with the columns
//! `idem_key`, `request` (the canonical request, to refuse a key reused for another request),
//! `status_code` and `response` (NULL while the first request runs) and `created_at`.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::Db;
use crate::clock::now_ms;

/// A claimed key not answered after this long most likely belongs to a request that died with
/// its process (its transaction rolled back, so nothing was done), and another request with
/// the key may take it over. Taking over a request that is merely slow is safe too: only the
/// first to [`IdempotencyKeys::answer`] commits, the other rolls back. Longer than any sale
/// takes (the gateway gives up after 5 s), short enough that a till retrying after a crash
/// is not kept waiting for a minute (measured in the fault drill: 61 s with 60 s here).
const ABANDONED_AFTER_MS: i64 = 10_000;

/// What became of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request is the first with the key: go ahead.
    Claimed,
    /// The key was used with this request before: here is the answer it got.
    Replay { status: u16, body: String },
    /// The first request with the key is still running.
    InProgress,
    /// The key was used with a different request.
    Mismatch,
}

#[derive(Debug, Clone)]
pub struct IdempotencyKeys {
    table: &'static str,
}

impl IdempotencyKeys {
    /// `table` is fixed in the service's code, never input.
    pub const fn new(table: &'static str) -> IdempotencyKeys {
        IdempotencyKeys { table }
    }

    /// Claims `key` for `request`, or tells what became of it before.
    pub async fn claim(&self, db: &Db, key: &str, request: &str) -> Result<Claim, sqlx::Error> {
        for _ in 0..2 {
            let mut tx = db.begin().await?;
            let inserted = sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO {} (idem_key, request, created_at) VALUES (?, ?, ?)",
                self.table
            )))
            .bind(key.to_owned())
            .bind(request.to_owned())
            .bind(now_ms())
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {
                    tx.commit().await?;
                    return Ok(Claim::Claimed);
                }
                Err(e) if crate::db::unique_violation(&e).is_none() => return Err(e),
                Err(_) => {}
            }
            drop(tx);
            let row = sqlx::query(AssertSqlSafe(format!(
                "SELECT request, status_code, response, created_at FROM {} WHERE idem_key = ?",
                self.table
            )))
            .bind(key.to_owned())
            .fetch_optional(db.pool())
            .await?;
            // Released between our insert and this read: claim again.
            let Some(row) = row else { continue };
            let stored: String = row.try_get(0)?;
            if stored != request {
                return Ok(Claim::Mismatch);
            }
            return match (
                row.try_get::<Option<i64>, _>(1)?,
                row.try_get::<Option<String>, _>(2)?,
            ) {
                (Some(status), Some(body)) => Ok(Claim::Replay {
                    status: status as u16,
                    body,
                }),
                _ => self.take_over_if_abandoned(db, key, row.try_get(3)?).await,
            };
        }
        Ok(Claim::InProgress)
    }

    async fn take_over_if_abandoned(&self, db: &Db, key: &str, created: i64) -> Result<Claim, sqlx::Error> {
        if now_ms() - created <= ABANDONED_AFTER_MS {
            return Ok(Claim::InProgress);
        }
        let mut tx = db.begin().await?;
        let taken = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {} SET created_at = ? WHERE idem_key = ? AND status_code IS NULL AND created_at = ?",
            self.table
        )))
        .bind(now_ms())
        .bind(key.to_owned())
        .bind(created)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if taken.rows_affected() == 1 {
            Claim::Claimed
        } else {
            Claim::InProgress
        })
    }

    /// Stores the answer of a claimed key inside the transaction of the work it answers.
    ///
    /// `false` (nothing stored) means the key has an answer already, or lost its claim: another
    /// request with the key took it over and finished first. The caller must then roll its
    /// transaction back, so that the work is done once whatever the timing: the row lock makes
    /// the second writer wait for the first's commit, then find the answer there.
    pub async fn answer(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<bool, sqlx::Error> {
        let stored = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {} SET status_code = ?, response = ? WHERE idem_key = ? AND status_code IS NULL",
            self.table
        )))
        .bind(i64::from(status))
        .bind(body.to_owned())
        .bind(key.to_owned())
        .execute(&mut *conn)
        .await?;
        Ok(stored.rows_affected() == 1)
    }

    /// Gives up a claimed key whose request failed, so that the client may retry with it.
    pub async fn release(&self, db: &Db, key: &str) -> Result<(), sqlx::Error> {
        let mut tx = db.begin().await?;
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {} WHERE idem_key = ? AND status_code IS NULL",
            self.table
        )))
        .bind(key.to_owned())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// After the work of a claimed key failed: the answer the key got meanwhile, when an earlier
    /// attempt whose claim this one took over committed after all (its work is done, and this
    /// failure, such as "already voided", is only the consequence); else the key is released
    /// for the next attempt and `None` answered.
    pub async fn after_failure(&self, db: &Db, key: &str) -> Result<Option<Claim>, sqlx::Error> {
        let answered = sqlx::query(AssertSqlSafe(format!(
            "SELECT status_code, response FROM {} WHERE idem_key = ?",
            self.table
        )))
        .bind(key.to_owned())
        .fetch_optional(db.pool())
        .await?;
        if let Some(row) = answered
            && let (Some(status), Some(body)) = (
                row.try_get::<Option<i64>, _>(0)?,
                row.try_get::<Option<String>, _>(1)?,
            )
        {
            return Ok(Some(Claim::Replay {
                status: status as u16,
                body,
            }));
        }
        self.release(db, key).await?;
        Ok(None)
    }

    /// Forgets keys older than `age_ms`.
    pub async fn purge(&self, db: &Db, age_ms: i64) -> Result<u64, sqlx::Error> {
        let mut tx = db.begin().await?;
        let purged = sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {} WHERE created_at < ?",
            self.table
        )))
        .bind(now_ms() - age_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(purged.rows_affected())
    }
}
