//! Drives realistic counter traffic through the gateway and reports throughput and latency
//! percentiles: sales of 1–5 lines over random SKUs from a catalog of `--products` products
//! (each with a unique `Idempotency-Key`), mixed with product reads.
//!
//! After each run it waits for the inventory to follow the sales (every reservation turned
//! into a sale, `reserved` back to 0) and says how long that took after the load stopped, then
//! checks exactly-once: each product's on-hand went down by exactly the units of its
//! acknowledged sales. A failed check fails the run.
//!
//! ```sh
//! cargo run --release -p loadgen -- --url http://127.0.0.1:8000 --concurrency 1,8,32 --seconds 15
//! ```
//!
//! A bounded tokio + reqwest loop rather than goose: goose is the slowest crate of the
//! ecosystem to build (~97 s here) and this tool needs no more than timed requests and
//! percentiles.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::json;

#[derive(Parser, Debug)]
#[command(about = "Load test of inventory-tracker's counter through the gateway")]
struct Args {
    /// The gateway.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    url: String,
    /// Products to create (or reuse) and sell from.
    #[arg(long, default_value_t = 1000)]
    products: usize,
    /// Concurrent clients, one run per value.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    concurrency: Vec<usize>,
    /// Length of each run.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Percentage of requests that are sales; the rest read a product.
    #[arg(long, default_value_t = 50)]
    sales_percent: u32,
    /// A bearer token (a login session or an API token of a manager or admin).
    #[arg(long, env = "LOADGEN_TOKEN", hide_env_values = true)]
    token: String,
}

/// xorshift64*: enough randomness to pick SKUs and basket sizes, reproducible per client.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

#[derive(Default)]
struct Samples {
    sales: Vec<Duration>,
    reads: Vec<Duration>,
    errors: usize,
    refused: usize,
    /// Units of acknowledged sales, by product.
    sold: HashMap<usize, i64>,
    /// Units of sales whose answer never came: each may or may not have happened.
    unknown: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", args.token).parse()?,
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .default_headers(headers)
        .build()?;
    prepare(&client, &args).await?;
    println!(
        "| concurrency | sales/s | sale p50 | sale p95 | sale p99 | reads/s | read p50 | read p95 | read p99 | errors | reserved 0 after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for &concurrency in &args.concurrency {
        let before = stock(&client, &args.url).await?;
        let samples = run(&client, &args, concurrency).await;
        let stopped = Instant::now();
        let after = followed(&client, &args.url).await?;
        let drained = stopped.elapsed();
        check_exactly_once(&before, &after, &samples)?;
        let secs = args.seconds as f64;
        let (s, r) = (
            percentiles(samples.sales.clone()),
            percentiles(samples.reads.clone()),
        );
        println!(
            "| {concurrency} | {:.0} | {} | {} | {} | {:.0} | {} | {} | {} | {} (+{} refused) | {} |",
            samples.sales.len() as f64 / secs,
            ms(s.0),
            ms(s.1),
            ms(s.2),
            samples.reads.len() as f64 / secs,
            ms(r.0),
            ms(r.1),
            ms(r.2),
            samples.errors,
            samples.refused,
            ms(drained),
        );
    }
    Ok(())
}

fn sku(i: usize) -> String {
    format!("LOAD-{i:05}")
}

/// On-hand and reserved (all locations) of every load-test product, by SKU.
async fn stock(client: &reqwest::Client, url: &str) -> anyhow::Result<HashMap<String, (i64, i64)>> {
    let mut levels = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut page = client
            .get(format!("{url}/api/v1/inventory"))
            .query(&[("q", "LOAD-"), ("limit", "200")]);
        if let Some(cursor) = &cursor {
            page = page.query(&[("cursor", cursor)]);
        }
        let page: serde_json::Value = page.send().await?.error_for_status()?.json().await?;
        for item in page["items"].as_array().context("a page of stock")? {
            let total = |field: &str| item["totals"][field].as_i64().unwrap_or_default();
            let sku = item["sku"].as_str().context("a SKU")?.to_owned();
            levels.insert(sku, (total("on_hand"), total("reserved")));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(levels),
        }
    }
}

