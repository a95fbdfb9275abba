-- The reporting service's tables: rollups per day, location, dimension and member, what it
-- keeps of each sale for its returns, the products' names and groups, closed shifts, and the
-- inbox and dead letters of its consumers.

CREATE TABLE reports_daily (
    dimension        TEXT    NOT NULL,
    day              TEXT    NOT NULL,
    location         TEXT    NOT NULL,
    member           TEXT    NOT NULL,
    sales            INTEGER NOT NULL DEFAULT 0,
    units            INTEGER NOT NULL DEFAULT 0,
    discount_cents   INTEGER NOT NULL DEFAULT 0,
    net_cents        INTEGER NOT NULL DEFAULT 0,
    tax_cents        INTEGER NOT NULL DEFAULT 0,
    total_cents      INTEGER NOT NULL DEFAULT 0,
    returns          INTEGER NOT NULL DEFAULT 0,
    returned_units   INTEGER NOT NULL DEFAULT 0,
    refund_cents     INTEGER NOT NULL DEFAULT 0,
    refund_tax_cents INTEGER NOT NULL DEFAULT 0,
    voids            INTEGER NOT NULL DEFAULT 0,
    voided_units     INTEGER NOT NULL DEFAULT 0,
    void_cents       INTEGER NOT NULL DEFAULT 0,
    void_tax_cents   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, day, location, member)
);

CREATE TABLE reports_sales (
    sale_id  TEXT NOT NULL PRIMARY KEY,
    recorded TEXT NOT NULL
);

CREATE TABLE reports_products (
    sku      TEXT    NOT NULL PRIMARY KEY,
    name     TEXT    NOT NULL,
    category TEXT    NOT NULL,
    brand    TEXT,
    version  INTEGER NOT NULL
);

CREATE TABLE reports_shifts (
    shift_id            TEXT    NOT NULL PRIMARY KEY,
    till                TEXT    NOT NULL,
    location            TEXT    NOT NULL,
    z_number            INTEGER NOT NULL,
    day                 TEXT    NOT NULL,
    closed_at           TEXT    NOT NULL,
    closed_by           TEXT,
    sales               INTEGER NOT NULL,
    total_cents         INTEGER NOT NULL,
    refunds_cents       INTEGER NOT NULL,
    expected_cash_cents INTEGER NOT NULL,
    counted_cash_cents  INTEGER NOT NULL,
    over_short_cents    INTEGER NOT NULL
);
CREATE INDEX reports_shifts_by_day ON reports_shifts (day);

CREATE TABLE reports_inbox (
    event_id   TEXT    NOT NULL PRIMARY KEY,
    event_type TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
);

CREATE TABLE reports_dead_letters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL,
    event_type TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    error      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    dead_at    INTEGER NOT NULL
);
