//! One row of an import as a product: the header's columns understood, each cell read as
//! the API reads the same field (money as a decimal or in cents, yes/no, opening stock), and
//! the product's fields checked by the same rules as `POST /api/v1/products`. A new SKU needs
//! name, category, price and cost; for a product that exists, an empty cell of one of those
//! leaves it as it is, an empty cell of any other column clears it.

use catalog_api::inputs::{ProductInput, ProductPatch};
use kernel::LocationCode;

use super::RowError;
use super::table::Record;
use crate::Product;
use crate::domain::{ProductDraft, Sku};
use crate::product::ProductRecord;

/// What a column of the header holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Sku,
    Name,
    Description,
    Category,
    Brand,
    Price,
    PriceCents,
    Cost,
    CostCents,
    Barcode,
    TaxRate,
    Active,
    Serialized,
    WarrantyMonths,
    /// The opening stock at this location.
    Stock(String),
}

const NAMES: &str = "sku, name, description, category, brand, price, price_cents, cost, cost_cents, barcode, \
                     tax_rate, active, serialized, warranty_months, stock:<location>";

/// The header's columns; every name must be known, once, and `sku` must be there.
pub fn columns(names: &[String]) -> Result<Vec<Column>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut columns = Vec::with_capacity(names.len());
    for name in names {
        let column = match name.as_str() {
            "sku" => Column::Sku,
            "name" => Column::Name,
            "description" => Column::Description,
            "category" => Column::Category,
            "brand" => Column::Brand,
            "price" => Column::Price,
            "price_cents" => Column::PriceCents,
            "cost" => Column::Cost,
            "cost_cents" => Column::CostCents,
            "barcode" => Column::Barcode,
            "tax_rate" => Column::TaxRate,
            "active" => Column::Active,
            "serialized" => Column::Serialized,
            "warranty_months" => Column::WarrantyMonths,
            other => match other.strip_prefix("stock:").map(LocationCode::parse) {
                Some(Ok(code)) => Column::Stock(code.as_str().to_owned()),
                Some(Err(reason)) => {
                    errors.push(RowError::new(1, name, format!("the location code {reason}")));
                    continue;
                }
                None => {
                    errors.push(RowError::new(
                        1,
                        name,
                        format!("is not a column an import knows ({NAMES})"),
                    ));
                    continue;
                }
            },
        };
        if columns.contains(&column) {
            errors.push(RowError::new(1, name, "is named twice"));
        }
        columns.push(column);
    }
    if !columns.contains(&Column::Sku) {
        errors.push(RowError::new(1, "sku", "the header needs a sku column"));
    }
    for (a, b) in [
        (Column::Price, Column::PriceCents),
        (Column::Cost, Column::CostCents),
    ] {
        if columns.contains(&a) && columns.contains(&b) {
            errors.push(RowError::new(
                1,
                "",
                "name a price (or cost) once: as a decimal or in cents",
            ));
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

/// One row, read: its SKU, its cells by column, its opening stock.
pub struct Row<'a> {
    pub line: u64,
    pub sku: Sku,
    cells: Vec<(&'a Column, &'a str, &'a str)>,
    pub stock: Vec<(String, i64)>,
}

/// Reads the SKU and the opening stock of `record`; the product's fields are read by
/// [`Row::draft`], once it is known whether the product exists.
pub fn read<'a>(
    columns: &'a [Column],
    names: &'a [String],
    record: &'a Record,
    errors: &mut Vec<RowError>,
) -> Option<Row<'a>> {
    let line = record.line;
    if record.fields.len() != columns.len() {
        errors.push(RowError::new(
            line,
            "",
            format!(
                "has {} fields where the header has {}",
                record.fields.len(),
                columns.len()
            ),
        ));
        return None;
    }
    let mut sku = None;
    let mut stock = Vec::new();
    let mut cells = Vec::with_capacity(columns.len());
    for ((column, name), value) in columns.iter().zip(names).zip(&record.fields) {
        match column {
            Column::Sku => match Sku::parse(value) {
                Ok(parsed) => sku = Some(parsed),
                Err(reason) => errors.push(RowError::new(line, name, reason)),
            },
            Column::Stock(location) if !value.trim().is_empty() => match value.trim().parse::<i64>() {
                Ok(q) if (0..=kernel::quantity::MAX_MOVE).contains(&q) => stock.push((location.clone(), q)),
                _ => errors.push(RowError::new(
                    line,
                    name,
                    format!(
                        "must be a whole number of units from 0 to {}",
                        kernel::quantity::MAX_MOVE
                    ),
                )),
            },
            Column::Stock(_) => {}
            other => cells.push((other, name.as_str(), value.as_str())),
        }
    }
    Some(Row {
        line,
        sku: sku?,
        cells,
        stock,
    })
}

