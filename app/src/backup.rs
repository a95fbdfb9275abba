//! `backup` and `restore` for the embedded default: each service's SQLite file, copied
//! consistently while the system runs, and put back while it is stopped.
//!
//! A backup is a folder with one `<service>.db` per service and a `manifest.json` naming them,
//! the version that wrote them and each database's last applied migration. The copy is made by
//! SQLite itself (`VACUUM INTO`), which reads one consistent snapshot even while the services
//! write: no need to stop the shop, and no half-written page as with a plain file copy.
//! MySQL/MariaDB databases are backed up with the server's own tools (see docs/operations.md).

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use settings::{DatabaseKind, Settings};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use crate::targets::TARGETS;

const MANIFEST: &str = "manifest.json";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Of this file's layout, for restores by later versions.
    pub format: u32,
    pub created_at: String,
    /// The inventory-tracker version that made it.
    pub version: String,
    pub databases: Vec<Copied>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Copied {
    pub service: String,
    pub file: String,
    pub bytes: u64,
    /// The newest migration applied to it; a restore into an older version would not know it.
    pub migration: Option<i64>,
}

/// The SQLite file of every service with a database, by service name.
fn sqlite_files(settings: &Settings) -> anyhow::Result<Vec<(&'static str, PathBuf)>> {
    let mut files = Vec::new();
    for info in TARGETS {
        let Some(database) = &info.database else { continue };
        let url = (database.url)(settings);
        let url = url.expose_secret();
        match settings::database_kind(url).map_err(anyhow::Error::msg)? {
            DatabaseKind::Sqlite => {
                let path = storage::db::sqlite_path(url)
                    .with_context(|| format!("{}'s database is not a file", info.name))?;
                files.push((info.name, path));
            }
            DatabaseKind::MySql => bail!(
                "{}'s database is on MySQL/MariaDB: back it up with the server's tools, e.g. \
                 mysqldump --single-transaction (see docs/operations.md)",
                info.name
            ),
        }
    }
    Ok(files)
}

async fn open(path: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

async fn last_migration(conn: &mut SqliteConnection, service: &str) -> Option<i64> {
    // Each service keeps its own migrations table; `service` comes from the static table of
    // targets, never from input.
    let sql = format!("SELECT MAX(version) FROM {service}_schema_migrations");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(conn)
        .await
        .ok()
}

/// Copies every service's database into `to` (created; it must not hold a backup already).
pub async fn backup(settings: &Settings, to: &Path) -> anyhow::Result<Manifest> {
    let files = sqlite_files(settings)?;
    ensure!(
        !to.join(MANIFEST).exists(),
        "{} already holds a backup; choose another folder",
        to.display()
    );
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let mut databases = Vec::new();
    for (service, path) in files {
        if !path.exists() {
            // A service never started here has nothing to keep.
            continue;
        }
        let file = format!("{service}.db");
        let target = to.join(&file);
        let mut conn = open(&path, true).await?;
        sqlx::query("VACUUM INTO ?")
            .bind(target.display().to_string())
            .execute(&mut conn)
            .await
            .with_context(|| format!("cannot copy {}", path.display()))?;
        let migration = last_migration(&mut conn, service).await;
        conn.close().await?;
        let bytes = std::fs::metadata(&target)?.len();
        databases.push(Copied {
            service: service.to_owned(),
            file,
            bytes,
            migration,
        });
    }
    ensure!(
        !databases.is_empty(),
        "there is nothing to back up in {}",
        settings.data_dir.display()
    );
    let manifest = Manifest {
        format: 1,
        created_at: time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339)?,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        databases,
    };
    std::fs::write(to.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

/// The ports of this configuration where something answers: a running installation.
fn listening(settings: &Settings) -> Vec<u16> {
    let host = if settings.host.is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        settings.host
    };
    TARGETS
        .iter()
        .map(|t| (t.port)(settings))
        .filter(|&port| port != 0)
        .filter(|&port| {
            TcpStream::connect_timeout(&SocketAddr::new(host, port), Duration::from_millis(300)).is_ok()
        })
        .collect()
}

/// Puts the databases of the backup in `from` in place of the current ones, which are moved
/// into a `replaced-<time>` folder beside them (never deleted). Refuses while the services
/// answer on their ports: their open files would be swapped under them.
pub async fn restore(settings: &Settings, from: &Path) -> anyhow::Result<(Manifest, PathBuf)> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(from.join(MANIFEST))
            .with_context(|| format!("{} holds no backup ({MANIFEST} missing)", from.display()))?,
    )
    .context("the backup's manifest is unreadable")?;
    ensure!(
        manifest.format == 1,
        "backup format {} is unknown to this version",
        manifest.format
    );
    let running = listening(settings);
    ensure!(
        running.is_empty(),
        "something answers on port(s) {running:?}: stop the running services before restoring"
    );
    let files = sqlite_files(settings)?;
    // Check every file before touching anything.
    for copied in &manifest.databases {
        ensure!(
            files.iter().any(|(service, _)| *service == copied.service),
            "the backup holds {}, which this version does not know",
            copied.service
        );
        let mut conn = open(&from.join(&copied.file), true).await?;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await?;
        ensure!(check == "ok", "{} is damaged: {check}", copied.file);
        conn.close().await?;
    }
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let aside = settings.data_dir.join(format!("replaced-{stamp}"));
    for copied in &manifest.databases {
        let (_, live) = files
            .iter()
            .find(|(service, _)| *service == copied.service)
            .expect("checked above");
        for suffix in ["", "-wal", "-shm"] {
            let current = PathBuf::from(format!("{}{suffix}", live.display()));
            if current.exists() {
                std::fs::create_dir_all(&aside)?;
                let name = current.file_name().expect("a file name");
                std::fs::rename(&current, aside.join(name))
                    .with_context(|| format!("cannot move {} aside", current.display()))?;
            }
        }
        if let Some(dir) = live.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(from.join(&copied.file), live)
            .with_context(|| format!("cannot copy {} into place", copied.file))?;
    }
    Ok((manifest, aside))
}
