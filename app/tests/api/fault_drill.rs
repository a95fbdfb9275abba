//! The full-stack fault drill, in production mode with every service its own process on
//! MariaDB, RabbitMQ and Redis. A steady mixed load (sales, restocks, reads) runs through the
//! gateway and the dashboard while each service is killed (SIGKILL) and restarted once, RabbitMQ is restarted and
//! Redis is unreachable for a while. Clients behave as the dashboard does: a request whose
//! outcome is unknown is retried with the same idempotency key until it gets an answer.
//!
//! Afterwards: no accepted request was lost or applied twice (the recorded sales are exactly
//! the accepted ones; every SKU's stock equals its ledger and equals restocks minus sales;
//! every sale has its movements), the outboxes are empty, nothing was dead-lettered, no stock
//! stays reserved, and every error the clients saw was a clean `problem+json` 502/503/504 or a
//! refused connection while the front door itself (gateway or dashboard) was down, never a hang.
//!
//! RabbitMQ is restarted for real (`rabbitmqctl stop_app` / `start_app`), so the drill holds
//! the exclusive claim on the shared servers: no other test runs beside it.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::process::{Split, command};
use crate::support::{Backing, Mode};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::Mutex;

const SKUS: [&str; 5] = ["DRILL-A", "DRILL-B", "DRILL-C", "DRILL-D", "DRILL-E"];
const INITIAL_STOCK: i64 = 400;
const WORKERS: usize = 6;
/// A request that takes longer than this is a hang: the gateway's own upstream timeout is 5 s.
const HANG: Duration = Duration::from_secs(15);

/// What the clients saw.
#[derive(Default, Debug)]
struct Tally {
    ok: u64,
    /// 502/503/504 answered as problem+json: the system said "not now", cleanly.
    clean_errors: BTreeMap<u16, u64>,
    /// Connections refused or broken: only acceptable while the gateway process is down.
    refused: u64,
    /// Anything else: 500s, errors without a problem body, unexpected 4xx, hangs.
    bad: Vec<String>,
    /// Sale idempotency key → the sale id every 201 for it carried.
    sales: BTreeMap<String, BTreeSet<String>>,
    /// Units per SKU of the accepted restocks.
    restocked: BTreeMap<String, i64>,
    /// Sales refused for lack of stock (a business answer).
    short: u64,
    /// The longest a client waited for an answer, retries included, and for what.
    longest: (Duration, String),
    /// Why attempts were retried, by kind: what the clients ran into.
    retried: BTreeMap<String, u64>,
}

struct Drill {
    api: String,
    /// The dashboard's origin: product searches go through it, as the browser's do.
    dashboard: String,
    client: Client,
    tally: Mutex<Tally>,
    stop: AtomicBool,
    /// Whether the gateway process is down right now (refused connections are expected).
    gateway_down: AtomicBool,
    /// Whether the dashboard process is down right now.
    dashboard_down: AtomicBool,
}

/// Which front door a request uses.
#[derive(Clone, Copy)]
enum Via {
    Gateway,
    Dashboard,
}

/// How one attempt ended.
enum Attempt {
    Done(StatusCode, Value),
    Retry,
}

