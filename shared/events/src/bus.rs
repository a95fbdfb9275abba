//! The transports events travel on: RabbitMQ between processes, or an in-process bus when
//! every service runs in one process (the embedded default). Both give the same guarantee to
//! the relay and the consumers: a publish succeeds only once the event is safe (confirmed by
//! the broker, or applied by every in-process consumer), and a delivery stays pending until
//! the consumer acknowledges it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, BasicRejectOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Confirmation, Connection, ConnectionProperties, ExchangeKind};
use settings::EventQueueType;
use tokio::sync::{mpsc, oneshot};

/// How long connecting to RabbitMQ may take before it counts as down. lapin itself would
/// wait much longer on an unreachable host.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How many unacknowledged deliveries RabbitMQ hands one consumer at a time.
const PREFETCH: u16 = 32;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("RabbitMQ: {0}")]
    Broker(#[from] lapin::Error),
    #[error("RabbitMQ did not answer within {0:?}")]
    Timeout(Duration),
    #[error("RabbitMQ refused the message (nack)")]
    Refused,
    #[error("the in-process consumer {0} is not running")]
    ConsumerGone(String),
}

/// One event on the wire: its id, its type (the routing key) and the envelope as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub event_type: String,
    pub payload: Bytes,
}

impl Message {
    /// The envelope's correlation id (the request that caused the event), read from the
    /// payload: it travels in the message's properties too, so that an operator looking at a
    /// queue, or a consumer that is not ours, can follow it without parsing the body.
    pub fn correlation_id(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Correlated {
            correlation_id: Option<String>,
        }
        serde_json::from_slice::<Correlated>(&self.payload)
            .ok()?
            .correlation_id
    }
}

/// A handle on the transport; cheap to clone.
#[derive(Clone)]
pub enum Bus {
    InProcess(Arc<InProcessBus>),
    RabbitMq(Arc<RabbitBus>),
}

impl Bus {
    pub fn in_process() -> Bus {
        Bus::InProcess(Arc::new(InProcessBus::default()))
    }

    /// A RabbitMQ transport publishing to the durable topic exchange `exchange`. Connects on
    /// first use, and again after the connection is lost.
    pub fn rabbitmq(url: &str, exchange: &str) -> Bus {
        Bus::rabbitmq_with_queue_expiry(url, exchange, None)
    }

    /// As [`Bus::rabbitmq`]; with `queue_expiry`, RabbitMQ deletes a consumer's queues once
    /// they have had no consumer for that long (`x-expires`). For throwaway installations
    /// such as tests; a shop's queues must outlive any outage, so the default is never.
    pub fn rabbitmq_with_queue_expiry(url: &str, exchange: &str, queue_expiry: Option<Duration>) -> Bus {
        Bus::rabbitmq_with(url, exchange, queue_expiry, EventQueueType::Classic)
    }

    /// As [`Bus::rabbitmq_with_queue_expiry`], declaring the services' queues (and their
    /// dead-letter queues) as `queue_type`. A gateway's live-stream queue stays classic: it is
    /// exclusive to its connection, which a quorum queue cannot be.
    pub fn rabbitmq_with(
        url: &str,
        exchange: &str,
        queue_expiry: Option<Duration>,
        queue_type: EventQueueType,
    ) -> Bus {
        Bus::RabbitMq(Arc::new(RabbitBus {
            url: url.to_owned(),
            exchange: exchange.to_owned(),
            queue_expiry,
            queue_type,
            publisher: tokio::sync::Mutex::new(None),
        }))
    }

