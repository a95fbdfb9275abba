-- The shop's settings (one row, id 1) and its tax rates. The SQLite twin keeps the same
-- tables and meaning. Rates are parts per million (200000 = 20 %); the address is its printed
-- lines joined by a line feed; booleans are 0/1; times are unix milliseconds.
CREATE TABLE catalog_shop_settings (
    id                          BIGINT       NOT NULL,
    name                        VARCHAR(100) NOT NULL,
    address                     VARCHAR(500) NOT NULL,
    tax_id                      VARCHAR(40)  NULL,
    currency                    CHAR(3)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    prices_include_tax          BIGINT       NOT NULL,
    default_tax_rate            VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    receipt_footer              VARCHAR(2000) NULL,
    default_low_stock_threshold BIGINT       NOT NULL,
    default_reorder_quantity    BIGINT       NOT NULL,
    updated_at                  BIGINT       NOT NULL,
    version                     BIGINT       NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT catalog_shop_settings_one_row CHECK (id = 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO catalog_shop_settings (id, name, address, tax_id, currency, prices_include_tax,
    default_tax_rate, receipt_footer, default_low_stock_threshold, default_reorder_quantity,
    updated_at, version)
VALUES (1, 'My computer shop', '', NULL, 'USD', 1, NULL, NULL, 0, 0, CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED), 1);

CREATE TABLE catalog_tax_rates (
    code       VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name       VARCHAR(60) NOT NULL,
    rate_ppm   BIGINT      NOT NULL,
    created_at BIGINT      NOT NULL,
    updated_at BIGINT      NOT NULL,
    version    BIGINT      NOT NULL,
    PRIMARY KEY (code),
    CONSTRAINT catalog_tax_rates_rate_in_range CHECK (rate_ppm BETWEEN 0 AND 1000000)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
