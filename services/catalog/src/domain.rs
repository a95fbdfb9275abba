//! The catalog's vocabulary: SKUs, barcodes, money, and the rules a product must follow.
//!
//! Everything here parses raw input into types that can only hold valid values, so code
//! past this module never checks a field again. No I/O, no HTTP, no SQL.

pub use catalog_api::inputs::{ProductInput, ProductPatch};
use kernel::FieldErrors;
use kernel::text::{line, paragraph, required_line};
pub use kernel::{FieldError, Sku};

pub use crate::shop::domain::TaxCode;

/// An EAN-13 or UPC-A barcode (13 or 12 digits) whose GS1 check digit is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Barcode(String);

impl Barcode {
    pub fn parse(raw: &str) -> Result<Barcode, String> {
        let code = kernel::codes::trim_blanks(raw);
        if !(code.len() == 12 || code.len() == 13) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err("must be 12 (UPC-A) or 13 (EAN-13) digits".into());
        }
        let (body, check) = code.split_at(code.len() - 1);
        let expected = gs1_check_digit(body);
        if check.as_bytes()[0] - b'0' != expected {
            return Err(format!("check digit should be {expected}"));
        }
        Ok(Barcode(code.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The GS1 check digit of `body` (all digits): weights 3 and 1 alternate from the right.
pub fn gs1_check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// An amount of money in cents, from zero up to [`Cents::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(i64);

impl Cents {
    /// 100 million in the shop's currency: far above any computer part, far below overflow
    /// when multiplied by quantities.
    pub const MAX: i64 = 10_000_000_000;

    pub fn parse(cents: i64) -> Result<Cents, String> {
        match cents {
            c if c < 0 => Err("must not be negative".into()),
            c if c > Self::MAX => Err(format!("must be at most {}", Self::MAX)),
            c => Ok(Cents(c)),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A product's fields after validation: what the store writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDraft {
    pub sku: Sku,
    pub name: String,
    pub description: Option<String>,
    pub category: String,
    pub brand: Option<String>,
    pub price: Cents,
    pub cost: Cents,
    pub barcode: Option<Barcode>,
    pub tax_rate: Option<TaxCode>,
    pub active: bool,
    pub serialized: bool,
    pub warranty: WarrantyMonths,
}

/// How long the manufacturer's warranty runs, in whole months: 0 (none) to 120.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WarrantyMonths(i64);

impl WarrantyMonths {
    pub const MAX: i64 = 120;

    pub fn parse(months: i64) -> Result<WarrantyMonths, String> {
        if (0..=Self::MAX).contains(&months) {
            Ok(WarrantyMonths(months))
        } else {
            Err(format!("must be 0 (none) to {} months", Self::MAX))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl ProductDraft {
    /// Validates a new product; every bad field is reported.
    pub fn from_input(input: ProductInput) -> Result<ProductDraft, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let sku = errors.required("sku", input.sku.as_deref(), Sku::parse);
        let draft = Self::fields(&mut errors, input);
        errors.finish_parsed(sku.zip(draft).map(|(sku, draft)| draft(sku)))
    }

    /// Validates a full replacement of the product `sku`. A SKU in the body must be the same.
    pub fn replace(sku: &Sku, input: ProductInput) -> Result<ProductDraft, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        if let Some(raw) = input.sku.as_deref() {
            match Sku::parse(raw) {
                Ok(body_sku) if &body_sku == sku => {}
                _ => errors.push("sku", format!("must be {sku}, the SKU in the URL, or left out")),
            }
        }
        let draft = Self::fields(&mut errors, input);
        errors.finish_parsed(draft.map(|draft| draft(sku.clone())))
    }

    /// This draft with `patch` applied.
    pub fn patched(&self, patch: ProductPatch) -> Result<ProductDraft, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        // Required fields cannot be cleared with null; the error is reported and the current
        // value stands in, so the field is not reported a second time as missing.
        fn required<T>(errors: &mut FieldErrors, field: &str, value: Option<Option<T>>, current: T) -> T {
            match value {
                None => current,
                Some(None) => {
                    errors.push(field, "cannot be null");
                    current
                }
                Some(Some(v)) => v,
            }
        }
        let input = ProductInput {
            sku: None,
            name: Some(required(&mut errors, "name", patch.name, self.name.clone())),
            description: patch.description.unwrap_or_else(|| self.description.clone()),
            category: Some(required(
                &mut errors,
                "category",
                patch.category,
                self.category.clone(),
            )),
            brand: patch.brand.unwrap_or_else(|| self.brand.clone()),
            price_cents: Some(required(
                &mut errors,
                "price_cents",
                patch.price_cents,
                self.price.get(),
            )),
            cost_cents: Some(required(
                &mut errors,
                "cost_cents",
                patch.cost_cents,
                self.cost.get(),
            )),
            barcode: patch
                .barcode
                .unwrap_or_else(|| self.barcode.as_ref().map(|b| b.as_str().to_owned())),
            tax_rate: patch
                .tax_rate
                .unwrap_or_else(|| self.tax_rate.as_ref().map(|c| c.as_str().to_owned())),
            active: Some(required(&mut errors, "active", patch.active, self.active)),
            serialized: Some(required(
                &mut errors,
                "serialized",
                patch.serialized,
                self.serialized,
            )),
            warranty_months: Some(required(
                &mut errors,
                "warranty_months",
                patch.warranty_months,
                self.warranty.get(),
            )),
        };
        let draft = Self::fields(&mut errors, input);
        errors.finish_parsed(draft.map(|draft| draft(self.sku.clone())))
    }

    /// Validates everything but the SKU, returning a constructor that adds it.
    fn fields(
        errors: &mut FieldErrors,
        input: ProductInput,
    ) -> Option<impl FnOnce(Sku) -> ProductDraft + use<>> {
        let name = errors.required("name", input.name.as_deref(), |v| required_line(v, 200));
        let description = errors
            .optional("description", input.description.as_deref(), |v| {
                paragraph(v, 5000)
            })
            .map(Option::flatten);
        let category = errors.required("category", input.category.as_deref(), |v| required_line(v, 100));
        let brand = errors
            .optional("brand", input.brand.as_deref(), |v| line(v, 100))
            .map(Option::flatten);
        let price = errors.required("price_cents", input.price_cents, Cents::parse);
        let cost = errors.required("cost_cents", input.cost_cents, Cents::parse);
        let barcode = errors.optional(
            "barcode",
            input
                .barcode
                .as_deref()
                .filter(|b| !kernel::codes::trim_blanks(b).is_empty()),
            Barcode::parse,
        );
        let tax_rate = errors.optional(
            "tax_rate",
            input.tax_rate.as_deref().filter(|c| !c.trim().is_empty()),
            TaxCode::parse,
        );
        let active = input.active.unwrap_or(true);
        let serialized = input.serialized.unwrap_or(false);
        let warranty = errors.required(
            "warranty_months",
            Some(input.warranty_months.unwrap_or(0)),
            WarrantyMonths::parse,
        );
        let (name, description, category, brand, price, cost, barcode, tax_rate, warranty) = (
            name?,
            description?,
            category?,
            brand?,
            price?,
            cost?,
            barcode?,
            tax_rate?,
            warranty?,
        );
        Some(move |sku| ProductDraft {
            sku,
            name,
            description,
            category,
            brand,
            price,
            cost,
            barcode,
            tax_rate,
            active,
            serialized,
            warranty,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProductInput {
        ProductInput {
            sku: Some(" cpu-amd-7800x3d ".into()),
            name: Some("AMD Ryzen 7 7800X3D".into()),
            description: Some("".into()),
            category: Some("CPUs".into()),
            brand: Some("AMD".into()),
            price_cents: Some(44900),
            cost_cents: Some(36500),
            barcode: Some("4006381333931".into()),
            tax_rate: Some(" Standard ".into()),
            active: None,
            serialized: None,
            warranty_months: None,
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn skus_are_trimmed_and_upper_cased() {
        assert_eq!(
            Sku::parse(" ssd-980.pro_1tb ").unwrap().as_str(),
            "SSD-980.PRO_1TB"
        );
    }

    #[test]
    fn bad_skus_are_refused() {
        for bad in ["", "A", "-ABC", ".AB", "AB CD", "ÄBC", "AB/C", &"A".repeat(65)] {
            assert!(Sku::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Sku::parse(&"A".repeat(64)).is_ok());
    }

    #[test]
    fn barcodes_need_the_right_check_digit() {
        assert!(Barcode::parse("4006381333931").is_ok()); // EAN-13
        assert!(Barcode::parse("036000291452").is_ok()); // UPC-A
        assert_eq!(
            Barcode::parse("4006381333932").unwrap_err(),
            "check digit should be 1"
        );
        for bad in ["400638133393", "40063813339311", "40063813339a1", ""] {
            assert!(Barcode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn money_is_bounded() {
        assert!(Cents::parse(0).is_ok());
        assert!(Cents::parse(-1).is_err());
        assert!(Cents::parse(Cents::MAX).is_ok());
        assert!(Cents::parse(Cents::MAX + 1).is_err());
    }

    #[test]
    fn valid_input_becomes_a_draft() {
        let draft = ProductDraft::from_input(input()).unwrap();
        assert_eq!(draft.sku.as_str(), "CPU-AMD-7800X3D");
        assert_eq!(draft.description, None);
        assert_eq!(draft.tax_rate.as_ref().map(TaxCode::as_str), Some("standard"));
        assert!(draft.active);
        assert!(!draft.serialized, "not serialized unless asked");
        assert_eq!(draft.warranty, WarrantyMonths::default());
    }

    #[test]
    fn a_warranty_is_0_to_120_months_and_patches_keep_the_rest() {
        for bad in [-1, 121, i64::MAX] {
            let errors = ProductDraft::from_input(ProductInput {
                warranty_months: Some(bad),
                ..input()
            })
            .unwrap_err();
            assert_eq!(fields(&errors), ["warranty_months"], "{bad}");
        }
        let draft = ProductDraft::from_input(ProductInput {
            serialized: Some(true),
            warranty_months: Some(36),
            ..input()
        })
        .unwrap();
        assert!(draft.serialized);
        assert_eq!(draft.warranty.get(), 36);
        let patched = draft
            .patched(ProductPatch {
                warranty_months: Some(Some(12)),
                ..ProductPatch::default()
            })
            .unwrap();
        assert!(patched.serialized, "a patch leaves what it does not name");
        assert_eq!(patched.warranty.get(), 12);
        let cleared = draft.patched(ProductPatch {
            serialized: Some(None),
            ..ProductPatch::default()
        });
        assert_eq!(fields(&cleared.unwrap_err()), ["serialized"]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = ProductDraft::from_input(ProductInput {
            sku: Some("!".into()),
            name: Some("  ".into()),
            price_cents: Some(-5),
            barcode: Some("123".into()),
            tax_rate: Some("no such!".into()),
            ..ProductInput::default()
        })
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "sku",
                "name",
                "category",
                "price_cents",
                "cost_cents",
                "barcode",
                "tax_rate"
            ]
        );
    }

    #[test]
    fn replace_refuses_a_different_sku_in_the_body() {
        let sku = Sku::parse("CPU-AMD-7800X3D").unwrap();
        assert!(ProductDraft::replace(&sku, input()).is_ok());
        let other = ProductInput {
            sku: Some("OTHER".into()),
            ..input()
        };
        assert_eq!(fields(&ProductDraft::replace(&sku, other).unwrap_err()), ["sku"]);
    }

    #[test]
    fn patch_keeps_absent_fields_and_clears_nulls() {
        let draft = ProductDraft::from_input(input()).unwrap();
        let patch: ProductPatch = serde_json::from_str(r#"{"price_cents": 39900, "barcode": null}"#).unwrap();
        let patched = draft.patched(patch).unwrap();
        assert_eq!(patched.price.get(), 39900);
        assert_eq!(patched.barcode, None);
        assert_eq!(patched.name, draft.name);
    }

    #[test]
    fn patch_cannot_null_required_fields() {
        let draft = ProductDraft::from_input(input()).unwrap();
        let patch: ProductPatch =
            serde_json::from_str(r#"{"name": null, "cost_cents": null, "active": null}"#).unwrap();
        assert_eq!(
            fields(&draft.patched(patch).unwrap_err()),
            ["name", "cost_cents", "active"]
        );
    }
}
