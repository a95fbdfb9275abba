//! The `inventory-tracker` binary's library: which services exist, and how a process starts
//! any set of them and stops them cleanly.
//!
//! # Layout
//! - [`targets`]: the static table of targets (services a process can run).
//! - [`launch`]: the composition root: binds listeners, builds the chosen services, serves
//!   them until shutdown.
//! - [`cli`]: the command line.
//! - [`backup`]: consistent copies of the embedded databases, and putting them back.

pub mod backup;
pub mod cli;
pub mod launch;
pub mod targets;

pub use launch::{Running, StartError, start};
pub use targets::{Target, parse_targets};
