//! The shop's settings and tax rates as values that are valid once parsed. No I/O.

use catalog_api::shop::{ShopSettingsInput, TaxRateInput, TaxRatePatch};
use kernel::text::{line, paragraph, required_line};
use kernel::{FieldError, FieldErrors, TaxRate};

/// At most this many printed lines of address.
pub const MAX_ADDRESS_LINES: usize = 4;
/// The most a default stock setting may be, as for every stock quantity.
const MAX_DEFAULT: i64 = 1_000_000_000;
/// The largest refund a shop may let clerks give without approval, as the document states.
const MAX_APPROVAL_FREE_CENTS: i64 = 10_000_000_000_000;

/// A tax rate's code: 1 to 16 letters, digits, `-` or `_`, starting with a letter or digit,
/// in lower case (`standard`, `reduced`, `zero`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode(String);

impl TaxCode {
    pub fn parse(raw: &str) -> Result<TaxCode, String> {
        let code = kernel::codes::trim_blanks(raw).to_ascii_lowercase();
        let mut chars = code.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && code.len() <= 16;
        if valid {
            Ok(TaxCode(code))
        } else {
            Err("must be 1 to 16 letters, digits, '-' or '_', starting with a letter or digit".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An ISO 4217 currency the shop can trade in, with the digits of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: iso_currency::Currency,
    minor_units: u8,
}

impl Currency {
    pub fn parse(raw: &str) -> Result<Currency, String> {
        let code = kernel::codes::trim_blanks(raw).to_ascii_uppercase();
        let currency = iso_currency::Currency::from_code(&code)
            .ok_or_else(|| format!("{code:?} is not an ISO 4217 currency code"))?;
        // Codes without a minor unit (gold, special drawing rights) are not money a shop
        // takes at the counter.
        let minor_units = currency
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .ok_or_else(|| format!("{code} is not a currency a shop sells in"))?;
        Ok(Currency {
            code: currency,
            minor_units,
        })
    }

    pub fn code(self) -> &'static str {
        self.code.code()
    }

    pub fn minor_units(self) -> u8 {
        self.minor_units
    }
}

/// The shop's settings after validation: what the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsDraft {
    pub name: String,
    pub address: Vec<String>,
    pub tax_id: Option<String>,
    pub currency: Currency,
    pub prices_include_tax: bool,
    pub default_tax_rate: Option<TaxCode>,
    pub receipt_footer: Option<String>,
    pub default_low_stock_threshold: i64,
    pub default_reorder_quantity: i64,
    pub require_shift: bool,
    pub approval_required_over_cents: i64,
}

impl SettingsDraft {
    /// Validates a full replacement of the settings; every bad field is reported. Whether the
    /// default tax rate exists is the use case's to check.
    pub fn from_input(input: ShopSettingsInput) -> Result<SettingsDraft, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let name = errors.required("name", input.name.as_deref(), |v| required_line(v, 100));
        let mut address = Vec::new();
        let lines = input.address.unwrap_or_default();
        if lines.len() > MAX_ADDRESS_LINES {
            errors.push("address", format!("must have at most {MAX_ADDRESS_LINES} lines"));
        }
        for (i, text) in lines.iter().enumerate() {
            if let Some(Some(text)) = errors.check(&format!("address[{i}]"), line(text, 100)) {
                address.push(text);
            }
        }
        let tax_id = errors
            .optional("tax_id", input.tax_id.as_deref(), |v| line(v, 40))
            .flatten()
            .flatten();
        let currency = errors.required("currency", input.currency.as_deref(), Currency::parse);
        let prices_include_tax = input.prices_include_tax;
        if prices_include_tax.is_none() {
            errors.push("prices_include_tax", "is required");
        }
        let default_tax_rate = input
            .default_tax_rate
            .as_deref()
            .filter(|raw| !raw.trim().is_empty())
            .and_then(|raw| errors.check("default_tax_rate", TaxCode::parse(raw)));
        let receipt_footer = errors
            .optional("receipt_footer", input.receipt_footer.as_deref(), |v| {
                paragraph(v, 500)
            })
            .flatten()
            .flatten();
        let mut default = |field: &str, value: Option<i64>| match value.unwrap_or(0) {
            v if (0..=MAX_DEFAULT).contains(&v) => v,
            _ => {
                errors.push(field, format!("must be between 0 and {MAX_DEFAULT}"));
                0
            }
        };
        let default_low_stock_threshold =
            default("default_low_stock_threshold", input.default_low_stock_threshold);
        let default_reorder_quantity = default("default_reorder_quantity", input.default_reorder_quantity);
        let approval_required_over_cents = match input.approval_required_over_cents.unwrap_or(0) {
            v if (0..=MAX_APPROVAL_FREE_CENTS).contains(&v) => v,
            _ => {
                errors.push(
                    "approval_required_over_cents",
                    format!("must be between 0 and {MAX_APPROVAL_FREE_CENTS}"),
                );
                0
            }
        };
        errors.finish_parsed(name.zip(currency).zip(prices_include_tax).map(
            |((name, currency), prices_include_tax)| SettingsDraft {
                name,
                address,
                tax_id,
                currency,
                prices_include_tax,
                default_tax_rate,
                receipt_footer,
                default_low_stock_threshold,
                default_reorder_quantity,
                require_shift: input.require_shift.unwrap_or(false),
                approval_required_over_cents,
            },
        ))
    }
}

