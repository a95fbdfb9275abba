-- Inventory schema for SQLite; the MySQL twin keeps the same tables and meaning.
-- Quantities are whole units; times are unix milliseconds (UTC); booleans 0/1.

CREATE TABLE inventory_locations (
    code           TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    allow_negative INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
INSERT INTO inventory_locations (code, name, active, allow_negative, created_at)
VALUES ('main', 'Main', 1, 0, 0);

CREATE TABLE inventory_items (
    sku             TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    catalog_version INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE inventory_levels (
    sku                 TEXT    NOT NULL REFERENCES inventory_items (sku),
    location            TEXT    NOT NULL REFERENCES inventory_locations (code),
    on_hand             INTEGER NOT NULL DEFAULT 0,
    reserved            INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_stock_threshold INTEGER NOT NULL DEFAULT 0,
    reorder_quantity    INTEGER NOT NULL DEFAULT 0,
    warned              INTEGER NOT NULL DEFAULT 1,
    version             INTEGER NOT NULL DEFAULT 0,
    updated_at          INTEGER NOT NULL,
    PRIMARY KEY (sku, location)
);
CREATE INDEX inventory_levels_by_location ON inventory_levels (location, sku);

CREATE TABLE inventory_movements (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    sku            TEXT    NOT NULL,
    location       TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    on_hand_before INTEGER NOT NULL,
    on_hand_after  INTEGER NOT NULL,
    reason         TEXT    NULL,
    reference      TEXT    NULL,
    note           TEXT    NULL,
    actor          TEXT    NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX inventory_movements_by_sku ON inventory_movements (sku, id);

CREATE TABLE inventory_restocks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    sku             TEXT    NOT NULL,
    location        TEXT    NOT NULL,
    quantity        INTEGER NOT NULL,
    supplier        TEXT    NULL,
    unit_cost_cents INTEGER NULL,
    reference       TEXT    NULL,
    note            TEXT    NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE inventory_outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT    NOT NULL UNIQUE,
    event_type    TEXT    NOT NULL,
    event_version INTEGER NOT NULL,
    occurred_at   INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    published_at  INTEGER NULL
);
CREATE INDEX inventory_outbox_unpublished ON inventory_outbox (published_at, seq);

CREATE TABLE inventory_relay_lease (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO inventory_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);

CREATE TABLE inventory_inbox (
    event_id   TEXT    NOT NULL PRIMARY KEY,
    event_type TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
);

CREATE TABLE inventory_dead_letters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL,
    event_type TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    error      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    dead_at    INTEGER NOT NULL
);
