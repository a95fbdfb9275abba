//! What the supplier routes take and answer: the shop's suppliers, and for each product the
//! suppliers it is bought from.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The most days a supplier may take to deliver, as the document states.
pub const MAX_LEAD_TIME_DAYS: i64 = 365;
/// The most suppliers one product may have.
pub const MAX_SUPPLIER_ITEMS: usize = 20;

/// A supplier as recorded.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Northern Components Ltd", "contact": "Sam Reyes",
                          "email": "orders@northern.example", "phone": "+44 161 496 0000",
                          "lead_time_days": 3}))]
pub struct SupplierInput {
    #[schema(value_type = web::schema::RequiredLine<200>)]
    pub name: Option<String>,
    /// The person to talk to.
    #[schema(value_type = Option<web::schema::Line<200>>)]
    pub contact: Option<String>,
    #[schema(value_type = Option<web::schema::Email>)]
    pub email: Option<String>,
    #[schema(value_type = Option<web::schema::Phone>)]
    pub phone: Option<String>,
    /// Days from ordering to delivery (default 7).
    #[schema(minimum = 0, maximum = 365)]
    pub lead_time_days: Option<i64>,
    #[schema(value_type = Option<web::schema::Paragraph<1000>>)]
    pub notes: Option<String>,
}

/// What to change of a supplier: only the fields sent (at least one); blank optional text
/// clears it, null leaves it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierPatch {
    #[schema(value_type = Option<web::schema::RequiredLine<200>>)]
    pub name: Option<String>,
    #[schema(value_type = Option<web::schema::Line<200>>)]
    pub contact: Option<String>,
    #[schema(value_type = Option<web::schema::Email>)]
    pub email: Option<String>,
    #[schema(value_type = Option<web::schema::Phone>)]
    pub phone: Option<String>,
    #[schema(minimum = 0, maximum = 365)]
    pub lead_time_days: Option<i64>,
    #[schema(value_type = Option<web::schema::Paragraph<1000>>)]
    pub notes: Option<String>,
}

impl From<SupplierPatch> for SupplierInput {
    fn from(p: SupplierPatch) -> SupplierInput {
        SupplierInput {
            name: p.name,
            contact: p.contact,
            email: p.email,
            phone: p.phone,
            lead_time_days: p.lead_time_days,
            notes: p.notes,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupplierListParams {
    /// Suppliers whose name, contact, email, phone or notes contain this text (any case).
    #[param(inline, value_type = Option<web::schema::Line<100>>, nullable = false)]
    pub q: Option<String>,
    /// Archived suppliers too (default false).
    pub archived: Option<bool>,
}

/// The suppliers of one product, replacing the ones it had (`PUT`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierItemsInput {
    /// At most 20; at most one preferred; each supplier once.
    #[schema(max_items = 20)]
    pub items: Vec<SupplierItemInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierItemInput {
    #[schema(value_type = web::schema::SupplierId)]
    pub supplier_id: String,
    /// The supplier's own code for the product.
    #[schema(value_type = Option<web::schema::Line<64>>)]
    pub supplier_sku: Option<String>,
    /// What the supplier charged last, per unit.
    #[schema(nullable = false, minimum = 0, maximum = 10_000_000_000_i64)]
    pub last_cost_cents: Option<i64>,
    /// The supplier reorders go to.
    pub preferred: Option<bool>,
}

/// One of the shop's suppliers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Supplier {
    pub id: String,
    pub name: String,
    pub contact: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lead_time_days: i64,
    pub notes: Option<String>,
    /// Archived suppliers are kept for history but offered for nothing new.
    pub archived: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// The suppliers, in name order.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplierList {
    pub items: Vec<Supplier>,
}

/// A supplier of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplierItem {
    pub supplier_id: String,
    pub supplier_name: String,
    pub supplier_sku: Option<String>,
    /// Left out for clerks and viewers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_cost_cents: Option<i64>,
    pub preferred: bool,
    pub lead_time_days: i64,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplierItemList {
    pub sku: String,
    pub items: Vec<SupplierItem>,
}
