//! `GET /api/v1/events/stream`: the system's events as Server-Sent Events, for dashboards.
//!
//! The gateway listens to the event bus (an exclusive queue per gateway on RabbitMQ, the
//! in-process bus in the embedded default) and keeps the most recent events in memory. Each
//! event gets an id `<epoch>-<n>`, where the epoch names this gateway's run; a client that
//! reconnects with `Last-Event-ID` receives what it missed if it is still kept. When it is not
//! (gateway restarted, client away too long, or the gateway lost its bus connection for a
//! while) the client gets a `resync` event first, meaning "reload your data".

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::get;
use axum::{Extension, Router};
use events::{Bus, Heard};
use tokio::sync::broadcast;
use web::Shutdown;

use crate::auth::{Auth, Principal};

/// The event types the stream carries.
pub const TYPES: &[&str] = &[
    "ProductCreated",
    "ProductUpdated",
    "ProductArchived",
    "RestockReceived",
    "StockAdjusted",
    "StockTransferred",
    "StockLevelWarning",
    "StockLevelsChanged",
    "SaleCreated",
    "SaleUpdated",
    "ShiftClosed",
];

/// How often an open stream re-checks its credential, so that a revoked token or a disabled
/// user stops receiving events soon.
const RECHECK_EVERY: Duration = Duration::from_secs(30);

/// One event as sent on the stream.
#[derive(Debug)]
pub struct StreamEvent {
    seq: u64,
    event_type: String,
    /// The event's envelope, as JSON.
    data: String,
}

/// The recent events and the live feed of new ones.
pub struct Feed {
    epoch: String,
    capacity: usize,
    recent: Mutex<Recent>,
    live: broadcast::Sender<Arc<StreamEvent>>,
}

struct Recent {
    next_seq: u64,
    events: VecDeque<Arc<StreamEvent>>,
}

/// What a new stream starts with.
struct Start {
    resync: bool,
    replay: Vec<Arc<StreamEvent>>,
    live: broadcast::Receiver<Arc<StreamEvent>>,
}

impl Feed {
    pub fn new(capacity: usize) -> Feed {
        let epoch = format!("{:x}", storage::clock::now_ms());
        Feed {
            epoch,
            capacity: capacity.max(1),
            recent: Mutex::new(Recent {
                next_seq: 1,
                events: VecDeque::new(),
            }),
            live: broadcast::Sender::new(1024),
        }
    }

    fn push(&self, event_type: String, data: String) {
        let mut recent = self.recent.lock().expect("feed lock");
        let event = Arc::new(StreamEvent {
            seq: recent.next_seq,
            event_type,
            data,
        });
        recent.next_seq += 1;
        if recent.events.len() == self.capacity {
            recent.events.pop_front();
        }
        recent.events.push_back(event.clone());
        // Under the lock, so a stream starting now sees each event once: replayed or live.
        let _ = self.live.send(event);
    }

    /// Everything after `last_id` that is still kept, and the live feed from there.
    fn start(&self, last_id: Option<&str>) -> Start {
        let recent = self.recent.lock().expect("feed lock");
        let live = self.live.subscribe();
        let Some(last_id) = last_id else {
            return Start {
                resync: false,
                replay: Vec::new(),
                live,
            };
        };
        let resumable = last_id
            .split_once('-')
            .filter(|(epoch, _)| *epoch == self.epoch)
            .and_then(|(_, seq)| seq.parse::<u64>().ok())
            .filter(|&seq| {
                let oldest = recent.events.front().map_or(recent.next_seq, |e| e.seq);
                seq + 1 >= oldest && seq < recent.next_seq
            });
        match resumable {
            Some(seq) => Start {
                resync: false,
                replay: recent.events.iter().filter(|e| e.seq > seq).cloned().collect(),
                live,
            },
            None => Start {
                resync: true,
                replay: Vec::new(),
                live,
            },
        }
    }

    fn id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.epoch)
    }

    /// Listens to the bus until `shutdown`, listening again (with back-off) when the
    /// connection is lost. Events missed meanwhile cannot be recovered here, so streams are
    /// told to resync.
    pub async fn run(self: Arc<Self>, bus: Bus, shutdown: Shutdown) {
        let mut backoff = events::backoff::Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
        let mut lost = false;
        loop {
            let listener = tokio::select! {
                () = shutdown.cancelled() => return,
                listener = bus.listen(TYPES) => listener,
            };
            match listener {
                Ok(mut listener) => {
                    if lost {
                        self.push("resync".to_owned(), "{}".to_owned());
                    }
                    backoff.reset();
                    loop {
                        let heard = tokio::select! {
                            () = shutdown.cancelled() => return,
                            heard = listener.next() => heard,
                        };
                        match heard {
                            Heard::Event(message) => {
                                self.push(message.event_type, without_costs(&message.payload));
                            }
                            Heard::Gap => self.push("resync".to_owned(), "{}".to_owned()),
                            Heard::Closed => break,
                        }
                    }
                    lost = true;
                }
                Err(e) => {
                    lost = true;
                    tracing::warn!(error = %e, "event stream cannot listen to the bus; retrying");
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(backoff.next_delay()) => {}
            }
        }
    }
}

pub struct StreamState {
    pub feed: Arc<Feed>,
    pub auth: Arc<Auth>,
    pub heartbeat: Duration,
    /// Ends open streams when the gateway stops, so shutdown need not wait for them.
    pub shutdown: Shutdown,
}

