//! The customers' use cases: record, change, archive, find a customer, and their purchase
//! history. No HTTP and no SQL.

use sales_api::inputs::{CustomerInput, CustomerPatch};
use sales_api::views::{Customer, Sale};

use crate::counter::Counter;
use crate::domain::customer::CustomerFields;
use crate::domain::parse_id;
use crate::error::SaleError;
use crate::store::ListFilter;
use crate::store::customers::CustomerFilter;

impl Counter {
    pub async fn add_customer(&self, input: &CustomerInput) -> Result<Customer, SaleError> {
        let fields = CustomerFields::new_customer(input).map_err(SaleError::Validation)?;
        Ok(self.store.add_customer(&fields).await?)
    }

    pub async fn customer(&self, id: &str) -> Result<Customer, SaleError> {
        let id = known_id(id)?;
        self.store
            .customer(&id)
            .await?
            .ok_or(SaleError::CustomerNotFound(id))
    }

    pub async fn change_customer(&self, id: &str, input: &CustomerPatch) -> Result<Customer, SaleError> {
        let id = known_id(id)?;
        let fields = CustomerFields::change(input).map_err(SaleError::Validation)?;
        self.store
            .change_customer(&id, &fields)
            .await?
            .ok_or(SaleError::CustomerNotFound(id))
    }

    /// Archives a customer: kept for their sales, no longer offered for new ones.
    pub async fn archive_customer(&self, id: &str) -> Result<(), SaleError> {
        let id = known_id(id)?;
        if self.store.archive_customer(&id).await? {
            Ok(())
        } else {
            Err(SaleError::CustomerNotFound(id))
        }
    }

    pub async fn customers(
        &self,
        filter: &CustomerFilter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Customer>, SaleError> {
        Ok(self.store.customers(filter, after, limit).await?)
    }

    /// The customer's sales, newest first, before receipt number `before`.
    pub async fn purchases(&self, id: &str, before: Option<i64>, limit: u32) -> Result<Vec<Sale>, SaleError> {
        let customer = self.customer(id).await?;
        let filter = ListFilter {
            customer_id: Some(customer.id),
            ..ListFilter::default()
        };
        Ok(self.store.list(&filter, before, limit).await?)
    }
}

/// An id in a path: one the API could have given, else no such customer.
fn known_id(id: &str) -> Result<String, SaleError> {
    parse_id(id).map_err(|_| SaleError::CustomerNotFound(id.chars().take(64).collect()))
}
