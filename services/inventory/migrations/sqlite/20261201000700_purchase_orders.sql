-- Purchase orders to suppliers, their lines and the receipts against them; the stock ordered
-- and not yet received at each level (`incoming`); and the moving weighted average cost of
-- each SKU with the history of how each receipt moved it. See the MySQL twin for the meaning.
CREATE TABLE inventory_purchase_orders (
    id           TEXT    NOT NULL PRIMARY KEY,
    number       INTEGER NOT NULL UNIQUE,
    supplier_id  TEXT    NOT NULL,
    location     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    expected_at  TEXT    NULL,
    note         TEXT    NULL,
    created_by   TEXT    NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    ordered_at   INTEGER NULL,
    received_at  INTEGER NULL,
    cancelled_at INTEGER NULL,
    version      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inventory_purchase_orders_by_status ON inventory_purchase_orders (status, number);
CREATE INDEX inventory_purchase_orders_by_supplier ON inventory_purchase_orders (supplier_id, number);

CREATE TABLE inventory_purchase_order_lines (
    purchase_order_id  TEXT    NOT NULL,
    line_no            INTEGER NOT NULL,
    sku                TEXT    NOT NULL,
    quantity           INTEGER NOT NULL,
    received           INTEGER NOT NULL DEFAULT 0,
    unit_cost_cents    INTEGER NOT NULL,
    allow_over_receipt INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (purchase_order_id, line_no)
);
CREATE INDEX inventory_purchase_order_lines_by_sku ON inventory_purchase_order_lines (sku);

CREATE TABLE inventory_receipts (
    id                TEXT    NOT NULL PRIMARY KEY,
    purchase_order_id TEXT    NOT NULL,
    reference         TEXT    NULL,
    note              TEXT    NULL,
    actor             TEXT    NULL,
    received_at       INTEGER NOT NULL
);
CREATE INDEX inventory_receipts_by_order ON inventory_receipts (purchase_order_id, received_at);

CREATE TABLE inventory_receipt_lines (
    receipt_id      TEXT    NOT NULL,
    sku             TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_cost_cents INTEGER NOT NULL,
    movement_id     INTEGER NOT NULL,
    PRIMARY KEY (receipt_id, sku)
);

ALTER TABLE inventory_levels ADD COLUMN incoming INTEGER NOT NULL DEFAULT 0 CHECK (incoming >= 0);
ALTER TABLE inventory_items ADD COLUMN average_cost_cents INTEGER NULL;

CREATE TABLE inventory_cost_history (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    sku                 TEXT    NOT NULL,
    quantity            INTEGER NOT NULL,
    unit_cost_cents     INTEGER NOT NULL,
    units_before        INTEGER NOT NULL,
    average_before      INTEGER NULL,
    average_after       INTEGER NOT NULL,
    purchase_order_id   TEXT    NULL,
    movement_id         INTEGER NOT NULL,
    created_at          INTEGER NOT NULL
);
CREATE INDEX inventory_cost_history_by_sku ON inventory_cost_history (sku, id);
