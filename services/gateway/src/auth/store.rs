//! The gateway's tables: users, credentials (sessions and API tokens) and failed logins.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use storage::clock::{from_millis, now_ms};
use storage::{DatabaseKind, Db};
use time::OffsetDateTime;

use super::domain::{Role, Username};

/// A user as the API shows it (never with the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Set for the first-start admin with a generated password and after an admin resets a
    /// password: every route but `/auth/me`, `/auth/password` and `/auth/logout` is refused
    /// until the user picks a new one.
    pub must_change_password: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A credential and its owner, as found when a request presents the credential's token.
#[derive(Debug, Clone)]
pub struct Presented {
    pub credential: Credential,
    pub user: User,
    pub user_acted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// From a login: a bearer token and a cookie, with a CSRF token.
    Session,
    /// Created by a user for an integration; named; has its own role.
    Api,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Session => "session",
            Kind::Api => "api",
        }
    }
}

/// A session or API token (its secret is not stored, only its digest).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Credential {
    pub id: String,
    #[serde(skip)]
    pub kind_is_api: bool,
    #[serde(skip)]
    pub csrf_digest: Option<String>,
    #[serde(skip)]
    pub user_id: i64,
    pub name: Option<String>,
    /// For API tokens, the most the token may do; the owner's current role still caps it.
    pub role: Role,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// A credential about to be stored.
pub struct NewCredential<'a> {
    pub kind: Kind,
    pub token_digest: &'a str,
    pub csrf_digest: Option<&'a str>,
    pub user_id: i64,
    pub name: Option<&'a str>,
    pub role: Role,
    pub created_by: i64,
    pub expires_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What deleting a user did.
#[derive(Debug)]
pub enum Removal {
    Deleted,
    /// The user has acted, so is kept (disabled) for the records that name them.
    Disabled(Box<User>),
    NotFound,
}

/// Aliased, because joined with credentials, both have `id`, `role` and `created_at`.
const USER_COLUMNS: &str = "u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name, \
     u.role AS u_role, u.disabled AS u_disabled, u.must_change_password AS u_must_change, u.acted AS u_acted, \
     u.last_login_at AS u_last_login_at, u.created_at AS u_created_at, u.updated_at AS u_updated_at";
const CREDENTIAL_COLUMNS: &str = "c.id, c.kind, c.csrf_digest, c.user_id, c.name, c.role, c.created_at, \
     c.expires_at, c.revoked_at, c.last_used_at";

/// How long a presented credential is taken from memory instead of the database. Every
/// request presents one; a change of a user or a credential made through this gateway clears
/// them all at once, and one made through another gateway is seen within this time.
pub const PRESENTED_TTL: std::time::Duration = std::time::Duration::from_secs(2);

pub struct AuthStore {
    db: Db,
    /// Credentials presented lately, by digest.
    presented: moka::future::Cache<String, Presented>,
}

impl AuthStore {
    pub fn new(db: Db) -> AuthStore {
        AuthStore {
            db,
            presented: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(PRESENTED_TTL)
                .build(),
        }
    }