/// An event's JSON without cost fields: every signed-in user reads the stream, and costs are
/// for managers (see `web::costs`).
fn without_costs(payload: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(payload) {
        Ok(mut event) => {
            web::costs::redact(&mut event);
            event.to_string()
        }
        Err(_) => String::from_utf8_lossy(payload).into_owned(),
    }
}

pub fn router(state: Arc<StreamState>) -> Router {
    Router::new()
        .route("/api/v1/events/stream", get(stream))
        .with_state(state)
}

/// Live events (Server-Sent Events).
///
/// Each message has `event:` the event type (`StockLevelsChanged`, `SaleCreated`,
/// `StockLevelWarning`, …, or `resync`), `id:` for resuming, and `data:` the event's JSON
/// envelope. Reconnect with `Last-Event-ID` to receive what was missed; a `resync` event
/// means events were lost and the client should reload. Comment lines are sent as heartbeats.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "events",
    params(("Last-Event-ID" = Option<String>, Header, nullable = false, description = "The id of the last event received, to resume")),
    responses((status = 200, content_type = "text/event-stream", body = StreamFrame,
               description = "A stream of events, each as `event: SaleCreated\\nid: 18c9f-42\\ndata: {\"type\":\"SaleCreated\",\"version\":1,...}`")))]
async fn stream(
    State(state): State<Arc<StreamState>>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let start = state.feed.start(last_id.as_deref());
    tracing::debug!(user = %principal.user.username, resync = start.resync, replay = start.replay.len(), "event stream opened");
    let (tx, rx) = tokio::sync::mpsc::channel::<SseEvent>(64);
    tokio::spawn(pump(state.clone(), start, headers, tx));
    let events = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Infallible>(e), rx))
    });
    (
        [("cache-control", "no-store"), ("x-accel-buffering", "no")],
        Sse::new(events).keep_alive(KeepAlive::new().interval(state.heartbeat).text("heartbeat")),
    )
}

/// Feeds one client until it goes away, the gateway stops, or its credential stops working.
async fn pump(
    state: Arc<StreamState>,
    start: Start,
    headers: HeaderMap,
    tx: tokio::sync::mpsc::Sender<SseEvent>,
) {
    let feed = &state.feed;
    let sse = |event: &StreamEvent| {
        SseEvent::default()
            .event(event.event_type.as_str())
            .id(feed.id(event.seq))
            .data(event.data.as_str())
    };
    if start.resync
        && tx
            .send(SseEvent::default().event("resync").data("{}"))
            .await
            .is_err()
    {
        return;
    }
    for event in &start.replay {
        if tx.send(sse(event)).await.is_err() {
            return;
        }
    }
    let mut live = start.live;
    let mut recheck = tokio::time::interval(RECHECK_EVERY);
    recheck.tick().await;
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => return,
            () = tx.closed() => return,
            _ = recheck.tick() => {
                if state.auth.authenticate(&headers).await.is_err() {
                    return;
                }
            }
            received = live.recv() => match received {
                Ok(event) => {
                    if tx.send(sse(&event)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if tx.send(SseEvent::default().event("resync").data("{}")).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

/// One event of the stream, as Server-Sent Events frame it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documents the stream's frames; the stream writes them with axum's `Event`.
pub struct StreamFrame {
    /// The event's type (`SaleCreated`, `StockLevelsChanged`, …), or `resync`: events were
    /// lost, reload what is shown.
    event: String,
    /// Send as `Last-Event-ID` to resume after this event (absent on `resync`).
    id: Option<String>,
    /// The event's envelope as JSON text (`{}` for `resync`).
    data: String,
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(stream), components(schemas(StreamFrame)), tags((name = "events", description = "Live events for dashboards")))]
pub struct StreamApi;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_carries_no_costs() {
        let event =
            br#"{"type":"ProductUpdated","data":{"product":{"sku":"A","price_cents":10,"cost_cents":6}}}"#;
        let shown: serde_json::Value = serde_json::from_str(&without_costs(event)).unwrap();
        assert_eq!(
            shown["data"]["product"],
            serde_json::json!({"sku": "A", "price_cents": 10})
        );
    }

    #[test]
    fn a_client_resumes_after_its_last_event_or_is_told_to_resync() {
        let feed = Feed::new(3);
        for n in 1..=5 {
            feed.push("SaleCreated".into(), format!("{{\"n\":{n}}}"));
        }
        // Kept: 3, 4, 5.
        let start = feed.start(Some(&feed.id(3)));
        assert!(!start.resync);
        assert_eq!(start.replay.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5]);
        let start = feed.start(Some(&feed.id(2)));
        assert_eq!(
            start.replay.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![3, 4, 5]
        );
        assert!(feed.start(Some(&feed.id(1))).resync, "event 2 is no longer kept");
        assert!(
            feed.start(Some("otherepoch-4")).resync,
            "another run of the gateway"
        );
        assert!(feed.start(Some(&feed.id(9))).resync, "an id from the future");
        assert!(feed.start(Some("garbage")).resync);
        let fresh = feed.start(None);
        assert!(!fresh.resync && fresh.replay.is_empty());
    }

    #[tokio::test]
    async fn live_events_follow_the_replay_without_gaps_or_repeats() {
        let feed = Feed::new(10);
        feed.push("A".into(), "{}".into());
        let mut start = feed.start(Some(&feed.id(0)));
        feed.push("B".into(), "{}".into());
        let replayed: Vec<u64> = start.replay.iter().map(|e| e.seq).collect();
        assert_eq!(replayed, vec![1]);
        assert_eq!(start.live.recv().await.unwrap().seq, 2);
    }
}