impl Row<'_> {
    /// The product this row makes of `existing` (or of nothing), checked; every bad cell is
    /// added to `errors`.
    pub fn draft(&self, existing: Option<&Product>, errors: &mut Vec<RowError>) -> Option<ProductDraft> {
        let before = errors.len();
        let mut bad_cell =
            |column: &str, reason: String| errors.push(RowError::new(self.line, column, reason));
        let mut patch = ProductPatch::default();
        for (column, name, raw) in &self.cells {
            let value = raw.trim();
            let text = (!value.is_empty()).then(|| value.to_owned());
            match column {
                Column::Name => patch.name = required(text),
                Column::Description => patch.description = Some(text),
                Column::Category => patch.category = required(text),
                Column::Brand => patch.brand = Some(text),
                Column::Barcode => patch.barcode = Some(text),
                Column::TaxRate => patch.tax_rate = Some(text),
                Column::Price | Column::PriceCents | Column::Cost | Column::CostCents => {
                    let cents = match text {
                        None => None,
                        Some(v) => match money(&v, matches!(column, Column::Price | Column::Cost)) {
                            Ok(c) => Some(c),
                            Err(reason) => {
                                bad_cell(name, reason);
                                continue;
                            }
                        },
                    };
                    if matches!(column, Column::Price | Column::PriceCents) {
                        patch.price_cents = cents.map(Some);
                    } else {
                        patch.cost_cents = cents.map(Some);
                    }
                }
                Column::Active | Column::Serialized => {
                    let flag = match value.to_lowercase().as_str() {
                        "" => continue,
                        "true" | "yes" | "1" => true,
                        "false" | "no" | "0" => false,
                        _ => {
                            bad_cell(name, "must be true or false (or yes or no)".into());
                            continue;
                        }
                    };
                    if matches!(column, Column::Active) {
                        patch.active = Some(Some(flag));
                    } else {
                        patch.serialized = Some(Some(flag));
                    }
                }
                Column::WarrantyMonths => match value.parse::<i64>() {
                    _ if value.is_empty() => {}
                    Ok(months) => patch.warranty_months = Some(Some(months)),
                    Err(_) => bad_cell(name, "must be a whole number of months".into()),
                },
                Column::Sku | Column::Stock(_) => {}
            }
        }
        let drafted = match existing {
            Some(product) => product.draft().patched(patch),
            None => ProductDraft::from_input(new_product(&self.sku, patch)),
        };
        match drafted {
            Ok(draft) if errors.len() == before => Some(draft),
            Ok(_) => None,
            Err(fields) => {
                for field in fields {
                    let column = self.column_of(&field.field);
                    // A cell already reported (money that is not money) is not reported again.
                    if !errors[before..].iter().any(|e| e.column == column) {
                        errors.push(RowError::new(self.line, column, field.reason));
                    }
                }
                None
            }
        }
    }

    /// The header's name for an API field, as this file spells it.
    fn column_of(&self, field: &str) -> String {
        let wanted: &[Column] = match field {
            "name" => &[Column::Name],
            "description" => &[Column::Description],
            "category" => &[Column::Category],
            "brand" => &[Column::Brand],
            "price_cents" => &[Column::Price, Column::PriceCents],
            "cost_cents" => &[Column::Cost, Column::CostCents],
            "barcode" => &[Column::Barcode],
            "tax_rate" => &[Column::TaxRate],
            "active" => &[Column::Active],
            "serialized" => &[Column::Serialized],
            "warranty_months" => &[Column::WarrantyMonths],
            _ => &[],
        };
        self.cells
            .iter()
            .find(|(c, _, _)| wanted.contains(c))
            .map(|(_, name, _)| (*name).to_owned())
            .unwrap_or_else(|| match field {
                "price_cents" => "price".to_owned(),
                "cost_cents" => "cost".to_owned(),
                other => other.to_owned(),
            })
    }
}

