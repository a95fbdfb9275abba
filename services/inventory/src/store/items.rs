//! The SKUs the inventory knows: announced by the catalog's events, with their names, whether
//! they are active, and their prices (to value the stock).

use sqlx::AnyConnection;
use storage::clock::now_ms;

use crate::domain::CatalogProduct;

/// Makes the SKU of a catalog event known, keeping the newest catalog version: events of one
/// product may arrive out of order, and an older one must not undo a newer one.
pub async fn apply_catalog_product(
    conn: &mut AnyConnection,
    product: &CatalogProduct,
) -> Result<(), sqlx::Error> {
    let current: Option<i64> =
        sqlx::query_scalar("SELECT catalog_version FROM inventory_items WHERE sku = ?")
            .bind(product.sku.clone())
            .fetch_optional(&mut *conn)
            .await?;
    let (price, cost) = match product.prices {
        Some(p) => (Some(p.price_cents), Some(p.cost_cents)),
        None => (None, None),
    };
    let (serialized, warranty) = match product.tracking {
        Some(t) => (Some(i64::from(t.serialized)), Some(t.warranty_months)),
        None => (None, None),
    };
    match current {
        None => {
            sqlx::query(
                "INSERT INTO inventory_items (sku, name, active, catalog_version, created_at, price_cents, cost_cents, \
                 default_low_stock_threshold, default_reorder_quantity, serialized, warranty_months) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(product.sku.clone())
            .bind(product.name.clone())
            .bind(i64::from(product.active))
            .bind(product.catalog_version)
            .bind(now_ms())
            .bind(price)
            .bind(cost)
            .bind(product.stock_defaults.map_or(0, |d| d.low_stock_threshold))
            .bind(product.stock_defaults.map_or(0, |d| d.reorder_quantity))
            .bind(serialized.unwrap_or(0))
            .bind(warranty.unwrap_or(0))
            .execute(&mut *conn)
            .await?;
        }
        Some(stored) if stored < product.catalog_version => {
            // An event without prices and tracking (an archive) keeps the ones known.
            sqlx::query(
                "UPDATE inventory_items SET name = ?, active = ?, catalog_version = ?, \
                 price_cents = COALESCE(?, price_cents), cost_cents = COALESCE(?, cost_cents), \
                 serialized = COALESCE(?, serialized), warranty_months = COALESCE(?, warranty_months) WHERE sku = ?",
            )
            .bind(product.name.clone())
            .bind(i64::from(product.active))
            .bind(product.catalog_version)
            .bind(price)
            .bind(cost)
            .bind(serialized)
            .bind(warranty)
            .bind(product.sku.clone())
            .execute(&mut *conn)
            .await?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Archives a SKU (no more alerts), unless a newer catalog version is already known.
pub async fn apply_catalog_archive(
    conn: &mut AnyConnection,
    sku: &str,
    catalog_version: i64,
) -> Result<(), sqlx::Error> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM inventory_items WHERE sku = ?")
        .bind(sku.to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    let product = CatalogProduct {
        sku: sku.to_owned(),
        name: name.unwrap_or_else(|| sku.to_owned()),
        active: false,
        catalog_version,
        prices: None,
        stock_defaults: None,
        tracking: None,
    };
    apply_catalog_product(conn, &product).await
}