impl Drill {
    /// Sends a request until it gets a definitive answer, the way a till retries: the same
    /// body and idempotency key each time.
    async fn until_answered(
        &self,
        method: reqwest::Method,
        via: Via,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (StatusCode, Value) {
        let started = Instant::now();
        let give_up = started + Duration::from_secs(120);
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.attempt(method.clone(), via, path, body, key).await {
                Attempt::Done(status, value) => {
                    let waited = started.elapsed();
                    let mut tally = self.tally.lock().await;
                    if waited > tally.longest.0 {
                        tally.longest = (waited, format!("{method} {path}"));
                    }
                    return (status, value);
                }
                Attempt::Retry => {
                    assert!(Instant::now() < give_up, "{method} {path} never got an answer");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    async fn attempt(
        &self,
        method: reqwest::Method,
        via: Via,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Attempt {
        let (base, front_door_down) = match via {
            Via::Gateway => (&self.api, &self.gateway_down),
            // Behind the dashboard the gateway is a hop further: while it is down the
            // dashboard answers 502, and in-flight requests may break with it.
            Via::Dashboard => (&self.dashboard, &self.dashboard_down),
        };
        let down = || {
            front_door_down.load(Ordering::SeqCst)
                || (matches!(via, Via::Dashboard) && self.gateway_down.load(Ordering::SeqCst))
        };
        let mut request = self
            .client
            .request(method.clone(), format!("{base}{path}"))
            .timeout(HANG);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                self.tally
                    .lock()
                    .await
                    .bad
                    .push(format!("{method} {path}: no answer in {:?}", started.elapsed()));
                return Attempt::Retry;
            }
            Err(e) => {
                // Refused, or broken mid-answer: fine only while the front door is down (no
                // load balancer in front of it here).
                let mut tally = self.tally.lock().await;
                if down() {
                    tally.refused += 1;
                } else {
                    tally.bad.push(format!("{method} {path}: {e}"));
                }
                return Attempt::Retry;
            }
        };
        let status = response.status();
        let problem = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"));
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => {
                let mut tally = self.tally.lock().await;
                if down() {
                    tally.refused += 1;
                } else {
                    tally
                        .bad
                        .push(format!("{method} {path}: {status}, body cut: {e}"));
                }
                return Attempt::Retry;
            }
        };
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let mut tally = self.tally.lock().await;
        match status.as_u16() {
            200..=299 => {
                tally.ok += 1;
                Attempt::Done(status, value)
            }
            502..=504 if problem => {
                *tally.clean_errors.entry(status.as_u16()).or_default() += 1;
                let slug = value["type"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit(':')
                    .next()
                    .unwrap_or_default();
                *tally.retried.entry(format!("{status} {slug}")).or_default() += 1;
                Attempt::Retry
            }
            // The same key's earlier attempt is still being recorded: ask again.
            409 if value["type"]
                .as_str()
                .is_some_and(|t| t.ends_with(":idempotency-key-in-use")) =>
            {
                *tally
                    .retried
                    .entry("409 idempotency-key-in-use".to_owned())
                    .or_default() += 1;
                Attempt::Retry
            }
            409 if value["type"]
                .as_str()
                .is_some_and(|t| t.ends_with(":insufficient-stock")) =>
            {
                tally.short += 1;
                Attempt::Done(status, value)
            }
            _ => {
                tally.bad.push(format!("{method} {path}: {status} {text}"));
                Attempt::Retry
            }
        }
    }

    async fn sell(&self, key: String, lines: Value) {
        let body = json!({"lines": lines, "payment_method": "card"});
        let (status, sale) = self
            .until_answered(
                reqwest::Method::POST,
                Via::Gateway,
                "/api/v1/sales",
                Some(&body),
                Some(&key),
            )
            .await;
        if status == StatusCode::CREATED {
            let id = sale["id"].as_str().expect("a sale id").to_owned();
            self.tally.lock().await.sales.entry(key).or_default().insert(id);
        }
    }

    async fn restock(&self, key: String, sku: &str, quantity: i64) {
        let body = json!({"quantity": quantity, "location": "main", "reference": key});
        let (status, _) = self
            .until_answered(
                reqwest::Method::POST,
                Via::Gateway,
                &format!("/api/v1/inventory/{sku}/restock"),
                Some(&body),
                Some(&key),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        *self
            .tally
            .lock()
            .await
            .restocked
            .entry(sku.to_owned())
            .or_default() += quantity;
    }

    async fn read(&self, via: Via, path: &str) {
        self.until_answered(reqwest::Method::GET, via, path, None, None)
            .await;
    }

    /// One client at the counter: sells mostly, restocks sometimes, reads in between.
    async fn worker(self: Arc<Self>, worker: usize) {
        let mut i = 0usize;
        while !self.stop.load(Ordering::SeqCst) {
            let pick = (worker * 7 + i * 13) % 20;
            let sku = SKUS[(worker + i) % SKUS.len()];
            let other = SKUS[(worker + i + 2) % SKUS.len()];
            let key = format!("drill-{worker}-{i}");
            match pick {
                0..=10 => {
                    self.sell(key, json!([{"sku": sku, "quantity": 1 + (i % 3) as i64}]))
                        .await
                }
                11..=13 => {
                    self.sell(
                        key,
                        json!([{"sku": sku, "quantity": 1}, {"sku": other, "quantity": 2}]),
                    )
                    .await
                }
                14..=15 => self.restock(key, sku, 5).await,
                16..=17 => self.read(Via::Gateway, &format!("/api/v1/inventory/{sku}")).await,
                _ => {
                    self.read(Via::Dashboard, &format!("/api/v1/products?q={sku}"))
                        .await
                }
            }
            i += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn rabbitmqctl(action: &str) {
    let status = Command::new("rabbitmqctl")
        .arg(action)
        .status()
        .expect("rabbitmqctl runs");
    assert!(status.success(), "rabbitmqctl {action} failed");
}

/// Restarts RabbitMQ's application even if the test fails half-way, so later tests find it.
struct BrokerGuard;

impl Drop for BrokerGuard {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").arg("start_app").status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_accepted_request_is_lost_or_applied_twice_through_crashes_and_outages() {
    let Some(backing) = Backing::exclusive(Mode::Production).await else {
        return;
    };
    // Restarting the broker needs its control tool on this machine (a broker in a container
    // elsewhere cannot be restarted from here): skip, or fail when servers are required.
    let control = Command::new("rabbitmqctl").arg("-q").arg("status").output();
    if let Err(reason) = control.as_ref().map_err(ToString::to_string).and_then(|out| {
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }) {
        testkit::unreachable("rabbitmqctl", "this machine", &reason);
        return;
    }
    let redis_target = backing
        .redis_url
        .as_deref()
        .expect("production mode has Redis")
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned();
    let redis_proxy = testkit::TcpProxy::start(&redis_target).await;
    let redis_url = format!("redis://127.0.0.1:{}", redis_proxy.port());
    let mut stack = Split::start(
        || {
            let mut command = command(Some(&backing));
            command
                .env("INVENTORY_REDIS_URL", &redis_url)
                .env("INVENTORY_RESERVATION_TTL_SECS", "3");
            command
        },
        &["catalog", "inventory", "sales", "reports", "gateway", "admin"],
    );
    let api = stack.url("gateway");
    let client = crate::support::admin_client(&api).await;
    for sku in SKUS {
        crate::support::stocked_product(&client, &api, sku, INITIAL_STOCK).await;
    }

    let drill = Arc::new(Drill {
        api: api.clone(),
        client: client.clone(),
        tally: Mutex::default(),
        stop: AtomicBool::new(false),
        gateway_down: AtomicBool::new(false),
        dashboard: stack.url("admin"),
        dashboard_down: AtomicBool::new(false),
    });
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(drill.clone().worker(w)))
        .collect();
    let _broker = BrokerGuard;
    let pause = |secs: u64| tokio::time::sleep(Duration::from_secs(secs));
    let mut timeline = Vec::new();
    let began = Instant::now();
    let mut note = |what: &str| timeline.push(format!("{:>5.1}s {what}", began.elapsed().as_secs_f64()));

    pause(4).await;
    for service in ["catalog", "inventory", "sales", "reports", "gateway", "admin"] {
        note(&format!("kill {service}"));
        let front_door = match service {
            "gateway" => Some(&drill.gateway_down),
            "admin" => Some(&drill.dashboard_down),
            _ => None,
        };
        if let Some(down) = front_door {
            down.store(true, Ordering::SeqCst);
        }
        stack.kill(service);
        pause(2).await;
        stack.restart(service);
        if let Some(down) = front_door {
            down.store(false, Ordering::SeqCst);
        }
        note(&format!("{service} restarted"));
        pause(4).await;
    }
    note("RabbitMQ stop_app");
    rabbitmqctl("stop_app");
    pause(3).await;
    rabbitmqctl("start_app");
    note("RabbitMQ started");
    pause(6).await;
    note("Redis cut");
    redis_proxy.cut();
    pause(6).await;
    redis_proxy.restore().await;
    note("Redis restored");
    pause(6).await;
    note("load stops");
    drill.stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.expect("a worker panicked");
    }
    note("every request answered");
    let tally = std::mem::take(&mut *drill.tally.lock().await);
    println!("timeline:\n{}", timeline.join("\n"));
    println!(
        "answers: {} ok, {} refused for lack of stock, clean errors {:?}, {} refused or broken connections, {} sales, {} restocked units",
        tally.ok,
        tally.short,
        tally.clean_errors,
        tally.refused,
        tally.sales.len(),
        tally.restocked.values().sum::<i64>()
    );
    println!("retried because of: {:?}", tally.retried);
    println!(
        "longest wait for an answer, retries included: {:?} ({})",
        tally.longest.0, tally.longest.1
    );

    // Every error was clean and nothing hung.
    assert!(tally.bad.is_empty(), "unclean answers or hangs: {:#?}", tally.bad);
    assert!(
        tally.sales.len() > 100,
        "the load was too light to prove anything"
    );
    for (key, ids) in &tally.sales {
        assert_eq!(ids.len(), 1, "{key} was answered with different sales: {ids:?}");
    }
    let accepted: BTreeSet<String> = tally.sales.values().flatten().cloned().collect();

    // The system settles: events delivered, reservations committed or released.
    let db = backing.db.connect().await;
    // One number from the database, for a SKU or for the whole.
    let scalar = |sql: &'static str, sku: Option<&'static str>| {
        let pool = db.pool().clone();
        async move {
            let mut query = sqlx::query_scalar::<_, i64>(sql);
            if let Some(sku) = sku {
                query = query.bind(sku);
            }
            query.fetch_one(&pool).await.expect(sql)
        }
    };
    // Settled: nothing left to publish or to apply. The consumers catch up at the pace this
    // machine allows (slower while other tests share it), so what fails the drill is a backlog
    // that stops shrinking for 30 s, not a slow one.
    let mut settled = false;
    let mut last = (i64::MAX, i64::MAX);
    let mut progress_at = Instant::now();
    while progress_at.elapsed() < Duration::from_secs(30) {
        let backlog = scalar("SELECT (SELECT COUNT(*) FROM catalog_outbox WHERE published_at IS NULL) + (SELECT COUNT(*) FROM inventory_outbox WHERE published_at IS NULL) + (SELECT COUNT(*) FROM sales_outbox WHERE published_at IS NULL)", None).await;
        let reserved = scalar(
            "SELECT CAST(COALESCE(SUM(reserved), 0) AS SIGNED) FROM inventory_levels",
            None,
        )
        .await;
        if backlog == 0 && reserved == 0 {
            settled = true;
            break;
        }
        if backlog < last.0 || reserved < last.1 {
            progress_at = Instant::now();
        }
        last = (last.0.min(backlog), last.1.min(reserved));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if !settled {
        let left: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT r.id, r.status, CAST(COALESCE(SUM(l.quantity), 0) AS SIGNED) \
             FROM inventory_reservations r JOIN inventory_reservation_lines l ON l.reservation_id = r.id \
             WHERE r.status IN ('pending', 'confirmed') GROUP BY r.id, r.status",
        )
        .fetch_all(db.pool())
        .await
        .expect("open reservations");
        let backlog = scalar("SELECT (SELECT COUNT(*) FROM catalog_outbox WHERE published_at IS NULL) + (SELECT COUNT(*) FROM inventory_outbox WHERE published_at IS NULL) + (SELECT COUNT(*) FROM sales_outbox WHERE published_at IS NULL)", None).await;
        let recorded: BTreeSet<String> = left
            .iter()
            .filter(|(id, _, _)| accepted.contains(id))
            .map(|(id, _, _)| id.clone())
            .collect();
        let dead: Vec<(String, String)> =
            sqlx::query_as("SELECT event_type, error FROM inventory_dead_letters")
                .fetch_all(db.pool())
                .await
                .expect("dead letters");
        panic!(
            "not settled, no progress for 30 s: {backlog} unpublished events; dead letters {dead:?}; \
             open reservations (id, status, units): {left:?}; of which answered as sales: {recorded:?}"
        );
    }
    assert_eq!(
        scalar("SELECT COUNT(*) FROM inventory_dead_letters", None).await,
        0,
        "events were dead-lettered"
    );

    // The recorded sales are exactly the accepted ones.
    let recorded: BTreeMap<String, Value> =
        crate::support::every_item(&client, &format!("{api}/api/v1/sales?limit=200"))
            .await
            .into_iter()
            .map(|sale| (sale["id"].as_str().unwrap().to_owned(), sale))
            .collect();
    let recorded_ids: BTreeSet<String> = recorded.keys().cloned().collect();
    assert_eq!(
        recorded_ids, accepted,
        "recorded sales differ from the accepted ones"
    );

    // The reports count every recorded sale once, though their process was killed too.
    let recorded_total: i64 = recorded
        .values()
        .map(|s| s["total_cents"].as_i64().unwrap())
        .sum();
    let reported = || async {
        let report: Value = client
            .get(format!("{api}/api/v1/reports/sales"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        report["totals"].clone()
    };
    // Like the settling above, what fails is a count that stops moving for 30 s: the reports'
    // consumer catches up at the pace this machine allows after the outages.
    let mut progress_at = Instant::now();
    let mut last_count = None;
    loop {
        let totals = reported().await;
        if totals["sales"] == recorded.len() && totals["total_cents"] == recorded_total {
            break;
        }
        if last_count.as_ref() != Some(&totals["sales"]) {
            progress_at = Instant::now();
            last_count = Some(totals["sales"].clone());
        }
        assert!(
            progress_at.elapsed() < Duration::from_secs(30),
            "the reports stopped short of every sale once: they count {} sales for {} cents, \
             the sales service recorded {} for {recorded_total}",
            totals["sales"],
            totals["total_cents"],
            recorded.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        scalar("SELECT COUNT(*) FROM reports_dead_letters", None).await,
        0,
        "the reports dead-lettered events"
    );

    // Stock = ledger = initial + restocks − sales, per SKU; every sale has its movements.
    let mut sold: BTreeMap<String, i64> = BTreeMap::new();
    for sale in recorded.values() {
        for line in sale["lines"].as_array().expect("lines") {
            *sold.entry(line["sku"].as_str().unwrap().to_owned()).or_default() +=
                line["quantity"].as_i64().unwrap();
        }
    }
    for sku in SKUS {
        let on_hand = scalar(
            "SELECT CAST(COALESCE(SUM(on_hand), 0) AS SIGNED) FROM inventory_levels WHERE sku = ?",
            Some(sku),
        )
        .await;
        let ledger = scalar(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS SIGNED) FROM inventory_movements WHERE sku = ?",
            Some(sku),
        )
        .await;
        let sold_in_ledger = scalar(
            "SELECT CAST(COALESCE(-SUM(quantity), 0) AS SIGNED) FROM inventory_movements \
             WHERE sku = ? AND kind = 'sale'",
            Some(sku),
        )
        .await;
        let restocked = tally.restocked.get(sku).copied().unwrap_or(0);
        let sold = sold.get(sku).copied().unwrap_or(0);
        assert_eq!(on_hand, ledger, "{sku}: stock differs from its ledger");
        assert_eq!(
            sold_in_ledger, sold,
            "{sku}: the ledger's sale movements differ from the recorded sales"
        );
        assert_eq!(
            on_hand,
            INITIAL_STOCK + restocked - sold,
            "{sku}: stock differs from initial + restocks − sales"
        );
    }
    let movements_per_sale: i64 = scalar(
        "SELECT COUNT(DISTINCT reference) FROM inventory_movements WHERE kind = 'sale'",
        None,
    )
    .await;
    assert_eq!(
        movements_per_sale as usize,
        accepted.len(),
        "a sale without movements"
    );

    stack.terminate();
}
