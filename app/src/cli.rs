//! The command line. Flags override the same settings given in the config file or the
//! environment (see the README's configuration table).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use settings::{LogFormat, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "inventory-tracker",
    version,
    about = "Inventory, sales and catalog for small computer shops",
    long_about = "Inventory, sales and catalog for small computer shops.\n\n\
                  Without a command, runs every service in this process (the embedded default: \
                  SQLite files under ./data, no server to install)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// TOML configuration file.
    #[arg(short, long, global = true, env = "INVENTORY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub settings: SettingFlags,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the chosen services until SIGTERM or Ctrl-C (the default command).
    Serve {
        /// `all`, or a comma-separated list of: catalog, inventory, sales, reports, gateway,
        /// admin.
        #[arg(short, long, default_value = "all", env = "INVENTORY_TARGET")]
        target: String,
    },
    /// Apply pending database migrations of the chosen services, then exit.
    Migrate {
        /// `all`, or a comma-separated list of services.
        #[arg(short, long, default_value = "all")]
        target: String,
    },
    /// Add a demo catalog of computer parts (products already present are kept as they are).
    SeedDemo,
    /// Exit 0 when the chosen services of this host answer `/health/ready`, 1 otherwise: the
    /// container health check (no curl needed in the image).
    Health {
        /// `all`, or a comma-separated list of services.
        #[arg(short, long, default_value = "all", env = "INVENTORY_TARGET")]
        target: String,
    },
    /// Copy every service's SQLite database into a folder, consistently, while the system
    /// runs (the embedded default; MySQL/MariaDB have their own tools).
    Backup {
        /// Folder for the copies [default: ./backups/<UTC time>].
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Put the databases of a backup in place of the current ones (moved aside, not deleted).
    /// Stop the services first.
    Restore {
        /// A folder written by `backup`.
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
    /// The reporting service's own work.
    Reports {
        #[command(subcommand)]
        action: ReportsAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportsAction {
    /// Recompute the reports' rollups from the catalog and the sales service's whole event
    /// history (a shop whose sales began before its reports). Asks the running catalog and
    /// sales services, so it needs the installation's internal_secret.
    Rebuild,
    /// Fill an empty reports database with a made-up history of sales (weekly seasonality,
    /// a December peak, a few best sellers and a long tail), for benchmarks and
    /// demonstrations. Only the reports hold it; a rebuild replaces it with the real history.
    Generate {
        /// Days of history, ending today (UTC).
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3660))]
        days: u32,
        /// Sales in all.
        #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        sales: u64,
        /// Products in the made-up catalog.
        #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        products: u32,
        /// The same seed makes the same history.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Args)]
pub struct SettingFlags {
    /// Folder for the embedded SQLite files [default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1].
    #[arg(long, global = true)]
    pub host: Option<IpAddr>,
    /// Port of the API gateway [default: 8000].
    #[arg(long, global = true, value_name = "PORT")]
    pub gateway_port: Option<u16>,
    /// Port of the catalog service [default: 8001].
    #[arg(long, global = true, value_name = "PORT")]
    pub catalog_port: Option<u16>,
    /// Port of the inventory service [default: 8002].
    #[arg(long, global = true, value_name = "PORT")]
    pub inventory_port: Option<u16>,
    /// Port of the sales service [default: 8003].
    #[arg(long, global = true, value_name = "PORT")]
    pub sales_port: Option<u16>,
    /// Port of the reporting service [default: 8004].
    #[arg(long, global = true, value_name = "PORT")]
    pub reports_port: Option<u16>,
    /// Port of the admin dashboard [default: 3000].
    #[arg(long, global = true, value_name = "PORT")]
    pub admin_port: Option<u16>,
    /// Database of every service: sqlite://… or mysql://… (kept out of logs).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Redis for the shared cache: redis://… (kept out of logs).
    #[arg(long, global = true, value_name = "URL")]
    pub redis_url: Option<String>,
    /// Where the other services reach the catalog service: a URL, or its replicas' as a comma list.
    #[arg(long, global = true, value_name = "URL")]
    pub catalog_url: Option<String>,
    /// Where the other services reach the inventory service: a URL, or its replicas' as a comma list.
    #[arg(long, global = true, value_name = "URL")]
    pub inventory_url: Option<String>,
    /// Where the other services reach the sales service: a URL, or its replicas' as a comma list.
    #[arg(long, global = true, value_name = "URL")]
    pub sales_url: Option<String>,
    /// Where the other services reach the reporting service: a URL, or its replicas' as a comma list.
    #[arg(long, global = true, value_name = "URL")]
    pub reports_url: Option<String>,
    /// Where the admin dashboard reaches the gateway: a URL, or its replicas' as a comma list.
    #[arg(long, global = true, value_name = "URL")]
    pub gateway_url: Option<String>,
    /// RabbitMQ for events between processes: amqp://… (kept out of logs). Without it,
    /// events travel in-process.
    #[arg(long, global = true, value_name = "URL")]
    pub amqp_url: Option<String>,
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// A tracing filter such as `info` or `info,sqlx=warn`.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormatArg {
    Human,
    Json,
}

impl SettingFlags {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            host: self.host,
            gateway_port: self.gateway_port,
            catalog_port: self.catalog_port,
            inventory_port: self.inventory_port,
            sales_port: self.sales_port,
            reports_port: self.reports_port,
            admin_port: self.admin_port,
            database_url: self.database_url.clone(),
            redis_url: self.redis_url.clone(),
            catalog_url: self.catalog_url.clone(),
            inventory_url: self.inventory_url.clone(),
            sales_url: self.sales_url.clone(),
            reports_url: self.reports_url.clone(),
            gateway_url: self.gateway_url.clone(),
            amqp_url: self.amqp_url.clone(),
            log_format: self.log_format.map(|f| match f {
                LogFormatArg::Human => LogFormat::Human,
                LogFormatArg::Json => LogFormat::Json,
            }),
            log_level: self.log_level.clone(),
        }
    }
}
