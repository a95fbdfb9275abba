//! Credentials presented lately are taken from memory for a moment, on both engines: a change
//! made through the gateway (a revocation, a disabled user) is seen at once; one made behind
//! its back only once the moment has passed.

use gateway::auth::Role;
use gateway::auth::domain::Username;
use gateway::auth::store::{AuthStore, Kind, NewCredential, PRESENTED_TTL};
use settings::DatabaseKind;
use testkit::TestDatabase;

#[tokio::test]
async fn presented_credentials_are_remembered_until_changed_sqlite() {
    remembered_until_changed(DatabaseKind::Sqlite).await;
}

#[tokio::test]
async fn presented_credentials_are_remembered_until_changed_mysql() {
    remembered_until_changed(DatabaseKind::MySql).await;
}

async fn remembered_until_changed(kind: DatabaseKind) {
    let Some(database) = TestDatabase::create(kind).await else {
        return;
    };
    let db = database.connect().await;
    db.migrate(&gateway::migrator(kind)).await.unwrap();
    let store = AuthStore::new(db.clone());
    let user = store
        .create_user(
            &Username::parse("cache-ann").unwrap(),
            "Ann",
            Role::Clerk,
            "x",
            false,
        )
        .await
        .unwrap();
    let session = |digest: &'static str| NewCredential {
        kind: Kind::Session,
        token_digest: digest,
        csrf_digest: None,
        user_id: user.id,
        name: None,
        role: Role::Clerk,
        created_by: user.id,
        expires_at: None,
    };
    let first = store.insert_credential(session("digest-1")).await.unwrap();
    assert!(store.present("digest-1").await.unwrap().is_some());

    // Revoked behind the store's back: remembered for the moment, then seen.
    sqlx::query("UPDATE auth_credentials SET revoked_at = 1 WHERE id = ?")
        .bind(first.id.clone())
        .execute(db.pool())
        .await
        .unwrap();
    assert!(store.present("digest-1").await.unwrap().is_some(), "remembered");
    tokio::time::sleep(PRESENTED_TTL + std::time::Duration::from_millis(200)).await;
    assert!(
        store.present("digest-1").await.unwrap().is_none(),
        "forgotten after the moment"
    );

    // Revoked through the store: seen at once.
    let second = store.insert_credential(session("digest-2")).await.unwrap();
    assert!(store.present("digest-2").await.unwrap().is_some());
    assert!(store.revoke(&second.id, None).await.unwrap());
    assert!(
        store.present("digest-2").await.unwrap().is_none(),
        "revoked at once"
    );

    // A user disabled through the store: seen at once.
    store.insert_credential(session("digest-3")).await.unwrap();
    assert!(!store.present("digest-3").await.unwrap().unwrap().user.disabled);
    store.update_user(user.id, None, None, Some(true)).await.unwrap();
    assert!(
        store.present("digest-3").await.unwrap().unwrap().user.disabled,
        "disabled at once"
    );
}
