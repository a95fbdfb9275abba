-- Serialized products: whether each unit of a SKU carries a serial number and how long its
-- warranty runs (from the catalog's events), every serialized unit the shop has had, and
-- everything that happened to each.
ALTER TABLE inventory_items ADD COLUMN serialized INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory_items ADD COLUMN warranty_months INTEGER NOT NULL DEFAULT 0;

CREATE TABLE inventory_serials (
    sku               TEXT    NOT NULL,
    serial            TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    -- Where the unit is, or was last (sold from, taken back at).
    location          TEXT    NOT NULL,
    -- The reservation of a sale being recorded that holds the unit.
    held_by           TEXT    NULL,
    sale_id           TEXT    NULL,
    customer_id       TEXT    NULL,
    sold_at           INTEGER NULL,
    -- The warranty the unit was sold with, in months.
    warranty_months   INTEGER NOT NULL DEFAULT 0,
    received_at       INTEGER NOT NULL,
    supplier          TEXT    NULL,
    purchase_order_id TEXT    NULL,
    version           INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (sku, serial)
);
CREATE INDEX inventory_serials_by_serial ON inventory_serials (serial);
CREATE INDEX inventory_serials_by_level ON inventory_serials (sku, location, state);
CREATE INDEX inventory_serials_by_hold ON inventory_serials (held_by);

CREATE TABLE inventory_serial_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT    NOT NULL,
    serial      TEXT    NOT NULL,
    change_kind TEXT    NOT NULL,
    state_after TEXT    NOT NULL,
    location    TEXT    NOT NULL,
    reference   TEXT    NULL,
    note        TEXT    NULL,
    actor       TEXT    NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX inventory_serial_history_by_unit ON inventory_serial_history (sku, serial, id);

-- Warranty cases (RMAs): a faulty unit taken in from a customer (`sale_id`, `customer_id`) or
-- from the shop's own stock (`customer_case` = 0), sent to a supplier, and the outcome.
CREATE TABLE inventory_rmas (
    id                 TEXT    NOT NULL PRIMARY KEY,
    number             INTEGER NOT NULL UNIQUE,
    sku                TEXT    NOT NULL,
    serial             TEXT    NOT NULL,
    location           TEXT    NOT NULL,
    state              TEXT    NOT NULL,
    customer_case      INTEGER NOT NULL,
    sale_id            TEXT    NULL,
    customer_id        TEXT    NULL,
    supplier_id        TEXT    NULL,
    replacement_serial TEXT    NULL,
    fault              TEXT    NOT NULL,
    under_warranty     INTEGER NOT NULL,
    opened_by          TEXT    NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL
);
CREATE INDEX inventory_rmas_by_state ON inventory_rmas (state, number);
CREATE INDEX inventory_rmas_by_unit ON inventory_rmas (sku, serial);

CREATE TABLE inventory_rma_history (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    rma_id TEXT    NOT NULL,
    state  TEXT    NOT NULL,
    note   TEXT    NULL,
    actor  TEXT    NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX inventory_rma_history_by_case ON inventory_rma_history (rma_id, id);
