use std::process::ExitCode;

use clap::Parser;
use inventory_tracker::cli::{Cli, Command, ReportsAction};
use inventory_tracker::targets::TARGETS;
use inventory_tracker::{Target, parse_targets};
use settings::Settings;

/// mimalloc rather than glibc's malloc: under load glibc's allocator took a sixth of the
/// process's time and its arena locks most of the kernel's (docs/benchmarks.md). Built without
/// transparent huge pages (feature `no_thp`), which otherwise made the idle process resident in
/// 2 MiB pieces.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the `mi_option_e` of the vendored mimalloc v3's `mimalloc.h`:
/// libmimalloc-sys names only the options of older versions.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc keeps freed memory for a while (10 s for its arenas) and gives it back only when the
/// thread that freed it allocates again: each login's 19 MiB password hash stayed resident, and
/// a burst of 144 logins left 48 MB more. Purging at once keeps it at +6 MB and cost no
/// measurable throughput. `MIMALLOC_PURGE_DELAY` in the environment still decides.
fn return_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of the allocator's options; it runs first in main, before any thread.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
    }
}

fn main() -> ExitCode {
    return_freed_memory_at_once();
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref(), &cli.settings.overrides()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Checked for every command alike, whether or not this one creates the first admin.
    if let Err(e) = gateway::auth::check_admin_password(settings.admin_password.as_ref()) {
        eprintln!("error: invalid configuration: {e}");
        return ExitCode::from(2);
    }
    // Spans are exported under the name of what this process runs.
    let service_name = match &cli.command {
        Some(Command::Serve { target }) if target != "all" => target.replace(',', "+"),
        _ => "inventory-tracker".to_owned(),
    };
    let export = settings
        .otlp_endpoint
        .as_deref()
        .map(|endpoint| web::telemetry::Export {
            endpoint,
            service_name: &service_name,
        });
    let telemetry = match web::telemetry::init(settings.log_format, &settings.log_level, export) {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let command = cli.command.unwrap_or(Command::Serve {
        target: "all".to_owned(),
    });
    // A bad --target is a usage error like a bad flag: exit 2 before anything starts.
    if let Command::Serve { target } | Command::Migrate { target } | Command::Health { target } = &command
        && let Err(e) = parse_targets(target)
    {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let code = match runtime.block_on(run(command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    drop(runtime);
    telemetry.shutdown();
    code
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { target } => {
            let targets = parse_targets(&target).map_err(anyhow::Error::msg)?;
            let stop = web::server::termination_signal();
            let running = inventory_tracker::start(settings, &targets).await?;
            if let Some(url) = running.url(Target::Gateway) {
                tracing::info!("API at {url}/api/v1, docs at {url}/api/docs");
            }
            if let Some(url) = running.url(Target::Admin) {
                tracing::info!("dashboard at {url}");
            }
            running.run_until(stop).await?;
        }
        Command::Migrate { target } => {
            let targets = parse_targets(&target).map_err(anyhow::Error::msg)?;
            for info in TARGETS.iter().filter(|t| targets.contains(&t.target)) {
                if let Some(database) = &info.database {
                    (database.migrate)(&settings).await?;
                    println!("{}: migrations applied", info.name);
                }
            }
        }
        Command::Reports {
            action: ReportsAction::Rebuild,
        } => {
            let signer = web::Signer::from_settings(&settings).map_err(|e| {
                anyhow::anyhow!("{e}: the rebuild asks the running services, signed with the secret they were started with")
            })?;
            let db = reports::connect(&settings).await?;
            let sources = reports::sources::Sources::new(
                signer,
                &settings.catalog_upstream(),
                &settings.sales_upstream(),
                &settings.inventory_upstream(),
            )?;
            let rebuilt = reports::rebuild::rebuild(&db, &sources).await?;
            println!(
                "reports rebuild: {} products and {} sales events replayed",
                rebuilt.products, rebuilt.events
            );
            db.close().await;
        }
        Command::Reports {
            action:
                ReportsAction::Generate {
                    days,
                    sales,
                    products,
                    seed,
                },
        } => {
            let db = reports::connect(&settings).await?;
            let plan = reports::generate::Plan {
                end: time::OffsetDateTime::now_utc().date(),
                days,
                sales,
                products,
                seed,
            };
            let started = std::time::Instant::now();
            let made = reports::generate::generate(&db, &plan).await?;
            println!(
                "reports generate: {} sales ({} lines, {} returns, {} voids) of {} products over {days} days in {:.1} s",
                made.sales,
                made.lines,
                made.returns,
                made.voids,
                made.products,
                started.elapsed().as_secs_f64()
            );
            db.close().await;
        }
        Command::SeedDemo => {
            // Nothing is served: the catalog only needs some secret to be built.
            let mut settings = settings;
            inventory_tracker::launch::ensure_internal_secret(&mut settings, true)?;
            let catalog = catalog::Catalog::build(&settings).await?;
            let added = catalog::seed_demo(catalog.products()).await?;
            let total = catalog::demo::DEMO_PRODUCTS.len();
            println!(
                "seed-demo: added {added} demo products ({} were already there)",
                total - added
            );
            catalog.close().await;
        }
        Command::Health { target } => {
            let targets = parse_targets(&target).map_err(anyhow::Error::msg)?;
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(3))
                .build()?;
            let mut failed = Vec::new();
            for target in targets {
                let port = (target.info().port)(&settings);
                let url = format!("http://127.0.0.1:{port}/health/ready");
                match client.get(&url).send().await.map(|r| r.status()) {
                    Ok(status) if status.is_success() => println!("{}: ready", target.name()),
                    Ok(status) => failed.push(format!("{}: {url} answered {status}", target.name())),
                    Err(e) => failed.push(format!("{}: {url}: {e}", target.name())),
                }
            }
            anyhow::ensure!(failed.is_empty(), "not ready: {}", failed.join("; "));
        }
        Command::Backup { to } => {
            let to = to.unwrap_or_else(|| {
                let now = time::OffsetDateTime::now_utc();
                let stamp = format!(
                    "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                    now.year(),
                    u8::from(now.month()),
                    now.day(),
                    now.hour(),
                    now.minute(),
                    now.second()
                );
                std::path::PathBuf::from("backups").join(stamp)
            });
            let manifest = inventory_tracker::backup::backup(&settings, &to).await?;
            for copied in &manifest.databases {
                println!("backup: {} ({} bytes)", copied.service, copied.bytes);
            }
            println!("backup: written to {}", to.display());
        }
        Command::Restore { from } => {
            let (manifest, aside) = inventory_tracker::backup::restore(&settings, &from).await?;
            for copied in &manifest.databases {
                println!(
                    "restore: {} from the backup of {}",
                    copied.service, manifest.created_at
                );
            }
            println!("restore: the replaced files are in {}", aside.display());
        }
    }
    Ok(())
}
