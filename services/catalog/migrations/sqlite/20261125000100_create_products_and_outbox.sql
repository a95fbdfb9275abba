-- Catalog schema for SQLite. The MySQL twin of this file must keep the same tables, columns
-- and meaning. Times are unix milliseconds (UTC); money is integer cents; booleans are 0/1.
CREATE TABLE catalog_products (
    sku         TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NULL,
    category    TEXT    NOT NULL COLLATE NOCASE,
    brand       TEXT    NULL,
    price_cents INTEGER NOT NULL CONSTRAINT catalog_products_price_not_negative CHECK (price_cents >= 0),
    cost_cents  INTEGER NOT NULL CONSTRAINT catalog_products_cost_not_negative CHECK (cost_cents >= 0),
    barcode     TEXT    NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
);
CREATE UNIQUE INDEX catalog_products_barcode_unique ON catalog_products (barcode);
CREATE INDEX catalog_products_by_category ON catalog_products (category, sku);
CREATE INDEX catalog_products_by_active ON catalog_products (active, sku);

CREATE TABLE catalog_outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT    NOT NULL UNIQUE,
    event_type    TEXT    NOT NULL,
    event_version INTEGER NOT NULL,
    occurred_at   INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    published_at  INTEGER NULL
);
CREATE INDEX catalog_outbox_unpublished ON catalog_outbox (published_at, seq);
