//! Drives realistic counter traffic through the gateway and reports throughput and latency
//! percentiles: sales of 1–5 lines over random SKUs from a catalog of `--products` products
//! (each with a unique `Idempotency-Key`), mixed with product reads.
//!
//! ```sh
//! cargo run --release -p loadgen -- --url http://127.0.0.1:8000 --concurrency 1,8,32 --seconds 15
//! ```
//!
//! A bounded tokio + reqwest loop rather than goose: goose is the slowest crate of the
//! ecosystem to build (~97 s here) and this tool needs no more than timed requests and
//! percentiles.

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
        "| concurrency | sales/s | sale p50 | sale p95 | sale p99 | reads/s | read p50 | read p95 | read p99 | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &concurrency in &args.concurrency {
        let samples = run(&client, &args, concurrency).await;
        let secs = args.seconds as f64;
        let (s, r) = (
            percentiles(samples.sales.clone()),
            percentiles(samples.reads.clone()),
        );
        println!(
            "| {concurrency} | {:.0} | {} | {} | {} | {:.0} | {} | {} | {} | {} (+{} refused) |",
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
        );
    }
    Ok(())
}

fn sku(i: usize) -> String {
    format!("LOAD-{i:05}")
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
                    let lines: Vec<_> = (0..=rng.below(5))
                        .map(|_| json!({"sku": sku(rng.below(products)), "quantity": 1 + rng.below(3)}))
                        .collect();
                    let sent = client
                        .post(format!("{url}/api/v1/sales"))
                        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                        .json(&json!({"lines": lines, "payment_method": "card"}))
                        .send()
                        .await;
                    match sent.map(|r| r.status()) {
                        Ok(s) if s == reqwest::StatusCode::CREATED => samples.sales.push(started.elapsed()),
                        Ok(s) if s.is_client_error() => samples.refused += 1,
                        _ => samples.errors += 1,
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
