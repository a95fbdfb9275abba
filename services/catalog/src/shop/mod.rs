//! The shop's settings (name, address, currency, whether prices include tax, what new
//! products start with) and its tax rates: the use cases, between the routes and the store.
//! Every sale reads both, so they are read through a versioned cache like the products.
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
use serde::Serialize;
use serde::de::DeserializeOwned;
use storage::VersionedCache;

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
    cache: VersionedCache,
}

/// The keys of the shop's cache (`catalog_shop`).
const SETTINGS: &str = "settings";
const RATES: &str = "tax rates";

impl Shop {
    pub fn new(store: ShopStore, cache: VersionedCache) -> Shop {
        Shop { store, cache }
    }

    pub async fn settings(&self) -> Result<ShopSettings, CatalogError> {
        if let Some(settings) = self.cached(SETTINGS).await {
            return Ok(settings);
        }
        let settings = self.store.settings().await?;
        self.remember(SETTINGS, settings.version, &settings).await;
        Ok(settings)
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
        let settings = self.store.replace_settings(&draft, versions).await?;
        self.remember(SETTINGS, settings.version, &settings).await;
        Ok(settings)
    }

    pub async fn tax_rates(&self) -> Result<Vec<TaxRate>, CatalogError> {
        if let Some(rates) = self.cached(RATES).await {
            return Ok(rates);
        }
        self.read_rates().await
    }

    /// The rates from the database, remembered at the version of the whole list: the sum of
    /// the rates' versions, which grows with every rate added or changed (none is ever
    /// deleted), so a list read before a change can never replace one read after it.
    async fn read_rates(&self) -> Result<Vec<TaxRate>, CatalogError> {
        let rates = self.store.rates().await?;
        let version = rates.iter().map(|r| r.version).sum();
        self.remember(RATES, version, &rates).await;
        Ok(rates)
    }

    pub async fn create_tax_rate(&self, input: TaxRateInput) -> Result<TaxRate, CatalogError> {
        let draft = TaxRateDraft::from_input(input).map_err(CatalogError::Validation)?;
        let rate = self.store.insert_rate(&draft).await?;
        self.refresh_rates().await;
        Ok(rate)
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
        let rate = self.store.update_rate(&draft).await?;
        self.refresh_rates().await;
        Ok(rate)
    }

    /// After a change of the rates: the list read again into the cache, or dropped from it.
    async fn refresh_rates(&self) {
        if let Err(e) = self.read_rates().await {
            tracing::warn!(error = %e, "tax rates not read again after a change; dropping them from the cache");
            if let Err(e) = self.cache.remove(RATES).await {
                tracing::error!(error = %e, "tax rates could not be dropped from the cache; they expire by its TTL");
            }
        }
    }

    async fn cached<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        serde_json::from_slice(&self.cache.get(key).await?).ok()
    }

    /// Puts `value` in the cache at `version` (or drops its entry, see
    /// `VersionedCache::put_or_drop`).
    async fn remember(&self, key: &str, version: i64, value: &impl Serialize) {
        let bytes = serde_json::to_vec(value).expect("the shop's settings and rates serialize to JSON");
        self.cache.put_or_drop(key, version, bytes.into()).await;
    }
}
