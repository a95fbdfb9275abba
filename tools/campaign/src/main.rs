//! A randomized fault campaign, in the manner of Jepsen: from one seed, K clients issue a
//! random mix of every write the API has (sales of 1–5 lines, voids, returns, restocks,
//! adjustments, counts, transfers) with idempotency keys and client retries against every
//! service running as replicas, while a nemesis from the same seed kills replicas, restarts
//! RabbitMQ, cuts Redis off and pauses MariaDB or drops its connections. Then everything is
//! healed, the system settles, and every invariant is checked: stock = ledger and never below
//! zero; each acknowledged operation took effect once, each refused one never, each unknown
//! one at most once; refunds within what was sold; no reservation, unpublished event or dead
//! letter left; the sales summary and the reports equal the sum of the sales.
//!
//! It prints the seed, the operations and faults counted, the anomalies, and the command that
//! replays the run (the same operations and faults in the same order; the timing differs).
//! Exit status 1 when an anomaly was found.
//!
//! Needs MariaDB, RabbitMQ (with `rabbitmqctl` on this machine) and Redis, as the tests do
//! (`INVENTORY_TEST_*_URL`), and the `inventory-tracker` binary. It stops and starts RabbitMQ
//! and pauses MariaDB: run it alone on the machine.
//!
//! # Layout
//! - [`deploy`]: the services as replica processes, the proxies in front of MariaDB and Redis.
//! - [`workload`]: the clients and their operations.
//! - [`nemesis`]: the faults.
//! - [`check`]: the invariants.

mod check;
mod deploy;
mod nemesis;
mod workload;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
#[command(about = "A randomized fault campaign against replicas of every service")]
struct Args {
    /// The run's seed: the same seed draws the same operations and faults (a random one when
    /// left out).
    #[arg(long)]
    seed: Option<u64>,
    /// How long the clients work and the nemesis strikes, in seconds.
    #[arg(long, default_value_t = 120)]
    duration: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 6)]
    clients: usize,
    /// Processes per service.
    #[arg(long, default_value_t = 2)]
    replicas: usize,
    /// No faults: the same load on a healthy system (a baseline).
    #[arg(long)]
    no_faults: bool,
    /// The inventory-tracker binary.
    #[arg(long, default_value = "target/release/inventory-tracker")]
    bin: PathBuf,
    /// Where the services' logs go (a fresh temporary folder by default; kept when an
    /// anomaly is found).
    #[arg(long)]
    logs: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    let seed = *args
        .seed
        .get_or_insert_with(|| (uuid::Uuid::new_v4().as_u128() % 1_000_000) as u64);
    anyhow::ensure!(
        args.bin.exists(),
        "no binary at {} (build it, or pass --bin)",
        args.bin.display()
    );
    let logs = match &args.logs {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => std::env::temp_dir().join(format!("campaign-{}-{}", seed, std::process::id())),
    };
    std::fs::create_dir_all(&logs)?;
    let replay = format!(
        "cargo run --release -p campaign -- --seed {} --duration {} --clients {} --replicas {}{} --bin {}",
        seed,
        args.duration,
        args.clients,
        args.replicas,
        if args.no_faults { " --no-faults" } else { "" },
        args.bin.display()
    );
    println!(
        "campaign: seed {}, {} s, {} clients, {} replicas of each service",
        seed, args.duration, args.clients, args.replicas
    );
    println!("logs: {}", logs.display());

    let _healer = nemesis::Healer;
    // Ctrl-C or SIGTERM during a fault must not leave MariaDB paused or RabbitMQ stopped.
    tokio::spawn(async {
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        nemesis::heal();
        eprintln!("campaign interrupted: MariaDB resumed and RabbitMQ started");
        std::process::exit(130);
    });
    let stack = deploy::Stack::new(&args.bin, &logs, args.replicas).await?;
    stack.start_all().await?;
    let gateways: Vec<String> = (0..args.replicas).map(|n| stack.url("gateway", n)).collect();
    let api = workload::Api::login(gateways, deploy::ADMIN_PASSWORD).await?;
    let supplier = workload::prepare(&api).await?;

    let until = Instant::now() + Duration::from_secs(args.duration);
    let clients = futures::future::join_all(
        (0..args.clients).map(|c| workload::client(&api, &supplier, seed, c, until)),
    );
    let faults = async {
        if args.no_faults {
            tokio::time::sleep_until(until.into()).await;
            Default::default()
        } else {
            nemesis::run(&stack, seed, until).await
        }
    };
    let (results, (faults, timeline)) = tokio::join!(clients, faults);
    let reads: usize = results.iter().map(|(_, reads)| reads).sum();
    let records: Vec<workload::Record> = results.into_iter().flat_map(|(records, _)| records).collect();

    // Heal: every replica running again, every proxy open (the nemesis undid its own faults).
    let mut anomalies = Vec::new();
    for (service, replica, status) in stack.exited() {
        anomalies.push(format!("{service} {replica} exited on its own: {status}"));
        stack.start(service, replica)?;
    }
    for service in deploy::SERVICES {
        for replica in 0..args.replicas {
            stack.wait_healthy(service, replica).await?;
        }
    }
    match workload::close_open_shifts(&api).await {
        Ok(0) => {}
        Ok(closed) => println!("closed {closed} shifts left open by operations whose outcome stayed unknown"),
        Err(e) => anomalies.push(e),
    }
    let db = stack.database.connect().await;
    match check::settle(&db, Duration::from_secs(60)).await {
        Ok(took) => println!("settled {took:.1?} after the load"),
        Err(e) => anomalies.push(e),
    }
    match check::invariants(&db, &api, &records).await {
        Ok(found) => anomalies.extend(found),
        Err(e) => anomalies.push(format!("the check itself failed: {e}")),
    }
    let unclean = stack.stop_all();
    anomalies.extend(
        unclean
            .into_iter()
            .map(|p| format!("did not stop cleanly on SIGTERM: {p}")),
    );
    stack.clean_up().await;

    println!("\nfaults:");
    for line in &timeline {
        println!("  {line}");
    }
    println!(
        "faults injected: {faults:?} ({} in all)",
        faults.values().sum::<usize>()
    );
    println!("operations ({} writes, {reads} reads):", records.len());
    for ((kind, outcome), count) in check::tally(&records) {
        println!("  {kind:?} {outcome}: {count}");
    }
    let retried = records.iter().filter(|r| !r.retried.is_empty()).count();
    println!("writes retried by their client: {retried}");
    // The history outlives the logs' temporary folder, which goes when nothing was found.
    let history = match &args.logs {
        Some(dir) => dir.join("history.jsonl"),
        None => std::env::temp_dir().join(format!("campaign-{seed}-{}-history.jsonl", std::process::id())),
    };
    let lines: Vec<String> = records.iter().map(|r| r.to_json().to_string()).collect();
    std::fs::write(&history, lines.join("\n") + "\n")?;
    println!("every write, its attempts and its answer: {}", history.display());
    println!("anomalies: {}", anomalies.len());
    for anomaly in &anomalies {
        println!("  {anomaly}");
    }
    println!("replay: {replay}");
    if anomalies.is_empty() {
        if args.logs.is_none() {
            let _ = std::fs::remove_dir_all(&logs);
        }
        Ok(())
    } else {
        println!("the services' logs are kept in {}", logs.display());
        std::process::exit(1);
    }
}
