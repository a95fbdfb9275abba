-- The shop's suppliers (archived, never deleted), and for each product the suppliers it is
-- bought from: their code for it, the last cost, and the preferred one.
CREATE TABLE inventory_suppliers (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    contact        TEXT    NULL,
    email          TEXT    NULL,
    phone          TEXT    NULL,
    lead_time_days INTEGER NOT NULL,
    notes          TEXT    NULL,
    archived       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX inventory_suppliers_by_name ON inventory_suppliers (name);

CREATE TABLE inventory_supplier_items (
    sku             TEXT    NOT NULL,
    supplier_id     TEXT    NOT NULL,
    supplier_sku    TEXT    NULL,
    last_cost_cents INTEGER NULL,
    preferred       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, supplier_id)
);
CREATE INDEX inventory_supplier_items_by_supplier ON inventory_supplier_items (supplier_id);
