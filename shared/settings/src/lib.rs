//! Configuration of every inventory-tracker service.
//!
//! Values are layered, later layers winning: built-in defaults, an optional TOML file,
//! environment variables named `INVENTORY_<KEY>` (e.g. `INVENTORY_CATALOG_PORT`), then
//! command-line flags. Keys are flat so that the TOML key, the environment variable and the
//! flag are obviously the same setting.
//!
//! Invalid configuration is one [`ConfigError`] whose message names the offending key. URLs
//! that may carry credentials are [`SecretString`]s, so `Debug` output (and therefore any log
//! line that prints the settings) never shows them; use [`redact_url`] to log where a service
//! connects.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Prefix of every environment variable read by [`Settings::load`].
pub const ENV_PREFIX: &str = "INVENTORY_";

/// Environment variables with the prefix that are not settings keys.
const ENV_NOT_SETTINGS: &[&str] = &["config", "target"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Coloured, one line per event: for a person at a terminal.
    #[default]
    Human,
    /// One JSON object per line: for log shippers.
    Json,
}

/// The kind of RabbitMQ queue the services' event queues (and their dead-letter queues) are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventQueueType {
    /// A classic queue: on one node, for a single RabbitMQ server.
    #[default]
    Classic,
    /// A quorum queue: replicated across a RabbitMQ cluster's nodes (Raft), surviving the loss
    /// of a minority of them.
    Quorum,
}

