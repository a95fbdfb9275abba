//! Locations: where stock is kept. Every installation has `main`, which stays active.

use std::sync::Arc;

use inventory_api::inputs::{LocationInput, LocationPatch};
use kernel::text::required_line;
use kernel::{FieldErrors, LocationCode};

use crate::domain::Location;
use crate::error::InventoryError;
use crate::store::InventoryStore;

pub struct Locations {
    store: Arc<InventoryStore>,
}

impl Locations {
    pub fn new(store: Arc<InventoryStore>) -> Locations {
        Locations { store }
    }

    pub async fn all(&self) -> Result<Vec<Location>, InventoryError> {
        self.store.locations().await
    }

    /// Adds a location, active, refusing stock below zero unless asked.
    pub async fn create(&self, input: &LocationInput) -> Result<Location, InventoryError> {
        let mut errors = FieldErrors::new();
        let code = errors.required("code", input.code.as_deref(), LocationCode::parse);
        let name = errors.required("name", input.name.as_deref(), |n| required_line(n, 100));
        let location = errors
            .finish_parsed(code.zip(name))
            .map(|(code, name)| Location {
                code: code.as_str().to_owned(),
                name,
                active: true,
                allow_negative: input.allow_negative.unwrap_or(false),
            })
            .map_err(InventoryError::Validation)?;
        self.store.create_location(&location).await?;
        Ok(location)
    }

    /// Renames, (de)activates or changes the negative-stock policy of the location `code`.
    pub async fn update(&self, code: &str, patch: &LocationPatch) -> Result<Location, InventoryError> {
        let code =
            LocationCode::parse(code).map_err(|_| InventoryError::LocationNotFound(code.to_owned()))?;
        let current = self
            .store
            .location(code.as_str())
            .await?
            .ok_or_else(|| InventoryError::LocationNotFound(code.as_str().to_owned()))?;
        let mut errors = FieldErrors::new();
        let name = errors
            .optional("name", patch.name.as_deref(), |n| required_line(n, 100))
            .flatten();
        if patch.active == Some(false) && current.code == LocationCode::MAIN {
            return Err(InventoryError::MainLocationRequired);
        }
        let location = errors
            .finish(|| Location {
                name: name.unwrap_or_else(|| current.name.clone()),
                active: patch.active.unwrap_or(current.active),
                allow_negative: patch.allow_negative.unwrap_or(current.allow_negative),
                ..current
            })
            .map_err(InventoryError::Validation)?;
        self.store.update_location(&location).await?;
        Ok(location)
    }
}
