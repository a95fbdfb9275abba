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

/// A TCP proxy in front of a real server, so a test can cut the connection (as a crashed
/// broker or a network failure would) and restore it, without stopping the shared server
/// other tests are using.
pub struct TcpProxy {
    port: u16,
    target: String,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl TcpProxy {
    pub async fn start(target: &str) -> TcpProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("proxy port");
        let port = listener.local_addr().expect("proxy address").port();
        let proxy = TcpProxy {
            port,
            target: target.to_owned(),
            tasks: Default::default(),
        };
        proxy.serve(listener);
        proxy
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let target = self.target.clone();
        let tasks = self.tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await else {
                    continue;
                };
                let pipe = tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
                tasks.lock().expect("proxy lock").push(pipe);
            }
        });
        self.tasks.lock().expect("proxy lock").push(accept);
    }

    /// Drops every connection and stops accepting: clients see their connection reset and
    /// new connections refused.
    pub fn cut(&self) {
        for task in self.tasks.lock().expect("proxy lock").drain(..) {
            task.abort();
        }
    }

    /// Accepts connections again, on the same port.
    pub async fn restore(&self) {
        let listener = loop {
            match tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => break listener,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.serve(listener);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Polls `check` until it returns true, failing the test after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A loopback port that refuses connections for as long as the returned guard lives. A port
/// freed by dropping a listener can be taken at once by another test's server (the first
/// dashboard test to rely on that hung on one); this one is held by an outgoing connection, so
/// nothing can listen on it and a connection to it is refused.
pub fn refused_port() -> (u16, std::net::TcpStream) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
    let held = std::net::TcpStream::connect(listener.local_addr().expect("its address"))
        .expect("a loopback connection");
    let port = held.local_addr().expect("the connection's address").port();
    (port, held)
}

/// A port that is free now, for a process that is started later on it. Taken below Linux's
/// ephemeral range (32768–60999), where outgoing connections (to MariaDB, Redis, the services)
/// take their local ports: a port the kernel handed out for `:0` could be given to such a
/// connection before the process binds it. A test binary hands each port out once (of 12,000).
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    // Each test binary starts at its own place, so two runs at once rarely meet.
    static NEXT: std::sync::LazyLock<AtomicU32> =
        std::sync::LazyLock::new(|| AtomicU32::new(std::process::id() % COUNT));
    loop {
        let port = (FIRST + NEXT.fetch_add(1, Ordering::SeqCst) % COUNT) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
