-- Catalog schema for MySQL/MariaDB. The SQLite twin of this file must keep the same tables,
-- columns and meaning. Times are unix milliseconds (UTC); money is integer cents; booleans
-- are 0/1 in a BIGINT so that both engines decode them the same way.
CREATE TABLE catalog_products (
    sku         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARCHAR(200) NOT NULL,
    description TEXT         NULL,
    category    VARCHAR(100) NOT NULL,
    brand       VARCHAR(100) NULL,
    price_cents BIGINT       NOT NULL,
    cost_cents  BIGINT       NOT NULL,
    barcode     VARCHAR(13)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    active      BIGINT       NOT NULL DEFAULT 1,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    version     BIGINT       NOT NULL,
    PRIMARY KEY (sku),
    UNIQUE KEY catalog_products_barcode_unique (barcode),
    KEY catalog_products_by_category (category, sku),
    KEY catalog_products_by_active (active, sku),
    CONSTRAINT catalog_products_price_not_negative CHECK (price_cents >= 0),
    CONSTRAINT catalog_products_cost_not_negative CHECK (cost_cents >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE catalog_outbox (
    seq           BIGINT       NOT NULL AUTO_INCREMENT,
    event_id      CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type    VARCHAR(100) NOT NULL,
    event_version BIGINT       NOT NULL,
    occurred_at   BIGINT       NOT NULL,
    payload       LONGTEXT     NOT NULL,
    published_at  BIGINT       NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY catalog_outbox_event_id (event_id),
    KEY catalog_outbox_unpublished (published_at, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