    /// `in-process` or `rabbitmq`, for logs and health output.
    pub fn kind(&self) -> &'static str {
        match self {
            Bus::InProcess(_) => "in-process",
            Bus::RabbitMq(_) => "rabbitmq",
        }
    }

    /// Returns once the message is safe: confirmed by the broker, or applied (or
    /// dead-lettered) by every in-process consumer of its type.
    pub async fn publish(&self, message: &Message) -> Result<(), BusError> {
        match self.publish_all(std::slice::from_ref(message)).await {
            Published { failure: Some(e), .. } => Err(e),
            Published { .. } => Ok(()),
        }
    }

    /// Publishes `messages` in order, all in flight at once, and returns once each is safe or
    /// the first failed: the broker confirms them as a stream, and in-process consumers
    /// receive them together (and can apply them in one transaction). The leading `safe`
    /// messages are safe; the others may or may not have been delivered.
    pub async fn publish_all(&self, messages: &[Message]) -> Published {
        match self {
            Bus::InProcess(bus) => bus.publish_all(messages).await,
            Bus::RabbitMq(bus) => bus.publish_all(messages).await,
        }
    }

    /// Starts receiving the events of `types` on the durable queue `queue`. Events published
    /// while the consumer is away wait in the queue (RabbitMQ) or in the outbox (in-process).
    pub async fn subscribe(&self, queue: &str, types: &[&str]) -> Result<Subscription, BusError> {
        match self {
            Bus::InProcess(bus) => Ok(bus.subscribe(queue, types)),
            Bus::RabbitMq(bus) => bus.subscribe(queue, types).await,
        }
    }

    /// Events of `types` as they pass, for live views such as the gateway's event stream:
    /// nothing is acknowledged, publishers never wait for a listener, and events published
    /// while no listener is connected are not kept for it (on RabbitMQ the listener's queue
    /// is exclusive and vanishes with its connection).
    pub async fn listen(&self, types: &[&str]) -> Result<Listener, BusError> {
        match self {
            Bus::InProcess(bus) => Ok(Listener::InProcess {
                receiver: bus.listeners.subscribe(),
                types: types.iter().map(|t| (*t).to_owned()).collect(),
            }),
            Bus::RabbitMq(bus) => bus.listen(types).await,
        }
    }

    /// Whether the transport is usable now, for readiness.
    pub async fn ping(&self) -> Result<(), BusError> {
        match self {
            Bus::InProcess(_) => Ok(()),
            Bus::RabbitMq(bus) => bus.ping().await,
        }
    }
}

/// What a [`Listener`] heard.
#[derive(Debug)]
pub enum Heard {
    Event(Message),
    /// Events were missed (the listener fell behind); live views should reload.
    Gap,
    /// The listener ended (connection lost or bus gone); listen again.
    Closed,
}

/// Events for a live view; see [`Bus::listen`].
pub enum Listener {
    InProcess {
        receiver: tokio::sync::broadcast::Receiver<Message>,
        types: Vec<String>,
    },
    RabbitMq(Box<RabbitListener>),
}

pub struct RabbitListener {
    consumer: lapin::Consumer,
    /// Kept so the listener's connection lives as long as it does.
    _connection: Connection,
}

impl Listener {
    pub async fn next(&mut self) -> Heard {
        match self {
            Listener::InProcess { receiver, types } => loop {
                match receiver.recv().await {
                    Ok(message) if types.contains(&message.event_type) => return Heard::Event(message),
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return Heard::Gap,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return Heard::Closed,
                }
            },
            Listener::RabbitMq(rabbit) => match rabbit.consumer.next().await {
                Some(Ok(mut delivery)) => Heard::Event(message_of(&mut delivery)),
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "RabbitMQ listener failed");
                    Heard::Closed
                }
                None => Heard::Closed,
            },
        }
    }
}

/// What became of a [`Bus::publish_all`].
#[derive(Debug)]
pub struct Published {
    /// How many of the messages, from the first, are safe.
    pub safe: usize,
    /// Why the next one is not.
    pub failure: Option<BusError>,
}

/// Deliveries for one consumer.
pub enum Subscription {
    InProcess(mpsc::UnboundedReceiver<Delivery>),
    RabbitMq(Box<RabbitSubscription>),
}

pub struct RabbitSubscription {
    consumer: lapin::Consumer,
    /// Kept so the subscription's connection lives as long as it does.
    _connection: Connection,
}

impl Subscription {
    /// The next delivery; `None` when the subscription ended (connection lost, bus gone).
    pub async fn next(&mut self) -> Option<Delivery> {
        match self {
            Subscription::InProcess(rx) => rx.recv().await,
            Subscription::RabbitMq(rabbit) => from_rabbitmq(rabbit.consumer.next().await?),
        }
    }

