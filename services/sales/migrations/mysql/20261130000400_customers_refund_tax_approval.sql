-- The tax given back by returns and voids; for sales changed before it was kept, what the
-- lines' returned units carried (a voided sale gave back all its tax).
ALTER TABLE sales_sales
    ADD COLUMN refunded_tax_cents BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN approved_by        VARCHAR(64)  NULL,
    ADD COLUMN customer_id        CHAR(36)     CHARACTER SET ascii NULL,
    ADD KEY sales_sales_by_customer (customer_id, receipt_number);
UPDATE sales_sales s SET refunded_tax_cents = (
    SELECT COALESCE(SUM(l.tax_cents * l.returned_quantity DIV l.quantity), 0)
    FROM sales_lines l WHERE l.sale_id = s.id);
UPDATE sales_sales SET refunded_tax_cents = tax_cents WHERE status = 'voided';

-- The shop's customers; a sale may name one (its name is copied into `customer` then).
CREATE TABLE sales_customers (
    id         CHAR(36)     CHARACTER SET ascii NOT NULL,
    name       VARCHAR(200) NOT NULL,
    phone      VARCHAR(40)  NULL,
    email      VARCHAR(254) NULL,
    notes      VARCHAR(1000) NULL,
    archived   BIGINT       NOT NULL DEFAULT 0,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY sales_customers_by_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
