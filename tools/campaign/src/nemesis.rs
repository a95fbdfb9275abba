//! The nemesis: from the run's seed, a fault every few seconds while the clients work — a
//! replica killed (SIGKILL) and started again, RabbitMQ restarted, Redis cut off, MariaDB
//! paused (SIGSTOP, then SIGCONT) or its connections dropped. Each fault is undone before the
//! next one starts, and [`Healer`] undoes whatever is left if the run stops half-way.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::deploy::{SERVICES, Stack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    KillReplica,
    RestartBroker,
    CutRedis,
    PauseDatabase,
    DropDatabaseConnections,
}

/// Sets the nemesis's draws apart from the clients' (which mix the client's number into the
/// same seed).
const STREAM: u64 = 0x4E45_4D45_5349_5300;

/// Injects faults until `until`; returns how many of each, and a timeline.
pub async fn run(stack: &Stack, seed: u64, until: Instant) -> (BTreeMap<Fault, usize>, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(seed ^ STREAM);
    let mut counts = BTreeMap::new();
    let mut timeline = Vec::new();
    let started = Instant::now();
    let mut note = |what: String| timeline.push(format!("{:>7.1}s {what}", started.elapsed().as_secs_f64()));
    let pause = |range: std::ops::RangeInclusive<u64>, rng: &mut StdRng| {
        Duration::from_millis(rng.random_range(range))
    };
    loop {
        let wait = pause(1_500..=4_000, &mut rng);
        if Instant::now() + wait >= until {
            break;
        }
        tokio::time::sleep(wait).await;
        let fault = match rng.random_range(0..100) {
            0..45 => Fault::KillReplica,
            45..55 => Fault::RestartBroker,
            55..70 => Fault::CutRedis,
            70..85 => Fault::PauseDatabase,
            _ => Fault::DropDatabaseConnections,
        };
        let injected = match fault {
            Fault::KillReplica => {
                let service = SERVICES[rng.random_range(0..SERVICES.len())];
                let replica = rng.random_range(0..stack.replicas());
                let down = pause(500..=4_000, &mut rng);
                note(format!("kill -9 {service} {replica} for {down:?}"));
                let killed = stack.kill(service, replica);
                tokio::time::sleep(down).await;
                if let Err(e) = stack.start(service, replica) {
                    note(format!("cannot start {service} {replica} again: {e}"));
                }
                killed
            }
            Fault::RestartBroker => {
                let down = pause(1_000..=4_000, &mut rng);
                note(format!("RabbitMQ stopped for {down:?}"));
                let stopped = rabbitmqctl("stop_app");
                tokio::time::sleep(down).await;
                rabbitmqctl("start_app") && stopped
            }
            Fault::CutRedis => {
                let down = pause(1_000..=6_000, &mut rng);
                note(format!("Redis cut off for {down:?}"));
                stack.redis.cut();
                tokio::time::sleep(down).await;
                stack.redis.restore().await;
                true
            }
            Fault::PauseDatabase => {
                let down = pause(500..=3_000, &mut rng);
                note(format!("MariaDB paused for {down:?}"));
                let paused = signal_database("-STOP");
                tokio::time::sleep(down).await;
                signal_database("-CONT") && paused
            }
            Fault::DropDatabaseConnections => {
                note("MariaDB connections dropped".to_owned());
                stack.mysql.cut();
                stack.mysql.restore().await;
                true
            }
        };
        if injected {
            *counts.entry(fault).or_default() += 1;
        } else {
            note(format!(
                "{fault:?} could NOT be injected (see the tools' errors above); not counted"
            ));
        }
    }
    (counts, timeline)
}

/// Whether `rabbitmqctl <action>` succeeded.
fn rabbitmqctl(action: &str) -> bool {
    Command::new("rabbitmqctl")
        .args(["-q", action])
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `signal` reached the local `mariadbd` (or `mysqld`).
fn signal_database(signal: &str) -> bool {
    ["mariadbd", "mysqld"].iter().any(|name| {
        Command::new("pkill")
            .args([signal, "-x", name])
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Undoes the faults that outlive the campaign's process: MariaDB resumed, RabbitMQ started.
/// (The proxies go with the process; killed replicas are started again before the checks.)
pub fn heal() {
    signal_database("-CONT");
    rabbitmqctl("start_app");
}

/// Heals when dropped, whether the run ends, fails or panics.
pub struct Healer;

impl Drop for Healer {
    fn drop(&mut self) {
        heal();
    }
}
