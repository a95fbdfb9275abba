-- Sales schema for SQLite; see the MySQL twin for the meaning of each table.
CREATE TABLE sales_sales (
    receipt_number INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    status         TEXT    NOT NULL,
    location       TEXT    NOT NULL,
    payment_method TEXT    NOT NULL,
    customer       TEXT    NULL,
    note           TEXT    NULL,
    subtotal_cents INTEGER NOT NULL,
    discount_cents INTEGER NOT NULL,
    total_cents    INTEGER NOT NULL,
    refunded_cents INTEGER NOT NULL DEFAULT 0,
    units          INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX sales_sales_by_time ON sales_sales (created_at);

CREATE TABLE sales_lines (
    sale_id           TEXT    NOT NULL,
    line_no           INTEGER NOT NULL,
    sku               TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    quantity          INTEGER NOT NULL,
    unit_price_cents  INTEGER NOT NULL,
    discount_cents    INTEGER NOT NULL,
    line_total_cents  INTEGER NOT NULL,
    returned_quantity INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sale_id, line_no)
);
CREATE INDEX sales_lines_by_sku ON sales_lines (sku);

CREATE TABLE sales_history (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    detail  TEXT    NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX sales_history_by_sale ON sales_history (sale_id, id);

CREATE TABLE sales_idempotency (
    idem_key    TEXT    NOT NULL PRIMARY KEY,
    request     TEXT    NOT NULL,
    status_code INTEGER NULL,
    response    TEXT    NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE sales_outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT    NOT NULL UNIQUE,
    event_type    TEXT    NOT NULL,
    event_version INTEGER NOT NULL,
    occurred_at   INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    published_at  INTEGER NULL
);
CREATE INDEX sales_outbox_unpublished ON sales_outbox (published_at, seq);

CREATE TABLE sales_relay_lease (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO sales_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);
