//! What the catalog's routes take: request bodies and query parameters.

use serde::{Deserialize, Deserializer, Serialize};

/// A whole product as sent to `POST` or `PUT`. Every field is optional here so that all
/// missing and invalid fields are reported together, not one per request.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "sku": "GPU-RTX4070S", "name": "GeForce RTX 4070 SUPER 12GB", "category": "Graphics Cards",
    "brand": "NVIDIA", "price_cents": 62900, "cost_cents": 54000, "barcode": "4006381333931"
}))]
pub struct ProductInput {
    /// Required on create; on replace, if given, the SKU in the URL.
    #[schema(value_type = Option<web::schema::Sku>)]
    pub sku: Option<String>,
    #[schema(value_type = web::schema::RequiredLine<200>)]
    pub name: Option<String>,
    #[schema(value_type = Option<web::schema::Paragraph<5000>>)]
    pub description: Option<String>,
    #[schema(value_type = web::schema::RequiredLine<100>)]
    pub category: Option<String>,
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub brand: Option<String>,
    /// The selling price in cents.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_cents: Option<i64>,
    /// What one unit costs the shop, in cents.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub cost_cents: Option<i64>,
    #[schema(value_type = Option<web::schema::Gtin>)]
    pub barcode: Option<String>,
    /// The code of one of the shop's tax rates; none: the shop's default rate.
    #[schema(value_type = Option<web::schema::TaxCodeOrBlank>)]
    pub tax_rate: Option<String>,
    /// Defaults to true.
    pub active: Option<bool>,
    /// Each unit carries a serial number, recorded when it is received and sold. Defaults to
    /// false.
    pub serialized: Option<bool>,
    /// The manufacturer's warranty a customer gets, in months (0: none, the default; at most
    /// 120).
    #[schema(minimum = 0, maximum = 120)]
    pub warranty_months: Option<i64>,
}

/// A JSON merge patch (RFC 7396) of a product: absent fields stay, `null` clears an optional
/// field. The SKU cannot be changed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"price_cents": 59900, "description": null}))]
pub struct ProductPatch {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = web::schema::RequiredLine<200>, required = false)]
    pub name: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<web::schema::Paragraph<5000>>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = web::schema::RequiredLine<100>, required = false)]
    pub category: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<web::schema::Line<100>>)]
    pub brand: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i64, required = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub price_cents: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i64, required = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub cost_cents: Option<Option<i64>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<web::schema::Gtin>)]
    pub barcode: Option<Option<String>>,
    /// `null`: the shop's default rate.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<web::schema::TaxCodeOrBlank>)]
    pub tax_rate: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub active: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = bool, required = false)]
    pub serialized: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = i64, required = false, minimum = 0, maximum = 120)]
    pub warranty_months: Option<Option<i64>>,
}

/// Tells a field sent as `null` (`Some(None)`) from an absent one (`None`, via `default`).
pub(crate) fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Case-insensitive text searched in SKU, name, description, brand and barcode.
    #[param(inline, value_type = Option<web::schema::Line<200>>, nullable = false)]
    pub q: Option<String>,
    /// Exact category name (case-insensitive).
    #[param(inline, value_type = Option<web::schema::Line<100>>, nullable = false)]
    pub category: Option<String>,
    /// Exact barcode (as a scanner reads it); at most one product has it.
    #[param(inline, value_type = Option<web::schema::Line<64>>, nullable = false)]
    pub barcode: Option<String>,
    /// Active products (the default), archived ones, or both.
    #[param(inline)]
    pub active: Option<ActiveParam>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(inline, value_type = Option<web::schema::Sku>, nullable = false)]
    pub cursor: Option<String>,
}

/// Which products a listing shows, by whether they are archived.
/// The filters of `GET /api/v1/products/export.csv`: those of the listing, without paging.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// Products whose SKU, name, description, brand or barcode contain this text.
    #[param(inline, value_type = Option<web::schema::Line<200>>, nullable = false)]
    pub q: Option<String>,
    #[param(inline, value_type = Option<web::schema::Line<100>>, nullable = false)]
    pub category: Option<String>,
    #[param(inline, value_type = Option<web::schema::Line<64>>, nullable = false)]
    pub barcode: Option<String>,
    /// `true` (default), `false` (archived) or `any`.
    #[param(inline)]
    pub active: Option<ActiveParam>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ActiveParam {
    True,
    False,
    Any,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_tells_null_from_absent_and_refuses_the_sku() {
        let patch: ProductPatch = serde_json::from_str(r#"{"price_cents": 39900, "barcode": null}"#).unwrap();
        assert_eq!(patch.price_cents, Some(Some(39900)));
        assert_eq!(patch.barcode, Some(None));
        assert_eq!(patch.name, None);
        assert!(serde_json::from_str::<ProductPatch>(r#"{"sku": "X"}"#).is_err());
        assert!(serde_json::from_str::<ProductPatch>(r#"{"colour": "red"}"#).is_err());
    }
}
