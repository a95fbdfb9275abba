//! Suppliers: who the shop buys from, how long they take, and for each product the suppliers
//! it is bought from (their code for it, the last cost, the preferred one).

use std::collections::HashSet;
use std::sync::Arc;

use inventory_api::suppliers::{
    MAX_LEAD_TIME_DAYS, MAX_SUPPLIER_ITEMS, Supplier, SupplierInput, SupplierItemList, SupplierItemsInput,
};
use kernel::contact::{email, phone};
use kernel::text::{line, paragraph, required_line};
use kernel::{FieldError, FieldErrors, Sku};

use crate::error::InventoryError;
use crate::store::InventoryStore;
use crate::store::suppliers::{NewItem, SupplierFields};

/// The most suppliers a listing shows.
pub const MAX_SUPPLIERS: u32 = 500;

pub struct Suppliers {
    store: Arc<InventoryStore>,
}

impl Suppliers {
    pub fn new(store: Arc<InventoryStore>) -> Suppliers {
        Suppliers { store }
    }

    pub async fn create(&self, input: &SupplierInput) -> Result<Supplier, InventoryError> {
        let mut fields = fields(input, true).map_err(InventoryError::Validation)?;
        fields.lead_time_days.get_or_insert(7);
        self.store.add_supplier(&fields).await
    }

    pub async fn get(&self, id: &str) -> Result<Supplier, InventoryError> {
        let id = known_id(id)?;
        self.store
            .supplier(&id)
            .await?
            .ok_or(InventoryError::SupplierNotFound(id))
    }

    pub async fn change(&self, id: &str, input: &SupplierInput) -> Result<Supplier, InventoryError> {
        let id = known_id(id)?;
        let fields = fields(input, false).map_err(InventoryError::Validation)?;
        self.store
            .change_supplier(&id, &fields)
            .await?
            .ok_or(InventoryError::SupplierNotFound(id))
    }

    pub async fn archive(&self, id: &str) -> Result<(), InventoryError> {
        let id = known_id(id)?;
        if self.store.archive_supplier(&id).await? {
            Ok(())
        } else {
            Err(InventoryError::SupplierNotFound(id))
        }
    }

    pub async fn list(&self, text: Option<&str>, archived: bool) -> Result<Vec<Supplier>, InventoryError> {
        self.store.suppliers(text, archived, MAX_SUPPLIERS).await
    }

    /// The suppliers of product `sku`.
    pub async fn of_item(&self, sku: &str) -> Result<SupplierItemList, InventoryError> {
        let sku = self.known_sku(sku).await?;
        let items = self.store.supplier_items(&sku).await?;
        Ok(SupplierItemList { sku, items })
    }

    /// Replaces the suppliers of product `sku`: each a supplier of the shop, not archived,
    /// named once; at most one preferred.
    pub async fn set_items(
        &self,
        sku: &str,
        input: &SupplierItemsInput,
    ) -> Result<SupplierItemList, InventoryError> {
        let sku = self.known_sku(sku).await?;
        let mut errors = FieldErrors::new();
        if input.items.len() > MAX_SUPPLIER_ITEMS {
            errors.push(
                "items",
                format!("must have at most {MAX_SUPPLIER_ITEMS} suppliers"),
            );
        }
        if input.items.iter().filter(|i| i.preferred == Some(true)).count() > 1 {
            errors.push("items", "may have at most one preferred supplier");
        }
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for (i, item) in input.items.iter().enumerate() {
            let field = |name: &str| format!("items[{i}].{name}");
            let Some(supplier_id) = errors.check(&field("supplier_id"), parse_id(&item.supplier_id)) else {
                continue;
            };
            if !seen.insert(supplier_id.clone()) {
                errors.push(field("supplier_id"), "names a supplier twice");
            }
            match self.store.supplier(&supplier_id).await? {
                Some(s) if !s.archived => {}
                Some(_) => errors.push(field("supplier_id"), "names an archived supplier"),
                None => errors.push(field("supplier_id"), "names no supplier of the shop"),
            }
            let supplier_sku = errors
                .optional(&field("supplier_sku"), item.supplier_sku.as_deref(), |v| {
                    line(v, 64)
                })
                .flatten()
                .flatten();
            let last_cost_cents = errors
                .optional(&field("last_cost_cents"), item.last_cost_cents, |c| {
                    if (0..=10_000_000_000).contains(&c) {
                        Ok(c)
                    } else {
                        Err("must be between 0 and 10000000000".to_owned())
                    }
                })
                .flatten();
            items.push(NewItem {
                supplier_id,
                supplier_sku,
                last_cost_cents,
                preferred: item.preferred.unwrap_or(false),
            });
        }
        errors.finish(|| ()).map_err(InventoryError::Validation)?;
        self.store.replace_supplier_items(&sku, &items).await?;
        let items = self.store.supplier_items(&sku).await?;
        Ok(SupplierItemList { sku, items })
    }

