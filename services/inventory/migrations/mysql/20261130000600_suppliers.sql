-- The shop's suppliers (archived, never deleted), and for each product the suppliers it is
-- bought from: their code for it, the last cost, and the preferred one.
CREATE TABLE inventory_suppliers (
    id             CHAR(36)      CHARACTER SET ascii NOT NULL,
    name           VARCHAR(200)  NOT NULL,
    contact        VARCHAR(200)  NULL,
    email          VARCHAR(254)  NULL,
    phone          VARCHAR(40)   NULL,
    lead_time_days BIGINT        NOT NULL,
    notes          VARCHAR(1000) NULL,
    archived       BIGINT        NOT NULL DEFAULT 0,
    created_at     BIGINT        NOT NULL,
    updated_at     BIGINT        NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_suppliers_by_name (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_supplier_items (
    sku             VARCHAR(64)  NOT NULL,
    supplier_id     CHAR(36)     CHARACTER SET ascii NOT NULL,
    supplier_sku    VARCHAR(64)  NULL,
    last_cost_cents BIGINT       NULL,
    preferred       BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, supplier_id),
    KEY inventory_supplier_items_by_supplier (supplier_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
