//! The event backbone under faults, over the real RabbitMQ and MariaDB (and the in-process
//! bus on SQLite): a broker that goes away, a consumer that dies between commit and ack,
//! duplicated deliveries, poison messages. Effects are counted, not messages.

use std::sync::Arc;
use std::time::Duration;

use events::{Bus, Consumer, Envelope, Event, HandleError, Handler, Message, Outbox, Relay};
use futures::future::BoxFuture;
use serde::Serialize;
use settings::EventQueueType;
use sqlx::{AnyConnection, AssertSqlSafe};
use storage::Db;
use testkit::{TcpProxy, TestDatabase, eventually};
use tokio_util::sync::CancellationToken;

/// The service the test plays: its tables are `backbone_*`.
pub(crate) const SERVICE: &str = "backbone";
const LIMIT: Duration = Duration::from_secs(30);

#[derive(Serialize)]
struct TestHappened {
    n: i64,
    /// The handler fails (transiently) on events that ask it to.
    fail: bool,
}

impl Event for TestHappened {
    const TYPE: &'static str = "TestHappened";
    const VERSION: u32 = 1;
}

/// Records one row per application: a second application of one event would show.
struct CountingHandler;

impl Handler for CountingHandler {
    fn handle<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        envelope: &'a Envelope,
    ) -> BoxFuture<'a, Result<(), HandleError>> {
        Box::pin(async move {
            if envelope.data["fail"] == true {
                return Err(HandleError::Transient("asked to fail".into()));
            }
            sqlx::query("INSERT INTO test_effects (event_id) VALUES (?)")
                .bind(envelope.id.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}

pub(crate) struct Rig {
    pub(crate) db: Db,
    outbox: Outbox,
    _database: TestDatabase,
}

impl Rig {
    pub(crate) async fn new(database: TestDatabase) -> Rig {
        let db = database.connect().await;
        let mut migrator = match db.kind() {
            storage::DatabaseKind::Sqlite => sqlx::migrate!("./tests/events/migrations/sqlite"),
            storage::DatabaseKind::MySql => sqlx::migrate!("./tests/events/migrations/mysql"),
        };
        migrator.dangerous_set_table_name("backbone_schema_migrations");
        db.migrate(&migrator).await.unwrap();
        Rig {
            db,
            outbox: Outbox::new("backbone_outbox"),
            _database: database,
        }
    }

    /// Writes events to the outbox the way a service does, each in its own transaction.
    async fn write(&self, from: i64, to: i64, fail: bool) {
        for n in from..to {
            let mut tx = self.db.begin().await.unwrap();
            let envelope = Envelope::new(
                SERVICE,
                None,
                time::OffsetDateTime::now_utc(),
                &TestHappened { n, fail },
            );
            self.outbox.append(&mut tx, &envelope).await.unwrap();
            tx.commit().await.unwrap();
        }
    }

    async fn scalar(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }

    async fn effects(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM test_effects").await
    }

    /// No event was applied more than once.
    async fn assert_each_applied_once(&self) {
        let twice = self
            .scalar("SELECT COUNT(*) FROM (SELECT event_id FROM test_effects GROUP BY event_id HAVING COUNT(*) > 1) t")
            .await;
        assert_eq!(twice, 0, "an event was applied twice");
    }

    async fn unpublished(&self) -> i64 {
        self.scalar("SELECT COUNT(*) FROM backbone_outbox WHERE published_at IS NULL")
            .await
    }

    fn consumer(&self, bus: &Bus, exchange: &str) -> Consumer {
        Consumer::new(
            SERVICE,
            exchange,
            &["TestHappened"],
            self.db.clone(),
            bus.clone(),
            Arc::new(CountingHandler),
            3,
        )
    }
}

/// MariaDB and RabbitMQ, or `None` when they are unreachable and not required.
async fn production() -> Option<(Rig, String)> {
    let database = TestDatabase::mysql().await?;
    let amqp = testkit::rabbitmq().await?;
    Some((Rig::new(database).await, amqp))
}

fn through(proxy: &TcpProxy) -> String {
    format!("amqp://guest:guest@127.0.0.1:{}/%2f", proxy.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broker_that_goes_away_loses_nothing_and_applies_nothing_twice() {
    let Some((rig, amqp)) = production().await else {
        return;
    };
    let exchange = testkit::unique_exchange("broker-away");
    let proxy = TcpProxy::start("127.0.0.1:5672").await;
    let bus = Bus::rabbitmq_with_queue_expiry(&through(&proxy), &exchange, Some(Duration::from_secs(60)));
    let stop = CancellationToken::new();
    let consumer = rig.consumer(&bus, &exchange);
    let queue = consumer.queue().to_owned();
    let consuming = tokio::spawn(consumer.start(stop.clone()).await);
    let relaying = tokio::spawn(
        Relay::new(SERVICE, &[TestHappened::TYPE], rig.db.clone(), bus.clone()).run(stop.clone()),
    );

    rig.write(0, 20, false).await;
    eventually("the first 20 events are applied", LIMIT, || async {
        rig.effects().await == 20
    })
    .await;

    // The broker goes away; the service keeps writing events.
    proxy.cut();
    rig.write(20, 50, false).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        rig.unpublished().await > 0,
        "events wait in the outbox while the broker is away"
    );
    assert_eq!(rig.effects().await, 20);

    proxy.restore().await;
    eventually("the backlog drains once the broker is back", LIMIT, || async {
        rig.unpublished().await == 0 && rig.effects().await == 50
    })
    .await;

    // The same events published again (a relay that lost its lease mid-batch would do this).
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT event_id, event_type, payload FROM backbone_outbox ORDER BY seq LIMIT 10")
            .fetch_all(rig.db.pool())
            .await
            .unwrap();
    for (id, event_type, payload) in rows {
        bus.publish(&Message {
            id,
            event_type,
            payload: payload.into_bytes().into(),
        })
        .await
        .unwrap();
    }
    rig.write(50, 51, false).await;
    eventually("a later event is applied", LIMIT, || async {
        rig.effects().await == 51
    })
    .await;
    rig.assert_each_applied_once().await;

    stop.cancel();
    let _ = tokio::join!(consuming, relaying);
    testkit::rabbitmq_cleanup(&amqp, &exchange, &[queue]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_consumer_that_dies_between_commit_and_ack_gets_a_harmless_redelivery() {
    let Some((rig, amqp)) = production().await else {
        return;
    };
    let exchange = testkit::unique_exchange("die-before-ack");
    let bus = Bus::rabbitmq_with_queue_expiry(&amqp, &exchange, Some(Duration::from_secs(60)));
    let consumer = rig.consumer(&bus, &exchange);
    let queue = consumer.queue().to_owned();

    // A first consumer takes the event, commits its effect, and "dies" before acking: its
    // connection goes away with the delivery unacknowledged.
    let mut doomed = bus.subscribe(&queue, &["TestHappened"]).await.unwrap();
    let envelope = Envelope::new(
        SERVICE,
        None,
        time::OffsetDateTime::now_utc(),
        &TestHappened { n: 1, fail: false },
    );
    bus.publish(&Message {
        id: envelope.id.to_string(),
        event_type: envelope.event_type.clone(),
        payload: serde_json::to_vec(&envelope).unwrap().into(),
    })
    .await
    .unwrap();
    let delivery = tokio::time::timeout(LIMIT, doomed.next()).await.unwrap().unwrap();
    let decoded: Envelope = serde_json::from_slice(&delivery.message.payload).unwrap();
    assert_eq!(consumer.apply(&decoded).await.unwrap(), events::Outcome::Applied);
    drop(delivery);
    drop(doomed);
    assert_eq!(rig.effects().await, 1);

    // The replacement gets it again, sees it in the inbox, and only acknowledges it.
    let stop = CancellationToken::new();
    let consuming = tokio::spawn(consumer.clone().start(stop.clone()).await);
    let applied_later = Envelope::new(
        SERVICE,
        None,
        time::OffsetDateTime::now_utc(),
        &TestHappened { n: 2, fail: false },
    );
    bus.publish(&Message {
        id: applied_later.id.to_string(),
        event_type: applied_later.event_type.clone(),
        payload: serde_json::to_vec(&applied_later).unwrap().into(),
    })
    .await
    .unwrap();
    eventually(
        "the next event is applied after the redelivery",
        LIMIT,
        || async { rig.effects().await == 2 },
    )
    .await;
    rig.assert_each_applied_once().await;
    let inbox = rig.scalar("SELECT COUNT(*) FROM backbone_inbox").await;
    assert_eq!(inbox, 2);
    stop.cancel();
    let _ = consuming.await;
    testkit::rabbitmq_cleanup(&amqp, &exchange, &[queue]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn poison_messages_are_dead_lettered_and_the_next_ones_consumed() {
    poison_messages_are_dead_lettered(EventQueueType::Classic).await;
}

/// The same over quorum queues, as on a RabbitMQ cluster (a single node serves them too).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quorum_queues_carry_events_and_dead_letters_alike() {
    poison_messages_are_dead_lettered(EventQueueType::Quorum).await;
}

async fn poison_messages_are_dead_lettered(queue_type: EventQueueType) {
    let Some((rig, amqp)) = production().await else {
        return;
    };
    let exchange = testkit::unique_exchange("poison");
    let bus = Bus::rabbitmq_with(&amqp, &exchange, Some(Duration::from_secs(60)), queue_type);
    let consumer = rig.consumer(&bus, &exchange);
    let queue = consumer.queue().to_owned();
    let stop = CancellationToken::new();
    let consuming = tokio::spawn(consumer.start(stop.clone()).await);
    let relaying = tokio::spawn(
        Relay::new(SERVICE, &[TestHappened::TYPE], rig.db.clone(), bus.clone()).run(stop.clone()),
    );

    // Not JSON at all, then an event the handler keeps failing on, then a good one.
    bus.publish(&Message {
        id: "garbage-1".into(),
        event_type: "TestHappened".into(),
        payload: b"not json".to_vec().into(),
    })
    .await
    .unwrap();
    rig.write(0, 1, true).await;
    rig.write(1, 2, false).await;
    eventually("the good event is applied", LIMIT, || async {
        rig.effects().await == 1
    })
    .await;
    eventually("both poison messages are recorded", LIMIT, || async {
        rig.scalar("SELECT COUNT(*) FROM backbone_dead_letters").await == 2
    })
    .await;
    let errors: Vec<(String, i64)> =
        sqlx::query_as("SELECT error, attempts FROM backbone_dead_letters ORDER BY id")
            .fetch_all(rig.db.pool())
            .await
            .unwrap();
    assert!(errors[0].0.contains("undecodable"), "{errors:?}");
    assert_eq!(
        (errors[1].0.as_str(), errors[1].1),
        ("asked to fail", 3),
        "failed 3 times, then gave up"
    );

    // Both also sit in the queue's dead-letter queue on the broker.
    let connection = lapin::Connection::connect(&amqp, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let mut dead = Vec::new();
    while let Some(message) = channel
        .basic_get(
            format!("{queue}.dead-letter").as_str().into(),
            lapin::options::BasicGetOptions { no_ack: true },
        )
        .await
        .unwrap()
    {
        dead.push(String::from_utf8_lossy(&message.delivery.data).into_owned());
    }
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert_eq!(dead[0], "not json");
    // The queues are of the type asked for: declared again with the same arguments they are
    // accepted, and with another type refused.
    let declare = |name: String, queue_type: Option<&'static str>| {
        let connection = &connection;
        let dead_letter_exchange = format!("{exchange}.dead-letter");
        async move {
            use lapin::types::{AMQPValue, FieldTable};
            let mut arguments = FieldTable::default();
            if !name.ends_with(".dead-letter") {
                arguments.insert(
                    "x-dead-letter-exchange".into(),
                    AMQPValue::LongString(dead_letter_exchange.as_str().into()),
                );
                arguments.insert(
                    "x-dead-letter-routing-key".into(),
                    AMQPValue::LongString(name.as_str().into()),
                );
            }
            if let Some(queue_type) = queue_type {
                arguments.insert("x-queue-type".into(), AMQPValue::LongString(queue_type.into()));
            }
            arguments.insert("x-expires".into(), AMQPValue::LongLongInt(60_000));
            let channel = connection.create_channel().await.unwrap();
            let options = lapin::options::QueueDeclareOptions {
                durable: true,
                ..Default::default()
            };
            channel
                .queue_declare(name.as_str().into(), options, arguments)
                .await
        }
    };
    let (same, other) = match queue_type {
        EventQueueType::Classic => (None, "quorum"),
        EventQueueType::Quorum => (Some("quorum"), "classic"),
    };
    for name in [queue.clone(), format!("{queue}.dead-letter")] {
        declare(name.clone(), same)
            .await
            .unwrap_or_else(|e| panic!("{name} declared again as it was: {e}"));
        assert!(
            declare(name.clone(), Some(other)).await.is_err(),
            "{name} is not a {queue_type:?} queue"
        );
    }

    stop.cancel();
    let _ = tokio::join!(consuming, relaying);
    testkit::rabbitmq_cleanup(&amqp, &exchange, &[queue]).await;
}

/// The embedded default: the in-process bus marks an event published only once it is applied,
/// so a consumer that is not running leaves the event in the outbox until it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_process_events_wait_in_the_outbox_until_their_consumer_runs() {
    let rig = Rig::new(TestDatabase::sqlite()).await;
    let bus = Bus::in_process();
    let stop_consumer = CancellationToken::new();
    let stop_relay = CancellationToken::new();
    let consumer = rig.consumer(&bus, "local");
    let consuming = tokio::spawn(consumer.clone().start(stop_consumer.clone()).await);
    let relaying = tokio::spawn(
        Relay::new(SERVICE, &[TestHappened::TYPE], rig.db.clone(), bus.clone()).run(stop_relay.clone()),
    );
    rig.write(0, 10, false).await;
    eventually("10 applied", LIMIT, || async { rig.effects().await == 10 }).await;

    stop_consumer.cancel();
    consuming.await.unwrap();
    rig.write(10, 15, false).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        rig.unpublished().await,
        5,
        "nothing is marked published without its consumer"
    );

    let stop_consumer = CancellationToken::new();
    let consuming = tokio::spawn(consumer.start(stop_consumer.clone()).await);
    eventually("the backlog is applied", LIMIT, || async {
        rig.effects().await == 15 && rig.unpublished().await == 0
    })
    .await;
    rig.assert_each_applied_once().await;
    stop_consumer.cancel();
    stop_relay.cancel();
    let _ = tokio::join!(consuming, relaying);
}

/// The deliveries a consumer finds waiting are applied in one transaction; a duplicate among
/// them changes nothing, and one that fails sends the batch back to one event at a time, so
/// the others are applied once and only the failing one is dead-lettered.
async fn waiting_deliveries_are_applied_together(rig: Rig, bus: Bus, exchange: &str) {
    let consumer = rig.consumer(&bus, exchange);
    let mut deliveries = bus.subscribe(consumer.queue(), &["TestHappened"]).await.unwrap();
    let envelopes: Vec<Envelope> = (0..10)
        .map(|n| {
            Envelope::new(
                SERVICE,
                None,
                time::OffsetDateTime::now_utc(),
                &TestHappened { n, fail: false },
            )
        })
        .collect();
    let message = |envelope: &Envelope| Message {
        id: envelope.id.to_string(),
        event_type: envelope.event_type.clone(),
        payload: serde_json::to_vec(envelope).unwrap().into(),
    };
    let round = |messages: Vec<Message>| {
        let bus = bus.clone();
        tokio::spawn(async move { bus.publish_all(&messages).await })
    };
    let take = async |deliveries: &mut events::Subscription, n: usize| {
        let mut batch = vec![deliveries.next().await.unwrap()];
        while batch.len() < n {
            match deliveries.ready() {
                Some(more) => batch.push(more),
                None => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
        batch
    };

    let publishing = round(envelopes.iter().map(message).collect());
    let outcomes = consumer.process_all(take(&mut deliveries, 10).await).await;
    assert_eq!(outcomes, vec![events::Outcome::Applied; 10]);
    let published = publishing.await.unwrap();
    assert_eq!((published.safe, published.failure.is_none()), (10, true));
    assert_eq!(rig.effects().await, 10);

    // Again three of them (already applied), a new one twice, one that keeps failing and one
    // that is not an event at all.
    let fresh = |n, fail| {
        Envelope::new(
            SERVICE,
            None,
            time::OffsetDateTime::now_utc(),
            &TestHappened { n, fail },
        )
    };
    let (new, failing) = (fresh(10, false), fresh(11, true));
    let second = [
        envelopes[1].clone(),
        new.clone(),
        envelopes[2].clone(),
        new,
        failing,
        envelopes[3].clone(),
        fresh(12, false),
    ];
    let mut messages: Vec<Message> = second.iter().map(message).collect();
    messages.insert(
        1,
        Message {
            id: "garbage-2".into(),
            event_type: "TestHappened".into(),
            payload: b"not json".to_vec().into(),
        },
    );
    let publishing = round(messages);
    let mut outcomes = consumer.process_all(take(&mut deliveries, 8).await).await;
    use events::Outcome::{Applied, DeadLettered, Duplicate};
    assert!(
        matches!(&outcomes[1], DeadLettered(reason) if reason.contains("undecodable")),
        "{outcomes:?}"
    );
    outcomes.remove(1);
    assert_eq!(
        outcomes,
        vec![
            Duplicate,
            Applied,
            Duplicate,
            Duplicate,
            DeadLettered("asked to fail".into()),
            Duplicate,
            Applied
        ]
    );
    assert_eq!(publishing.await.unwrap().safe, 8);
    assert_eq!(rig.effects().await, 12);
    rig.assert_each_applied_once().await;
    assert_eq!(rig.scalar("SELECT COUNT(*) FROM backbone_dead_letters").await, 2);
    assert_eq!(rig.scalar("SELECT COUNT(*) FROM backbone_inbox").await, 12);

    // A batch that decodes but holds one already applied: its inbox rows cannot be written in
    // one statement, and are written one by one in the same transaction.
    let third = [fresh(13, false), envelopes[4].clone(), fresh(14, false)];
    let publishing = round(third.iter().map(message).collect());
    let outcomes = consumer.process_all(take(&mut deliveries, 3).await).await;
    assert_eq!(outcomes, vec![Applied, Duplicate, Applied]);
    assert_eq!(publishing.await.unwrap().safe, 3);
    assert_eq!(rig.effects().await, 14);
    rig.assert_each_applied_once().await;
    assert_eq!(rig.scalar("SELECT COUNT(*) FROM backbone_inbox").await, 14);

    // A batch that decodes but holds one that keeps failing: the batch is rolled back and each
    // is applied on its own, the failing one dead-lettered.
    let fourth = [fresh(15, false), fresh(16, true), fresh(17, false)];
    let publishing = round(fourth.iter().map(message).collect());
    let outcomes = consumer.process_all(take(&mut deliveries, 3).await).await;
    assert_eq!(
        outcomes,
        vec![Applied, DeadLettered("asked to fail".into()), Applied]
    );
    assert_eq!(publishing.await.unwrap().safe, 3);
    assert_eq!(rig.effects().await, 16);
    rig.assert_each_applied_once().await;
    assert_eq!(rig.scalar("SELECT COUNT(*) FROM backbone_dead_letters").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiting_deliveries_are_applied_together_in_process() {
    let rig = Rig::new(TestDatabase::sqlite()).await;
    waiting_deliveries_are_applied_together(rig, Bus::in_process(), "local").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiting_deliveries_are_applied_together_over_rabbitmq() {
    let Some((rig, amqp)) = production().await else {
        return;
    };
    let exchange = testkit::unique_exchange("batches");
    let bus = Bus::rabbitmq_with_queue_expiry(&amqp, &exchange, Some(Duration::from_secs(60)));
    let queue = format!("{exchange}.{SERVICE}");
    waiting_deliveries_are_applied_together(rig, bus, &exchange).await;
    testkit::rabbitmq_cleanup(&amqp, &exchange, &[queue]).await;
}

/// A relay writes its lease when it takes it, not at every round: on SQLite each write is a
/// transaction that waits for the one writer. Another relay still cannot take it meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_holding_its_lease_does_not_write_it_at_every_round() {
    let rig = Rig::new(TestDatabase::sqlite()).await;
    let bus = Bus::in_process();
    let lease = "SELECT expires_at FROM backbone_relay_lease WHERE name = 'outbox'";
    let relay = Relay::new(SERVICE, &[TestHappened::TYPE], rig.db.clone(), bus.clone());
    relay.relay_once().await.unwrap();
    let taken = rig.scalar(lease).await;
    assert!(taken > 0, "the first round takes the lease");
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        relay.relay_once().await.unwrap();
    }
    assert_eq!(rig.scalar(lease).await, taken, "the lease was written again");

    let other = Relay::new(SERVICE, &[TestHappened::TYPE], rig.db.clone(), bus.clone());
    rig.write(0, 1, false).await;
    assert_eq!(
        other.relay_once().await.unwrap(),
        0,
        "another relay published on a held lease"
    );
    assert_eq!(rig.scalar(lease).await, taken);
    assert_eq!(rig.unpublished().await, 1);
}
