//! Test support shared by every crate's tests.
//!
//! Production-mode tests run against the real MariaDB and Redis servers named by
//! `INVENTORY_TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/test`) and
//! `INVENTORY_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`) and RabbitMQ named by
//! `INVENTORY_TEST_AMQP_URL` (default `amqp://guest:guest@127.0.0.1:5672/%2f`). When a server cannot be
//! reached the test prints `SKIPPED` and passes, so the suite still runs on a laptop with
//! nothing installed; with `INVENTORY_TEST_REQUIRE_SERVERS=1` (set by CI) it fails instead.

use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::mysql::MySqlConnectOptions;
use storage::{DatabaseKind, Db};

/// The database engines every storage test runs on.
pub const BACKENDS: [DatabaseKind; 2] = [DatabaseKind::Sqlite, DatabaseKind::MySql];

pub fn servers_required() -> bool {
    std::env::var("INVENTORY_TEST_REQUIRE_SERVERS").is_ok_and(|v| v == "1" || v == "true")
}

pub fn mysql_server_url() -> String {
    std::env::var("INVENTORY_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

pub fn redis_server_url() -> String {
    std::env::var("INVENTORY_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// Reports an unreachable server: a panic when servers are required, else a visible skip.
/// Returns normally only in the skip case.
pub fn unreachable(server: &str, url: &str, error: &str) {
    assert!(
        !servers_required(),
        "{server} at {url} is required (INVENTORY_TEST_REQUIRE_SERVERS=1) but cannot be reached: {error}"
    );
    println!("SKIPPED: {server} at {url} cannot be reached ({error}); this test ran nothing");
}

/// A database that exists only for one test: a SQLite file in a temporary folder, or a MariaDB
/// database with a random name that is dropped when this value is dropped.
pub struct TestDatabase {
    pub url: String,
    pub kind: DatabaseKind,
    _dir: Option<tempfile::TempDir>,
    mysql_database: Option<String>,
}

impl TestDatabase {
    /// A fresh database of `kind`, or `None` (after printing a skip) when the server for it
    /// is not reachable and not required.
    pub async fn create(kind: DatabaseKind) -> Option<TestDatabase> {
        match kind {
            DatabaseKind::Sqlite => Some(TestDatabase::sqlite()),
            DatabaseKind::MySql => TestDatabase::mysql().await,
        }
    }

    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        TestDatabase {
            url,
            kind: DatabaseKind::Sqlite,
            _dir: Some(dir),
            mysql_database: None,
        }
    }

    pub async fn mysql() -> Option<TestDatabase> {
        let server = mysql_server_url();
        let name = format!("it_test_{}", uuid::Uuid::new_v4().simple());
        match mysql_admin(&server, &format!("CREATE DATABASE {name} CHARACTER SET utf8mb4")).await {
            Ok(()) => {}
            Err(e) => {
                unreachable("MariaDB", &server, &e);
                return None;
            }
        }
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        Some(TestDatabase {
            url: format!("{base}/{name}"),
            kind: DatabaseKind::MySql,
            _dir: None,
            mysql_database: Some(name),
        })
    }

    /// A connected pool on this database.
    pub async fn connect(&self) -> Db {
        Db::connect(&self.url, 8)
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(name) = self.mysql_database.take() {
            let server = mysql_server_url();
            // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
            // thread with its own runtime does the cleanup.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(rt) = runtime {
                    let _ = rt.block_on(mysql_admin(&server, &format!("DROP DATABASE IF EXISTS {name}")));
                }
            })
            .join();
        }
    }
}

async fn mysql_admin(server: &str, statement: &str) -> Result<(), String> {
    let options: MySqlConnectOptions = server.parse().map_err(|e: sqlx::Error| e.to_string())?;
    let connect = options.connect();
    let mut conn = tokio::time::timeout(Duration::from_secs(5), connect)
        .await
        .map_err(|_| "no answer within 5s".to_owned())?
        .map_err(|e| e.to_string())?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The Redis server's URL when it answers PING; `None` (after printing a skip) otherwise.
pub async fn redis() -> Option<String> {
    let url = redis_server_url();
    let ping = async {
        let client = redis::Client::open(url.as_str()).map_err(|e| e.to_string())?;
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| e.to_string())?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(Duration::from_secs(3), ping).await {
        Ok(Ok(_)) => Some(url),
        Ok(Err(e)) => {
            unreachable("Redis", &url, &e);
            None
        }
        Err(_) => {
            unreachable("Redis", &url, "no answer within 3s");
            None
        }
    }
}

pub fn amqp_server_url() -> String {
    std::env::var("INVENTORY_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// The RabbitMQ server's URL when a connection to it opens; `None` (after printing a skip)
/// otherwise.
pub async fn rabbitmq() -> Option<String> {
    let url = amqp_server_url();
    match events::Bus::rabbitmq(&url, "it-test.ping").ping().await {
        Ok(()) => Some(url),
        Err(e) => {
            unreachable("RabbitMQ", &url, &e.to_string());
            None
        }
    }
}

/// An exchange name no other test uses, for tests sharing one RabbitMQ server.
pub fn unique_exchange(test: &str) -> String {
    format!("it-test.{test}.{}", uuid::Uuid::new_v4().simple())
}

/// Deletes what a test declared on RabbitMQ: its queues with their dead-letter queues, its
/// exchange and the exchange's dead-letter exchange. Errors are ignored (already gone).
pub async fn rabbitmq_cleanup(url: &str, exchange: &str, queues: &[String]) {
    use lapin::options::{ExchangeDeleteOptions, QueueDeleteOptions};
    let Ok(connection) = lapin::Connection::connect(url, lapin::ConnectionProperties::default()).await else {
        return;
    };
    let Ok(channel) = connection.create_channel().await else {
        return;
    };
    for queue in queues {
        for name in [queue.clone(), format!("{queue}.dead-letter")] {
            let _ = channel
                .queue_delete(name.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
    }
    for name in [exchange.to_owned(), format!("{exchange}.dead-letter")] {
        let _ = channel
            .exchange_delete(name.as_str().into(), ExchangeDeleteOptions::default())
            .await;
    }
    let _ = connection.close(200, "done".into()).await;
}

/// A key prefix no other test uses, for tests sharing one Redis server.
pub fn unique_prefix(test: &str) -> String {
    format!("it-test:{test}:{}", uuid::Uuid::new_v4().simple())
}