/// Every setting of every service; a process reads only the ones its targets need.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the embedded default keeps its SQLite files.
    pub data_dir: PathBuf,
    /// Address every listener binds. Loopback by default so that nothing is exposed to the
    /// network until the operator decides so (containers set `0.0.0.0`).
    pub host: IpAddr,
    pub gateway_port: u16,
    pub catalog_port: u16,
    pub inventory_port: u16,
    pub sales_port: u16,
    pub reports_port: u16,
    pub admin_port: u16,
    /// Default database of every service: `sqlite://…` or `mysql://…`. Unset means one SQLite
    /// file per service under `data_dir`.
    pub database_url: Option<SecretString>,
    /// Overrides `database_url` for the catalog service.
    pub catalog_database_url: Option<SecretString>,
    /// Overrides `database_url` for the inventory service.
    pub inventory_database_url: Option<SecretString>,
    /// Overrides `database_url` for the sales service.
    pub sales_database_url: Option<SecretString>,
    /// Overrides `database_url` for the reporting service.
    pub reports_database_url: Option<SecretString>,
    /// Overrides `database_url` for the gateway (users, sessions, API tokens).
    pub gateway_database_url: Option<SecretString>,
    /// The secret the gateway signs callers' identities with and the services check them
    /// with: the same value for every process of an installation, at least 32 characters.
    /// Unset is allowed only when one process runs every service (a random one is made).
    pub internal_secret: Option<SecretString>,
    /// Password of the `admin` user created on first start (when no user exists). Unset: a
    /// random one-time password is printed once in the log and must be changed at first login.
    pub admin_password: Option<SecretString>,
    /// If set, `/metrics` requires `Authorization: Bearer <metrics_token>`.
    pub metrics_token: Option<SecretString>,
    /// How long a login session (cookie or bearer token from login) lasts.
    pub session_ttl_secs: u64,
    /// Failed logins for one username before it is locked for `login_lockout_secs`.
    pub login_max_failures: u32,
    /// Failed logins from one client address before that address is locked out.
    pub login_address_max_failures: u32,
    pub login_lockout_secs: u64,
    /// Requests per minute one user or API token may make; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Requests per minute one client address may make; 0 turns the limit off.
    pub rate_limit_per_address_per_minute: u32,
    /// Origins allowed to call the API from a browser (CORS), e.g. `https://shop.example`.
    /// Empty: no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
    /// Mark session cookies `Secure`. Also done for requests that arrive with
    /// `X-Forwarded-Proto: https` from a TLS-terminating proxy.
    pub secure_cookies: bool,
    /// Seconds between heartbeats on the live event stream.
    pub stream_heartbeat_secs: u64,
    /// How many recent events the gateway keeps so a reconnecting client can resume.
    pub stream_replay_events: usize,
    /// How long stock reserved for a sale is held if the sale never commits.
    pub reservation_ttl_secs: u64,
    /// The largest discount a sale line may get, in percent of its price.
    pub max_discount_percent: u32,
    /// `amqp://…` carries events between services over RabbitMQ. Unset means the in-process
    /// bus, which connects only the services running in the same process.
    pub amqp_url: Option<SecretString>,
    /// The RabbitMQ topic exchange every event is published to.
    pub event_exchange: String,
    /// How often a consumer tries an event that keeps failing before dead-lettering it.
    pub consumer_max_attempts: u32,
    /// If set, RabbitMQ deletes this installation's queues after they had no consumer for
    /// this many seconds. For throwaway installations (tests); unset for a shop.
    pub event_queue_expiry_secs: Option<u64>,
    /// `quorum` declares the event queues as quorum queues, for a RabbitMQ cluster. A queue
    /// keeps the type it was declared with: choose before the first start, or drain and
    /// delete the queues before switching.
    pub event_queue_type: EventQueueType,
    /// `redis://…` switches the catalog cache from in-process to Redis.
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key, so several installations can share one Redis.
    pub redis_key_prefix: String,
    /// Where the other services reach the catalog: a base URL, or a comma list of its
    /// replicas' (calls go to them in turn). Unset means this host's `catalog_port`.
    pub catalog_url: Option<String>,
    /// Where the other services reach the inventory service (one URL, or its replicas' as a
    /// comma list). Unset means this host's `inventory_port`.
    pub inventory_url: Option<String>,
    /// Where the other services reach the sales service (one URL, or its replicas' as a comma
    /// list). Unset means this host's `sales_port`.
    pub sales_url: Option<String>,
    /// Where the gateway reaches the reporting service (one URL, or its replicas' as a comma
    /// list). Unset means this host's `reports_port`.
    pub reports_url: Option<String>,
    /// Where the admin dashboard reaches the gateway (one URL, or its replicas' as a comma
    /// list). Unset means this host's `gateway_port`.
    pub gateway_url: Option<String>,
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info` or `info,sqlx=warn`.
    pub log_level: String,
    /// An OpenTelemetry collector's OTLP/HTTP address (e.g. `http://collector:4318`): spans
    /// are exported to `<it>/v1/traces`. Unset means no export.
    pub otlp_endpoint: Option<String>,
    pub cache_ttl_secs: u64,
    pub cache_capacity: u64,
    pub upstream_timeout_ms: u64,
    pub max_body_bytes: usize,
    pub db_max_connections: u32,
    /// How long shutdown waits for in-flight requests before giving up.
    pub shutdown_grace_secs: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("./data"),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            gateway_port: 8000,
            catalog_port: 8001,
            inventory_port: 8002,
            sales_port: 8003,
            reports_port: 8004,
            admin_port: 3000,
            database_url: None,
            catalog_database_url: None,
            inventory_database_url: None,
            sales_database_url: None,
            reports_database_url: None,
            gateway_database_url: None,
            internal_secret: None,
            admin_password: None,
            metrics_token: None,
            session_ttl_secs: 12 * 3600,
            login_max_failures: 5,
            login_address_max_failures: 25,
            login_lockout_secs: 15 * 60,
            rate_limit_per_minute: 1200,
            rate_limit_per_address_per_minute: 3000,
            cors_allowed_origins: Vec::new(),
            secure_cookies: false,
            stream_heartbeat_secs: 15,
            stream_replay_events: 1000,
            reservation_ttl_secs: 60,
            max_discount_percent: 20,
            amqp_url: None,
            event_exchange: "inventory-tracker.events".to_owned(),
            consumer_max_attempts: 5,
            event_queue_expiry_secs: None,
            event_queue_type: EventQueueType::Classic,
            redis_url: None,
            redis_key_prefix: "inventory-tracker".to_owned(),
            catalog_url: None,
            inventory_url: None,
            sales_url: None,
            reports_url: None,
            gateway_url: None,
            log_format: LogFormat::Human,
            log_level: "info".to_owned(),
            otlp_endpoint: None,
            cache_ttl_secs: 60,
            cache_capacity: 10_000,
            upstream_timeout_ms: 5_000,
            max_body_bytes: 256 * 1024,
            db_max_connections: 16,
            shutdown_grace_secs: 20,
        }
    }
}

