//! The shop's vocabulary, shared by every service and free of I/O: no HTTP, no SQL, no async.
//!
//! # Layout
//! - [`codes`]: [`Sku`] and [`LocationCode`], the identifiers every service uses.
//! - [`decimal`]: numbers sent with at most two decimals, read exactly.
//! - [`fields`]: [`FieldError`] and [`FieldErrors`], every bad field of a request at once.
//! - [`text`]: the rules for names, notes and descriptions.
//! - [`contact`]: phone numbers and email addresses.
//! - [`money`]: [`Cents`], amounts of money with arithmetic that never wraps, and [`Total`],
//!   a sum of many amounts that says so when the result cannot be represented.
//! - [`quantity`]: the bounds of stock quantities.
//! - [`tax`]: [`TaxRate`], [`Pricing`] and how an amount splits into net and tax.
//! - [`states`]: sale and reservation states, payment methods, kinds of stock movement.
//! - [`serial`]: serial numbers and the states a serialized unit goes through.
//! - [`report`]: an error told with its causes, for logs.

pub mod codes;
pub mod contact;
pub mod decimal;
pub mod fields;
pub mod money;
pub mod quantity;
pub mod report;
pub mod serial;
pub mod states;
pub mod tax;
pub mod text;

pub use codes::{LocationCode, Sku};
pub use fields::{FieldError, FieldErrors};
pub use money::{Cents, Overflow, Total};
pub use serial::{SerialChange, SerialNumber, SerialState};
pub use states::{
    MovementKind, PaymentMethod, PurchaseOrderStatus, ReservationStatus, SaleChange, SaleStatus,
};
pub use tax::{Pricing, TaxRate, Taxed};
