//! Idempotency keys on both engines: a fresh claim holds off a second request, an abandoned
//! one can be taken over, and whatever the timing only one request's answer (and so only one
//! request's work) is ever committed.

use std::time::Duration;

use storage::{Claim, Db, IdempotencyKeys};
use testkit::{BACKENDS, TestDatabase};

const KEYS: IdempotencyKeys = IdempotencyKeys::new("t_idempotency");

async fn keys_table(db: &Db) {
    sqlx::query(
        "CREATE TABLE t_idempotency (idem_key VARCHAR(200) NOT NULL PRIMARY KEY, \
         request TEXT NOT NULL, status_code BIGINT NULL, response TEXT NULL, created_at BIGINT NOT NULL)",
    )
    .execute(db.pool())
    .await
    .unwrap();
}

/// Makes the claim of `key` look `ms` older, as if its request had been running that long.
async fn age(db: &Db, key: &str, ms: i64) {
    sqlx::query("UPDATE t_idempotency SET created_at = created_at - ? WHERE idem_key = ?")
        .bind(ms)
        .bind(key.to_owned())
        .execute(db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn only_the_first_answer_counts_even_after_a_takeover() {
    for kind in BACKENDS {
        let Some(database) = TestDatabase::create(kind).await else {
            continue;
        };
        let db = database.connect().await;
        keys_table(&db).await;

        assert_eq!(KEYS.claim(&db, "k1", "sell 2").await.unwrap(), Claim::Claimed);
        assert_eq!(
            KEYS.claim(&db, "k1", "sell 2").await.unwrap(),
            Claim::InProgress,
            "{kind:?}"
        );
        assert_eq!(KEYS.claim(&db, "k1", "sell 3").await.unwrap(), Claim::Mismatch);
        // The first request looks dead: a retry takes the key over...
        age(&db, "k1", 11_000).await;
        assert_eq!(
            KEYS.claim(&db, "k1", "sell 2").await.unwrap(),
            Claim::Claimed,
            "{kind:?}"
        );
        // ...and finishes first. The first request, merely slow, must not commit its work too.
        let mut retry = db.begin().await.unwrap();
        assert!(KEYS.answer(&mut retry, "k1", 201, "sale A").await.unwrap());
        retry.commit().await.unwrap();
        let mut slow = db.begin().await.unwrap();
        assert!(
            !KEYS.answer(&mut slow, "k1", 201, "sale B").await.unwrap(),
            "{kind:?}"
        );
        drop(slow);
        assert_eq!(
            KEYS.claim(&db, "k1", "sell 2").await.unwrap(),
            Claim::Replay {
                status: 201,
                body: "sale A".into()
            }
        );

        // A key released by its request (it failed) has nothing to answer.
        assert_eq!(KEYS.claim(&db, "k2", "sell 1").await.unwrap(), Claim::Claimed);
        KEYS.release(&db, "k2").await.unwrap();
        let mut late = db.begin().await.unwrap();
        assert!(!KEYS.answer(&mut late, "k2", 201, "sale C").await.unwrap());
        // Roll back and close before the test database is dropped: its DROP DATABASE would
        // wait for the open transaction's lock.
        drop(late);
        db.close().await;
    }
}

/// On MySQL two transactions really run at once: the second answer waits for the first
/// commit and then finds the key answered.
#[tokio::test]
async fn racing_answers_on_mysql_commit_once() {
    let Some(database) = TestDatabase::create(storage::DatabaseKind::MySql).await else {
        return;
    };
    let db = database.connect().await;
    keys_table(&db).await;
    assert_eq!(KEYS.claim(&db, "k", "sell").await.unwrap(), Claim::Claimed);
    let mut first = db.begin().await.unwrap();
    assert!(KEYS.answer(&mut first, "k", 201, "first").await.unwrap());
    let second_db = db.clone();
    let second = tokio::spawn(async move {
        let mut second = second_db.begin().await.unwrap();
        KEYS.answer(&mut second, "k", 201, "second").await.unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second answer should wait for the row lock"
    );
    first.commit().await.unwrap();
    assert!(!second.await.unwrap(), "the second answer was stored too");
    db.close().await;
}

/// The retry that took over a slow first request's key fails (the first committed meanwhile,
/// so "already voided"): it answers with the first request's answer, not its own failure. A
/// failure with no answer stored frees the key for the next retry.
#[tokio::test]
async fn a_failure_after_a_takeover_answers_with_what_the_first_request_committed() {
    for kind in BACKENDS {
        let Some(database) = TestDatabase::create(kind).await else {
            continue;
        };
        let db = database.connect().await;
        keys_table(&db).await;

        assert_eq!(KEYS.claim(&db, "void-1", "void").await.unwrap(), Claim::Claimed);
        age(&db, "void-1", 11_000).await;
        assert_eq!(
            KEYS.claim(&db, "void-1", "void").await.unwrap(),
            Claim::Claimed,
            "{kind:?}"
        );
        // The slow first request commits its void and its answer...
        let mut first = db.begin().await.unwrap();
        assert!(KEYS.answer(&mut first, "void-1", 200, "voided").await.unwrap());
        first.commit().await.unwrap();
        // ...and the retry's own void fails: its answer is the first one's.
        assert_eq!(
            KEYS.after_failure(&db, "void-1").await.unwrap(),
            Some(Claim::Replay {
                status: 200,
                body: "voided".into()
            }),
            "{kind:?}"
        );

        // No answer stored: the key is released, and the next retry claims it afresh.
        assert_eq!(KEYS.claim(&db, "void-2", "void").await.unwrap(), Claim::Claimed);
        assert_eq!(KEYS.after_failure(&db, "void-2").await.unwrap(), None);
        assert_eq!(
            KEYS.claim(&db, "void-2", "void").await.unwrap(),
            Claim::Claimed,
            "{kind:?}"
        );
    }
}
