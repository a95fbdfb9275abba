//! Log output, human-readable by default or JSON lines, and optionally spans exported to an
//! OpenTelemetry collector over OTLP/HTTP.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use settings::LogFormat;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Where spans go besides the log: an OTLP/HTTP collector, under a service name.
pub struct Export<'a> {
    /// The collector's base address, e.g. `http://collector:4318`.
    pub endpoint: &'a str,
    pub service_name: &'a str,
}

/// What must outlive the process's work: the span exporter, flushed by [`Telemetry::shutdown`].
#[must_use = "call shutdown() at exit, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered. Call it outside the async runtime: the exporter's HTTP
    /// client blocks.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            eprintln!("warning: the last spans could not be exported: {e}");
        }
    }
}

/// Installs the global subscriber. `level` is a `tracing` filter such as `info` or
/// `info,sqlx=warn`; a bad one is reported with the key it came from. Call it before the async
/// runtime starts: the exporter runs on a thread of its own, with a blocking client.
pub fn init(format: LogFormat, level: &str, export: Option<Export>) -> Result<Telemetry, String> {
    let filter = EnvFilter::try_new(level).map_err(|e| {
        format!("invalid configuration: log_level (environment variable INVENTORY_LOG_LEVEL): {e}")
    })?;
    let provider = export.map(exporter).transpose()?;
    let spans = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("inventory-tracker")));
    let registry = tracing_subscriber::registry().with(filter).with(spans);
    let result = match format {
        LogFormat::Human => registry.with(tracing_subscriber::fmt::layer()).try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true),
            )
            .try_init(),
    };
    result.map_err(|e| format!("cannot install the log subscriber: {e}"))?;
    Ok(Telemetry { provider })
}

fn exporter(export: Export) -> Result<SdkTracerProvider, String> {
    let endpoint = format!("{}/v1/traces", export.endpoint.trim_end_matches('/'));
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .build()
        .map_err(|e| format!("invalid configuration: otlp_endpoint: {e}"))?;
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(export.service_name.to_owned())
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}