/// A required field's cell: empty leaves the product's value (`None`).
fn required(text: Option<String>) -> Option<Option<String>> {
    text.map(Some)
}

/// A new product from the cells a row has.
fn new_product(sku: &Sku, patch: ProductPatch) -> ProductInput {
    ProductInput {
        sku: Some(sku.as_str().to_owned()),
        name: patch.name.flatten(),
        description: patch.description.flatten(),
        category: patch.category.flatten(),
        brand: patch.brand.flatten(),
        price_cents: patch.price_cents.flatten(),
        cost_cents: patch.cost_cents.flatten(),
        barcode: patch.barcode.flatten(),
        tax_rate: patch.tax_rate.flatten(),
        active: patch.active.flatten(),
        serialized: patch.serialized.flatten(),
        warranty_months: patch.warranty_months.flatten(),
    }
}

/// Money as a spreadsheet writes it: whole cents, or (`decimal`) units with up to two
/// decimals after `.` or `,`.
fn money(raw: &str, decimal: bool) -> Result<i64, String> {
    let refused = || {
        if decimal {
            "must be an amount such as 12.99 or 12,99".to_owned()
        } else {
            "must be a whole number of cents such as 1299".to_owned()
        }
    };
    if !decimal {
        return raw.parse::<i64>().map_err(|_| refused());
    }
    let (units, fraction) = match raw.find(['.', ',']) {
        Some(at) => (&raw[..at], &raw[at + 1..]),
        None => (raw, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || fraction.len() > 2 || !(fraction.is_empty() || digits(fraction)) {
        return Err(refused());
    }
    let units: i64 = units.parse().map_err(|_| refused())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| refused())?;
    Ok(units * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_decimals_with_either_separator_or_cents() {
        assert_eq!(money("12.99", true), Ok(1299));
        assert_eq!(money("12,9", true), Ok(1290));
        assert_eq!(money("7", true), Ok(700));
        assert!(money("1.999", true).is_err());
        assert!(money("-1", true).is_err());
        assert!(money("1,234.56", true).is_err());
        assert_eq!(money("1299", false), Ok(1299));
        assert!(money("12.99", false).is_err());
    }

    #[test]
    fn the_header_names_known_columns_once() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            columns(&names(&["sku", "stock:main", "price"])).unwrap(),
            [Column::Sku, Column::Stock("main".into()), Column::Price]
        );
        let refused = columns(&names(&["name", "colour", "name", "price", "price_cents"])).unwrap_err();
        let columns: Vec<&str> = refused.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["colour", "name", "sku", ""]);
    }

    #[test]
    fn a_new_product_needs_its_fields_and_an_existing_one_keeps_what_is_blank() {
        let names: Vec<String> = ["sku", "name", "category", "price", "cost", "brand"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cols = columns(&names).unwrap();
        let record = |fields: &[&str]| Record {
            line: 7,
            fields: fields.iter().map(|s| s.to_string()).collect(),
        };
        let mut errors = Vec::new();
        let new = record(&["NEW-1", "", "Cables", "abc", "1", "Acme"]);
        let row = read(&cols, &names, &new, &mut errors).unwrap();
        assert!(row.draft(None, &mut errors).is_none());
        let reported: Vec<(&str, u64)> = errors.iter().map(|e| (e.column.as_str(), e.line)).collect();
        assert_eq!(reported, [("price", 7), ("name", 7)]);

        let good = record(&["OLD-1", "Cable", "Cables", "2,50", "1", "Acme"]);
        let mut errors = Vec::new();
        let row = read(&cols, &names, &good, &mut errors).unwrap();
        let draft = row.draft(None, &mut errors).unwrap();
        let existing = draft.first_version(crate::store::now());
        let blank = record(&["OLD-1", "", "", "3", "", ""]);
        let row = read(&cols, &names, &blank, &mut errors).unwrap();
        let changed = row.draft(Some(&existing), &mut errors).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(changed.name, "Cable", "a blank required cell keeps the value");
        assert_eq!(changed.price.get(), 300);
        assert_eq!(changed.brand, None, "a blank optional cell clears it");
    }
}
