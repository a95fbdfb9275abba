//! The `inventory-tracker` executable as separate processes: a clean command line, a serving
//! process whose JSON log tells where it listens, and free ports to restart it on.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use super::Backing;

pub const BIN: &str = env!("CARGO_BIN_EXE_inventory-tracker");

/// A command with a clean environment: no `INVENTORY_*` from the developer's shell.
pub fn command(backing: Option<&Backing>) -> Command {
    let mut command = Command::new(BIN);
    for (key, _) in std::env::vars() {
        if key.starts_with("INVENTORY_") {
            command.env_remove(key);
        }
    }
    // Services in separate processes must share the secret; the first admin's password is
    // known so the tests can log in.
    command
        .env("INVENTORY_INTERNAL_SECRET", super::TEST_SECRET)
        .env("INVENTORY_ADMIN_PASSWORD", super::ADMIN_PASSWORD)
        .env("INVENTORY_RATE_LIMIT_PER_MINUTE", "0")
        .env("INVENTORY_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "0");
    if let Some(backing) = backing {
        command
            .arg("--data-dir")
            .arg(backing.data_dir.path())
            .env("INVENTORY_DATABASE_URL", &backing.db.url)
            .env("INVENTORY_REDIS_KEY_PREFIX", &backing.redis_prefix)
            .env("INVENTORY_EVENT_EXCHANGE", &backing.exchange)
            .env("INVENTORY_EVENT_QUEUE_EXPIRY_SECS", "60");
        if let Some(redis) = &backing.redis_url {
            command.env("INVENTORY_REDIS_URL", redis);
        }
        if let Some(amqp) = &backing.amqp_url {
            command.env("INVENTORY_AMQP_URL", amqp);
        }
    }
    command
}

/// A serving process and the addresses it logged.
pub struct Server {
    pub child: Child,
    pub addrs: BTreeMap<String, String>,
    /// What was logged up to the last "listening" line.
    pub startup: Vec<String>,
    pub lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `serve` on free ports and waits until `expected` services are listening.
    pub fn start(mut command: Command, extra: &[&str], expected: &[&str]) -> Server {
        command.args(["serve", "--log-format", "json"]);
        // Every port not chosen in `extra` is any free one.
        for flag in [
            "--gateway-port",
            "--catalog-port",
            "--inventory-port",
            "--sales-port",
            "--reports-port",
            "--admin-port",
        ] {
            if !extra.contains(&flag) {
                command.args([flag, "0"]);
            }
        }
        command
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("serve starts");
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut addrs = BTreeMap::new();
        let mut startup = Vec::new();
        while addrs.len() < expected.len() {
            let line = lines
                .recv_timeout(Duration::from_secs(30))
                .expect("the server logs where it listens");
            startup.push(line.clone());
            let log: Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("JSON log line: {line}"));
            if log["message"] == "listening" {
                addrs.insert(
                    log["service"].as_str().unwrap().to_owned(),
                    log["addr"].as_str().unwrap().to_owned(),
                );
            }
        }
        Server {
            child,
            addrs,
            startup,
            lines,
        }
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn url(&self, service: &str) -> String {
        format!("http://{}", self.addrs[service])
    }

    /// Sends SIGTERM and returns the exit status and what was logged meanwhile.
    pub fn terminate(self) -> (std::process::ExitStatus, Vec<String>) {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        self.terminate_wait()
    }

    /// Waits for the process to exit after a signal was sent: within the shutdown grace
    /// (`shutdown_grace_secs`, 20 s by default) and a margin; past it, fails with what the
    /// process logged meanwhile.
    pub fn terminate_wait(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let mut logged: Vec<String> = Vec::new();
        loop {
            logged.extend(self.lines.try_iter());
            if let Some(status) = self.child.try_wait().unwrap() {
                logged.extend(self.lines.try_iter());
                return (status, logged);
            }
            if std::time::Instant::now() > deadline {
                let tail = logged[logged.len().saturating_sub(40)..].join("\n");
                panic!("the process did not exit within 30 s of the signal; it logged:\n{tail}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every service its own process (or several: its replicas) on a fixed port of its own, as in
/// containers, so that any of them can be killed and started again in place while the others
/// keep their addresses. A service calls every replica of the services it needs.
pub struct Split<'a> {
    /// A fresh command line for a process (environment, backing).
    env: Box<dyn Fn() -> Command + 'a>,
    /// The port of each replica of each service.
    ports: BTreeMap<&'static str, Vec<String>>,
    servers: BTreeMap<(&'static str, usize), Server>,
}

impl<'a> Split<'a> {
    /// Starts `services` in order, each from a command made by `env`.
    pub fn start(env: impl Fn() -> Command + 'a, services: &[&'static str]) -> Split<'a> {
        Split::replicated(env, services, 1)
    }

    /// Starts `replicas` processes of each of `services`, in order.
    pub fn replicated(
        env: impl Fn() -> Command + 'a,
        services: &[&'static str],
        replicas: usize,
    ) -> Split<'a> {
        let mut split = Split {
            env: Box::new(env),
            ports: ["catalog", "inventory", "sales", "reports", "gateway", "admin"]
                .into_iter()
                .map(|s| {
                    (
                        s,
                        (0..replicas).map(|_| testkit::free_port().to_string()).collect(),
                    )
                })
                .collect(),
            servers: BTreeMap::new(),
        };
        for &service in services {
            for replica in 0..replicas {
                split.restart_replica(service, replica);
            }
        }
        split
    }

    /// The first replica's address.
    pub fn url(&self, service: &str) -> String {
        self.replica_url(service, 0)
    }

    pub fn replica_url(&self, service: &str, replica: usize) -> String {
        format!("http://127.0.0.1:{}", self.ports[service][replica])
    }

    /// Every replica's address, as a comma list (the form of `--<service>-url`).
    pub fn urls(&self, service: &str) -> String {
        let urls: Vec<String> = (0..self.ports[service].len())
            .map(|replica| self.replica_url(service, replica))
            .collect();
        urls.join(",")
    }

    /// The lines `service` logs, from the ones after its start-up on.
    pub fn lines(&self, service: &'static str) -> &mpsc::Receiver<String> {
        &self.servers[&(service, 0)].lines
    }

    /// Starts `service` (again), pointed at the others' fixed addresses.
    pub fn restart(&mut self, service: &'static str) {
        self.restart_replica(service, 0);
    }

    /// Starts replica `replica` of `service` (again).
    pub fn restart_replica(&mut self, service: &'static str, replica: usize) {
        let mut args = vec![
            "--target".to_owned(),
            service.to_owned(),
            format!("--{service}-port"),
            self.ports[service][replica].clone(),
        ];
        let upstreams: &[&str] = match service {
            "catalog" => &["inventory"],
            "inventory" => &["sales"],
            "sales" => &["catalog", "inventory"],
            "reports" => &["catalog", "inventory", "sales"],
            "gateway" => &["catalog", "inventory", "sales", "reports"],
            "admin" => &["gateway"],
            _ => &[],
        };
        for upstream in upstreams {
            args.push(format!("--{upstream}-url"));
            args.push(self.urls(upstream));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = Server::start((self.env)(), &args, &[service]);
        self.servers.insert((service, replica), server);
    }

    /// Kills `service` at once (SIGKILL), as a crash would.
    pub fn kill(&mut self, service: &'static str) {
        self.kill_replica(service, 0);
    }

    /// Kills replica `replica` of `service` at once (SIGKILL).
    pub fn kill_replica(&mut self, service: &'static str, replica: usize) {
        self.servers.remove(&(service, replica)).expect("running").kill();
    }

    /// Stops every service with SIGTERM, front doors first; fails unless each exits cleanly.
    pub fn terminate(mut self) {
        for service in ["admin", "gateway", "sales", "reports", "inventory", "catalog"] {
            for replica in 0..self.ports[service].len() {
                if let Some(server) = self.servers.remove(&(service, replica)) {
                    let (status, _) = server.terminate();
                    assert!(
                        status.success(),
                        "{service} {replica} did not stop cleanly: {status}"
                    );
                }
            }
        }
    }
}
