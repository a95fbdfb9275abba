//! `GET /api/v1/events/stream`: the system's events as Server-Sent Events, for dashboards.
//!
//! The gateway listens to the event bus (an exclusive queue per gateway replica on RabbitMQ,
//! so that every replica hears every event; the in-process bus in the embedded default) and
//! keeps the most recent events in memory. Each event gets an id `<epoch>-<n>:<event id>`,
//! where the epoch names this gateway's run and the event id is the envelope's, the same on
//! every replica. A client that reconnects with `Last-Event-ID` receives what it missed if it
//! is still kept: by number on the replica that sent the id, by the event id on another (a
//! load balancer may send the reconnection anywhere). Replicas can hear events of different
//! services in a slightly different order, so another replica also sends again the events it
//! heard in the [`OVERLAP`] before the last one: a resumed stream may repeat an event (its
//! envelope's `id` tells), never miss one. When the last event is not kept (gateway restarted,
//! client away too long, or the gateway lost its bus connection for a while) the client gets
//! a `resync` event first, meaning "reload your data".

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// How far back a replica resuming another replica's stream sends events again.
pub const OVERLAP: Duration = Duration::from_secs(2);

/// One event as sent on the stream.
#[derive(Debug)]
pub struct StreamEvent {
    seq: u64,
    /// The envelope's id, the same on every replica (none for `resync`).
    event_id: Option<String>,
    /// When this gateway heard it.
    heard: Instant,
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
        // The start time and a random part: replicas started in the same millisecond (as an
        // orchestrator does) still tell their ids apart.
        let epoch = format!(
            "{:x}{}",
            storage::clock::now_ms(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
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

    fn push(&self, event_type: String, event_id: Option<String>, data: String) {
        let mut recent = self.recent.lock().expect("feed lock");
        let event = Arc::new(StreamEvent {
            seq: recent.next_seq,
            event_id: event_id.filter(|id| !id.is_empty()),
            heard: Instant::now(),
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
        let (origin, event_id) = match last_id.split_once(':') {
            Some((origin, event_id)) => (origin, Some(event_id)),
            None => (last_id, None),
        };
        let replay = match origin.split_once('-') {
            Some((epoch, seq)) if epoch == self.epoch => seq
                .parse::<u64>()
                .ok()
                .filter(|&seq| {
                    let oldest = recent.events.front().map_or(recent.next_seq, |e| e.seq);
                    seq + 1 >= oldest && seq < recent.next_seq
                })
                .map(|seq| recent.events.iter().filter(|e| e.seq > seq).cloned().collect()),
            _ => event_id.and_then(|event_id| another_replicas(&recent.events, event_id)),
        };
        match replay {
            Some(replay) => Start {
                resync: false,
                replay,
                live,
            },
            None => Start {
                resync: true,
                replay: Vec::new(),
                live,
            },
        }
    }

    fn id(&self, event: &StreamEvent) -> String {
        match &event.event_id {
            Some(event_id) => format!("{}-{}:{event_id}", self.epoch, event.seq),
            None => format!("{}-{}", self.epoch, event.seq),
        }
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
                        self.push("resync".to_owned(), None, "{}".to_owned());
                    }
                    backoff.reset();
                    loop {
                        let heard = tokio::select! {
                            () = shutdown.cancelled() => return,
                            heard = listener.next() => heard,
                        };
                        match heard {
                            Heard::Event(message) => {
                                let data = without_costs(&message.payload);
                                self.push(message.event_type, Some(message.id), data);
                            }
                            Heard::Gap => self.push("resync".to_owned(), None, "{}".to_owned()),
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

/// What a stream last given `event_id` by another replica missed: the events this replica
/// heard after it, and those it heard in the [`OVERLAP`] before it, which the other replica
/// may have sent after it. `None` when this replica does not keep that event.
fn another_replicas(events: &VecDeque<Arc<StreamEvent>>, event_id: &str) -> Option<Vec<Arc<StreamEvent>>> {
    let last = events
        .iter()
        .position(|e| e.event_id.as_deref() == Some(event_id))?;
    let since = events[last].heard.checked_sub(OVERLAP);
    let replay = events
        .iter()
        .enumerate()
        .filter(|(at, e)| *at > last || (*at < last && since.is_none_or(|since| e.heard >= since)))
        .map(|(_, e)| e.clone())
        .collect();
    Some(replay)
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
               description = "A stream of events, each as `event: SaleCreated\\nid: 18c9f0a1b2c3d4-42:0f1e2d3c-…\\ndata: {\"type\":\"SaleCreated\",\"version\":1,...}`")))]
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
            .id(feed.id(event))
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

    /// The id the stream gave event `seq`, or the one it would give a `resync` numbered so.
    fn id(feed: &Feed, seq: u64) -> String {
        let recent = feed.recent.lock().unwrap();
        match recent.events.iter().find(|e| e.seq == seq) {
            Some(event) => feed.id(event),
            None => format!("{}-{seq}", feed.epoch),
        }
    }

    fn seqs(start: &Start) -> Vec<u64> {
        start.replay.iter().map(|e| e.seq).collect()
    }

    fn push(feed: &Feed, event_id: &str) {
        feed.push("SaleCreated".into(), Some(event_id.to_owned()), "{}".into());
    }

    #[test]
    fn a_client_resumes_after_its_last_event_or_is_told_to_resync() {
        let feed = Feed::new(3);
        for n in 1..=5 {
            push(&feed, &format!("e{n}"));
        }
        // Kept: 3, 4, 5.
        let start = feed.start(Some(&id(&feed, 3)));
        assert!(!start.resync);
        assert_eq!(seqs(&start), vec![4, 5]);
        let start = feed.start(Some(&format!("{}-2", feed.epoch)));
        assert_eq!(seqs(&start), vec![3, 4, 5]);
        assert!(
            feed.start(Some(&id(&feed, 1))).resync,
            "event 2 is no longer kept"
        );
        assert!(
            feed.start(Some("otherepoch-4")).resync,
            "another run of the gateway, without an event id"
        );
        assert!(
            feed.start(Some("otherepoch-4:e1")).resync,
            "an event this replica no longer keeps"
        );
        assert!(feed.start(Some(&id(&feed, 9))).resync, "an id from the future");
        assert!(feed.start(Some("garbage")).resync);
        let fresh = feed.start(None);
        assert!(!fresh.resync && fresh.replay.is_empty());
    }

    #[test]
    fn a_stream_resumes_on_another_replica_by_the_event_id_repeating_only_what_is_recent() {
        // Two replicas heard the same events, the last two in another order.
        let a = Feed::new(10);
        let b = Feed::new(10);
        for event in ["e1", "e2", "e3", "e4"] {
            push(&a, event);
        }
        for event in ["e1", "e2", "e4", "e3"] {
            push(&b, event);
        }
        // The client had everything up to e3 from a (e4 not yet); b heard e3 last.
        let resumed = b.start(Some(&id(&a, 3)));
        assert!(!resumed.resync);
        let replayed: Vec<&str> = resumed
            .replay
            .iter()
            .map(|e| e.event_id.as_deref().unwrap())
            .collect();
        assert!(
            replayed.contains(&"e4"),
            "e4, heard before e3 on b, is not missed: {replayed:?}"
        );
        assert!(
            !replayed.contains(&"e3"),
            "the last event itself is not sent again"
        );
        // Heard long before, an event is not repeated.
        let c = Feed::new(10);
        push(&c, "old");
        {
            let mut recent = c.recent.lock().unwrap();
            let old = clone_of(&recent.events[0]);
            recent.events[0] = Arc::new(StreamEvent {
                heard: old.heard.checked_sub(OVERLAP * 2).unwrap_or(old.heard),
                ..old
            });
        }
        push(&c, "e1");
        push(&c, "e2");
        let resumed = c.start(Some("elsewhere-7:e1"));
        assert_eq!(seqs(&resumed), vec![3], "only e2: {:?}", seqs(&resumed));
    }

    fn clone_of(event: &StreamEvent) -> StreamEvent {
        StreamEvent {
            seq: event.seq,
            event_id: event.event_id.clone(),
            heard: event.heard,
            event_type: event.event_type.clone(),
            data: event.data.clone(),
        }
    }

    #[tokio::test]
    async fn live_events_follow_the_replay_without_gaps_or_repeats() {
        let feed = Feed::new(10);
        push(&feed, "e1");
        let mut start = feed.start(Some(&format!("{}-0", feed.epoch)));
        push(&feed, "e2");
        assert_eq!(seqs(&start), vec![1]);
        assert_eq!(start.live.recv().await.unwrap().seq, 2);
    }
}