    /// A delivery that has already arrived, without waiting for one.
    pub fn ready(&mut self) -> Option<Delivery> {
        match self {
            Subscription::InProcess(rx) => rx.try_recv().ok(),
            Subscription::RabbitMq(rabbit) => from_rabbitmq(rabbit.consumer.next().now_or_never()??),
        }
    }
}

/// The message a RabbitMQ delivery carries (its body is taken out of it).
fn message_of(delivery: &mut lapin::message::Delivery) -> Message {
    Message {
        id: delivery
            .properties
            .message_id()
            .as_ref()
            .map(|id| id.to_string())
            .unwrap_or_default(),
        event_type: delivery.routing_key.to_string(),
        payload: Bytes::from(std::mem::take(&mut delivery.data)),
    }
}

fn from_rabbitmq(received: Result<lapin::message::Delivery, lapin::Error>) -> Option<Delivery> {
    match received {
        Ok(mut delivery) => Some(Delivery {
            message: message_of(&mut delivery),
            redelivered: delivery.redelivered,
            settle: Settle::RabbitMq(delivery.acker),
        }),
        Err(e) => {
            tracing::warn!(error = %e, "RabbitMQ subscription failed");
            None
        }
    }
}

/// One received event, pending until [`Delivery::ack`] or [`Delivery::dead_letter`]. Dropping
/// it without either (a crash) makes the transport deliver it again.
pub struct Delivery {
    pub message: Message,
    /// Delivered before and not acknowledged (RabbitMQ's flag; in-process retries are new
    /// deliveries).
    pub redelivered: bool,
    settle: Settle,
}

enum Settle {
    InProcess(oneshot::Sender<()>),
    RabbitMq(lapin::Acker),
}

impl Delivery {
    /// Done with it: the effect is committed (or was already).
    pub async fn ack(self) -> Result<(), BusError> {
        match self.settle {
            Settle::InProcess(done) => {
                let _ = done.send(());
                Ok(())
            }
            Settle::RabbitMq(acker) => {
                acker.ack(BasicAckOptions::default()).await?;
                Ok(())
            }
        }
    }

    /// Gives up on it: RabbitMQ moves it to the queue's dead-letter queue; in-process, the
    /// consumer's dead-letter table (written by the caller) is the only record.
    pub async fn dead_letter(self) -> Result<(), BusError> {
        match self.settle {
            Settle::InProcess(done) => {
                let _ = done.send(());
                Ok(())
            }
            Settle::RabbitMq(acker) => {
                acker.reject(BasicRejectOptions { requeue: false }).await?;
                Ok(())
            }
        }
    }
}

/// Delivers each published event to every subscribed queue of its type and waits until each
/// consumer has settled it, so the relay marks an event published only once it has been
/// applied: nothing is lost if the process stops in between.
pub struct InProcessBus {
    queues: Mutex<Vec<InProcessQueue>>,
    /// Live views; a slow one loses the oldest events (and is told so), never slows
    /// publishing.
    listeners: tokio::sync::broadcast::Sender<Message>,
}

impl Default for InProcessBus {
    fn default() -> Self {
        InProcessBus {
            queues: Mutex::new(Vec::new()),
            listeners: tokio::sync::broadcast::Sender::new(LISTENER_BACKLOG),
        }
    }
}

/// Events an in-process listener may fall behind by before it misses some.
const LISTENER_BACKLOG: usize = 4096;

struct InProcessQueue {
    name: String,
    types: Vec<String>,
    deliveries: mpsc::UnboundedSender<Delivery>,
}

impl InProcessBus {
    fn subscribe(&self, queue: &str, types: &[&str]) -> Subscription {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut queues = self.queues.lock().expect("bus lock");
        queues.retain(|q| q.name != queue);
        queues.push(InProcessQueue {
            name: queue.to_owned(),
            types: types.iter().map(|t| (*t).to_owned()).collect(),
            deliveries: tx,
        });
        Subscription::InProcess(rx)
    }

