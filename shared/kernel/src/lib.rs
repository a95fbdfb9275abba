//! The shop's vocabulary, shared by every service and free of I/O: no HTTP, no SQL, no async.
//!
//! # Layout
//! - [`money`]: [`Cents`], amounts of money with arithmetic that never wraps, and [`Total`],
//!   a sum of many amounts that says so when the result cannot be represented.
//! - [`quantity`]: the bounds of stock quantities.

pub mod money;
pub mod quantity;

pub use money::{Cents, Overflow, Total};