    async fn known_sku(&self, sku: &str) -> Result<String, InventoryError> {
        let sku = Sku::parse(sku)
            .map_err(|_| InventoryError::UnknownSku(sku.chars().take(64).collect()))?
            .into_string();
        if self.store.item(&sku).await?.is_none() {
            return Err(InventoryError::UnknownSku(sku));
        }
        Ok(sku)
    }
}

/// The fields of `input`, checked; a new supplier needs its name.
fn fields(input: &SupplierInput, new: bool) -> Result<SupplierFields, Vec<FieldError>> {
    let mut errors = FieldErrors::new();
    if new && input.name.is_none() {
        errors.push("name", "is required");
    }
    let fields = SupplierFields {
        name: errors
            .optional("name", input.name.as_deref(), |v| required_line(v, 200))
            .flatten(),
        contact: errors
            .optional("contact", input.contact.as_deref(), |v| line(v, 200))
            .flatten(),
        email: errors.optional("email", input.email.as_deref(), email).flatten(),
        phone: errors.optional("phone", input.phone.as_deref(), phone).flatten(),
        lead_time_days: errors
            .optional("lead_time_days", input.lead_time_days, |d| {
                if (0..=MAX_LEAD_TIME_DAYS).contains(&d) {
                    Ok(d)
                } else {
                    Err(format!("must be between 0 and {MAX_LEAD_TIME_DAYS}"))
                }
            })
            .flatten(),
        notes: errors
            .optional("notes", input.notes.as_deref(), |v| paragraph(v, 1000))
            .flatten(),
    };
    if !new && fields == SupplierFields::default() && errors.is_empty() {
        errors.push("", "name at least one field to change");
    }
    errors.finish(|| fields)
}

/// A supplier id as the API gives them: a lower-case UUID.
pub(crate) fn parse_id(raw: &str) -> Result<String, String> {
    match uuid::Uuid::try_parse(raw) {
        Ok(id) if id.hyphenated().to_string() == raw => Ok(raw.to_owned()),
        _ => Err("must be a supplier id the API gave".into()),
    }
}

/// An id in a path: one the API could have given, else no such supplier.
fn known_id(id: &str) -> Result<String, InventoryError> {
    parse_id(id).map_err(|_| InventoryError::SupplierNotFound(id.chars().take(64).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supplier_needs_a_name_and_valid_contacts_and_lead_time() {
        let refused = fields(
            &SupplierInput {
                email: Some("orders@".into()),
                lead_time_days: Some(400),
                ..SupplierInput::default()
            },
            true,
        )
        .unwrap_err();
        let named: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["name", "email", "lead_time_days"]);
        assert!(
            fields(&SupplierInput::default(), false).is_err(),
            "a change names a field"
        );
        let cleared = fields(
            &SupplierInput {
                phone: Some(" ".into()),
                ..SupplierInput::default()
            },
            false,
        )
        .unwrap();
        assert_eq!(cleared.phone, Some(None));
    }
}
