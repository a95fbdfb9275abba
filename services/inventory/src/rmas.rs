//! Warranty cases: the requests checked, then carried out by the store.

use std::sync::Arc;

use inventory_api::rmas::{RmaInput, RmaNoteInput, RmaStepInput};
use kernel::serial::SerialNumber;
use kernel::text::paragraph;
use kernel::{FieldErrors, LocationCode, Sku};

use crate::domain::Origin;
use crate::domain::rma::Rma;
use crate::error::InventoryError;
use crate::store::InventoryStore;
use crate::store::rmas::{NewRma, RmaFilter, RmaStep};

pub struct Rmas {
    store: Arc<InventoryStore>,
}

impl Rmas {
    pub fn new(store: Arc<InventoryStore>) -> Rmas {
        Rmas { store }
    }

    pub async fn open(&self, input: &RmaInput, origin: Origin) -> Result<Rma, InventoryError> {
        let mut errors = FieldErrors::new();
        let serial = errors.required("serial", input.serial.as_deref(), SerialNumber::parse);
        let sku = errors
            .optional("sku", input.sku.as_deref(), |s| {
                Sku::parse(s).map(Sku::into_string)
            })
            .flatten();
        let location = errors
            .optional("location", input.location.as_deref(), LocationCode::parse)
            .flatten();
        let fault = errors.required("fault", input.fault.as_deref(), |v| {
            paragraph(v, 500)?.ok_or_else(|| "must say what is wrong with the unit".to_owned())
        });
        let new = errors
            .finish_parsed(serial.zip(fault))
            .map(|(serial, fault)| NewRma {
                serial,
                sku,
                location,
                fault,
                origin,
            })
            .map_err(InventoryError::Validation)?;
        self.store.open_rma(&new).await
    }

    pub async fn step(&self, id: &str, input: &RmaStepInput, origin: Origin) -> Result<Rma, InventoryError> {
        let id = known_id(id)?;
        let mut errors = FieldErrors::new();
        let to = errors.required("to", input.to, Ok);
        let note = note(&mut errors, input.note.as_deref());
        let supplier_id = errors
            .optional(
                "supplier_id",
                input.supplier_id.as_deref(),
                crate::suppliers::parse_id,
            )
            .flatten();
        let replacement = errors
            .optional(
                "replacement_serial",
                input.replacement_serial.as_deref(),
                SerialNumber::parse,
            )
            .flatten();
        let step = errors
            .finish_parsed(to)
            .map(|to| RmaStep {
                to,
                note,
                supplier_id,
                replacement,
                origin,
            })
            .map_err(InventoryError::Validation)?;
        self.store.move_rma(&id, &step).await
    }

    pub async fn note(&self, id: &str, input: &RmaNoteInput, origin: Origin) -> Result<Rma, InventoryError> {
        let id = known_id(id)?;
        let mut errors = FieldErrors::new();
        let note = errors.required("note", input.note.as_deref(), |v| {
            paragraph(v, 500)?.ok_or_else(|| "must not be blank".to_owned())
        });
        let note = errors.finish_parsed(note).map_err(InventoryError::Validation)?;
        self.store.note_rma(&id, &note, &origin).await
    }

    pub async fn get(&self, id: &str) -> Result<Rma, InventoryError> {
        let id = known_id(id)?;
        self.store.rma(&id).await?.ok_or(InventoryError::RmaNotFound(id))
    }

    pub async fn list(
        &self,
        filter: &RmaFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Rma>, InventoryError> {
        self.store.rmas(filter, before, limit).await
    }
}

fn note(errors: &mut FieldErrors, raw: Option<&str>) -> Option<String> {
    errors
        .optional("note", raw, |v| paragraph(v, 500))
        .flatten()
        .flatten()
}

fn known_id(id: &str) -> Result<String, InventoryError> {
    crate::suppliers::parse_id(id).map_err(|_| InventoryError::RmaNotFound(id.chars().take(64).collect()))
}
