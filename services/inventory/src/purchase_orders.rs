//! Purchase orders: written as drafts, sent to the supplier (their lines become incoming
//! stock), received in one or more deliveries, or called off; and drafts made from the
//! reorder suggestions. Inputs are checked here; the store does the transactions.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use inventory_api::purchase_orders::{
    MAX_ORDER_LINES, PurchaseOrder, PurchaseOrderInput, PurchaseOrderLineInput, PurchaseOrderPatch,
    ReceiptInput, ReceiptView, SuggestedOrdersInput,
};
use kernel::quantity::units_moved;
use kernel::text::{line, paragraph};
use kernel::{FieldErrors, LocationCode, Sku};

use crate::domain::Origin;
use crate::domain::purchasing::Delivered;
use crate::domain::serials::parse_serials;
use crate::error::InventoryError;
use crate::store::InventoryStore;
use crate::store::purchase_orders::{Delivery, DraftChange, NewLine, NewOrder, OrderFilter};
use crate::suppliers::parse_id;

/// The most a unit may cost, in cents (as for supplier costs).
const MAX_UNIT_COST: i64 = 10_000_000_000;

pub struct PurchaseOrders {
    store: Arc<InventoryStore>,
}

impl PurchaseOrders {
    pub fn new(store: Arc<InventoryStore>) -> PurchaseOrders {
        PurchaseOrders { store }
    }

    pub fn store(&self) -> &InventoryStore {
        &self.store
    }

    pub async fn create(
        &self,
        input: &PurchaseOrderInput,
        origin: &Origin,
    ) -> Result<PurchaseOrder, InventoryError> {
        let mut errors = FieldErrors::new();
        let supplier_id = self.supplier(&mut errors, &input.supplier_id).await?;
        let location = self.location(&mut errors, input.location.as_deref()).await?;
        let expected_at = errors
            .optional("expected_at", input.expected_at.as_deref(), date)
            .flatten();
        let note = errors
            .optional("note", input.note.as_deref(), |v| paragraph(v, 1000))
            .flatten()
            .flatten();
        let lines = match &supplier_id {
            Some(supplier) => self.lines(&mut errors, supplier, &input.lines).await?,
            None => None,
        };
        let order = errors
            .finish_parsed(supplier_id.zip(location).zip(lines))
            .map_err(InventoryError::Validation)?;
        let ((supplier_id, location), lines) = order;
        self.store
            .create_order(&NewOrder {
                supplier_id,
                location,
                expected_at,
                note,
                lines,
                created_by: origin.actor.clone(),
            })
            .await
    }

    pub async fn get(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        let id = known_id(id)?;
        self.store
            .order(&id)
            .await?
            .ok_or(InventoryError::PurchaseOrderNotFound(id))
    }