/// Values given as command-line flags; `None` leaves the lower layers' value in place.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<IpAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sales_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sales_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amqp_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value could not be read (wrong type, unknown key, unreadable file). The message names
    /// each key and where its value came from.
    #[error("invalid configuration: {0}")]
    Parse(String),
    #[error("invalid configuration: {key} (environment variable {env}): {reason}")]
    Invalid {
        key: &'static str,
        env: String,
        reason: String,
    },
    #[error("invalid configuration: config file {path}: file not found")]
    MissingFile { path: PathBuf },
}

impl ConfigError {
    fn invalid(key: &'static str, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key,
            env: format!("{ENV_PREFIX}{}", key.to_uppercase()),
            reason: reason.into(),
        }
    }
}

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    MySql,
}

impl Settings {
    /// Reads defaults, then `file` (if given; it must exist), then the environment, then `flags`.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> Result<Settings, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile {
                    path: path.to_owned(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment
            .merge(
                Env::prefixed(ENV_PREFIX)
                    .filter(|key| !is_reserved_env_key(key.as_str()))
                    .lowercase(true),
            )
            .merge(Serialized::defaults(flags));
        let mut settings: Settings = figment.extract().map_err(|e| ConfigError::Parse(describe(e)))?;
        settings.forget_empty_secrets();
        settings.validate()?;
        Ok(settings)
    }

