//! One request followed through every service: a sale sent to the gateway with an
//! `X-Request-Id` is logged under that id by the gateway and the sales service, the sales
//! service passes it on to the inventory with its reservation, and the SaleCreated event
//! carries it across RabbitMQ (in the message's properties and headers) into the inventory's
//! log line for applying it. Production mode, every service its own process, JSON logs.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::support::process::{Split, command};
use crate::support::{Backing, Mode};
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Reads `lines` until one is a JSON log object for which `wanted` holds; fails after 20 s.
fn logged(lines: &Receiver<String>, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let Ok(line) = lines.recv_timeout(left) else { break };
        if let Ok(log) = serde_json::from_str::<Value>(&line)
            && wanted(&log)
        {
            return log;
        }
        seen.push(line);
    }
    panic!("no log line {what}; logged:\n{}", seen.join("\n"));
}

/// Whether `log`'s span, or any of its parent spans, has `field` = `value`.
fn in_span(log: &Value, field: &str, value: &str) -> bool {
    let spans = log["spans"].as_array().cloned().unwrap_or_default();
    spans
        .iter()
        .chain([&log["span"]])
        .any(|span| span[field] == value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_is_followed_by_its_request_id_through_every_service_and_rabbitmq() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let split = Split::start(
        || command(Some(&backing)),
        &["catalog", "inventory", "sales", "reports", "gateway"],
    );
    let api = split.url("gateway");
    let client = crate::support::admin_client(&api).await;
    crate::support::stocked_product(&client, &api, "TRACE-1", 5).await;

    // A listener of our own on the exchange, to see the message as RabbitMQ carries it.
    let amqp = backing.amqp_url.clone().unwrap();
    let connection = lapin::Connection::connect(&amqp, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
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
        .await
        .unwrap();
    channel
        .queue_bind(
            queue.name().clone(),
            backing.exchange.as_str().into(),
            "SaleCreated".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    let mut deliveries = channel
        .basic_consume(
            queue.name().clone(),
            "correlation-test".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();

    let trace = format!("trace-{}", uuid::Uuid::new_v4().simple());
    let sold = client
        .post(format!("{api}/api/v1/sales"))
        .header("x-request-id", &trace)
        .json(&json!({"lines": [{"sku": "TRACE-1", "quantity": 1}], "payment_method": "cash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sold.status(), StatusCode::CREATED);
    assert_eq!(sold.headers()["x-request-id"], trace.as_str(), "the id is echoed");

    // On the wire: the correlation id in the properties and the headers.
    let delivery = tokio::time::timeout(Duration::from_secs(20), deliveries.next())
        .await
        .expect("SaleCreated reaches RabbitMQ")
        .expect("a delivery")
        .expect("a good delivery");
    let properties = &delivery.properties;
    assert_eq!(
        properties.correlation_id().as_ref().map(|c| c.to_string()),
        Some(trace.clone())
    );
    let header = properties
        .headers()
        .as_ref()
        .and_then(|h| h.inner().get("x-correlation-id").cloned());
    assert!(
        matches!(&header, Some(AMQPValue::LongString(value)) if value.to_string() == trace),
        "{header:?}"
    );

    // In the logs: the gateway and the sales service served it under that id...
    for service in ["gateway", "sales"] {
        logged(
            split.lines(service),
            &format!("of {service} serving the sale"),
            |log| in_span(log, "request_id", &trace) && in_span(log, "path", "/api/v1/sales"),
        );
    }
    // ...the inventory served the reservation under it, and applied the event under it.
    logged(
        split.lines("inventory"),
        "of the inventory reserving for the sale",
        |log| {
            in_span(log, "request_id", &trace)
                && log["span"]["path"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("/internal/v1/reservations"))
        },
    );
    let applied = logged(
        split.lines("inventory"),
        "of the inventory applying SaleCreated",
        |log| log["message"] == "event applied" && in_span(log, "correlation_id", &trace),
    );
    assert_eq!(applied["span"]["event_type"], "SaleCreated", "{applied}");

    let _ = connection.close(200, "done".into()).await;
    split.terminate();
}
