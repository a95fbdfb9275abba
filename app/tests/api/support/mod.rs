//! Spawns the real services (the same `start` the binary uses) on free ports, on a fresh
//! database, and talks to them over HTTP like any client.

pub mod process;

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use inventory_tracker::{Running, Target};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, header};
use serde_json::{Value, json};
use settings::{DatabaseKind, Settings};
use testkit::TestDatabase;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, oneshot};
use tokio::task::JoinHandle;

/// The internal secret of every test installation.
pub const TEST_SECRET: &str = "test-internal-secret-0123456789abcdef";
/// The first admin's password in every test installation.
pub const ADMIN_PASSWORD: &str = "counter till mango 42";

/// A client whose every request carries a service identity signed with [`TEST_SECRET`], for
/// talking to a service's port directly as another service would.
pub fn service_client() -> Client {
    let signer = web::Signer::new(TEST_SECRET).expect("a long enough secret");
    let token = signer.sign_for(
        &web::Identity::service("test"),
        std::time::Duration::from_secs(3600),
    );
    client_with_token(&token)
}

/// A client that sends `token` as a bearer token on every request.
pub fn client_with_token(token: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("a valid header"),
    );
    Client::builder()
        .default_headers(headers)
        .build()
        .expect("HTTP client")
}

/// A login attempt at the gateway `base`, whatever its answer.
pub async fn try_login(base: &str, username: &str, password: &str) -> Response {
    Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login request sent")
}

/// Logs in at the gateway `base`; panics unless it succeeds. Returns the login answer.
pub async fn login(base: &str, username: &str, password: &str) -> Value {
    ok_json(try_login(base, username, password).await).await
}

/// A client logged in as the first admin at the gateway `base`.
pub async fn admin_client(base: &str) -> Client {
    let answer = login(base, "admin", ADMIN_PASSWORD).await;
    client_with_token(answer["token"].as_str().expect("a token"))
}

/// The two ways the system runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SQLite and the in-process cache.
    Embedded,
    /// MariaDB and Redis, the servers on this machine.
    Production,
}

/// Everything a test app needs that outlives one process: its database and cache namespace,
/// so a second app (or a restart) can share them.
pub struct Backing {
    pub mode: Mode,
    pub db: TestDatabase,
    pub redis_url: Option<String>,
    pub redis_prefix: String,
    /// RabbitMQ, in production mode, with an exchange of this test's own.
    pub amqp_url: Option<String>,
    pub exchange: String,
    pub data_dir: tempfile::TempDir,
    /// This test's claim on the machine's servers: shared, or exclusive for a test that
    /// restarts one of them.
    _servers: Claim,
}

/// Claims on the servers every test shares (MariaDB, Redis, RabbitMQ): many tests hold a
/// shared claim at once; a test that restarts a server waits for the exclusive one, and
/// tests that start meanwhile wait for it to finish (tokio's lock is fair).
static SERVERS: LazyLock<Arc<RwLock<()>>> = LazyLock::new(Arc::default);

/// Held, never read: dropping the backing gives the claim up.
enum Claim {
    Shared { _guard: OwnedRwLockReadGuard<()> },
    Exclusive { _guard: OwnedRwLockWriteGuard<()> },
}

impl Drop for Backing {
    /// Deletes the test's exchange and queues from the shared RabbitMQ.
    fn drop(&mut self) {
        let Some(amqp) = self.amqp_url.clone() else { return };
        let exchange = self.exchange.clone();
        let queues = vec![
            format!("{exchange}.inventory"),
            format!("{exchange}.sales.inventory"),
            format!("{exchange}.reports"),
            format!("{exchange}.sales.reports"),
        ];
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(testkit::rabbitmq_cleanup(&amqp, &exchange, &queues));
        })
        .join();
    }
}

impl Backing {
    /// Fresh storage for `mode`; `None` when production servers are unreachable and not
    /// required (the skip is printed by testkit).
    pub async fn new(mode: Mode) -> Option<Backing> {
        let claim = Claim::Shared {
            _guard: SERVERS.clone().read_owned().await,
        };
        Backing::claiming(mode, claim).await
    }

    /// Fresh storage for a test that stops or restarts the shared servers: no other test's
    /// backing exists while this one does.
    pub async fn exclusive(mode: Mode) -> Option<Backing> {
        let claim = Claim::Exclusive {
            _guard: SERVERS.clone().write_owned().await,
        };
        Backing::claiming(mode, claim).await
    }

