//! Dependencies going away and coming back. These tests run their own Redis server (the
//! machine's `redis-server` binary on a free port) so that stopping it disturbs no other test.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{Backing, Mode, TestApp, ok_json, product};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A private Redis server.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts one on a free port, or `None` (a skip, or a failure when servers are required)
    /// when `redis-server` is not installed.
    fn start() -> Option<PrivateRedis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut redis = PrivateRedis { port, child: None };
        match redis.spawn() {
            Ok(()) => Some(redis),
            Err(e) => {
                testkit::unreachable("redis-server", "PATH", &e);
                None
            }
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("redis-server did not listen on {} within 5 s", self.port))
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn catalog_ready(app: &TestApp) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}/health/ready", app.catalog.as_deref().unwrap()))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Redis stops in the middle of business and comes back: the catalog keeps answering from the
/// database, reports the cache as down while it is, never serves an old version, and uses the
/// cache again once Redis is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_going_away_and_coming_back() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let Some(mut redis) = PrivateRedis::start() else {
        return;
    };
    let mut settings = backing.settings();
    settings.redis_url = Some(redis.url().into());
    let app = TestApp::start(
        settings,
        &[
            inventory_tracker::Target::Catalog,
            inventory_tracker::Target::Gateway,
        ],
    )
    .await;

    app.create(&product("FAULT-1", json!({}))).await;
    ok_json(app.get("/api/v1/products/FAULT-1").await).await;
    assert_eq!(catalog_ready(&app).await.0, StatusCode::OK);

    redis.stop();
    for price in 1..=3 {
        let updated = ok_json(
            app.patch_json("/api/v1/products/FAULT-1", &json!({"price_cents": price}), None)
                .await,
        )
        .await;
        assert_eq!(ok_json(app.get("/api/v1/products/FAULT-1").await).await, updated);
    }
    let (status, body) = catalog_ready(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert!(body.to_string().contains("cache"), "{body}");
    assert_eq!(app.get("/health").await.status(), StatusCode::OK, "still alive");

    redis.spawn().unwrap();
    let mut ready = false;
    for _ in 0..50 {
        if catalog_ready(&app).await.0 == StatusCode::OK {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the catalog is ready again once Redis is back");
    let updated = ok_json(
        app.patch_json("/api/v1/products/FAULT-1", &json!({"price_cents": 99}), None)
            .await,
    )
    .await;
    assert_eq!(updated["version"], 5);
    assert_eq!(ok_json(app.get("/api/v1/products/FAULT-1").await).await, updated);

    // The new version really is in the restarted Redis.
    let mut conn = redis_client(&redis.url()).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*FAULT-1")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let version: i64 = redis::cmd("HGET")
        .arg(&keys[0])
        .arg("v")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(version, 5);
    app.stop().await;
}

async fn redis_client(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}
