-- The tax given back by returns and voids; for sales changed before it was kept, what the
-- lines' returned units carried (a voided sale gave back all its tax).
ALTER TABLE sales_sales ADD COLUMN refunded_tax_cents INTEGER NOT NULL DEFAULT 0;
UPDATE sales_sales SET refunded_tax_cents = (
    SELECT COALESCE(SUM(l.tax_cents * l.returned_quantity / l.quantity), 0)
    FROM sales_lines l WHERE l.sale_id = sales_sales.id);
UPDATE sales_sales SET refunded_tax_cents = tax_cents WHERE status = 'voided';

-- The manager who approved a discount beyond the shop's limit.
ALTER TABLE sales_sales ADD COLUMN approved_by TEXT NULL;

-- The shop's customers; a sale may name one (its name is copied into `customer` then).
CREATE TABLE sales_customers (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    phone      TEXT    NULL,
    email      TEXT    NULL,
    notes      TEXT    NULL,
    archived   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX sales_customers_by_name ON sales_customers (name);
ALTER TABLE sales_sales ADD COLUMN customer_id TEXT NULL;
CREATE INDEX sales_sales_by_customer ON sales_sales (customer_id, receipt_number);