    async fn claiming(mode: Mode, claim: Claim) -> Option<Backing> {
        let (db, redis_url, amqp_url) = match mode {
            Mode::Embedded => (TestDatabase::create(DatabaseKind::Sqlite).await?, None, None),
            Mode::Production => {
                let db = TestDatabase::create(DatabaseKind::MySql).await?;
                (
                    db,
                    Some(testkit::redis().await?),
                    Some(testkit::rabbitmq().await?),
                )
            }
        };
        Some(Backing {
            mode,
            db,
            redis_url,
            amqp_url,
            exchange: testkit::unique_exchange("app"),
            redis_prefix: testkit::unique_prefix("app"),
            data_dir: tempfile::tempdir().expect("temporary folder"),
            _servers: claim,
        })
    }

    pub fn settings(&self) -> Settings {
        Settings {
            data_dir: self.data_dir.path().to_owned(),
            gateway_port: 0,
            catalog_port: 0,
            inventory_port: 0,
            sales_port: 0,
            reports_port: 0,
            admin_port: 0,
            database_url: Some(self.db.url.clone().into()),
            redis_url: self.redis_url.clone().map(Into::into),
            redis_key_prefix: self.redis_prefix.clone(),
            amqp_url: self.amqp_url.clone().map(Into::into),
            event_exchange: self.exchange.clone(),
            // Queues a test leaves behind (a consumer resubscribing after the cleanup) vanish.
            event_queue_expiry_secs: Some(60),
            shutdown_grace_secs: 5,
            internal_secret: Some(TEST_SECRET.to_owned().into()),
            admin_password: Some(ADMIN_PASSWORD.to_owned().into()),
            // Tests make hundreds of requests a minute; the limits have their own tests.
            rate_limit_per_minute: 0,
            rate_limit_per_address_per_minute: 0,
            ..Settings::default()
        }
    }
}

/// Running services and a client for them.
pub struct TestApp {
    pub gateway: Option<String>,
    pub catalog: Option<String>,
    pub sales: Option<String>,
    /// The admin dashboard, when started.
    pub admin: Option<String>,
    /// Logged in at the gateway as the first admin (with a gateway); else a service's client.
    pub client: Client,
    stop: Option<oneshot::Sender<()>>,
    served: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn start(settings: Settings, targets: &[Target]) -> TestApp {
        let targets: BTreeSet<Target> = targets.iter().copied().collect();
        let running: Running = inventory_tracker::start(settings, &targets)
            .await
            .expect("services start");
        let gateway = running.url(Target::Gateway);
        let catalog = running.url(Target::Catalog);
        let sales = running.url(Target::Sales);
        let admin = running.url(Target::Admin);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(running.run_until(async {
            let _ = stopped.await;
        }));
        let client = match &gateway {
            Some(base) => admin_client(base).await,
            None => service_client(),
        };
        TestApp {
            gateway,
            catalog,
            sales,
            admin,
            client,
            stop: Some(stop),
            served: Some(served),
        }
    }

    /// Every service and the dashboard in one process, on `backing`.
    pub async fn all(backing: &Backing) -> TestApp {
        TestApp::start(
            backing.settings(),
            &[
                Target::Catalog,
                Target::Inventory,
                Target::Sales,
                Target::Reports,
                Target::Gateway,
                Target::Admin,
            ],
        )
        .await
    }

    /// Every service and the dashboard in one process, with `settings`.
    pub async fn all_with(settings: Settings) -> TestApp {
        TestApp::start(
            settings,
            &[
                Target::Catalog,
                Target::Inventory,
                Target::Sales,
                Target::Reports,
                Target::Gateway,
                Target::Admin,
            ],
        )
        .await
    }

    /// Graceful stop, as on SIGTERM.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.expect("server task").expect("clean shutdown");
        }
    }

    /// A request to the gateway.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let base = self.gateway.as_deref().expect("gateway running");
        self.client.request(method, format!("{base}{path}"))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn patch_json(&self, path: &str, body: &Value, if_match: Option<&str>) -> Response {
        let mut request = self.request(Method::PATCH, path).json(body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send().await.expect("request sent")
    }

    /// Creates a product and returns it; panics unless the answer is 201.
    /// Creates a user with `role` (through the admin) and returns a client logged in as them,
    /// with the created user.
    pub async fn user_client(&self, username: &str, role: &str) -> (Client, Value) {
        let password = "long walks on the beach 7";
        let created = self
            .post_json(
                "/api/v1/users",
                &json!({"username": username, "role": role, "password": password, "must_change_password": false}),
            )
            .await;
        assert_eq!(
            created.status(),
            StatusCode::CREATED,
            "{}",
            created.text().await.unwrap()
        );
        let base = self.gateway.as_deref().expect("a gateway");
        let session = login(base, username, password).await;
        (
            client_with_token(session["token"].as_str().expect("a token")),
            created.json().await.expect("the user as JSON"),
        )
    }

    pub async fn create(&self, product: &Value) -> Value {
        let response = self.post_json("/api/v1/products", product).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{}",
            response.text().await.unwrap()
        );
        response.json().await.expect("JSON product")
    }

    /// Every product, following cursors.
    pub async fn list_all(&self, query: &str) -> Vec<Value> {
        let base = self.gateway.as_deref().expect("gateway running");
        every_item(&self.client, &format!("{base}/api/v1/products?limit=200&{query}")).await
    }
}

