//! The `inventory-tracker` executable as an operator runs it: flags, exit codes, signals,
//! restarts.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::process::{Server, Split, command};
use crate::support::{Backing, Mode, product};
use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::free_port;

fn run(command: &mut Command) -> Output {
    command.output().expect("the binary runs")
}

/// Runs a command that must exit on its own (a start-up that must fail); kills it and fails
/// the test if it is still running after 20 s, instead of hanging.
fn run_expecting_exit(command: &mut Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the process kept running; it should have refused to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_and_help_describe_the_program() {
    let out = run(command(None).arg("--version"));
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        format!("inventory-tracker {}", env!("CARGO_PKG_VERSION"))
    );
    let help = text(&run(command(None).arg("--help")).stdout);
    for word in [
        "serve",
        "migrate",
        "seed-demo",
        "--config",
        "--database-url",
        "--redis-url",
    ] {
        assert!(help.contains(word), "--help mentions {word}:\n{help}");
    }
    let serve_help = text(&run(command(None).args(["serve", "--help"])).stdout);
    assert!(serve_help.contains("--target"), "{serve_help}");
}

#[test]
fn bad_configuration_stops_start_up_naming_the_key() {
    let out = run(command(None).arg("serve").env("INVENTORY_CATALOG_PORT", "eighty"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("catalog_port") && err.contains("INVENTORY_CATALOG_PORT"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.toml");
    std::fs::write(&file, "gateway_prot = 80\n").unwrap();
    let out = run(command(None).arg("--config").arg(&file).arg("serve"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("gateway_prot"),
        "{}",
        text(&out.stderr)
    );

    let out = run(command(None).args(["--database-url", "postgres://shop:hunter2@db/shop", "serve"]));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("database_url") && !err.contains("hunter2"), "{err}");

    let out = run(command(None).args(["serve", "--target", "catalog,warehouse"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("warehouse"), "{}", text(&out.stderr));

    let out = run(command(None).args(["--log-level", "info,[[["]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("log_level"), "{}", text(&out.stderr));

    // Security settings that would leave the shop open or split processes unable to trust
    // each other stop start-up with a message naming them.
    let on_free_ports = |command: &mut Command| {
        command.arg("--data-dir").arg(dir.path()).args([
            "serve",
            "--gateway-port",
            "0",
            "--catalog-port",
            "0",
            "--inventory-port",
            "0",
            "--sales-port",
            "0",
        ]);
    };
    // A first admin password that breaks the policy stops every command alike, before it
    // touches anything (seed-demo once accepted what serve then refused).
    for args in [&["serve"][..], &["seed-demo"], &["migrate"], &["health"]] {
        let mut weak = command(None);
        weak.env("INVENTORY_ADMIN_PASSWORD", "admin1234");
        if args == ["serve"] {
            on_free_ports(&mut weak);
        } else {
            weak.arg("--data-dir").arg(dir.path()).args(args);
        }
        let out = run_expecting_exit(&mut weak);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("INVENTORY_ADMIN_PASSWORD does not meet the password policy"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("admin1234"), "the password is not echoed: {err}");
    }
    assert!(
        !dir.path().join("catalog.db").exists(),
        "nothing was created before the check"
    );

    let mut split = command(None);
    split.env_remove("INVENTORY_INTERNAL_SECRET");
    on_free_ports(&mut split);
    split.args(["--target", "catalog"]);
    let out = run_expecting_exit(&mut split);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("INVENTORY_INTERNAL_SECRET"),
        "{}",
        text(&out.stderr)
    );
}

async fn data_survives_a_graceful_restart(mode: Mode) {
    let Some(backing) = Backing::new(mode).await else {
        return;
    };
    let server = Server::start(
        command(Some(&backing)),
        &[],
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let gateway = server.url("gateway");
    let client = crate::support::admin_client(&gateway).await;
    let created = client
        .post(format!("{gateway}/api/v1/products"))
        .json(&product("KEEP-ME", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();

    let (status, logged) = server.terminate();
    assert!(status.success(), "SIGTERM is a clean exit: {status}");
    assert!(logged.iter().any(|l| l.contains("\"stopped\"")), "{logged:?}");

    let server = Server::start(
        command(Some(&backing)),
        &[],
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let read: Value = client
        .get(format!("{}/api/v1/products/KEEP-ME", server.url("gateway")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read, created);
    let (status, _) = server.terminate();
    assert!(status.success());
}

#[tokio::test]
async fn embedded_data_survives_a_graceful_restart() {
    data_survives_a_graceful_restart(Mode::Embedded).await;
}

#[tokio::test]
async fn production_data_survives_a_graceful_restart() {
    data_survives_a_graceful_restart(Mode::Production).await;
}

/// First start without INVENTORY_ADMIN_PASSWORD: `admin` gets a one-time password, printed
/// once in the log, which must be replaced before anything else; on the next start nothing is
/// printed and the new password works.
#[tokio::test]
async fn first_start_prints_a_one_time_admin_password_that_must_be_changed() {
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut cmd = command(None);
        cmd.env_remove("INVENTORY_ADMIN_PASSWORD")
            .arg("--data-dir")
            .arg(dir.path());
        Server::start(cmd, &[], &["catalog", "inventory", "sales", "reports", "gateway"])
    };
    let server = start();
    let one_time: Vec<String> = server
        .startup
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|log| log["one_time_password"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(one_time.len(), 1, "printed exactly once: {:?}", server.startup);
    let base = server.url("gateway");
    let session = crate::support::login(&base, "admin", &one_time[0]).await;
    assert_eq!(session["user"]["must_change_password"], true);
    let admin = crate::support::client_with_token(session["token"].as_str().unwrap());
    let blocked = admin.get(format!("{base}/api/v1/products")).send().await.unwrap();
    assert_eq!(blocked.status(), StatusCode::FORBIDDEN);
    let problem: Value = blocked.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:inventory-tracker:problem:password-change-required"
    );
    let changed = admin
        .post(format!("{base}/api/v1/auth/password"))
        .json(&json!({"current_password": one_time[0], "new_password": "the shop opens at nine"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        admin
            .get(format!("{base}/api/v1/products"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let (status, _) = server.terminate();
    assert!(status.success());

    let server = start();
    assert!(
        !server.startup.iter().any(|l| l.contains("one_time_password")),
        "only the first start creates the admin"
    );
    crate::support::login(&server.url("gateway"), "admin", "the shop opens at nine").await;
    let refused = crate::support::try_login(&server.url("gateway"), "admin", &one_time[0]).await;
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "the one-time password is spent"
    );
    let (status, _) = server.terminate();
    assert!(status.success());
}

#[tokio::test]
async fn the_embedded_default_creates_its_sqlite_file_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("shop-data");
    let mut cmd = command(None);
    cmd.arg("--data-dir").arg(&data);
    let server = Server::start(cmd, &[], &["catalog", "inventory", "sales", "reports", "gateway"]);
    assert!(
        Path::new(&data).join("catalog.db").is_file(),
        "catalog.db is created on first start"
    );
    let (status, _) = server.terminate();
    assert!(status.success());
}

#[tokio::test]
async fn migrate_seed_demo_and_a_catalog_only_process() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let out = run(command(Some(&backing)).arg("migrate"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("catalog: migrations applied"));

    let out = run(command(Some(&backing)).arg("seed-demo"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let total = catalog::demo::DEMO_PRODUCTS.len();
    assert!(
        text(&out.stdout).contains(&format!("added {total} demo products")),
        "{}",
        text(&out.stdout)
    );
    let out = run(command(Some(&backing)).arg("seed-demo"));
    assert!(
        text(&out.stdout).contains("added 0 demo products"),
        "seeding twice adds nothing"
    );

    // Only the catalog: no gateway port, the catalog's own API answers.
    let server = Server::start(command(Some(&backing)), &["--target", "catalog"], &["catalog"]);
    assert!(!server.addrs.contains_key("gateway"));
    let client = crate::support::service_client();
    let categories: Value = client
        .get(format!("{}/api/v1/categories", server.url("catalog")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let counted: i64 = categories["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["product_count"].as_i64().unwrap())
        .sum();
    assert_eq!(counted as usize, total);
    assert!(categories["items"].as_array().unwrap().len() >= 8);
    let (status, _) = server.terminate();
    assert!(status.success());
}

/// Split mode: a gateway process in front of a catalog process, as in containers.
#[tokio::test]
async fn a_gateway_process_routes_to_a_separate_catalog_process() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let catalog = Server::start(command(Some(&backing)), &["--target", "catalog"], &["catalog"]);
    let gateway = Server::start(
        command(Some(&backing)),
        &[
            "--target",
            "gateway",
            "--catalog-url",
            &catalog.url("catalog"),
            "--inventory-url",
            "http://127.0.0.1:1",
        ],
        &["gateway"],
    );
    let client = crate::support::admin_client(&gateway.url("gateway")).await;
    let created = client
        .post(format!("{}/api/v1/products", gateway.url("gateway")))
        .json(&product("SPLIT-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    // The service's own port: a user's token is no credential there, nor is nothing; a
    // service identity signed with the installation's secret is.
    let product_url = format!("{}/api/v1/products/SPLIT-1", catalog.url("catalog"));
    for refused in [client.get(&product_url), reqwest::Client::new().get(&product_url)] {
        let refused = refused.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(
            problem["type"],
            "urn:inventory-tracker:problem:internal-credential-required"
        );
    }
    let forged = web::Signer::new("a different secret of 32 characters!!")
        .unwrap()
        .sign(&web::Identity::service("intruder"));
    let forged = crate::support::client_with_token(&forged)
        .get(&product_url)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::UNAUTHORIZED,
        "signed with another secret"
    );
    let direct = crate::support::service_client()
        .get(&product_url)
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), StatusCode::OK);
    let ready: Value = client
        .get(format!("{}/health/ready", gateway.url("gateway")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // No inventory process runs here, and the gateway says so; the catalog is reachable.
    let checks = ready["checks"].as_array().unwrap();
    let status = |name: &str| checks.iter().find(|c| c["name"] == name).unwrap()["status"].clone();
    assert_eq!(status("catalog"), "ok", "{ready}");
    assert_eq!(status("inventory"), "down", "{ready}");
    drop(gateway);
    drop(catalog);
}

/// SIGTERM while a request is still arriving: the request is answered (through the gateway and
/// the catalog behind it), then the process exits cleanly.
#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    use std::io::{Read, Write};

    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let server = Server::start(
        command(Some(&backing)),
        &[],
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let login = crate::support::login(&server.url("gateway"), "admin", crate::support::ADMIN_PASSWORD).await;
    let token = login["token"].as_str().unwrap().to_owned();
    let body = product("INFLIGHT-1", json!({})).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = std::net::TcpStream::connect(&server.addrs["gateway"]).unwrap();
    write!(
        stream,
        "POST /api/v1/products HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    std::thread::sleep(Duration::from_millis(300));
    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");

    let (status, _) = server.terminate_wait();
    assert!(status.success(), "{status}");
    // And the product was really stored.
    let server = Server::start(
        command(Some(&backing)),
        &[],
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let read = crate::support::client_with_token(&token)
        .get(format!("{}/api/v1/products/INFLIGHT-1", server.url("gateway")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
}

/// Production mode across processes, as in containers: catalog, inventory and gateway are
/// separate OS processes on MariaDB, Redis and RabbitMQ. A product created through the gateway
/// reaches the inventory process over RabbitMQ; a restock is visible through the gateway.
#[tokio::test]
async fn separate_processes_talk_through_rabbitmq() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let split = Split::start(
        || command(Some(&backing)),
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let api = split.url("gateway");
    let client = crate::support::admin_client(&api).await;
    // The product reaches the inventory process over RabbitMQ, then takes a restock.
    crate::support::stocked_product(&client, &api, "E2E-1", 7).await;
    let stock: Value = client
        .get(format!("{api}/api/v1/inventory/E2E-1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stock["totals"]["on_hand"], 7);
    // A sale in the sales process reserves in the inventory process, and its SaleCreated
    // comes back over RabbitMQ as a sale movement.
    let sold = client
        .post(format!("{api}/api/v1/sales"))
        .json(&json!({"lines": [{"sku": "E2E-1", "quantity": 3}], "payment_method": "card"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sold.status(), StatusCode::CREATED);
    testkit::eventually(
        "the sale reaches the inventory",
        Duration::from_secs(30),
        || async {
            let stock: Value = client
                .get(format!("{api}/api/v1/inventory/E2E-1"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            stock["totals"] == json!({"on_hand": 4, "reserved": 0, "available": 4, "incoming": 0})
        },
    )
    .await;
    let ready: Value = client
        .get(format!("{api}/health/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");
    let inventory_ready: Value = client
        .get(format!("{}/health/ready", split.url("inventory")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        inventory_ready.to_string().contains("\"events\""),
        "{inventory_ready}"
    );
    split.terminate();
}

/// Sales keep coming while the inventory process is killed and restarted and while the
/// connection to RabbitMQ is cut; a sales process also "dies" between reservation and
/// commit. Afterwards, for every SKU: on hand = initial − units of the recorded sales, each
/// recorded sale has its movements, and no reservation is held.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sales_survive_an_inventory_crash_a_broker_cut_and_a_sales_crash() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let proxy = testkit::TcpProxy::start("127.0.0.1:5672").await;
    let amqp = format!("amqp://guest:guest@127.0.0.1:{}/%2f", proxy.port());
    let with_env = |mut command: Command| {
        command
            .env("INVENTORY_AMQP_URL", &amqp)
            .env("INVENTORY_RESERVATION_TTL_SECS", "2");
        command
    };
    let inventory_port = free_port().to_string();
    let sales_port = free_port().to_string();
    let inventory_url = format!("http://127.0.0.1:{inventory_port}");
    let sales_url = format!("http://127.0.0.1:{sales_port}");
    let start_inventory = || {
        Server::start(
            with_env(command(Some(&backing))),
            &[
                "--target",
                "inventory",
                "--inventory-port",
                &inventory_port,
                "--sales-url",
                &sales_url,
            ],
            &["inventory"],
        )
    };
    let mut inventory = start_inventory();
    let front = Server::start(
        with_env(command(Some(&backing))),
        &[
            "--target",
            "catalog,sales,gateway",
            "--sales-port",
            &sales_port,
            "--inventory-url",
            &inventory_url,
        ],
        &["catalog", "sales", "gateway"],
    );
    let api = front.url("gateway");
    let client = crate::support::admin_client(&api).await;
    let direct = crate::support::service_client();
    let skus = ["FAULT-A", "FAULT-B", "FAULT-C"];
    for sku in skus {
        crate::support::stocked_product(&client, &api, sku, 300).await;
    }

    // A sales process that reserved and died before recording: its reservation must not stay.
    let orphan = direct
        .post(format!("{inventory_url}/internal/v1/reservations"))
        .json(&json!({"id": "orphan-sale", "lines": [{"sku": "FAULT-A", "quantity": 5}], "ttl_secs": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(orphan.status(), StatusCode::CREATED);

    let sold = std::sync::Arc::new(std::sync::Mutex::new(
        std::collections::BTreeMap::<String, i64>::new(),
    ));
    let sell_batch = |from: usize, to: usize| {
        let (client, api, sold) = (client.clone(), api.clone(), sold.clone());
        async move {
            let mut outcomes = Vec::new();
            for i in from..to {
                let sku = skus[i % 3];
                let quantity = (i % 2 + 1) as i64;
                let response = client
                    .post(format!("{api}/api/v1/sales"))
                    .header("idempotency-key", format!("load-{i}"))
                    .json(&json!({"lines": [{"sku": sku, "quantity": quantity}], "payment_method": "cash"}))
                    .send()
                    .await
                    .unwrap();
                outcomes.push(response.status());
                if response.status() == StatusCode::CREATED {
                    *sold.lock().unwrap().entry(sku.to_owned()).or_default() += quantity;
                }
            }
            outcomes
        }
    };
    assert!(sell_batch(0, 30).await.iter().all(|s| *s == StatusCode::CREATED));

    // The inventory crashes; sales fail fast (503) and record nothing; it comes back.
    inventory.kill();
    let during = sell_batch(30, 40).await;
    assert!(
        during.iter().all(|s| *s == StatusCode::SERVICE_UNAVAILABLE),
        "{during:?}"
    );
    inventory = start_inventory();
    testkit::eventually("sales work again", Duration::from_secs(30), || async {
        sell_batch(40, 41).await == [StatusCode::CREATED]
    })
    .await;

    // The broker goes away for a while: sales are still recorded (their events wait in the
    // outbox), reservations outlive their TTL as confirmed, and everything lands afterwards.
    proxy.cut();
    let cut = sell_batch(41, 71).await;
    assert!(cut.iter().all(|s| *s == StatusCode::CREATED), "{cut:?}");
    tokio::time::sleep(Duration::from_secs(5)).await; // past the 2 s reservation TTL
    proxy.restore().await;
    assert!(sell_batch(71, 90).await.iter().all(|s| *s == StatusCode::CREATED));

    let sold = sold.lock().unwrap().clone();
    for sku in skus {
        let expected_on_hand = 300 - sold.get(sku).copied().unwrap_or(0);
        let expected =
            json!({"on_hand": expected_on_hand, "reserved": 0, "available": expected_on_hand, "incoming": 0});
        testkit::eventually(&format!("{sku} settles"), Duration::from_secs(40), || async {
            let stock: Value = client
                .get(format!("{api}/api/v1/inventory/{sku}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            stock["totals"] == expected
        })
        .await;
        let ledger: Value = client
            .get(format!("{api}/api/v1/inventory/{sku}/movements?limit=200"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sold_in_ledger: i64 = ledger["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "sale")
            .map(|m| -m["quantity"].as_i64().unwrap())
            .sum();
        assert_eq!(
            sold_in_ledger,
            sold.get(sku).copied().unwrap_or(0),
            "{sku}: every recorded sale has its movements"
        );
    }
    let orphan: Value = direct
        .get(format!("{inventory_url}/internal/v1/reservations/orphan-sale"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orphan["status"], "released", "{orphan}");
    for server in [front, inventory] {
        let (status, _) = server.terminate();
        assert!(status.success());
    }
}

/// The sales process is killed (SIGKILL) in the middle of a load of sales, between
/// reservations and commits, then restarted. The recorded sales are the truth: afterwards
/// every SKU's stock equals the initial stock minus the units of the sales the sales service
/// has, and no stock stays reserved.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sales_process_killed_mid_load_leaves_no_reservation_and_no_lost_sale() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let ttl = |mut command: Command| {
        command.env("INVENTORY_RESERVATION_TTL_SECS", "2");
        command
    };
    let inventory_port = free_port().to_string();
    let sales_port = free_port().to_string();
    let inventory_url = format!("http://127.0.0.1:{inventory_port}");
    let sales_url = format!("http://127.0.0.1:{sales_port}");
    let inventory = Server::start(
        ttl(command(Some(&backing))),
        &[
            "--target",
            "catalog,inventory",
            "--inventory-port",
            &inventory_port,
            "--sales-url",
            &sales_url,
        ],
        &["catalog", "inventory"],
    );
    let catalog_url = inventory.url("catalog");
    let start_sales = || {
        Server::start(
            ttl(command(Some(&backing))),
            &[
                "--target",
                "sales",
                "--sales-port",
                &sales_port,
                "--catalog-url",
                &catalog_url,
                "--inventory-url",
                &inventory_url,
            ],
            &["sales"],
        )
    };
    let sales = start_sales();
    let client = crate::support::service_client();
    for sku in ["KILL-A", "KILL-B"] {
        let created = client
            .post(format!("{catalog_url}/api/v1/products"))
            .json(&product(sku, json!({})))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        testkit::eventually(
            "the inventory learns of the product",
            Duration::from_secs(30),
            || async {
                client
                    .post(format!("{inventory_url}/api/v1/inventory/{sku}/restock"))
                    .json(&json!({"quantity": 500}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    == StatusCode::CREATED
            },
        )
        .await;
    }
    // Eight clients sell continuously; the sales process dies under them.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..8)
        .map(|c| {
            let (client, sales_url, stop) = (client.clone(), sales_url.clone(), stop.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    i += 1;
                    let lines =
                        json!([{"sku": "KILL-A", "quantity": 1}, {"sku": "KILL-B", "quantity": 1 + (i % 2)}]);
                    let _ = client
                        .post(format!("{sales_url}/api/v1/sales"))
                        .json(
                            &json!({"lines": lines, "payment_method": "cash", "note": format!("client {c}")}),
                        )
                        .timeout(Duration::from_secs(5))
                        .send()
                        .await;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sales.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sales = start_sales();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }

    // What the sales service recorded is what was sold.
    let mut sold = std::collections::BTreeMap::<String, i64>::new();
    let mut cursor: Option<String> = None;
    let mut count = 0;
    loop {
        let mut url = format!("{sales_url}/api/v1/sales?limit=200");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = client.get(url).send().await.unwrap().json().await.unwrap();
        for sale in page["items"].as_array().unwrap() {
            count += 1;
            for line in sale["lines"].as_array().unwrap() {
                *sold.entry(line["sku"].as_str().unwrap().to_owned()).or_default() +=
                    line["quantity"].as_i64().unwrap();
            }
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!(
        count > 10,
        "the load recorded sales before and after the crash ({count})"
    );
    for sku in ["KILL-A", "KILL-B"] {
        let left = 500 - sold.get(sku).copied().unwrap_or(0);
        let expected = json!({"on_hand": left, "reserved": 0, "available": left, "incoming": 0});
        let settled = tokio::time::timeout(Duration::from_secs(40), async {
            loop {
                let stock: Value = client
                    .get(format!("{inventory_url}/api/v1/inventory/{sku}"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if stock["totals"] == expected {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
        .await;
        if settled.is_err() {
            let stock: Value = client
                .get(format!("{inventory_url}/api/v1/inventory/{sku}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            // Say what the inventory holds, to tell a lost event from a stuck reservation.
            let db = backing.db.connect().await;
            let dead: Vec<(String, String)> =
                sqlx::query_as("SELECT event_type, error FROM inventory_dead_letters")
                    .fetch_all(db.pool())
                    .await
                    .unwrap_or_default();
            let open: Vec<(String, String)> =
                sqlx::query_as("SELECT id, status FROM inventory_reservations WHERE status <> 'committed'")
                    .fetch_all(db.pool())
                    .await
                    .unwrap_or_default();
            panic!(
                "{sku}: expected {expected}, have {} ({count} sales recorded); dead letters {dead:?}; open reservations {open:?}",
                stock["totals"]
            );
        }
    }
    for server in [sales, inventory] {
        let (status, _) = server.terminate();
        assert!(status.success());
    }
}

/// The embedded default's backup: taken while the shop serves, refused as a restore while it
/// runs, and restored after a stop: what was made after the backup is gone, what was before
/// it is back, and the replaced files are kept aside.
#[tokio::test]
async fn a_backup_taken_while_serving_restores_the_shop_as_it_was() {
    let data = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let backup_dir = backups.path().join("monday");
    let ports: Vec<(&str, String)> = [
        "--gateway-port",
        "--catalog-port",
        "--inventory-port",
        "--sales-port",
        "--reports-port",
        "--admin-port",
    ]
    .into_iter()
    .map(|flag| (flag, free_port().to_string()))
    .collect();
    let with_data = || {
        let mut command = command(None);
        command.arg("--data-dir").arg(data.path());
        for (flag, port) in &ports {
            command.args([flag, port.as_str()]);
        }
        command
    };
    let flags: Vec<&str> = ports.iter().flat_map(|(f, p)| [*f, p.as_str()]).collect();
    let all = ["catalog", "inventory", "sales", "reports", "gateway", "admin"];
    let server = Server::start(with_data(), &flags, &all);
    let api = server.url("gateway");
    let client = crate::support::admin_client(&api).await;
    let create = |sku: &'static str| {
        let request = client
            .post(format!("{api}/api/v1/products"))
            .json(&product(sku, json!({})));
        async move { assert_eq!(request.send().await.unwrap().status(), StatusCode::CREATED) }
    };
    crate::support::stocked_product(&client, &api, "KEPT-1", 4).await;

    let backup = run(with_data().args(["backup", "--to"]).arg(&backup_dir));
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(
        text(&backup.stdout).contains("written to"),
        "{}",
        text(&backup.stdout)
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup_dir.join("manifest.json")).unwrap()).unwrap();
    let services: Vec<&str> = manifest["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["catalog", "inventory", "sales", "reports", "gateway"]);
    assert!(
        manifest["databases"][0]["migration"].as_i64().is_some(),
        "{manifest}"
    );
    let again = run(with_data().args(["backup", "--to"]).arg(&backup_dir));
    assert!(!again.status.success(), "a backup was written over another");

    create("AFTER-1").await;
    let refused = run(with_data().args(["restore", "--from"]).arg(&backup_dir));
    assert!(!refused.status.success(), "a restore ran under running services");
    assert!(
        text(&refused.stderr).contains("stop the running services"),
        "{}",
        text(&refused.stderr)
    );

    let (status, _) = server.terminate();
    assert!(status.success());
    let restored = run(with_data().args(["restore", "--from"]).arg(&backup_dir));
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let aside = std::fs::read_dir(data.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("replaced-"))
        .expect("the replaced files are kept");
    assert!(aside.path().join("catalog.db").exists());

    let server = Server::start(with_data(), &flags, &all);
    let api = server.url("gateway");
    let client = crate::support::admin_client(&api).await;
    let kept = client
        .get(format!("{api}/api/v1/products/KEPT-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), StatusCode::OK);
    let after = client
        .get(format!("{api}/api/v1/products/AFTER-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::NOT_FOUND,
        "made after the backup, so gone"
    );
    let stock: Value = client
        .get(format!("{api}/api/v1/inventory/KEPT-1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stock["totals"]["on_hand"], 4);
    let (status, _) = server.terminate();
    assert!(status.success());

    // On MySQL/MariaDB the server's own tools do it; the command says so.
    let mysql = run(command(None)
        .env("INVENTORY_DATABASE_URL", "mysql://shop@127.0.0.1:3306/shop")
        .args(["backup", "--to"])
        .arg(backups.path().join("mysql")));
    assert!(!mysql.status.success());
    assert!(
        text(&mysql.stderr).contains("mysqldump"),
        "{}",
        text(&mysql.stderr)
    );
}

/// A stand-in OpenTelemetry collector: takes OTLP/HTTP posts, keeps (path, body), answers 200.
async fn fake_collector() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                loop {
                    let mut request_line = String::new();
                    if stream.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let path = request_line
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        stream.read_line(&mut line).await.unwrap();
                        if line.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    stream.read_exact(&mut body).await.unwrap();
                    kept.lock().unwrap().push((path, body));
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    stream.get_mut().write_all(answer.as_bytes()).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

/// With `otlp_endpoint` set, the spans of a request reach the collector, named after the
/// service and carrying the request id; the last ones are flushed at shutdown.
// Several threads: the collector must keep answering while the test waits for the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_are_exported_over_otlp_when_a_collector_is_configured() {
    let (port, received) = fake_collector().await;
    let data = tempfile::tempdir().unwrap();
    let mut with_otlp = command(None);
    with_otlp
        .arg("--data-dir")
        .arg(data.path())
        .env("INVENTORY_OTLP_ENDPOINT", format!("http://127.0.0.1:{port}"));
    let server = Server::start(with_otlp, &["--target", "catalog"], &["catalog"]);
    let trace = format!("otlp-{}", uuid::Uuid::new_v4().simple());
    let answer = reqwest::Client::new()
        .get(format!("{}/health", server.url("catalog")))
        .header("x-request-id", &trace)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let (status, _) = server.terminate();
    assert!(status.success());
    let posts = received.lock().unwrap().clone();
    let contains = |body: &[u8], text: &str| body.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(
        posts
            .iter()
            .any(|(path, body)| path == "/v1/traces" && contains(body, &trace) && contains(body, "catalog")),
        "no span of the request reached the collector: {} posts to {:?}",
        posts.len(),
        posts.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
}

/// `health`, the containers' health check: 0 while the chosen services answer ready, 1 with
/// the reason once they are gone; the target comes from INVENTORY_TARGET as in the image.
#[tokio::test]
async fn the_health_command_tells_a_ready_service_from_a_gone_one() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port().to_string();
    let with_port = || {
        let mut command = command(None);
        command
            .arg("--data-dir")
            .arg(data.path())
            .args(["--catalog-port", &port]);
        command
    };
    let server = Server::start(
        with_port(),
        &["--target", "catalog", "--catalog-port", &port],
        &["catalog"],
    );
    let ready = run(with_port().env("INVENTORY_TARGET", "catalog").arg("health"));
    assert!(ready.status.success(), "{}", text(&ready.stderr));
    assert_eq!(text(&ready.stdout).trim(), "catalog: ready");
    let (status, _) = server.terminate();
    assert!(status.success());
    let gone = run(with_port().args(["health", "--target", "catalog"]));
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        text(&gone.stderr).contains("not ready: catalog"),
        "{}",
        text(&gone.stderr)
    );
}

/// The resident memory of process `pid`, in KiB.
fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("the process's status")
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// A burst of logins, each hashing with 19 MiB, leaves memory where it was: password hashing
/// runs on a couple of threads of its own that reuse their memory. (On tokio's blocking pool
/// the same burst left several hundred megabytes resident.)
#[tokio::test]
async fn a_burst_of_logins_leaves_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(None);
    cmd.arg("--data-dir").arg(dir.path());
    let server = Server::start(
        cmd,
        &[],
        &["catalog", "inventory", "sales", "reports", "gateway", "admin"],
    );
    let base = server.url("gateway");
    crate::support::login(&base, "admin", crate::support::ADMIN_PASSWORD).await;
    let before = resident_kib(server.child.id());
    for _ in 0..3 {
        let logins =
            (0..48).map(|_| crate::support::try_login(&base, "admin", crate::support::ADMIN_PASSWORD));
        for answer in futures::future::join_all(logins).await {
            assert_eq!(answer.status(), StatusCode::OK);
        }
    }
    let after = resident_kib(server.child.id());
    assert!(
        after < before + 40 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
    let (status, _) = server.terminate();
    assert!(status.success());
}

/// `name{labels} 0` is among the exported `lines`, whatever the labels' order.
fn exported_at_zero(lines: &str, name: &str, labels: &[(&str, &str)]) -> bool {
    lines.lines().any(|line| {
        let Some((series, value)) = line.rsplit_once(' ') else {
            return false;
        };
        let (series_name, series_labels) = series.split_once('{').unwrap_or((series, ""));
        series_name == name
            && value == "0"
            && labels
                .iter()
                .all(|(key, value)| series_labels.contains(&format!("{key}=\"{value}\"")))
    })
}

/// The series the alert rules and the dashboard count with `increase()` or `rate()` exist at 0
/// from start-up, so the first event after a restart counts (a series that appears with its
/// first increment hides that increment from `increase()`).
#[tokio::test]
async fn the_counters_alerts_watch_exist_at_zero_from_start_up() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let server = Server::start(
        command(Some(&backing)),
        &[],
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let exported = crate::support::metrics(&crate::support::service_client(), &server.url("catalog")).await;
    let expected: &[(&str, &[(&str, &str)])] = &[
        (
            "events_dead_lettered_total",
            &[("consumer", "inventory"), ("type", "SaleCreated")],
        ),
        (
            "events_dead_lettered_total",
            &[("consumer", "inventory"), ("type", "ProductUpdated")],
        ),
        (
            "events_failed_total",
            &[("consumer", "inventory"), ("type", "SaleUpdated")],
        ),
        (
            "events_consumed_total",
            &[
                ("consumer", "inventory"),
                ("type", "ProductCreated"),
                ("outcome", "applied"),
            ],
        ),
        (
            "events_published_total",
            &[("service", "sales"), ("type", "SaleCreated")],
        ),
        (
            "events_published_total",
            &[("service", "inventory"), ("type", "StockLevelWarning")],
        ),
        (
            "events_published_total",
            &[("service", "catalog"), ("type", "ProductArchived")],
        ),
        ("rate_limited_total", &[("scope", "address")]),
        ("rate_limited_total", &[("scope", "user or token")]),
        ("rate_limit_fallbacks_total", &[]),
        ("auth_logins_total", &[]),
        ("auth_login_failures_total", &[("attempt", "login")]),
        ("sales_recorded_total", &[("payment_method", "cash")]),
        ("sales_recorded_total", &[("payment_method", "card")]),
        ("sales_revenue_cents_total", &[]),
        (
            "cache_requests_total",
            &[("cache", "catalog_products"), ("result", "miss")],
        ),
    ];
    for (name, labels) in expected {
        assert!(
            exported_at_zero(&exported, name, labels),
            "{name} {labels:?} is not exported at 0:\n{exported}"
        );
    }
    let (status, _) = server.terminate();
    assert!(status.success());
}
