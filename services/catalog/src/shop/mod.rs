//! The shop's settings (name, address, currency, whether prices include tax, what new
//! products start with) and its tax rates: the use cases, between the routes and the store.
//!
//! # Layout
//! - [`domain`]: tax codes, currencies, and the validation of settings and rates; no I/O.
//! - [`store`]: the SQL.
//! - [`http`]: the routes under `/api/v1/settings/shop` and `/api/v1/tax-rates`.

pub mod domain;
pub mod http;
pub mod store;

use catalog_api::shop::{ShopSettings, ShopSettingsInput, TaxRate, TaxRateInput, TaxRatePatch};
use kernel::FieldError;

use crate::error::CatalogError;
use crate::products::Precondition;
use domain::{SettingsDraft, TaxCode, TaxRateDraft};
use store::ShopStore;

/// The shop's rate `code`, or a refusal of it under `field` naming the rates there are.
pub async fn known_rate(store: &ShopStore, field: &str, code: &TaxCode) -> Result<TaxRate, CatalogError> {
    match store.rate(code.as_str()).await? {
        Some(rate) => Ok(rate),
        None => {
            let known: Vec<String> = store.rates().await?.into_iter().map(|r| r.code).collect();
            let reason = if known.is_empty() {
                "is not a tax rate of the shop (it has none yet)".to_owned()
            } else {
                format!("is not a tax rate of the shop (it has {})", known.join(", "))
            };
            Err(CatalogError::Validation(vec![FieldError::new(field, reason)]))
        }
    }
}

pub struct Shop {
    store: ShopStore,
}

impl Shop {
    pub fn new(store: ShopStore) -> Shop {
        Shop { store }
    }

    pub async fn settings(&self) -> Result<ShopSettings, CatalogError> {
        Ok(self.store.settings().await?)
    }

    /// Replaces every setting. The default tax rate must be one of the shop's rates (rates
    /// are never deleted, so it stays one).
    pub async fn replace_settings(
        &self,
        input: ShopSettingsInput,
        precondition: Precondition,
    ) -> Result<ShopSettings, CatalogError> {
        let draft = SettingsDraft::from_input(input).map_err(CatalogError::Validation)?;
        if let Some(code) = &draft.default_tax_rate {
            known_rate(&self.store, "default_tax_rate", code).await?;
        }
        let versions = match &precondition {
            Precondition::Matches(versions) => Some(versions.as_slice()),
            Precondition::None | Precondition::Exists => None,
        };
        Ok(self.store.replace_settings(&draft, versions).await?)
    }

    pub async fn tax_rates(&self) -> Result<Vec<TaxRate>, CatalogError> {
        Ok(self.store.rates().await?)
    }

    pub async fn create_tax_rate(&self, input: TaxRateInput) -> Result<TaxRate, CatalogError> {
        let draft = TaxRateDraft::from_input(input).map_err(CatalogError::Validation)?;
        Ok(self.store.insert_rate(&draft).await?)
    }

    pub async fn patch_tax_rate(&self, code: &str, patch: TaxRatePatch) -> Result<TaxRate, CatalogError> {
        let not_found = || CatalogError::TaxRateNotFound(code.to_owned());
        let code = TaxCode::parse(code).map_err(|_| not_found())?;
        let current = self.store.rate(code.as_str()).await?.ok_or_else(not_found)?;
        let draft = TaxRateDraft {
            code,
            name: current.name,
            rate: current.rate_bp,
        }
        .patched(patch)
        .map_err(CatalogError::Validation)?;
        Ok(self.store.update_rate(&draft).await?)
    }
}
