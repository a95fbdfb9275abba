//! The gateway's data migrations, on both engines: rows written under the old rules come out
//! as the new rules would have left them.

use std::borrow::Cow;

use settings::DatabaseKind;
use sqlx::migrate::Migrator;
use storage::Db;
use testkit::TestDatabase;

/// The migration that revokes API tokens minted by tokens and tokens of disabled users.
const REVOKE_UNOWNED_TOKENS: i64 = 20261130000100;

#[tokio::test]
async fn tokens_minted_by_tokens_and_tokens_of_disabled_users_are_revoked_sqlite() {
    tokens_left_by_the_old_rules_are_revoked(DatabaseKind::Sqlite).await;
}

#[tokio::test]
async fn tokens_minted_by_tokens_and_tokens_of_disabled_users_are_revoked_mysql() {
    tokens_left_by_the_old_rules_are_revoked(DatabaseKind::MySql).await;
}

/// The gateway's migrations older than `version`.
fn migrations_before(kind: DatabaseKind, version: i64) -> Migrator {
    let mut migrator = gateway::migrator(kind);
    let older: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version < version)
        .cloned()
        .collect();
    migrator.migrations = Cow::Owned(older);
    migrator
}

async fn tokens_left_by_the_old_rules_are_revoked(kind: DatabaseKind) {
    let Some(database) = TestDatabase::create(kind).await else {
        return;
    };
    let db = database.connect().await;
    db.migrate(&migrations_before(kind, REVOKE_UNOWNED_TOKENS))
        .await
        .unwrap();
    for (id, disabled) in [(1, 0), (2, 1)] {
        sqlx::query(
            "INSERT INTO auth_users (id, username, display_name, role, password_hash, must_change_password, \
             disabled, acted, created_at, updated_at) VALUES (?, ?, 'x', 'admin', 'h', 0, ?, 1, 0, 0)",
        )
        .bind(id)
        .bind(format!("user{id}"))
        .bind(disabled)
        .execute(db.pool())
        .await
        .unwrap();
    }
    let rows: [OldCredential; 7] = [
        ("session-1", "session", 1, 1_000, Some(5_000), None),
        // Created while the session lived: a person made it.
        ("made-in-session", "api", 1, 2_000, None, None),
        // Created when no session of its owner lived: a token made it.
        ("made-by-token", "api", 1, 6_000, None, None),
        // Created after the session was revoked early.
        ("session-2", "session", 1, 7_000, Some(20_000), Some(8_000)),
        ("after-logout", "api", 1, 9_000, None, None),
        // Its owner is disabled; a session of theirs lived when it was made, so only the
        // disabling revokes it.
        ("session-of-disabled", "session", 2, 1_000, None, None),
        ("of-disabled", "api", 2, 2_000, None, None),
    ];
    for (id, credential_kind, user, created, expires, revoked) in rows {
        sqlx::query(
            "INSERT INTO auth_credentials (id, kind, token_digest, user_id, role, created_by, created_at, \
             expires_at, revoked_at) VALUES (?, ?, ?, ?, 'admin', ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(credential_kind)
        .bind(format!("{id:0>64}"))
        .bind(user)
        .bind(user)
        .bind(created)
        .bind(expires)
        .bind(revoked)
        .execute(db.pool())
        .await
        .unwrap();
    }
    db.migrate(&gateway::migrator(kind)).await.unwrap();
    assert_eq!(revoked(&db, "made-in-session").await, None);
    assert!(revoked(&db, "made-by-token").await.is_some());
    assert!(revoked(&db, "after-logout").await.is_some());
    assert!(revoked(&db, "of-disabled").await.is_some());
    assert_eq!(revoked(&db, "session-1").await, None, "sessions are left alone");
    assert_eq!(
        revoked(&db, "session-2").await,
        Some(8_000),
        "earlier revocations are kept"
    );
    db.close().await;
}

/// A credential row as the old rules left it: id, kind, user, created_at, expires_at,
/// revoked_at.
type OldCredential = (&'static str, &'static str, i64, i64, Option<i64>, Option<i64>);

async fn revoked(db: &Db, id: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT revoked_at FROM auth_credentials WHERE id = ?")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}