    async fn publish_all(&self, messages: &[Message]) -> Published {
        let mut pending = Vec::new();
        let mut failure = None;
        {
            let queues = self.queues.lock().expect("bus lock");
            'messages: for message in messages {
                let mut settles = Vec::new();
                for queue in queues.iter().filter(|q| q.types.contains(&message.event_type)) {
                    let (done, settled) = oneshot::channel();
                    let delivery = Delivery {
                        message: message.clone(),
                        redelivered: false,
                        settle: Settle::InProcess(done),
                    };
                    if queue.deliveries.send(delivery).is_err() {
                        failure = Some(BusError::ConsumerGone(queue.name.clone()));
                        break 'messages;
                    }
                    settles.push((queue.name.clone(), settled));
                }
                pending.push((message, settles));
            }
        }
        let mut safe = 0;
        for (message, settles) in pending {
            for (queue, settled) in settles {
                if settled.await.is_err() {
                    return Published {
                        safe,
                        failure: Some(BusError::ConsumerGone(queue)),
                    };
                }
            }
            // After the consumers: a live view that reloads on this event sees its effect.
            let _ = self.listeners.send(message.clone());
            safe += 1;
        }
        Published { safe, failure }
    }
}

/// RabbitMQ through lapin: a durable topic exchange, persistent messages, publisher confirms.
pub struct RabbitBus {
    url: String,
    exchange: String,
    queue_expiry: Option<Duration>,
    queue_type: EventQueueType,
    /// The publishing connection and its confirm-mode channel, opened on first use and
    /// dropped on any error so that the next publish reconnects.
    publisher: tokio::sync::Mutex<Option<(Connection, lapin::Channel)>>,
}

impl RabbitBus {
    async fn connect(&self) -> Result<Connection, BusError> {
        tokio::time::timeout(
            CONNECT_TIMEOUT,
            Connection::connect(&self.url, ConnectionProperties::default()),
        )
        .await
        .map_err(|_| BusError::Timeout(CONNECT_TIMEOUT))?
        .map_err(BusError::from)
    }

    /// `arguments` with the queues' type and expiry. A classic queue is declared without
    /// `x-queue-type`, as before the setting existed: some RabbitMQ versions hold an explicit
    /// `classic` inequivalent to a queue declared without it.
    fn expiring(&self, mut arguments: FieldTable) -> FieldTable {
        if self.queue_type == EventQueueType::Quorum {
            arguments.insert(
                ShortString::from("x-queue-type"),
                AMQPValue::LongString("quorum".into()),
            );
        }
        if let Some(expiry) = self.queue_expiry {
            let ms = i64::try_from(expiry.as_millis()).unwrap_or(i64::MAX).max(1);
            arguments.insert(ShortString::from("x-expires"), AMQPValue::LongLongInt(ms));
        }
        arguments
    }

