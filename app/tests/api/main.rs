//! The whole system from the outside: the real services started as the binary starts them
//! (in this process, or as processes of the built executable), in both modes, driven over
//! HTTP and in a headless browser like any client. One test binary, so the application is
//! linked once.
//!
//! Tests run in parallel except the fault drill, which restarts the shared RabbitMQ: every
//! test's [`support::Backing`] holds a shared claim on the machine's servers, and the drill
//! holds the exclusive one (see [`support::Backing::exclusive`]).
//!
//! # Layout
//! - [`support`]: starting apps and processes on fresh databases, clients, helpers.
//! - [`catalog`], [`shop`], [`inventory`], [`sales`], [`counter`], [`auth`], [`reports`], [`serials`]: each
//!   part of the API.
//! - [`correlation`]: a request id followed through services, events and logs.
//! - [`binary`]: the executable: commands, split processes, signals, backups, memory.
//! - [`dashboard`], [`browser`]: the admin dashboard, over HTTP and in Chromium.
//! - [`faults`], [`fault_drill`]: broken connections, killed services and a restarted broker
//!   under load.
//! - [`replicas`]: two replicas of every service, one of them killed at a time under load.

#[macro_use]
mod support;

mod auth;
mod binary;
mod browser;
mod catalog;
mod correlation;
mod counter;
mod customers;
mod dashboard;
mod export;
mod fault_drill;
mod faults;
mod import;
mod inventory;
mod purchasing;
mod reorder;
mod replicas;
mod reports;
mod sales;
mod serials;
mod shifts;
mod shop;
mod suppliers;
