//! The split deployment the campaign runs against: every service as `replicas` processes of
//! the built binary, on a fresh MariaDB database reached through a TCP proxy (so the nemesis
//! can drop its connections), Redis through another, and the machine's RabbitMQ, each
//! service calling every replica of the services it needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use testkit::{TcpProxy, TestDatabase};

/// The services in start order (the dashboard is not needed: the clients use the API).
pub const SERVICES: [&str; 5] = ["catalog", "inventory", "sales", "reports", "gateway"];
pub const ADMIN_PASSWORD: &str = "campaign counter till 2026";

pub struct Stack {
    bin: PathBuf,
    dir: PathBuf,
    env: Vec<(String, String)>,
    ports: BTreeMap<&'static str, Vec<u16>>,
    children: Mutex<BTreeMap<(&'static str, usize), Child>>,
    pub database: TestDatabase,
    pub mysql: TcpProxy,
    pub redis: TcpProxy,
    pub amqp_url: String,
    pub exchange: String,
}

impl Stack {
    /// Prepares (but does not start) `replicas` processes of every service, logging to `dir`.
    pub async fn new(bin: &Path, dir: &Path, replicas: usize) -> anyhow::Result<Stack> {
        let database = TestDatabase::mysql().await.context("MariaDB is needed")?;
        let amqp_url = testkit::rabbitmq().await.context("RabbitMQ is needed")?;
        let redis_url = testkit::redis().await.context("Redis is needed")?;
        let address = |url: &str| {
            let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            host.split('/').next().unwrap_or(host).to_owned()
        };
        let mysql = TcpProxy::start(&address(&database.url)).await;
        let redis = TcpProxy::start(&address(&redis_url)).await;
        let database_name = database.url.rsplit('/').next().unwrap_or_default().to_owned();
        let exchange = testkit::unique_exchange("campaign");
        let secret: String =
            uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string();
        let env = vec![
            (
                "INVENTORY_DATABASE_URL".into(),
                format!("mysql://root@127.0.0.1:{}/{database_name}", mysql.port()),
            ),
            (
                "INVENTORY_REDIS_URL".into(),
                format!("redis://127.0.0.1:{}", redis.port()),
            ),
            (
                "INVENTORY_REDIS_KEY_PREFIX".into(),
                testkit::unique_prefix("campaign"),
            ),
            ("INVENTORY_AMQP_URL".into(), amqp_url.clone()),
            ("INVENTORY_EVENT_EXCHANGE".into(), exchange.clone()),
            ("INVENTORY_EVENT_QUEUE_EXPIRY_SECS".into(), "300".into()),
            ("INVENTORY_INTERNAL_SECRET".into(), secret),
            ("INVENTORY_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("INVENTORY_RATE_LIMIT_PER_MINUTE".into(), "0".into()),
            ("INVENTORY_RATE_LIMIT_PER_ADDRESS_PER_MINUTE".into(), "0".into()),
            ("INVENTORY_RESERVATION_TTL_SECS".into(), "5".into()),
            ("INVENTORY_SHUTDOWN_GRACE_SECS".into(), "5".into()),
            ("INVENTORY_DB_MAX_CONNECTIONS".into(), "6".into()),
            ("INVENTORY_LOG_FORMAT".into(), "json".into()),
        ];
        let ports = SERVICES
            .iter()
            .map(|&service| (service, (0..replicas).map(|_| testkit::free_port()).collect()))
            .collect();
        Ok(Stack {
            bin: bin.to_owned(),
            dir: dir.to_owned(),
            env,
            ports,
            children: Mutex::new(BTreeMap::new()),
            database,
            mysql,
            redis,
            amqp_url,
            exchange,
        })
    }

    pub fn replicas(&self) -> usize {
        self.ports["gateway"].len()
    }

    pub fn url(&self, service: &str, replica: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[service][replica])
    }