    /// Forgets every credential presented lately: a user or a credential changed.
    fn forget_presented(&self) {
        self.presented.invalidate_all();
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn count_users(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_users")
            .fetch_one(self.db.pool())
            .await
    }

    pub async fn create_user(
        &self,
        username: &Username,
        display_name: &str,
        role: Role,
        password_hash: &str,
        must_change_password: bool,
    ) -> Result<User, StoreError> {
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO auth_users (username, display_name, role, password_hash, must_change_password, \
             disabled, acted, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)",
        )
        .bind(username.as_str().to_owned())
        .bind(display_name.to_owned())
        .bind(role.as_str())
        .bind(password_hash.to_owned())
        .bind(i64::from(must_change_password))
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            return Err(match storage::db::unique_violation(&e) {
                Some(_) => StoreError::UsernameTaken,
                None => e.into(),
            });
        }
        let id = storage::db::last_insert_id(&mut tx, self.db.kind()).await?;
        tx.commit().await?;
        Ok(self.user(id).await?.expect("just inserted"))
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM auth_users u WHERE u.id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| user_from(&r)).transpose()
    }

    /// The user and their password hash, for a login.
    pub async fn login_candidate(&self, username: &str) -> Result<Option<(User, String)>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM auth_users u WHERE u.username = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_owned())
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| Ok((user_from(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    pub async fn password_hash(&self, id: i64) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT password_hash FROM auth_users WHERE id = ?")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await
    }

    pub async fn users(&self) -> Result<Vec<User>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM auth_users u ORDER BY u.username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(user_from).collect()
    }

    /// Changes what is given; `None` leaves a field as it is.
    pub async fn update_user(
        &self,
        id: i64,
        display_name: Option<&str>,
        role: Option<Role>,
        disabled: Option<bool>,
    ) -> Result<Option<User>, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE auth_users SET display_name = COALESCE(?, display_name), role = COALESCE(?, role), \
             disabled = COALESCE(?, disabled), updated_at = ? WHERE id = ?",
        )
        .bind(display_name.map(str::to_owned))
        .bind(role.map(Role::as_str))
        .bind(disabled.map(i64::from))
        .bind(now_ms())
        .bind(id)
        .execute(self.db.pool())
        .await?;
        self.forget_presented();
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.user(id).await
    }

    pub async fn set_password(&self, id: i64, hash: &str, must_change: bool) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE auth_users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?",
        )
        .bind(hash.to_owned())
        .bind(i64::from(must_change))
        .bind(now_ms())
        .bind(id)
        .execute(self.db.pool())
        .await?;
        self.forget_presented();
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a user who never acted; disables (and keeps) one who did.
    pub async fn remove_user(&self, id: i64) -> Result<Removal, sqlx::Error> {
        let mut tx = self.db.begin().await?;
        let sql = format!(
            "SELECT acted FROM auth_users WHERE id = ?{}",
            storage::db::for_update(self.db.kind())
        );
        let acted: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let deleted = match acted {
            None => return Ok(Removal::NotFound),
            Some(0) => {
                sqlx::query("DELETE FROM auth_credentials WHERE user_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM auth_users WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                true
            }
            Some(_) => {
                sqlx::query("UPDATE auth_users SET disabled = 1, updated_at = ? WHERE id = ?")
                    .bind(now_ms())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                false
            }
        };
        tx.commit().await?;
        self.forget_presented();
        if deleted {
            return Ok(Removal::Deleted);
        }
        Ok(match self.user(id).await? {
            Some(user) => Removal::Disabled(Box::new(user)),
            None => Removal::NotFound,
        })
    }

    /// Records that the user changed something, once.
    pub async fn mark_acted(&self, id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_users SET acted = 1 WHERE id = ? AND acted = 0")
            .bind(id)
            .execute(self.db.pool())
            .await?;
        self.forget_presented();
        Ok(())
    }

    pub async fn record_login(&self, id: i64, at: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_users SET last_login_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    pub async fn insert_credential(&self, new: NewCredential<'_>) -> Result<Credential, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO auth_credentials (id, kind, token_digest, csrf_digest, user_id, name, role, created_by, \
             created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.clone())
        .bind(new.kind.as_str())
        .bind(new.token_digest.to_owned())
        .bind(new.csrf_digest.map(str::to_owned))
        .bind(new.user_id)
        .bind(new.name.map(str::to_owned))
        .bind(new.role.as_str())
        .bind(new.created_by)
        .bind(now)
        .bind(new.expires_at)
        .execute(self.db.pool())
        .await?;
        Ok(Credential {
            id,
            kind_is_api: new.kind == Kind::Api,
            csrf_digest: new.csrf_digest.map(str::to_owned),
            user_id: new.user_id,
            name: new.name.map(str::to_owned),
            role: new.role,
            created_at: from_millis(now),
            expires_at: new.expires_at.map(from_millis),
            revoked_at: None,
            last_used_at: None,
        })
    }

    pub async fn credential(&self, id: &str) -> Result<Option<Credential>, sqlx::Error> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM auth_credentials c WHERE c.id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| credential_from(&r)).transpose()
    }

    /// The live credential whose token has `digest`, with its owner: not revoked, not
    /// expired. One indexed read per request.
    pub async fn present(&self, digest: &str) -> Result<Option<Presented>, sqlx::Error> {
        if let Some(presented) = self.presented.get(digest).await {
            let expired = presented
                .credential
                .expires_at
                .is_some_and(|at| at <= OffsetDateTime::now_utc());
            return Ok((!expired).then_some(presented));
        }
        let found = self.read_presented(digest).await?;
        if let Some(presented) = &found {
            if let Err(e) = self.touch(&presented.credential).await {
                tracing::debug!(error = %e, "cannot record credential use");
            }
            self.presented.insert(digest.to_owned(), presented.clone()).await;
        }
        Ok(found)
    }

    async fn read_presented(&self, digest: &str) -> Result<Option<Presented>, sqlx::Error> {
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS}, {USER_COLUMNS} FROM auth_credentials c \
             JOIN auth_users u ON u.id = c.user_id \
             WHERE c.token_digest = ? AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > ?)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(digest.to_owned())
            .bind(now_ms())
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| {
            Ok(Presented {
                credential: credential_from(&r)?,
                user: user_from(&r)?,
                user_acted: r.try_get::<i64, _>("u_acted")? != 0,
            })
        })
        .transpose()
    }

    /// Notes when a credential was last used, at most once a minute per credential, so that a
    /// busy client does not turn every read into a write.
    async fn touch(&self, credential: &Credential) -> Result<(), sqlx::Error> {
        let now = now_ms();
        let stale = credential
            .last_used_at
            .is_none_or(|at| now - storage::clock::millis(at) > 60_000);
        if stale {
            sqlx::query("UPDATE auth_credentials SET last_used_at = ? WHERE id = ?")
                .bind(now)
                .bind(credential.id.clone())
                .execute(self.db.pool())
                .await?;
        }
        Ok(())
    }

    /// Revokes one credential; `owner` limits it to that user's. Returns whether it existed.
    pub async fn revoke(&self, id: &str, owner: Option<i64>) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE auth_credentials SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND (? IS NULL OR user_id = ?)",
        )
        .bind(now_ms())
        .bind(id.to_owned())
        .bind(owner)
        .bind(owner)
        .execute(self.db.pool())
        .await?;
        self.forget_presented();
        Ok(done.rows_affected() == 1)
    }

    /// Ends every login session of a user (password changed or reset, user disabled), except
    /// `keep`.
    pub async fn revoke_sessions(&self, user_id: i64, keep: Option<&str>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_credentials SET revoked_at = ? WHERE user_id = ? AND kind = 'session' \
             AND revoked_at IS NULL AND id <> ?",
        )
        .bind(now_ms())
        .bind(user_id)
        .bind(keep.unwrap_or_default().to_owned())
        .execute(self.db.pool())
        .await?;
        self.forget_presented();
        Ok(())
    }

    /// Ends every session and revokes every API token of a user, for good (the user is
    /// disabled or removed).
    pub async fn revoke_all(&self, user_id: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_credentials SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(user_id)
            .execute(self.db.pool())
            .await?;
        self.forget_presented();
        Ok(())
    }

    /// API tokens, newest first: one user's, or everyone's.
    pub async fn api_tokens(&self, owner: Option<i64>) -> Result<Vec<(Credential, String)>, sqlx::Error> {
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS}, u.username AS owner FROM auth_credentials c JOIN auth_users u ON u.id = c.user_id \
             WHERE c.kind = 'api' AND (? IS NULL OR c.user_id = ?) ORDER BY c.created_at DESC, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .bind(owner)
            .fetch_all(self.db.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((credential_from(r)?, r.try_get("owner")?)))
            .collect()
    }

    /// Until when `subject` is locked out of logging in (unix ms), if it is now.
    pub async fn locked_until(&self, subject: &str) -> Result<Option<i64>, sqlx::Error> {
        let until: Option<i64> =
            sqlx::query_scalar("SELECT locked_until FROM auth_login_failures WHERE subject = ?")
                .bind(subject.to_owned())
                .fetch_optional(self.db.pool())
                .await?;
        Ok(until.filter(|&until| until > now_ms()))
    }

    /// Counts a failed login for `subject` and locks it for `lockout_ms` once `max` failures
    /// have accumulated. A lapsed lock starts the count again. Returns the count.
    pub async fn record_failure(&self, subject: &str, max: u32, lockout_ms: i64) -> Result<i64, sqlx::Error> {
        let ensure = match self.db.kind() {
            DatabaseKind::Sqlite => {
                "INSERT OR IGNORE INTO auth_login_failures (subject, failures, last_at, locked_until) VALUES (?, 0, 0, 0)"
            }
            DatabaseKind::MySql => {
                "INSERT IGNORE INTO auth_login_failures (subject, failures, last_at, locked_until) VALUES (?, 0, 0, 0)"
            }
        };
        let mut tx = self.db.begin().await?;
        sqlx::query(ensure)
            .bind(subject.to_owned())
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "SELECT failures, locked_until FROM auth_login_failures WHERE subject = ?{}",
            storage::db::for_update(self.db.kind())
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(subject.to_owned())
            .fetch_one(&mut *tx)
            .await?;
        let now = now_ms();
        let (mut failures, mut locked_until): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        if locked_until != 0 && locked_until <= now {
            failures = 0;
            locked_until = 0;
        }
        failures += 1;
        if failures >= i64::from(max) && locked_until == 0 {
            locked_until = now + lockout_ms;
        }
        sqlx::query(
            "UPDATE auth_login_failures SET failures = ?, last_at = ?, locked_until = ? WHERE subject = ?",
        )
        .bind(failures)
        .bind(now)
        .bind(locked_until)
        .bind(subject.to_owned())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(failures)
    }

    pub async fn clear_failures(&self, subject: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_login_failures WHERE subject = ?")
            .bind(subject.to_owned())
            .execute(self.db.pool())
            .await?;
        Ok(())
    }
}