/// Every item of a paged listing at `url` (which already has a query), following
/// `next_cursor` to the end.
pub async fn every_item(client: &Client, url: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page_url = url.to_owned();
        if let Some(c) = &cursor {
            page_url.push_str(&format!("&cursor={c}"));
        }
        let page = ok_json(client.get(page_url).send().await.expect("request sent")).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// Creates `sku` through the gateway at `api`, then restocks `quantity` units at the main
/// location as soon as the inventory has heard of the product (it learns by event).
pub async fn stocked_product(client: &Client, api: &str, sku: &str, quantity: i64) {
    let created = client
        .post(format!("{api}/api/v1/products"))
        .json(&product(sku, json!({})))
        .send()
        .await
        .expect("request sent");
    assert_eq!(created.status(), StatusCode::CREATED, "{sku}");
    testkit::eventually(
        &format!("the inventory takes stock of {sku}"),
        Duration::from_secs(30),
        || async {
            client
                .post(format!("{api}/api/v1/inventory/{sku}/restock"))
                .json(&json!({"quantity": quantity}))
                .send()
                .await
                .expect("request sent")
                .status()
                == StatusCode::CREATED
        },
    )
    .await;
}

/// The text of a `/metrics` page.
pub async fn metrics(client: &Client, base: &str) -> String {
    client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("request sent")
        .text()
        .await
        .expect("metrics text")
}

/// The body of a 200 response as JSON; panics with the body otherwise.
pub async fn ok_json(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).expect("JSON body")
}

/// A valid product with `sku`; `extra` fields override.
pub fn product(sku: &str, extra: Value) -> Value {
    let mut p = json!({
        "sku": sku,
        "name": format!("Product {sku}"),
        "description": "A part for testing",
        "category": "Storage",
        "brand": "Acme",
        "price_cents": 12_900,
        "cost_cents": 9_900,
    });
    for (k, v) in extra.as_object().expect("object").clone() {
        p[k] = v;
    }
    p
}

/// Runs `test` on a fresh app in `mode`, or skips when production servers are unreachable
/// and not required.
pub async fn with_app<F, Fut>(mode: Mode, test: F)
where
    F: FnOnce(TestApp, Backing) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(backing) = Backing::new(mode).await else {
        return;
    };
    let app = TestApp::all(&backing).await;
    test(app, backing).await;
}

/// Declares one test per mode: `modes!(fn_name);` runs `fn_name(app, backing)` embedded and in
/// production.
#[macro_export]
macro_rules! modes {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::with_app($crate::support::Mode::Embedded, super::$name).await;
                }
            )*
        }
        mod production {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::with_app($crate::support::Mode::Production, super::$name).await;
                }
            )*
        }
    };
}

/// One Server-Sent Event.
#[derive(Debug, Clone)]
pub struct Sse {
    pub event: String,
    pub id: Option<String>,
    pub data: Value,
}

/// Reads Server-Sent Events from a response, one at a time.
pub struct SseReader {
    body: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl SseReader {
    pub async fn open(client: &Client, base: &str, last_id: Option<&str>) -> SseReader {
        match last_id {
            Some(id) => SseReader::open_with(client, base, &[("last-event-id", id)]).await,
            None => SseReader::open_with(client, base, &[]).await,
        }
    }

    /// Opens the stream at `base` with extra request `headers`.
    pub async fn open_with(client: &Client, base: &str, headers: &[(&str, &str)]) -> SseReader {
        let mut request = client.get(format!("{base}/api/v1/events/stream"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        SseReader {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next event (heartbeat comments skipped), or `None` after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Sse {
                    event: "message".into(),
                    id: None,
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue; // A heartbeat.
                }
                event.data = serde_json::from_str(&data).unwrap();
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next()).await.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        }
    }

    /// Waits for the stock change of `sku` to `on_hand`, returning it and what came before.
    pub async fn stock_change(&mut self, sku: &str, on_hand: i64, wait: Duration) -> Option<(Sse, Vec<Sse>)> {
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        while let Some(event) = self
            .next(deadline.saturating_duration_since(Instant::now()))
            .await
        {
            let matches = event.event == "StockLevelsChanged"
                && event.data["data"]["levels"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["sku"] == sku && l["on_hand"] == on_hand);
            if matches {
                return Some((event, seen));
            }
            seen.push(event);
        }
        None
    }
}
