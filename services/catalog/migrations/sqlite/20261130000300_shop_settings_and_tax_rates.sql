-- The shop's settings (one row, id 1) and its tax rates. The MySQL twin keeps the same
-- tables and meaning. Rates are parts per million (200000 = 20 %); the address is its printed
-- lines joined by a line feed; booleans are 0/1; times are unix milliseconds.
CREATE TABLE catalog_shop_settings (
    id                          INTEGER NOT NULL PRIMARY KEY CONSTRAINT catalog_shop_settings_one_row CHECK (id = 1),
    name                        TEXT    NOT NULL,
    address                     TEXT    NOT NULL,
    tax_id                      TEXT    NULL,
    currency                    TEXT    NOT NULL,
    prices_include_tax          INTEGER NOT NULL,
    default_tax_rate            TEXT    NULL,
    receipt_footer              TEXT    NULL,
    default_low_stock_threshold INTEGER NOT NULL,
    default_reorder_quantity    INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL,
    version                     INTEGER NOT NULL
);

INSERT INTO catalog_shop_settings (id, name, address, tax_id, currency, prices_include_tax,
    default_tax_rate, receipt_footer, default_low_stock_threshold, default_reorder_quantity,
    updated_at, version)
VALUES (1, 'My computer shop', '', NULL, 'USD', 1, NULL, NULL, 0, 0, CAST(strftime('%s', 'now') AS INTEGER) * 1000, 1);

CREATE TABLE catalog_tax_rates (
    code       TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    rate_ppm   INTEGER NOT NULL CONSTRAINT catalog_tax_rates_rate_in_range CHECK (rate_ppm BETWEEN 0 AND 1000000),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL
);
