//! Events that services publish about what happened to them, and the outbox that records
//! them in the same transaction as the change, so an event is never lost or invented.
//!
//! # Layout
//! - [`envelope`]: the versioned [`Envelope`] every event travels in, and the [`Event`] trait.
//! - [`catalog`]: the catalog's event contracts (ProductCreated, ProductUpdated, ProductArchived).
//! - [`outbox`]: [`Outbox`], which appends envelopes to a service's outbox table.
//!
//! Contracts live here rather than in the producing service so that consumers depend on the
//! contract, not on the producer's code.

pub mod catalog;
pub mod envelope;
pub mod outbox;

pub use envelope::{Envelope, Event};
pub use outbox::Outbox;