fn role_from(text: &str) -> Result<Role, sqlx::Error> {
    Role::parse(text).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {text:?}").into()))
}

fn optional_time(row: &AnyRow, column: &str) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(from_millis))
}

fn user_from(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("u_id")?,
        username: row.try_get("u_username")?,
        display_name: row.try_get("u_display_name")?,
        role: role_from(&row.try_get::<String, _>("u_role")?)?,
        disabled: row.try_get::<i64, _>("u_disabled")? != 0,
        must_change_password: row.try_get::<i64, _>("u_must_change")? != 0,
        last_login_at: optional_time(row, "u_last_login_at")?,
        created_at: from_millis(row.try_get("u_created_at")?),
        updated_at: from_millis(row.try_get("u_updated_at")?),
    })
}

/// Reads the credential columns; in a join with users they come first, by position, because
/// both tables have `id`, `role` and `created_at`.
fn credential_from(row: &AnyRow) -> Result<Credential, sqlx::Error> {
    Ok(Credential {
        id: row.try_get(0)?,
        kind_is_api: row.try_get::<String, _>(1)? == "api",
        csrf_digest: row.try_get(2)?,
        user_id: row.try_get(3)?,
        name: row.try_get(4)?,
        role: role_from(&row.try_get::<String, _>(5)?)?,
        created_at: from_millis(row.try_get(6)?),
        expires_at: row.try_get::<Option<i64>, _>(7)?.map(from_millis),
        revoked_at: row.try_get::<Option<i64>, _>(8)?.map(from_millis),
        last_used_at: row.try_get::<Option<i64>, _>(9)?.map(from_millis),
    })
}
