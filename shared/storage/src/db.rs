//! One database handle for both engines.
//!
//! Services write plain SQL with `?` placeholders, which SQLite and MySQL both accept, and run
//! it over sqlx's `Any` pool; schema differences live in each service's two migration folders.
//! See `docs/architecture.md` for why this beat a query builder or one store per engine.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use settings::DatabaseKind;

/// A write transaction on either engine. It dereferences to the connection, so statements run
/// with `.execute(&mut *tx)`; nothing is written unless [`Tx::commit`] is called.
pub struct Tx {
    tx: Transaction<'static, Any>,
    /// SQLite only: this process's turn as the database's single writer (see [`Db::begin`]).
    _writer: Option<OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// How long a SQLite connection waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Config(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

/// A connection pool plus the engine it talks to; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    kind: DatabaseKind,
    /// SQLite allows one writer at a time. Writers of this process queue here, in order,
    /// instead of in SQLite's busy handler, which polls with growing sleeps: under load that
    /// made some writes wait close to a second while others went through (p99 800 ms for
    /// PATCH in `docs/benchmarks.md`, against 12 ms with this queue).
    writer: Arc<Mutex<()>>,
}

impl Db {
    /// Connects (creating the SQLite file and its folder on first start) and checks the
    /// connection works, so a wrong URL stops start-up instead of failing the first request.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);

        let kind = settings::database_kind(url).map_err(DbError::Config)?;
        let url = match kind {
            DatabaseKind::Sqlite => {
                ensure_sqlite_dir(url)?;
                url.to_owned()
            }
            // sqlx knows only the mysql scheme; MariaDB speaks the same protocol.
            DatabaseKind::MySql => url.replacen("mariadb://", "mysql://", 1),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if kind == DatabaseKind::Sqlite {
                        // WAL lets readers run beside the one writer; the busy timeout makes a
                        // second writer wait instead of failing at once.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"
                        )))
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(DbError::Connect)?;
        Ok(Db {
            pool,
            kind,
            writer: Arc::new(Mutex::new(())),
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes can fail with
    /// SQLITE_BUSY without waiting when another writer got there first.
    /// Other processes writing the same file still wait in SQLite's busy handler.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.kind {
            DatabaseKind::Sqlite => {
                let writer = self.writer.clone().lock_owned().await;
                Ok(Tx {
                    tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
                    _writer: Some(writer),
                })
            }
            DatabaseKind::MySql => Ok(Tx {
                tx: self.pool.begin().await?,
                _writer: None,
            }),
        }
    }

    /// Applies the service's migrations that have not run yet.
    pub async fn migrate(&self, migrator: &Migrator) -> Result<(), DbError> {
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// A round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether `err` is MySQL rolling a transaction back to break a deadlock (or a lock wait
/// that timed out), after which the whole transaction may simply run again.
pub fn is_deadlock(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("40001")) || db.message().contains("Deadlock")
        }
        _ => false,
    }
}

/// An error that may be a transaction chosen as a deadlock's victim.
pub trait DeadlockVictim {
    fn is_deadlock_victim(&self) -> bool;
}

impl DeadlockVictim for sqlx::Error {
    fn is_deadlock_victim(&self) -> bool {
        is_deadlock(self)
    }
}

/// Runs a write transaction again (up to eight times) when MySQL rolled it back to break a
/// deadlock. The transaction was rolled back entirely, so running it again is safe; any other
/// outcome is returned as it is. Each wait is a random point below a ceiling that doubles
/// (5 ms, 10 ms, … at most 320 ms), so that the transactions that deadlocked do not meet
/// again in step.
pub async fn retry_deadlocks<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: DeadlockVictim + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    const TRIES: u32 = 8;
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Err(e) if tries < TRIES && e.is_deadlock_victim() => {
                tracing::debug!(error = %e, tries, "deadlock; running the transaction again");
                let ceiling = 5u64 << (tries - 1).min(6);
                tokio::time::sleep(std::time::Duration::from_millis(1 + random() % ceiling)).await;
            }
            other => return other,
        }
    }
}

/// A random number from the standard library's per-instance hash keys (no generator crate
/// for a retry's jitter).
fn random() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// The message of a unique-constraint violation, if that is what `err` is. Both engines name
/// the column or index in it, which is how callers tell which uniqueness rule was broken.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
            Some(db.message().to_owned())
        }
        _ => None,
    }
}

/// The file of a `sqlite:` URL; `None` for an in-memory database.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn ensure_sqlite_dir(url: &str) -> Result<(), DbError> {
    let Some(path) = sqlite_path(url) else {
        return Ok(());
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// `text` made literal inside a `LIKE` pattern that declares `ESCAPE '!'`: `LIKE` treats `%`
/// and `_` as wildcards, but a shop owner searching for "50%" means the text.
pub fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            escaped.push('!');
        }
        escaped.push(c);
    }
    escaped
}

/// The suffix that makes a `SELECT` lock its rows until commit: `FOR UPDATE` on MySQL. SQLite
/// needs none: `Db::begin` already holds the database's write lock.
pub fn for_update(kind: DatabaseKind) -> &'static str {
    match kind {
        DatabaseKind::Sqlite => "",
        DatabaseKind::MySql => " FOR UPDATE",
    }
}

/// The id of the row this connection inserted last. sqlx's Any driver does not report it for
/// SQLite, so both engines are asked in SQL, on the same connection.
pub async fn last_insert_id(conn: &mut AnyConnection, kind: DatabaseKind) -> Result<i64, sqlx::Error> {
    let sql = match kind {
        DatabaseKind::Sqlite => "SELECT last_insert_rowid()",
        DatabaseKind::MySql => "SELECT LAST_INSERT_ID()",
    };
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await
}