    pub async fn list(
        &self,
        filter: &OrderFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<PurchaseOrder>, InventoryError> {
        self.store.orders(filter, before, limit).await
    }

    /// Changes a draft: only what the patch names; its lines replace all the draft's.
    pub async fn change(
        &self,
        id: &str,
        patch: &PurchaseOrderPatch,
    ) -> Result<PurchaseOrder, InventoryError> {
        let current = self.get(id).await?;
        let mut errors = FieldErrors::new();
        let supplier_id = match &patch.supplier_id {
            Some(raw) => self.supplier(&mut errors, raw).await?,
            None => None,
        };
        let location = match &patch.location {
            Some(raw) => self.location(&mut errors, Some(raw)).await?,
            None => None,
        };
        let expected_at = errors
            .optional("expected_at", patch.expected_at.as_deref(), |v| {
                if v.trim().is_empty() {
                    Ok(None)
                } else {
                    date(v).map(Some)
                }
            })
            .flatten();
        let note = errors
            .optional("note", patch.note.as_deref(), |v| paragraph(v, 1000))
            .flatten();
        let supplier_for_costs = supplier_id.clone().unwrap_or(current.supplier_id.clone());
        let lines = match &patch.lines {
            Some(lines) => self.lines(&mut errors, &supplier_for_costs, lines).await?,
            None => None,
        };
        let change = DraftChange {
            supplier_id,
            location,
            expected_at,
            note,
            lines,
        };
        if patch.supplier_id.is_none()
            && patch.location.is_none()
            && patch.expected_at.is_none()
            && patch.note.is_none()
            && patch.lines.is_none()
        {
            errors.push("", "name at least one field to change");
        }
        errors.finish(|| ()).map_err(InventoryError::Validation)?;
        self.store.change_draft(&current.id, &change).await
    }

    pub async fn place(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        self.store.place_order(&known_id(id)?).await
    }

    pub async fn cancel(&self, id: &str) -> Result<PurchaseOrder, InventoryError> {
        self.store.cancel_order(&known_id(id)?).await
    }

    /// A delivery against order `id`, checked; the store receives it.
    pub fn delivery(input: &ReceiptInput, origin: Origin) -> Result<Delivery, InventoryError> {
        let mut errors = FieldErrors::new();
        if input.lines.is_empty() || input.lines.len() > MAX_ORDER_LINES {
            errors.push("lines", format!("must have 1 to {MAX_ORDER_LINES} lines"));
        }
        let mut lines = Vec::with_capacity(input.lines.len());
        for (i, l) in input.lines.iter().enumerate() {
            let sku = errors.check(&format!("lines[{i}].sku"), Sku::parse(&l.sku));
            let quantity = errors.check(&format!("lines[{i}].quantity"), units_moved(l.quantity));
            let unit_cost_cents = errors
                .optional(
                    &format!("lines[{i}].unit_cost_cents"),
                    l.unit_cost_cents,
                    unit_cost,
                )
                .flatten();
            let serials = parse_serials(&mut errors, &l.serials, &format!("lines[{i}].serials"));
            if let Some((sku, quantity)) = sku.zip(quantity) {
                lines.push(Delivered {
                    sku: sku.into_string(),
                    quantity,
                    unit_cost_cents,
                    serials,
                });
            }
        }
        let reference = errors
            .optional("reference", input.reference.as_deref(), |v| line(v, 100))
            .flatten()
            .flatten();
        let note = errors
            .optional("note", input.note.as_deref(), |v| paragraph(v, 500))
            .flatten()
            .flatten();
        errors
            .finish(|| Delivery {
                lines,
                reference,
                note,
                origin,
            })
            .map_err(InventoryError::Validation)
    }

    pub async fn receive(
        &self,
        id: &str,
        delivery: &Delivery,
        key: Option<&str>,
    ) -> Result<ReceiptView, InventoryError> {
        self.store.receive(&known_id(id)?, delivery, key).await
    }

    /// Drafts from chosen reorder suggestions: one per supplier (the line's, else the
    /// product's preferred one), each line at its supplier's last cost or the catalog's.
    pub async fn from_suggestions(
        &self,
        input: &SuggestedOrdersInput,
        origin: &Origin,
    ) -> Result<Vec<PurchaseOrder>, InventoryError> {
        let mut errors = FieldErrors::new();
        let location = self.location(&mut errors, input.location.as_deref()).await?;
        if input.lines.is_empty() || input.lines.len() > MAX_ORDER_LINES {
            errors.push("lines", format!("must have 1 to {MAX_ORDER_LINES} lines"));
        }
        let preferred = self.store.preferred_suppliers().await?;
        let mut by_supplier: BTreeMap<String, Vec<PurchaseOrderLineInput>> = BTreeMap::new();
        for (i, l) in input.lines.iter().enumerate() {
            let supplier = match &l.supplier_id {
                Some(raw) => self.supplier(&mut errors, raw).await?,
                None => {
                    let found = preferred.get(l.sku.trim()).map(|p| p.supplier_id.clone());
                    if found.is_none() {
                        errors.push(
                            format!("lines[{i}].supplier_id"),
                            format!("{} has no preferred supplier: name one", l.sku),
                        );
                    }
                    found
                }
            };
            if let Some(supplier) = supplier {
                by_supplier
                    .entry(supplier)
                    .or_default()
                    .push(PurchaseOrderLineInput {
                        sku: l.sku.clone(),
                        quantity: l.quantity,
                        unit_cost_cents: None,
                        allow_over_receipt: None,
                    });
            }
        }
        let mut drafts = Vec::with_capacity(by_supplier.len());
        for (supplier, lines) in &by_supplier {
            if let Some(lines) = self.lines(&mut errors, supplier, lines).await? {
                drafts.push((supplier.clone(), lines));
            }
        }
        let location = errors
            .finish_parsed(location)
            .map_err(InventoryError::Validation)?;
        let mut created = Vec::with_capacity(drafts.len());
        for (supplier_id, lines) in drafts {
            created.push(
                self.store
                    .create_order(&NewOrder {
                        supplier_id,
                        location: location.clone(),
                        expected_at: None,
                        note: None,
                        lines,
                        created_by: origin.actor.clone(),
                    })
                    .await?,
            );
        }
        Ok(created)
    }

    /// A supplier an order may go to: one of the shop's, not archived.
    async fn supplier(&self, errors: &mut FieldErrors, raw: &str) -> Result<Option<String>, InventoryError> {
        let Some(id) = errors.check("supplier_id", parse_id(raw)) else {
            return Ok(None);
        };
        match self.store.supplier(&id).await? {
            Some(s) if !s.archived => Ok(Some(id)),
            Some(_) => {
                errors.push("supplier_id", "names an archived supplier");
                Ok(None)
            }
            None => {
                errors.push("supplier_id", "names no supplier of the shop");
                Ok(None)
            }
        }
    }

    /// The location goods are delivered to (default `main`): one of the shop's, active.
    async fn location(
        &self,
        errors: &mut FieldErrors,
        raw: Option<&str>,
    ) -> Result<Option<String>, InventoryError> {
        let code = match raw {
            None => LocationCode::main(),
            Some(raw) => match errors.check("location", LocationCode::parse(raw)) {
                Some(code) => code,
                None => return Ok(None),
            },
        };
        match self.store.location(code.as_str()).await? {
            Some(l) if l.active => Ok(Some(l.code)),
            Some(l) => {
                errors.push("location", format!("location {} is deactivated", l.code));
                Ok(None)
            }
            None => {
                errors.push("location", format!("there is no location {code}"));
                Ok(None)
            }
        }
    }

    /// An order's lines: each a SKU the inventory knows, once; the unit cost the line's, else
    /// the supplier's last, else the catalog's.
    async fn lines(
        &self,
        errors: &mut FieldErrors,
        supplier_id: &str,
        input: &[PurchaseOrderLineInput],
    ) -> Result<Option<Vec<NewLine>>, InventoryError> {
        if input.len() > MAX_ORDER_LINES {
            errors.push("lines", format!("must have at most {MAX_ORDER_LINES} lines"));
            return Ok(None);
        }
        let skus: Vec<String> = input
            .iter()
            .filter_map(|l| Sku::parse(&l.sku).ok().map(Sku::into_string))
            .collect();
        let costs = self.store.order_costs(supplier_id, &skus).await?;
        let before = errors.len();
        let mut seen = HashSet::new();
        let mut lines = Vec::with_capacity(input.len());
        for (i, l) in input.iter().enumerate() {
            let field = |name: &str| format!("lines[{i}].{name}");
            let quantity = errors.check(&field("quantity"), units_moved(l.quantity));
            let given_cost = errors
                .optional(&field("unit_cost_cents"), l.unit_cost_cents, unit_cost)
                .flatten();
            let Some(sku) = errors
                .check(&field("sku"), Sku::parse(&l.sku))
                .map(Sku::into_string)
            else {
                continue;
            };
            if !seen.insert(sku.clone()) {
                errors.push(field("sku"), "names a SKU twice");
                continue;
            }
            let Some(known_cost) = costs.get(&sku) else {
                errors.push(field("sku"), format!("the catalog has no product with SKU {sku}"));
                continue;
            };
            let Some(unit_cost_cents) = given_cost.or(*known_cost) else {
                if l.unit_cost_cents.is_none() {
                    errors.push(
                        field("unit_cost_cents"),
                        "no cost is known for this product: give one",
                    );
                }
                continue;
            };
            if let Some(quantity) = quantity {
                lines.push(NewLine {
                    sku,
                    quantity,
                    unit_cost_cents,
                    allow_over_receipt: l.allow_over_receipt.unwrap_or(false),
                });
            }
        }
        Ok((errors.len() == before).then_some(lines))
    }
}

fn unit_cost(cost: i64) -> Result<i64, String> {
    if (0..=MAX_UNIT_COST).contains(&cost) {
        Ok(cost)
    } else {
        Err(format!("must be between 0 and {MAX_UNIT_COST}"))
    }
}

/// A calendar day written YYYY-MM-DD.
fn date(raw: &str) -> Result<String, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw.trim(), &format)
        .map(|d| d.format(&format).expect("dates format"))
        .map_err(|_| "must be a date written YYYY-MM-DD".to_owned())
}