    /// An empty secret is an unset one: compose files pass `${VAR:-}`, and an empty metrics
    /// token would otherwise lock `/metrics` for everyone, an empty admin password stop the
    /// first start.
    fn forget_empty_secrets(&mut self) {
        for secret in [
            &mut self.internal_secret,
            &mut self.admin_password,
            &mut self.metrics_token,
        ] {
            if secret
                .as_ref()
                .is_some_and(|s| s.expose_secret().trim().is_empty())
            {
                *secret = None;
            }
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for (key, url) in [
            ("database_url", &self.database_url),
            ("catalog_database_url", &self.catalog_database_url),
            ("inventory_database_url", &self.inventory_database_url),
            ("sales_database_url", &self.sales_database_url),
            ("reports_database_url", &self.reports_database_url),
            ("gateway_database_url", &self.gateway_database_url),
        ] {
            if let Some(url) = url {
                database_kind(url.expose_secret()).map_err(|reason| ConfigError::invalid(key, reason))?;
            }
        }
        if let Some(url) = &self.redis_url {
            let url = url.expose_secret();
            if !url.starts_with("redis://") {
                return Err(ConfigError::invalid(
                    "redis_url",
                    format!("expected a redis:// URL, got {}", redact_url(url)),
                ));
            }
        }
        if let Some(url) = &self.amqp_url {
            let url = url.expose_secret();
            if !(url.starts_with("amqp://") || url.starts_with("amqps://")) {
                return Err(ConfigError::invalid(
                    "amqp_url",
                    format!("expected an amqp:// URL, got {}", redact_url(url)),
                ));
            }
        }
        // The services' addresses may list several replicas, separated by commas.
        for (key, list, example) in [
            ("catalog_url", &self.catalog_url, "http://catalog:8001"),
            ("inventory_url", &self.inventory_url, "http://inventory:8002"),
            ("sales_url", &self.sales_url, "http://sales:8003"),
            ("reports_url", &self.reports_url, "http://reports:8004"),
            ("gateway_url", &self.gateway_url, "http://gateway:8000"),
        ] {
            if let Some(list) = list {
                let urls: Vec<&str> = list.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
                if urls.is_empty() || urls.iter().any(|url| !is_http_url(url)) {
                    return Err(ConfigError::invalid(
                        key,
                        format!("expected http:// URLs separated by commas, such as {example}, got {list:?}"),
                    ));
                }
            }
        }
        if let Some(url) = &self.otlp_endpoint
            && !is_http_url(url)
        {
            return Err(ConfigError::invalid(
                "otlp_endpoint",
                format!("expected an http:// URL such as http://collector:4318, got {url:?}"),
            ));
        }
        if self.event_exchange.trim().is_empty() {
            return Err(ConfigError::invalid("event_exchange", "must not be empty"));
        }
        if self.max_discount_percent > 100 {
            return Err(ConfigError::invalid(
                "max_discount_percent",
                "must be at most 100",
            ));
        }
        if let Some(secret) = &self.internal_secret
            && secret.expose_secret().len() < 32
        {
            return Err(ConfigError::invalid(
                "internal_secret",
                "must be at least 32 characters (e.g. `openssl rand -hex 32`)",
            ));
        }
        for origin in &self.cors_allowed_origins {
            match url::Url::parse(origin) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.path() == "/" && u.query().is_none() => {
                }
                _ => {
                    return Err(ConfigError::invalid(
                        "cors_allowed_origins",
                        format!("expected origins such as https://shop.example, got {origin:?}"),
                    ));
                }
            }
        }
        let positive: [(&'static str, u64); 13] = [
            ("reservation_ttl_secs", self.reservation_ttl_secs),
            ("consumer_max_attempts", u64::from(self.consumer_max_attempts)),
            ("cache_ttl_secs", self.cache_ttl_secs),
            ("cache_capacity", self.cache_capacity),
            ("upstream_timeout_ms", self.upstream_timeout_ms),
            ("db_max_connections", u64::from(self.db_max_connections)),
            ("shutdown_grace_secs", self.shutdown_grace_secs),
            ("session_ttl_secs", self.session_ttl_secs),
            ("login_max_failures", u64::from(self.login_max_failures)),
            (
                "login_address_max_failures",
                u64::from(self.login_address_max_failures),
            ),
            ("login_lockout_secs", self.login_lockout_secs),
            ("stream_heartbeat_secs", self.stream_heartbeat_secs),
            ("stream_replay_events", self.stream_replay_events as u64),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(ConfigError::invalid(key, "must be at least 1"));
            }
        }
        if self.max_body_bytes < 1024 {
            return Err(ConfigError::invalid("max_body_bytes", "must be at least 1024"));
        }
        if self.log_level.trim().is_empty() {
            return Err(ConfigError::invalid(
                "log_level",
                "must not be empty (e.g. \"info\")",
            ));
        }
        Ok(())
    }

    /// The catalog's database URL: its own setting, else the shared one, else a SQLite file
    /// under `data_dir` (created on first start).
    pub fn catalog_database_url(&self) -> SecretString {
        self.service_database_url("catalog", self.catalog_database_url.as_ref())
    }

    /// The inventory's database URL, chosen like [`Settings::catalog_database_url`].
    pub fn inventory_database_url(&self) -> SecretString {
        self.service_database_url("inventory", self.inventory_database_url.as_ref())
    }

    /// The sales service's database URL, chosen like [`Settings::catalog_database_url`].
    pub fn sales_database_url(&self) -> SecretString {
        self.service_database_url("sales", self.sales_database_url.as_ref())
    }

    /// The reporting service's database URL, chosen like [`Settings::catalog_database_url`].
    pub fn reports_database_url(&self) -> SecretString {
        self.service_database_url("reports", self.reports_database_url.as_ref())
    }

    /// The gateway's database URL, chosen like [`Settings::catalog_database_url`].
    pub fn gateway_database_url(&self) -> SecretString {
        self.service_database_url("gateway", self.gateway_database_url.as_ref())
    }

    fn service_database_url(&self, service: &str, own: Option<&SecretString>) -> SecretString {
        own.or(self.database_url.as_ref()).cloned().unwrap_or_else(|| {
            let file = self.data_dir.join(format!("{service}.db"));
            SecretString::from(format!("sqlite://{}?mode=rwc", file.display()))
        })
    }

