//! Events that services publish about what happened to them, and the machinery that carries
//! them without loss or double effect: the transactional outbox, the relay, the transports
//! and idempotent consumers.
//!
//! # Layout
//! - [`envelope`]: the versioned [`Envelope`] every event travels in, and the [`Event`] trait.
//! - [`catalog`], [`inventory`], [`sales`]: the event contracts of each publishing service.
//! - [`outbox`]: [`Outbox`], which appends envelopes to a service's outbox table inside the
//!   transaction of the change.
//! - [`relay`]: [`Relay`], which publishes outbox rows in order, marking them only once safe.
//! - [`lease`]: [`lease::Lease`], one replica of a service at a time doing a job (the relay,
//!   housekeeping), another taking over when it dies.
//! - [`bus`]: [`Bus`], RabbitMQ (durable topic exchange, publisher confirms, manual acks,
//!   dead-letter queues) or the in-process bus of the embedded default.
//! - [`consumer`]: [`Consumer`], which applies each event once (inbox table) and dead-letters
//!   the ones that keep failing.
//! - [`backoff`]: exponential back-off with jitter for the retry loops.
//!
//! Contracts live here rather than in the producing service so that consumers depend on the
//! contract, not on the producer's code.

pub mod backoff;
pub mod bus;
pub mod catalog;
pub mod consumer;
pub mod envelope;
pub mod inventory;
pub mod lease;
pub mod outbox;
pub mod relay;
pub mod sales;

pub use bus::{Bus, BusError, Delivery, Heard, Listener, Message, Published, Subscription};
pub use consumer::{Consumer, HandleError, Handler, Outcome};
pub use envelope::{Envelope, Event};
pub use outbox::{HistoryPage, Outbox};
pub use relay::Relay;
