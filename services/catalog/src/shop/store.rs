//! SQL for the shop's settings (one row) and tax rates, the same text on SQLite and MySQL.

use catalog_api::shop::{ShopSettings, TaxRate};
use sqlx::Row;
use sqlx::any::AnyRow;
use storage::Db;
use storage::clock::{from_millis, millis};

use super::domain::{SettingsDraft, TaxRateDraft};
use crate::store::now;

const SETTINGS_COLUMNS: &str = "name, address, tax_id, currency, prices_include_tax, default_tax_rate, \
                                receipt_footer, default_low_stock_threshold, default_reorder_quantity, \
                                require_shift, approval_required_over_cents, updated_at, version";
const RATE_COLUMNS: &str = "code, name, rate_ppm, updated_at, version";

#[derive(Debug, thiserror::Error)]
pub enum ShopStoreError {
    #[error("a tax rate with code {0} already exists")]
    DuplicateRate(String),
    #[error("no tax rate with code {0}")]
    NoSuchRate(String),
    /// The settings are no longer at a version the change was based on.
    #[error("the settings changed meanwhile; they are now at version {current}")]
    VersionMismatch { current: i64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Clone, Debug)]
pub struct ShopStore {
    db: Db,
}

impl ShopStore {
    pub fn new(db: Db) -> ShopStore {
        ShopStore { db }
    }

    pub async fn settings(&self) -> Result<ShopSettings, ShopStoreError> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM catalog_shop_settings WHERE id = 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.db.pool())
            .await?;
        Ok(settings_from_row(&row)?)
    }

    /// Writes `draft` over the settings when they are at one of `versions` (any version when
    /// `None`), in one statement, so two administrators never overwrite each other unseen.
    pub async fn replace_settings(
        &self,
        draft: &SettingsDraft,
        versions: Option<&[i64]>,
    ) -> Result<ShopSettings, ShopStoreError> {
        let mut tx = self.db.begin().await?;
        let current: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT version FROM catalog_shop_settings WHERE id = 1{}",
            storage::db::for_update(self.db.kind())
        )))
        .fetch_one(&mut *tx)
        .await?;
        if versions.is_some_and(|versions| !versions.contains(&current)) {
            return Err(ShopStoreError::VersionMismatch { current });
        }
        sqlx::query(
            "UPDATE catalog_shop_settings SET name = ?, address = ?, tax_id = ?, currency = ?, \
             prices_include_tax = ?, default_tax_rate = ?, receipt_footer = ?, \
             default_low_stock_threshold = ?, default_reorder_quantity = ?, require_shift = ?, \
             approval_required_over_cents = ?, updated_at = ?, \
             version = version + 1 WHERE id = 1",
        )
        .bind(draft.name.clone())
        .bind(draft.address.join("\n"))
        .bind(draft.tax_id.clone())
        .bind(draft.currency.code())
        .bind(i64::from(draft.prices_include_tax))
        .bind(draft.default_tax_rate.as_ref().map(|c| c.as_str().to_owned()))
        .bind(draft.receipt_footer.clone())
        .bind(draft.default_low_stock_threshold)
        .bind(draft.default_reorder_quantity)
        .bind(i64::from(draft.require_shift))
        .bind(draft.approval_required_over_cents)
        .bind(millis(now()))
        .execute(&mut *tx)
        .await?;
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM catalog_shop_settings WHERE id = 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *tx).await?;
        let settings = settings_from_row(&row)?;
        tx.commit().await?;
        Ok(settings)
    }

    pub async fn rates(&self) -> Result<Vec<TaxRate>, ShopStoreError> {
        let sql = format!("SELECT {RATE_COLUMNS} FROM catalog_tax_rates ORDER BY code");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.db.pool())
            .await?;
        Ok(rows.iter().map(rate_from_row).collect::<Result<_, _>>()?)
    }

    pub async fn rate(&self, code: &str) -> Result<Option<TaxRate>, ShopStoreError> {
        let sql = format!("SELECT {RATE_COLUMNS} FROM catalog_tax_rates WHERE code = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code.to_owned())
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.as_ref().map(rate_from_row).transpose()?)
    }

    pub async fn insert_rate(&self, draft: &TaxRateDraft) -> Result<TaxRate, ShopStoreError> {
        let at = millis(now());
        sqlx::query(
            "INSERT INTO catalog_tax_rates (code, name, rate_ppm, created_at, updated_at, version) \
             VALUES (?, ?, ?, ?, ?, 1)",
        )
        .bind(draft.code.as_str().to_owned())
        .bind(draft.name.clone())
        .bind(i64::from(draft.rate.ppm()))
        .bind(at)
        .bind(at)
        .execute(self.db.pool())
        .await
        .map_err(|e| match storage::db::unique_violation(&e) {
            Some(_) => ShopStoreError::DuplicateRate(draft.code.as_str().to_owned()),
            None => ShopStoreError::Database(e),
        })?;
        self.rate(draft.code.as_str())
            .await?
            .ok_or_else(|| ShopStoreError::NoSuchRate(draft.code.as_str().to_owned()))
    }

    pub async fn update_rate(&self, draft: &TaxRateDraft) -> Result<TaxRate, ShopStoreError> {
        let updated = sqlx::query(
            "UPDATE catalog_tax_rates SET name = ?, rate_ppm = ?, updated_at = ?, version = version + 1 \
             WHERE code = ?",
        )
        .bind(draft.name.clone())
        .bind(i64::from(draft.rate.ppm()))
        .bind(millis(now()))
        .bind(draft.code.as_str().to_owned())
        .execute(self.db.pool())
        .await?;
        let missing = || ShopStoreError::NoSuchRate(draft.code.as_str().to_owned());
        if updated.rows_affected() == 0 {
            return Err(missing());
        }
        self.rate(draft.code.as_str()).await?.ok_or_else(missing)
    }
}

fn settings_from_row(row: &AnyRow) -> Result<ShopSettings, sqlx::Error> {
    let address: String = row.try_get("address")?;
    let currency: String = row.try_get("currency")?;
    let minor_units = super::domain::Currency::parse(&currency)
        .map(|c| c.minor_units())
        .map_err(|reason| sqlx::Error::Decode(reason.into()))?;
    Ok(ShopSettings {
        name: row.try_get("name")?,
        address: address.lines().map(str::to_owned).collect(),
        tax_id: row.try_get("tax_id")?,
        currency,
        currency_minor_units: minor_units,
        prices_include_tax: row.try_get::<i64, _>("prices_include_tax")? != 0,
        default_tax_rate: row.try_get("default_tax_rate")?,
        receipt_footer: row.try_get("receipt_footer")?,
        default_low_stock_threshold: row.try_get("default_low_stock_threshold")?,
        default_reorder_quantity: row.try_get("default_reorder_quantity")?,
        require_shift: row.try_get::<i64, _>("require_shift")? != 0,
        approval_required_over_cents: row.try_get("approval_required_over_cents")?,
        updated_at: from_millis(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

fn rate_from_row(row: &AnyRow) -> Result<TaxRate, sqlx::Error> {
    let ppm: i64 = row.try_get("rate_ppm")?;
    let rate = u32::try_from(ppm)
        .ok()
        .and_then(kernel::TaxRate::from_ppm)
        .ok_or_else(|| sqlx::Error::Decode(format!("tax rate of {ppm} ppm is out of range").into()))?;
    Ok(TaxRate {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        rate_bp: rate,
        updated_at: from_millis(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}