    /// Where the gateway reaches the catalog.
    pub fn catalog_upstream(&self) -> String {
        self.upstream(self.catalog_url.as_ref(), self.catalog_port)
    }

    /// Where the gateway reaches the inventory service.
    pub fn inventory_upstream(&self) -> String {
        self.upstream(self.inventory_url.as_ref(), self.inventory_port)
    }

    /// Where the gateway reaches the sales service.
    pub fn sales_upstream(&self) -> String {
        self.upstream(self.sales_url.as_ref(), self.sales_port)
    }

    /// Where the gateway reaches the reporting service.
    pub fn reports_upstream(&self) -> String {
        self.upstream(self.reports_url.as_ref(), self.reports_port)
    }

    /// Where the admin dashboard reaches the gateway.
    pub fn gateway_upstream(&self) -> String {
        self.upstream(self.gateway_url.as_ref(), self.gateway_port)
    }

    /// The comma list of `configured`'s replicas' base URLs, or this host's `port`.
    fn upstream(&self, configured: Option<&String>, port: u16) -> String {
        configured.cloned().unwrap_or_else(|| {
            let host = if self.host.is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                self.host
            };
            format!("http://{}", std::net::SocketAddr::new(host, port))
        })
    }
}

/// One line per error, naming the setting as it is written in the file and, for values
/// from the environment, the variable too.
fn describe(errors: figment::Error) -> String {
    errors
        .into_iter()
        .map(|e| {
            let key = e.path.join(".").to_ascii_lowercase();
            let from_env = e
                .metadata
                .as_ref()
                .is_some_and(|m| m.name.contains("environment"));
            let source = if from_env {
                format!("environment variable {ENV_PREFIX}{}", key.to_ascii_uppercase())
            } else {
                e.metadata
                    .as_ref()
                    .and_then(|m| m.source.as_ref())
                    .map_or_else(|| "flags".to_owned(), |s| s.to_string())
            };
            if key.is_empty() {
                format!("{} ({source})", e.kind)
            } else {
                format!("{key} ({source}): {}", e.kind)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn is_reserved_env_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ENV_NOT_SETTINGS.contains(&key.as_str()) || key.starts_with("test_")
}

/// Whether `url` is an `http://` URL with a host.
fn is_http_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.scheme() == "http" && u.host().is_some())
}

/// The engine a database URL selects, or why it is not usable.
pub fn database_kind(url: &str) -> Result<DatabaseKind, String> {
    if url.starts_with("sqlite:") {
        Ok(DatabaseKind::Sqlite)
    } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        Ok(DatabaseKind::MySql)
    } else {
        Err(format!(
            "expected a sqlite: or mysql:// URL, got {}",
            redact_url(url)
        ))
    }
}

/// The URL with any password replaced by `***`, safe to log.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        // Not a URL we understand: say nothing of its contents.
        Err(_) => "<unparseable URL>".to_owned(),
    }
}

