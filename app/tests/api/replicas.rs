//! Two replicas of every service, each its own process, on MariaDB, RabbitMQ and Redis: the
//! services keep no state of their own, so the shop goes on selling while any one replica is
//! killed (SIGKILL), the live event stream resumes on the other gateway, and afterwards every
//! sale was recorded once with the stock, the ledger and the reports agreeing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::support::process::{Split, command};
use crate::support::{Backing, Mode, SseReader};

const SKUS: [&str; 4] = ["REPL-A", "REPL-B", "REPL-C", "REPL-D"];
const STOCK: i64 = 2_000;
const WORKERS: usize = 4;

/// One sale as a till at the counter saw it.
struct Rung {
    started: Instant,
    finished: Instant,
    /// The first answer any gateway gave (refused connections to a dead gateway skipped, as a
    /// load balancer skips it).
    first: StatusCode,
    /// The sale id of the 201 it ended with.
    sale: Option<String>,
}

/// Sells `lines` with `key` until a gateway answers 201 or 409, trying the gateways in turn
/// from `first`, the same key each time.
async fn sell(client: &Client, gateways: &[String; 2], first: usize, key: &str, lines: &Value) -> Rung {
    let started = Instant::now();
    let mut first_answer = None;
    let mut attempt = first;
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{key} never got an answer"
        );
        let gateway = &gateways[attempt % 2];
        attempt += 1;
        let answer = client
            .post(format!("{gateway}/api/v1/sales"))
            .header("Idempotency-Key", key)
            .json(&json!({"lines": lines, "payment_method": "card"}))
            .timeout(Duration::from_secs(15))
            .send()
            .await;
        let Ok(answer) = answer else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let status = answer.status();
        first_answer.get_or_insert(status);
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        match status {
            StatusCode::CREATED => {
                return Rung {
                    started,
                    finished: Instant::now(),
                    first: first_answer.expect("answered"),
                    sale: body["id"].as_str().map(str::to_owned),
                };
            }
            StatusCode::CONFLICT
                if body["type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with(":insufficient-stock")) =>
            {
                return Rung {
                    started,
                    finished: Instant::now(),
                    first: first_answer.expect("answered"),
                    sale: None,
                };
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_shop_keeps_selling_while_any_one_replica_is_down() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let mut stack = Split::replicated(
        || {
            let mut command = command(Some(&backing));
            command.env("INVENTORY_RESERVATION_TTL_SECS", "3");
            command
        },
        &["catalog", "inventory", "sales", "reports", "gateway"],
        2,
    );
    let gateways = [stack.replica_url("gateway", 0), stack.replica_url("gateway", 1)];
    // One login: the session lives in the shared database, so both gateways accept it.
    let client = crate::support::admin_client(&gateways[0]).await;
    for sku in SKUS {
        crate::support::stocked_product(&client, &gateways[0], sku, STOCK).await;
    }

    // The live stream, left on one gateway and resumed on the other.
    let mut stream = SseReader::open(&client, &gateways[0], None).await;
    let first = sell(
        &client,
        &gateways,
        0,
        "repl-stream-1",
        &json!([{"sku": "REPL-A", "quantity": 1}]),
    )
    .await;
    let last_id = loop {
        let event = stream
            .next(Duration::from_secs(10))
            .await
            .expect("an event on gateway 0");
        if event.event == "SaleCreated" && event.data["data"]["sale_id"] == first.sale.as_deref().unwrap() {
            break event.id.expect("an id to resume from");
        }
    };
    drop(stream);
    // Both gateways hear every event; give the other one a moment to hear this one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut resumed = SseReader::open(&client, &gateways[1], Some(&last_id)).await;
    let second = sell(
        &client,
        &gateways,
        1,
        "repl-stream-2",
        &json!([{"sku": "REPL-A", "quantity": 1}]),
    )
    .await;
    loop {
        let event = resumed
            .next(Duration::from_secs(10))
            .await
            .expect("the resumed stream goes on on gateway 1");
        assert_ne!(
            event.event, "resync",
            "gateway 1 did not resume gateway 0's stream"
        );
        if event.event == "SaleCreated" && event.data["data"]["sale_id"] == second.sale.as_deref().unwrap() {
            break;
        }
    }
    drop(resumed);

    // The counter under load while one replica at a time is killed and started again.
    let rungs = Arc::new(Mutex::new(vec![first, second]));
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let (client, gateways, rungs, stop, counter) = (
                client.clone(),
                gateways.clone(),
                rungs.clone(),
                stop.clone(),
                counter.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let lines = json!([
                        {"sku": SKUS[n % SKUS.len()], "quantity": 1 + (n % 2) as i64},
                        {"sku": SKUS[(n + 1) % SKUS.len()], "quantity": 1},
                    ]);
                    let rung = sell(&client, &gateways, worker + n, &format!("repl-{n}"), &lines).await;
                    rungs.lock().await.push(rung);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    let mut windows = Vec::new();
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (service, replica) in [
        ("sales", 0),
        ("inventory", 1),
        ("catalog", 0),
        ("reports", 1),
        ("gateway", 1),
    ] {
        stack.kill_replica(service, replica);
        let killed = Instant::now();
        tokio::time::sleep(Duration::from_secs(4)).await;
        windows.push((format!("{service} {replica}"), killed, Instant::now()));
        stack.restart_replica(service, replica);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.expect("a till panicked");
    }
    let rungs = std::mem::take(&mut *rungs.lock().await);

    // While a replica was down, the sales begun a moment after it died were answered at once:
    // the other replica took them.
    for (what, killed, restarted) in &windows {
        let during: Vec<&Rung> = rungs
            .iter()
            .filter(|r| r.started >= *killed + Duration::from_secs(1) && r.finished <= *restarted)
            .collect();
        let refused: Vec<StatusCode> = during
            .iter()
            .map(|r| r.first)
            .filter(|s| !(s.is_success() || *s == StatusCode::CONFLICT))
            .collect();
        println!(
            "{what} down: {} sales answered, first answers not 2xx/409: {refused:?}",
            during.len()
        );
        assert!(!during.is_empty(), "no sale was answered while {what} was down");
        assert!(
            refused.is_empty(),
            "with {what} down, sales were refused: {refused:?}"
        );
    }

    let accepted: BTreeSet<String> = rungs.iter().filter_map(|r| r.sale.clone()).collect();
    assert!(
        accepted.len() > 100,
        "too light a load to prove anything: {}",
        accepted.len()
    );
    settled(&backing).await;
    let db = backing.db.connect().await;
    let scalar = |sql: &'static str| {
        let pool = db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect(sql)
        }
    };
    assert_eq!(scalar("SELECT COUNT(*) FROM inventory_dead_letters").await, 0);
    assert_eq!(scalar("SELECT COUNT(*) FROM reports_dead_letters").await, 0);

    // Every accepted sale is recorded once, and nothing else is.
    let recorded =
        crate::support::every_item(&client, &format!("{}/api/v1/sales?limit=200", gateways[0])).await;
    let recorded_ids: BTreeSet<String> = recorded
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recorded.len(), recorded_ids.len());
    assert_eq!(
        recorded_ids, accepted,
        "the recorded sales differ from the accepted ones"
    );

    // Stock = ledger = stocked − sold, per SKU.
    let mut sold: BTreeMap<String, i64> = BTreeMap::new();
    for sale in &recorded {
        for line in sale["lines"].as_array().unwrap() {
            *sold.entry(line["sku"].as_str().unwrap().to_owned()).or_default() +=
                line["quantity"].as_i64().unwrap();
        }
    }
    for sku in SKUS {
        let level = |sql: &'static str| {
            let pool = db.pool().clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .bind(sku)
                    .fetch_one(&pool)
                    .await
                    .expect(sql)
            }
        };
        let on_hand =
            level("SELECT CAST(COALESCE(SUM(on_hand), 0) AS SIGNED) FROM inventory_levels WHERE sku = ?")
                .await;
        let ledger =
            level("SELECT CAST(COALESCE(SUM(quantity), 0) AS SIGNED) FROM inventory_movements WHERE sku = ?")
                .await;
        assert_eq!(on_hand, ledger, "{sku}: stock differs from its ledger");
        assert_eq!(
            on_hand,
            STOCK - sold.get(sku).copied().unwrap_or(0),
            "{sku}: stock is not stocked − sold"
        );
    }

    // The reports count every sale once.
    let total: i64 = recorded.iter().map(|s| s["total_cents"].as_i64().unwrap()).sum();
    testkit::eventually(
        "the reports count every sale once",
        Duration::from_secs(30),
        || async {
            let answer = client
                .get(format!("{}/api/v1/reports/sales", gateways[1]))
                .send()
                .await;
            let report = crate::support::ok_json(answer.unwrap()).await;
            report["totals"]["sales"] == recorded.len() && report["totals"]["total_cents"] == total
        },
    )
    .await;
    stack.terminate();
}

/// Waits until nothing is left to publish and no stock is held for a sale: a backlog that
/// stops shrinking for 30 s fails (a killed relay's lease takes 15 s to pass to the other).
async fn settled(backing: &Backing) {
    let db = backing.db.connect().await;
    let left = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT COUNT(*) FROM catalog_outbox WHERE published_at IS NULL) \
             + (SELECT COUNT(*) FROM inventory_outbox WHERE published_at IS NULL) \
             + (SELECT COUNT(*) FROM sales_outbox WHERE published_at IS NULL) \
             + (SELECT CAST(COALESCE(SUM(reserved), 0) AS SIGNED) FROM inventory_levels)",
        )
        .fetch_one(db.pool())
        .await
        .expect("backlog")
    };
    let mut least = i64::MAX;
    let mut progress = Instant::now();
    loop {
        let now = left().await;
        if now == 0 {
            return;
        }
        if now < least {
            least = now;
            progress = Instant::now();
        }
        assert!(
            progress.elapsed() < Duration::from_secs(30),
            "not settled: {now} events or units left"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