/// An id in a path: one the API could have given, else no such order.
fn known_id(id: &str) -> Result<String, InventoryError> {
    parse_id(id).map_err(|_| InventoryError::PurchaseOrderNotFound(id.chars().take(64).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_names_lines_within_bounds() {
        let refused = PurchaseOrders::delivery(
            &ReceiptInput {
                lines: vec![inventory_api::purchase_orders::ReceiptLineInput {
                    sku: "GPU 1".into(),
                    quantity: 0,
                    unit_cost_cents: Some(-1),
                    serials: vec!["x".into()],
                }],
                reference: Some("x".repeat(101)),
                note: None,
            },
            Origin::default(),
        )
        .unwrap_err();
        let InventoryError::Validation(errors) = refused else {
            panic!("a bad delivery is a validation error")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "lines[0].sku",
                "lines[0].quantity",
                "lines[0].unit_cost_cents",
                "lines[0].serials[0]",
                "reference"
            ]
        );
        assert!(PurchaseOrders::delivery(&ReceiptInput::default(), Origin::default()).is_err());
    }

    #[test]
    fn dates_are_calendar_days() {
        assert_eq!(date(" 2026-12-08 ").as_deref(), Ok("2026-12-08"));
        assert!(date("2026-02-30").is_err());
        assert!(date("08/12/2026").is_err());
    }
}