#[cfg(test)]
// `figment::Jail` closures must return `figment::Error`, which is large; tests only.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in(jail_dir_file: Option<&str>, flags: &Overrides) -> Result<Settings, ConfigError> {
        Settings::load(jail_dir_file.map(Path::new), flags)
    }

    #[test]
    fn defaults_match_the_original_ports() {
        Jail::expect_with(|_| {
            let s = load_in(None, &Overrides::default()).unwrap();
            assert_eq!(
                (
                    s.gateway_port,
                    s.catalog_port,
                    s.inventory_port,
                    s.sales_port,
                    s.reports_port,
                    s.admin_port
                ),
                (8000, 8001, 8002, 8003, 8004, 3000)
            );
            assert!(s.host.is_loopback());
            assert_eq!(
                s.catalog_database_url().expose_secret(),
                "sqlite://./data/catalog.db?mode=rwc"
            );
            assert_eq!(s.catalog_upstream(), "http://127.0.0.1:8001");
            Ok(())
        });
    }

    #[test]
    fn layers_override_in_order_file_env_flags() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "it.toml",
                "catalog_port = 9101\ngateway_port = 9100\nlog_level = \"debug\"\n",
            )?;
            jail.set_env("INVENTORY_GATEWAY_PORT", "9200");
            jail.set_env("INVENTORY_CONFIG", "ignored-here");
            jail.set_env("INVENTORY_TEST_MYSQL_URL", "mysql://x");
            let flags = Overrides {
                log_level: Some("warn".into()),
                ..Overrides::default()
            };
            let s = load_in(Some("it.toml"), &flags).unwrap();
            assert_eq!(s.catalog_port, 9101, "file beats default");
            assert_eq!(s.gateway_port, 9200, "env beats file");
            assert_eq!(s.log_level, "warn", "flag beats file");
            Ok(())
        });
    }

    #[test]
    fn empty_secrets_are_unset() {
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_METRICS_TOKEN", "");
            jail.set_env("INVENTORY_ADMIN_PASSWORD", " ");
            let s = load_in(None, &Overrides::default()).unwrap();
            assert!(s.metrics_token.is_none());
            assert!(s.admin_password.is_none());
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_names_its_key() {
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_CATALOG_PORT", "eighty");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("catalog_port"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_DATABASE_URL", "postgres://u:hunter2@db/x");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("INVENTORY_DATABASE_URL"), "{err}");
            assert!(!err.contains("hunter2"), "secret leaked: {err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_AMQP_URL", "http://shop:hunter2@mq");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("amqp_url") && !err.contains("hunter2"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_INVENTORY_URL", "inventory:8002");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("inventory_url"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_SALES_URL", "http://sales-a:8003,sales-b:8003");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(
                err.contains("sales_url"),
                "one bad replica address is refused: {err}"
            );
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_CACHE_TTL_SECS", "0");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("cache_ttl_secs"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_event_queues_may_be_quorum_queues() {
        Jail::expect_with(|jail| {
            assert_eq!(
                load_in(None, &Overrides::default()).unwrap().event_queue_type,
                EventQueueType::Classic
            );
            jail.set_env("INVENTORY_EVENT_QUEUE_TYPE", "quorum");
            assert_eq!(
                load_in(None, &Overrides::default()).unwrap().event_queue_type,
                EventQueueType::Quorum
            );
            jail.set_env("INVENTORY_EVENT_QUEUE_TYPE", "mirrored");
            let err = load_in(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("event_queue_type"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_service_address_may_list_its_replicas() {
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_SALES_URL", "http://sales-a:8003, http://sales-b:8003");
            let s = load_in(None, &Overrides::default()).unwrap();
            assert_eq!(s.sales_upstream(), "http://sales-a:8003, http://sales-b:8003");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        Jail::expect_with(|jail| {
            jail.create_file("it.toml", "catalog_prot = 1\n")?;
            let err = load_in(Some("it.toml"), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains("catalog_prot"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        Jail::expect_with(|_| {
            let err = load_in(Some("nope.toml"), &Overrides::default()).unwrap_err();
            assert!(matches!(err, ConfigError::MissingFile { .. }));
            Ok(())
        });
    }

    #[test]
    fn secrets_are_not_in_debug_output() {
        Jail::expect_with(|jail| {
            jail.set_env("INVENTORY_DATABASE_URL", "mysql://root:hunter2@127.0.0.1/test");
            jail.set_env("INVENTORY_REDIS_URL", "redis://:sesame@127.0.0.1:6379");
            jail.set_env("INVENTORY_AMQP_URL", "amqp://shop:opensesame@127.0.0.1:5672/%2f");
            let s = load_in(None, &Overrides::default()).unwrap();
            let shown = format!("{s:?}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("sesame") && !shown.contains("opensesame"),
                "{shown}"
            );
            Ok(())
        });
    }

    #[test]
    fn redaction_hides_passwords_only() {
        assert_eq!(
            redact_url("mysql://root:hunter2@db:3306/shop"),
            "mysql://root:***@db:3306/shop"
        );
        assert_eq!(redact_url("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
        assert_eq!(redact_url("not a url"), "<unparseable URL>");
    }
}
