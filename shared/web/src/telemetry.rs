//! Log output: human-readable by default, JSON lines on request.

use settings::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber. `level` is a `tracing` filter such as `info` or
/// `info,sqlx=warn`; a bad one is reported with the key it came from.
pub fn init(format: LogFormat, level: &str) -> Result<(), String> {
    let filter = EnvFilter::try_new(level).map_err(|e| {
        format!("invalid configuration: log_level (environment variable INVENTORY_LOG_LEVEL): {e}")
    })?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
    result.map_err(|e| format!("cannot install the log subscriber: {e}"))
}
