use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// A fact about the past that a service publishes. `TYPE` is a past-tense name
/// (`ProductCreated`) and `VERSION` changes whenever the shape of the data changes
/// incompatibly, so consumers can tell what they are reading.
pub trait Event: Serialize {
    const TYPE: &'static str;
    const VERSION: u32;
}

/// What every event travels in, on every transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique per event; consumers deduplicate on it.
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The service that published it, e.g. `catalog`.
    pub source: String,
    /// The request id of the request that caused it, to follow one action across services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    pub data: serde_json::Value,
}

impl Envelope {
    pub fn new<E: Event>(
        source: &str,
        correlation_id: Option<String>,
        occurred_at: OffsetDateTime,
        event: &E,
    ) -> Envelope {
        Envelope {
            // v7 ids sort by creation time, which keeps the outbox index append-only.
            id: Uuid::now_v7(),
            event_type: E::TYPE.to_owned(),
            version: E::VERSION,
            occurred_at,
            source: source.to_owned(),
            correlation_id,
            data: serde_json::to_value(event).expect("event contracts serialize to JSON"),
        }
    }
}