    async fn declare_exchange(&self, channel: &lapin::Channel) -> Result<(), BusError> {
        channel
            .exchange_declare(
                self.exchange.as_str().into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        Ok(())
    }

    /// The publishing channel, connected (and confirm-mode) first if it is not.
    async fn publisher(
        &self,
        publisher: &mut Option<(Connection, lapin::Channel)>,
    ) -> Result<lapin::Channel, BusError> {
        let usable = publisher
            .as_ref()
            .is_some_and(|(conn, channel)| conn.status().connected() && channel.status().connected());
        if !usable {
            *publisher = None;
            let connection = self.connect().await?;
            let channel = connection.create_channel().await?;
            channel.confirm_select(ConfirmSelectOptions::default()).await?;
            self.declare_exchange(&channel).await?;
            *publisher = Some((connection, channel));
        }
        Ok(publisher.as_ref().expect("just connected").1.clone())
    }

    async fn ping(&self) -> Result<(), BusError> {
        let mut publisher = self.publisher.lock().await;
        self.publisher(&mut publisher).await.map(drop)
    }

    /// Sends every message before awaiting the first confirm: the broker confirms a stream of
    /// them in about the time of one.
    async fn publish_all(&self, messages: &[Message]) -> Published {
        let mut publisher = self.publisher.lock().await;
        let channel = match self.publisher(&mut publisher).await {
            Ok(channel) => channel,
            Err(e) => {
                return Published {
                    safe: 0,
                    failure: Some(e),
                };
            }
        };
        let mut confirms = Vec::with_capacity(messages.len());
        let mut failure = None;
        for message in messages {
            match channel
                .basic_publish(
                    self.exchange.as_str().into(),
                    message.event_type.as_str().into(),
                    BasicPublishOptions::default(),
                    &message.payload,
                    properties(message),
                )
                .await
            {
                Ok(confirm) => confirms.push(confirm),
                Err(e) => {
                    failure = Some(e.into());
                    break;
                }
            }
        }
        let mut safe = 0;
        for confirm in confirms {
            match confirm.await {
                Ok(Confirmation::Ack(_)) => safe += 1,
                Ok(Confirmation::Nack(_) | Confirmation::NotRequested) => {
                    failure = Some(BusError::Refused);
                    break;
                }
                Err(e) => {
                    failure = Some(e.into());
                    break;
                }
            }
        }
        if failure.is_some() {
            *publisher = None;
        }
        Published { safe, failure }
    }

    /// An exclusive, self-deleting queue bound to `types`, consumed without acknowledgements.
    async fn listen(&self, types: &[&str]) -> Result<Listener, BusError> {
        let connection = self.connect().await?;
        let channel = connection.create_channel().await?;
        self.declare_exchange(&channel).await?;
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        for event_type in types {
            channel
                .queue_bind(
                    queue.name().clone(),
                    self.exchange.as_str().into(),
                    (*event_type).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        let consumer = channel
            .basic_consume(
                queue.name().clone(),
                "".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        Ok(Listener::RabbitMq(Box::new(RabbitListener {
            consumer,
            _connection: connection,
        })))
    }

    /// Declares `queue` (durable, dead-lettering to `<queue>.dead-letter`), binds it to every
    /// type and starts consuming with manual acknowledgement.
    async fn subscribe(&self, queue: &str, types: &[&str]) -> Result<Subscription, BusError> {
        let connection = self.connect().await?;
        let channel = connection.create_channel().await?;
        self.declare_exchange(&channel).await?;

        let dead_letter_exchange = format!("{}.dead-letter", self.exchange);
        let dead_letter_queue = format!("{queue}.dead-letter");
        let durable = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        channel
            .exchange_declare(
                dead_letter_exchange.as_str().into(),
                ExchangeKind::Direct,
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        channel
            .queue_declare(
                dead_letter_queue.as_str().into(),
                durable,
                self.expiring(FieldTable::default()),
            )
            .await?;
        channel
            .queue_bind(
                dead_letter_queue.as_str().into(),
                dead_letter_exchange.as_str().into(),
                queue.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;

        let mut arguments = FieldTable::default();
        arguments.insert(
            ShortString::from("x-dead-letter-exchange"),
            AMQPValue::LongString(dead_letter_exchange.as_str().into()),
        );
        arguments.insert(
            ShortString::from("x-dead-letter-routing-key"),
            AMQPValue::LongString(queue.into()),
        );
        channel
            .queue_declare(queue.into(), durable, self.expiring(arguments))
            .await?;
        for event_type in types {
            channel
                .queue_bind(
                    queue.into(),
                    self.exchange.as_str().into(),
                    (*event_type).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        channel.basic_qos(PREFETCH, BasicQosOptions::default()).await?;
        let consumer = channel
            .basic_consume(
                queue.into(),
                format!("{queue}-{}", uuid::Uuid::new_v4().simple())
                    .as_str()
                    .into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        Ok(Subscription::RabbitMq(Box::new(RabbitSubscription {
            consumer,
            _connection: connection,
        })))
    }
}

/// Persistent, typed and named, with the request that caused it when known.
fn properties(message: &Message) -> BasicProperties {
    let properties = BasicProperties::default()
        .with_delivery_mode(2) // persistent
        .with_content_type("application/json".into())
        .with_message_id(message.id.as_str().into())
        .with_type(message.event_type.as_str().into());
    match message.correlation_id() {
        Some(correlation) => {
            let mut headers = FieldTable::default();
            headers.insert(
                "x-correlation-id".into(),
                AMQPValue::LongString(correlation.as_str().into()),
            );
            properties
                .with_correlation_id(correlation.as_str().into())
                .with_headers(headers)
        }
        None => properties,
    }
}
