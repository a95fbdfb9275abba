//! The shop's customers: recording, changing, archiving, finding them.

use sales_api::views::Customer;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use storage::clock::{from_millis, millis};
use time::OffsetDateTime;

use super::SalesStore;
use crate::domain::customer::CustomerFields;

const COLUMNS: &str = "id, name, phone, email, notes, archived, created_at, updated_at";

/// Which customers a listing shows.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Text in the name, phone, email or notes, any case.
    pub text: Option<String>,
    pub archived: bool,
}

impl SalesStore {
    /// Records a new customer from checked fields (the name is there).
    pub async fn add_customer(&self, fields: &CustomerFields) -> Result<Customer, sqlx::Error> {
        let id = uuid::Uuid::now_v7().to_string();
        let at = millis(OffsetDateTime::now_utc());
        sqlx::query(
            "INSERT INTO sales_customers (id, name, phone, email, notes, archived, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(id.clone())
        .bind(fields.name.clone().unwrap_or_default())
        .bind(fields.phone.clone().flatten())
        .bind(fields.email.clone().flatten())
        .bind(fields.notes.clone().flatten())
        .bind(at)
        .bind(at)
        .execute(self.db.pool())
        .await?;
        self.customer(&id).await?.ok_or(sqlx::Error::RowNotFound)
    }

    pub async fn customer(&self, id: &str) -> Result<Option<Customer>, sqlx::Error> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM sales_customers WHERE id = ?"
        )))
        .bind(id.to_owned())
        .fetch_optional(self.db.pool())
        .await?
        .as_ref()
        .map(customer_from_row)
        .transpose()
    }

    /// Changes the fields given; `None` when there is no such customer.
    pub async fn change_customer(
        &self,
        id: &str,
        fields: &CustomerFields,
    ) -> Result<Option<Customer>, sqlx::Error> {
        let Some(mut customer) = self.customer(id).await? else {
            return Ok(None);
        };
        if let Some(name) = &fields.name {
            customer.name = name.clone();
        }
        if let Some(phone) = &fields.phone {
            customer.phone = phone.clone();
        }
        if let Some(email) = &fields.email {
            customer.email = email.clone();
        }
        if let Some(notes) = &fields.notes {
            customer.notes = notes.clone();
        }
        let found = sqlx::query(
            "UPDATE sales_customers SET name = ?, phone = ?, email = ?, notes = ?, updated_at = ? WHERE id = ?",
        )
        .bind(customer.name)
        .bind(customer.phone)
        .bind(customer.email)
        .bind(customer.notes)
        .bind(millis(OffsetDateTime::now_utc()))
        .bind(id.to_owned())
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if found == 0 {
            return Ok(None);
        }
        self.customer(id).await
    }

    /// Archives a customer (their sales keep naming them); false when there is none.
    pub async fn archive_customer(&self, id: &str) -> Result<bool, sqlx::Error> {
        if self.customer(id).await?.is_none() {
            return Ok(false);
        }
        sqlx::query("UPDATE sales_customers SET archived = 1, updated_at = ? WHERE id = ?")
            .bind(millis(OffsetDateTime::now_utc()))
            .bind(id.to_owned())
            .execute(self.db.pool())
            .await?;
        Ok(true)
    }

    /// One page of customers in name order (any case), after the customer `after`.
    pub async fn customers(
        &self,
        filter: &CustomerFilter,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Customer>, sqlx::Error> {
        let mut conditions = Vec::new();
        let mut args: Vec<String> = Vec::new();
        if !filter.archived {
            conditions.push("archived = 0");
        }
        if let Some(text) = &filter.text {
            conditions.push(
                "(LOWER(name) LIKE ? ESCAPE '!' OR LOWER(phone) LIKE ? ESCAPE '!' \
                 OR LOWER(email) LIKE ? ESCAPE '!' OR LOWER(notes) LIKE ? ESCAPE '!')",
            );
            let pattern = format!("%{}%", storage::db::escape_like(&text.to_lowercase()));
            args.extend(std::iter::repeat_n(pattern, 4));
        }
        if let Some(after) = after {
            // The page continues after the last customer shown, by (lower-case name, id).
            conditions.push(
                "(LOWER(name) > (SELECT LOWER(name) FROM sales_customers WHERE id = ?) \
                 OR (LOWER(name) = (SELECT LOWER(name) FROM sales_customers WHERE id = ?) AND id > ?))",
            );
            args.extend(std::iter::repeat_n(after.to_owned(), 3));
        }
        let where_clause = if conditions.is_empty() {
            "1 = 1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        // Only the fixed fragments above are in the SQL text; every value is bound.
        let sql = format!(
            "SELECT {COLUMNS} FROM sales_customers WHERE {where_clause} ORDER BY LOWER(name), id LIMIT ?"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for arg in args {
            query = query.bind(arg);
        }
        query
            .bind(i64::from(limit))
            .fetch_all(self.db.pool())
            .await?
            .iter()
            .map(customer_from_row)
            .collect()
    }
}

fn customer_from_row(row: &AnyRow) -> Result<Customer, sqlx::Error> {
    Ok(Customer {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        phone: row.try_get(2)?,
        email: row.try_get(3)?,
        notes: row.try_get(4)?,
        archived: row.try_get::<i64, _>(5)? != 0,
        created_at: from_millis(row.try_get(6)?),
        updated_at: from_millis(row.try_get(7)?),
    })
}