/// A tax rate after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRateDraft {
    pub code: TaxCode,
    pub name: String,
    pub rate: TaxRate,
}

fn rate(errors: &mut FieldErrors, bp: f64) -> Option<TaxRate> {
    errors.check("rate_bp", TaxRate::from_bp(bp))
}

impl TaxRateDraft {
    pub fn from_input(input: TaxRateInput) -> Result<TaxRateDraft, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let code = errors.required("code", input.code.as_deref(), TaxCode::parse);
        let name = errors.required("name", input.name.as_deref(), |v| required_line(v, 60));
        let rate = match input.rate_bp {
            Some(bp) => rate(&mut errors, bp),
            None => {
                errors.push("rate_bp", "is required");
                None
            }
        };
        errors.finish_parsed(code.zip(name).zip(rate).map(|((code, name), rate)| TaxRateDraft {
            code,
            name,
            rate,
        }))
    }

    /// This rate with `patch` applied.
    pub fn patched(&self, patch: TaxRatePatch) -> Result<TaxRateDraft, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let name = match patch.name {
            Some(Some(raw)) => errors.check("name", required_line(&raw, 60)),
            Some(None) => {
                errors.push("name", "cannot be null");
                None
            }
            None => Some(self.name.clone()),
        };
        let rate = match patch.rate_bp {
            Some(Some(bp)) => rate(&mut errors, bp),
            Some(None) => {
                errors.push("rate_bp", "cannot be null");
                None
            }
            None => Some(self.rate),
        };
        errors.finish_parsed(name.zip(rate).map(|(name, rate)| TaxRateDraft {
            code: self.code.clone(),
            name,
            rate,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_codes_are_short_lower_case_words() {
        assert_eq!(TaxCode::parse(" Standard ").unwrap().as_str(), "standard");
        assert_eq!(TaxCode::parse("zero-rated_2").unwrap().as_str(), "zero-rated_2");
        for bad in ["", "-x", "has space", "a".repeat(17).as_str(), "é"] {
            assert!(TaxCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn currencies_know_their_minor_units() {
        for (code, units) in [("eur", 2), ("USD", 2), ("JPY", 0), ("KWD", 3), (" gbp ", 2)] {
            assert_eq!(Currency::parse(code).unwrap().minor_units(), units, "{code}");
        }
        assert_eq!(Currency::parse("chf").unwrap().code(), "CHF");
        for bad in ["EURO", "XXY", "", "XAU"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn settings_report_every_bad_field() {
        let input = ShopSettingsInput {
            name: Some(" ".into()),
            address: Some(vec!["1".into(), "2".into(), "3".into(), "4".into(), "5".into()]),
            currency: Some("ZZZ".into()),
            default_tax_rate: Some("no way".into()),
            default_low_stock_threshold: Some(-1),
            ..ShopSettingsInput::default()
        };
        let errors = SettingsDraft::from_input(input).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "address",
                "currency",
                "prices_include_tax",
                "default_tax_rate",
                "default_low_stock_threshold"
            ]
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let rate = TaxRateDraft::from_input(TaxRateInput {
            code: Some("Standard".into()),
            name: Some("VAT".into()),
            rate_bp: Some(2000.0),
        })
        .unwrap();
        let patched = rate
            .patched(TaxRatePatch {
                name: None,
                rate_bp: Some(Some(2100.0)),
            })
            .unwrap();
        assert_eq!((patched.name.as_str(), patched.rate.ppm()), ("VAT", 210_000));
        let refused = rate
            .patched(TaxRatePatch {
                name: Some(Some("".into())),
                rate_bp: Some(Some(-1.0)),
            })
            .unwrap_err();
        assert_eq!(refused.len(), 2);
        let nulls = rate
            .patched(TaxRatePatch {
                name: Some(None),
                rate_bp: Some(None),
            })
            .unwrap_err();
        assert_eq!(nulls[1].reason, "cannot be null");
    }
}