/// The stock once no reservation is left: the inventory has applied every sale's event.
async fn followed(client: &reqwest::Client, url: &str) -> anyhow::Result<HashMap<String, (i64, i64)>> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let levels = stock(client, url).await?;
        let reserved: i64 = levels.values().map(|&(_, reserved)| reserved).sum();
        if reserved == 0 {
            return Ok(levels);
        }
        if Instant::now() > deadline {
            bail!("{reserved} units still reserved two minutes after the load stopped");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every acknowledged sale took its units once; a sale without an answer took them at most
/// once.
fn check_exactly_once(
    before: &HashMap<String, (i64, i64)>,
    after: &HashMap<String, (i64, i64)>,
    samples: &Samples,
) -> anyhow::Result<()> {
    let sold: HashMap<String, i64> = samples.sold.iter().map(|(&i, &units)| (sku(i), units)).collect();
    let (mut missing, mut beyond) = (0, 0);
    for (sku, &(was, _)) in before {
        let gone = was - after.get(sku).map_or(was, |&(now, _)| now);
        let acknowledged = sold.get(sku).copied().unwrap_or_default();
        missing += (acknowledged - gone).max(0);
        beyond += (gone - acknowledged).max(0);
    }
    if missing > 0 || beyond > samples.unknown {
        bail!(
            "stock does not match the sales: {missing} units of acknowledged sales not taken, \
             {beyond} taken beyond them (at most {} could come from unanswered sales)",
            samples.unknown
        );
    }
    Ok(())
}

/// Creates the products that do not exist yet and gives each plenty of stock.
async fn prepare(client: &reqwest::Client, args: &Args) -> anyhow::Result<()> {
    let url = &args.url;
    let create = futures::stream::iter(0..args.products).map(|i| async move {
        let sku = sku(i);
        let exists = client.get(format!("{url}/api/v1/inventory/{sku}")).send().await?;
        if exists.status().is_success() {
            return Ok::<_, anyhow::Error>(());
        }
        let body = json!({"sku": sku, "name": format!("Load test part {i}"), "category": "Load",
                          "price_cents": 1_000 + (i as i64 % 50) * 100, "cost_cents": 500});
        let created = client
            .post(format!("{url}/api/v1/products"))
            .json(&body)
            .send()
            .await?;
        if !(created.status().is_success() || created.status() == reqwest::StatusCode::CONFLICT) {
            bail!("creating {sku}: {}", created.status());
        }
        // The inventory learns of the product by an event; restock once it has.
        for _ in 0..1200 {
            let restocked = client
                .post(format!("{url}/api/v1/inventory/{sku}/restock"))
                .json(&json!({"quantity": 1_000_000}))
                .send()
                .await?;
            if restocked.status().is_success() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the inventory never learned of {sku}")
    });
    use futures::StreamExt;
    let results: Vec<anyhow::Result<()>> = create.buffer_unordered(16).collect().await;
    for result in results {
        result.context("preparing the catalog")?;
    }
    Ok(())
}

async fn run(client: &reqwest::Client, args: &Args, concurrency: usize) -> Samples {
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..concurrency {
        let (client, url, stop) = (client.clone(), args.url.clone(), stop.clone());
        let (products, sales_percent) = (args.products, args.sales_percent as usize);
        clients.push(tokio::spawn(async move {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (c as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9));
            let mut samples = Samples::default();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                if rng.below(100) < sales_percent {
                    let basket: Vec<(usize, usize)> = (0..=rng.below(5))
                        .map(|_| (rng.below(products), 1 + rng.below(3)))
                        .collect();
                    let lines: Vec<_> = basket
                        .iter()
                        .map(|&(i, quantity)| json!({"sku": sku(i), "quantity": quantity}))
                        .collect();
                    let units: i64 = basket.iter().map(|&(_, q)| q as i64).sum();
                    let sent = client
                        .post(format!("{url}/api/v1/sales"))
                        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                        .json(&json!({"lines": lines, "payment_method": "card"}))
                        .send()
                        .await;
                    match sent.map(|r| r.status()) {
                        Ok(s) if s == reqwest::StatusCode::CREATED => {
                            samples.sales.push(started.elapsed());
                            for &(i, quantity) in &basket {
                                *samples.sold.entry(i).or_default() += quantity as i64;
                            }
                        }
                        Ok(s) if s.is_client_error() => samples.refused += 1,
                        _ => {
                            samples.errors += 1;
                            samples.unknown += units;
                        }
                    }
                } else {
                    let sent = client
                        .get(format!("{url}/api/v1/products/{}", sku(rng.below(products))))
                        .send()
                        .await;
                    match sent.map(|r| r.status().is_success()) {
                        Ok(true) => samples.reads.push(started.elapsed()),
                        _ => samples.errors += 1,
                    }
                }
            }
            samples
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Samples::default();
    for client in clients {
        if let Ok(s) = client.await {
            all.sales.extend(s.sales);
            all.reads.extend(s.reads);
            all.errors += s.errors;
            all.refused += s.refused;
            all.unknown += s.unknown;
            for (i, units) in s.sold {
                *all.sold.entry(i).or_default() += units;
            }
        }
    }
    all
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    if samples.is_empty() {
        return Default::default();
    }
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.95), at(0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}
