-- Inventory schema for MySQL/MariaDB; the SQLite twin keeps the same tables and meaning.
-- Quantities are whole units in BIGINT; times are unix milliseconds (UTC); booleans 0/1.

-- Where stock is kept. `main` always exists.
CREATE TABLE inventory_locations (
    code           VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name           VARCHAR(100) NOT NULL,
    active         BIGINT       NOT NULL DEFAULT 1,
    allow_negative BIGINT       NOT NULL DEFAULT 0,
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (code)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO inventory_locations (code, name, active, allow_negative, created_at)
VALUES ('main', 'Main', 1, 0, 0);

-- SKUs the catalog announced (ProductCreated); `catalog_version` orders catalog events.
CREATE TABLE inventory_items (
    sku             VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name            VARCHAR(200) NOT NULL,
    active          BIGINT       NOT NULL DEFAULT 1,
    catalog_version BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    PRIMARY KEY (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Stock of one SKU at one location. `warned` is 1 while a StockLevelWarning for the current
-- low period has been sent (re-armed when available rises above the threshold).
CREATE TABLE inventory_levels (
    sku                 VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location            VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    on_hand             BIGINT      NOT NULL DEFAULT 0,
    reserved            BIGINT      NOT NULL DEFAULT 0,
    low_stock_threshold BIGINT      NOT NULL DEFAULT 0,
    reorder_quantity    BIGINT      NOT NULL DEFAULT 0,
    warned              BIGINT      NOT NULL DEFAULT 1,
    version             BIGINT      NOT NULL DEFAULT 0,
    updated_at          BIGINT      NOT NULL,
    PRIMARY KEY (sku, location),
    KEY inventory_levels_by_location (location, sku),
    CONSTRAINT inventory_levels_item FOREIGN KEY (sku) REFERENCES inventory_items (sku),
    CONSTRAINT inventory_levels_location FOREIGN KEY (location) REFERENCES inventory_locations (code),
    CONSTRAINT inventory_levels_reserved_not_negative CHECK (reserved >= 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The append-only stock ledger: every change of on_hand, never edited.
CREATE TABLE inventory_movements (
    id             BIGINT       NOT NULL AUTO_INCREMENT,
    sku            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind           VARCHAR(32)  NOT NULL,
    quantity       BIGINT       NOT NULL,
    on_hand_before BIGINT       NOT NULL,
    on_hand_after  BIGINT       NOT NULL,
    reason         VARCHAR(32)  NULL,
    reference      VARCHAR(100) NULL,
    note           VARCHAR(500) NULL,
    actor          VARCHAR(100) NULL,
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_movements_by_sku (sku, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_restocks (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    sku             VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    quantity        BIGINT       NOT NULL,
    supplier        VARCHAR(100) NULL,
    unit_cost_cents BIGINT       NULL,
    reference       VARCHAR(100) NULL,
    note            VARCHAR(500) NULL,
    created_at      BIGINT       NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_outbox (
    seq           BIGINT       NOT NULL AUTO_INCREMENT,
    event_id      CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type    VARCHAR(100) NOT NULL,
    event_version BIGINT       NOT NULL,
    occurred_at   BIGINT       NOT NULL,
    payload       LONGTEXT     NOT NULL,
    published_at  BIGINT       NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY inventory_outbox_event_id (event_id),
    KEY inventory_outbox_unpublished (published_at, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_relay_lease (
    name       VARCHAR(32) NOT NULL PRIMARY KEY,
    holder     VARCHAR(64) NOT NULL,
    expires_at BIGINT      NOT NULL
);
INSERT INTO inventory_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);

-- Events this service has applied: a redelivery finds its row and changes nothing.
CREATE TABLE inventory_inbox (
    event_id   CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    applied_at BIGINT       NOT NULL,
    PRIMARY KEY (event_id)
) ENGINE = InnoDB;

CREATE TABLE inventory_dead_letters (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    event_id   VARCHAR(64)  NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    payload    LONGTEXT     NOT NULL,
    error      TEXT         NOT NULL,
    attempts   BIGINT       NOT NULL,
    dead_at    BIGINT       NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
