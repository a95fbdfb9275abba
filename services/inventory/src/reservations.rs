//! Reservations: stock held for a sale while the sales service records it, so that a sale is
//! accepted only if every line is available, all lines or none.
//!
//! The sales service reserves under the sale's id (asking twice finds the same reservation),
//! then commits the sale with its SaleCreated event, which turns the reservation into sale
//! movements (`store::reservations`). A reservation whose sale never commits is released by
//! the sales service or, failing that, when it expires.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use inventory_api::reservations::{DEFAULT_TTL_SECS, MAX_TTL_SECS, ReserveInput};
use kernel::quantity::units_moved;
use kernel::{FieldErrors, LocationCode};

use crate::domain::serials::parse_serials;
use crate::domain::{Reservation, ReservationLine};
use crate::error::InventoryError;
use crate::stock::known_sku;
use crate::store::InventoryStore;

/// The longest sale id a reservation is held under.
const MAX_ID_LEN: usize = 64;

pub struct Reservations {
    store: Arc<InventoryStore>,
}

impl Reservations {
    pub fn new(store: Arc<InventoryStore>) -> Reservations {
        Reservations { store }
    }

    /// Holds the lines of `input` under its id, all or none.
    pub async fn reserve(&self, input: &ReserveInput) -> Result<Reservation, InventoryError> {
        let mut errors = FieldErrors::new();
        let id = input.id.trim();
        if id.is_empty() || id.len() > MAX_ID_LEN {
            errors.push("id", format!("must be 1 to {MAX_ID_LEN} characters"));
        }
        let location = match input.location.as_deref() {
            None => Some(LocationCode::main()),
            Some(raw) => errors.check("location", LocationCode::parse(raw)),
        };
        if input.lines.is_empty() {
            errors.push("lines", "must not be empty");
        }
        let mut lines = Vec::new();
        for (i, line) in input.lines.iter().enumerate() {
            let sku = errors.check(
                &format!("lines[{i}].sku"),
                known_sku(&line.sku).map_err(|_| "is not a SKU".to_owned()),
            );
            let quantity = errors.check(&format!("lines[{i}].quantity"), units_moved(line.quantity));
            let serials = parse_serials(&mut errors, &line.serials, &format!("lines[{i}].serials"));
            if let (Some(sku), Some(quantity)) = (sku, quantity) {
                lines.push(ReservationLine {
                    sku,
                    quantity,
                    serials,
                });
            }
        }
        let location = errors
            .finish_parsed(location)
            .map_err(InventoryError::Validation)?;
        let ttl = Duration::from_secs(input.ttl_secs.unwrap_or(DEFAULT_TTL_SECS).clamp(1, MAX_TTL_SECS));
        self.store.reserve(id, &location, &lines, ttl).await
    }

    pub async fn get(&self, id: &str) -> Result<Reservation, InventoryError> {
        self.store
            .reservation(id)
            .await?
            .ok_or_else(|| InventoryError::ReservationNotFound(id.to_owned()))
    }

    /// Gives a pending reservation's stock back (releasing twice changes nothing).
    pub async fn release(&self, id: &str) -> Result<Reservation, InventoryError> {
        self.store
            .release(id)
            .await?
            .ok_or_else(|| InventoryError::ReservationNotFound(id.to_owned()))
    }

    /// Releases every pending reservation past its expiry whose sale was never recorded, and
    /// returns how many. `sale_recorded` asks the sales service: `Some(true)` (recorded; its
    /// SaleCreated is on its way) confirms the reservation so it no longer expires,
    /// `Some(false)` releases it, `None` (sales unreachable) keeps holding the stock, the safe
    /// side, until the next round.
    pub async fn release_expired<F, Fut>(&self, sale_recorded: F) -> Result<usize, InventoryError>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Option<bool>>,
    {
        let mut released = 0;
        for id in self.store.expired_reservations().await? {
            match sale_recorded(id.clone()).await {
                Some(false) => {
                    tracing::info!(reservation = %id, "reservation expired without a sale; releasing its stock");
                    self.store.release(&id).await?;
                    released += 1;
                }
                Some(true) => self.store.confirm_reservation(&id).await?,
                None => {
                    tracing::warn!(reservation = %id, "cannot ask the sales service about an expired reservation; holding it")
                }
            }
        }
        Ok(released)
    }
}
