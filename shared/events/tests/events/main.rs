//! The events crate on its own: the event contracts, and the backbone (outbox, relay, bus,
//! consumer with inbox and dead letters) over the in-process bus and the real RabbitMQ.
//!
//! # Layout
//! - [`contract`]: published payloads read and write back unchanged.
//! - [`backbone`]: delivery under faults; effects are counted, not messages.
//! - [`lease`]: one replica at a time holding a lease, and handing it over.
//! - `migrations/`: the tables of the service the backbone tests play.

mod backbone;
mod contract;
mod lease;