    fn urls(&self, service: &str) -> String {
        let urls: Vec<String> = (0..self.replicas()).map(|n| self.url(service, n)).collect();
        urls.join(",")
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        for (key, _) in std::env::vars() {
            if key.starts_with("INVENTORY_") {
                command.env_remove(key);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        for service in SERVICES {
            command.env(
                format!("INVENTORY_{}_URL", service.to_uppercase()),
                self.urls(service),
            );
        }
        command
    }

    /// Applies the migrations once, then starts every replica and waits until each answers.
    pub async fn start_all(&self) -> anyhow::Result<()> {
        let status = self.command().arg("migrate").stdout(Stdio::null()).status()?;
        anyhow::ensure!(status.success(), "migrate failed: {status}");
        for service in SERVICES {
            for replica in 0..self.replicas() {
                self.start(service, replica)?;
            }
        }
        for service in SERVICES {
            for replica in 0..self.replicas() {
                self.wait_healthy(service, replica).await?;
            }
        }
        Ok(())
    }

    /// Starts replica `replica` of `service` (again) on its port.
    pub fn start(&self, service: &'static str, replica: usize) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{service}-{replica}.log")))?;
        let data = self.dir.join(format!("data-{service}-{replica}"));
        std::fs::create_dir_all(&data)?;
        let child = self
            .command()
            .args(["serve", "--target", service])
            .env(
                format!("INVENTORY_{}_PORT", service.to_uppercase()),
                self.ports[service][replica].to_string(),
            )
            .env("INVENTORY_DATA_DIR", &data)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {service} {replica}"))?;
        self.children
            .lock()
            .expect("children")
            .insert((service, replica), child);
        Ok(())
    }

    pub async fn wait_healthy(&self, service: &str, replica: usize) -> anyhow::Result<()> {
        let url = format!("{}/health", self.url(service, replica));
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(answer) = client.get(&url).timeout(Duration::from_secs(1)).send().await
                && answer.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("{service} {replica} did not answer /health within 30 s")
    }

    /// Kills replica `replica` of `service` at once (SIGKILL), as a crash would; whether it was
    /// running.
    pub fn kill(&self, service: &'static str, replica: usize) -> bool {
        let child = self
            .children
            .lock()
            .expect("children")
            .remove(&(service, replica));
        match child {
            Some(mut child) => {
                let killed = child.kill().is_ok();
                let _ = child.wait();
                killed
            }
            None => false,
        }
    }

    /// The replicas that exited on their own (not killed by the nemesis), with their status.
    pub fn exited(&self) -> Vec<(&'static str, usize, String)> {
        let mut children = self.children.lock().expect("children");
        children
            .iter_mut()
            .filter_map(|(&(service, replica), child)| match child.try_wait() {
                Ok(Some(status)) => Some((service, replica, status.to_string())),
                _ => None,
            })
            .collect()
    }

    /// Stops every process with SIGTERM (SIGKILL after 30 s); returns the ones that did not
    /// exit cleanly.
    pub fn stop_all(&self) -> Vec<String> {
        let mut children = std::mem::take(&mut *self.children.lock().expect("children"));
        for child in children.values() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        let mut unclean = Vec::new();
        for ((service, replica), child) in children.iter_mut() {
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) if std::time::Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    _ => break None,
                }
            };
            match status {
                Some(status) if status.success() => {}
                other => {
                    let _ = child.kill();
                    unclean.push(format!("{service} {replica}: {other:?}"));
                }
            }
        }
        unclean
    }

    /// Deletes what the run left on RabbitMQ.
    pub async fn clean_up(&self) {
        // Whatever is missed here expires with INVENTORY_EVENT_QUEUE_EXPIRY_SECS.
        let queues: Vec<String> = ["inventory", "sales.inventory", "reports", "sales.reports"]
            .iter()
            .map(|q| format!("{}.{q}", self.exchange))
            .collect();
        testkit::rabbitmq_cleanup(&self.amqp_url, &self.exchange, &queues).await;
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for (_, mut child) in std::mem::take(&mut *self.children.lock().expect("children")) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
