-- Serialized products: whether each unit of a SKU carries a serial number and how long its
-- warranty runs (from the catalog's events), every serialized unit the shop has had, and
-- everything that happened to each.
ALTER TABLE inventory_items
    ADD COLUMN serialized BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN warranty_months BIGINT NOT NULL DEFAULT 0;

CREATE TABLE inventory_serials (
    sku               VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    serial            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state             VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- Where the unit is, or was last (sold from, taken back at).
    location          VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    -- The reservation of a sale being recorded that holds the unit.
    held_by           VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    sale_id           VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    customer_id       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    sold_at           BIGINT       NULL,
    -- The warranty the unit was sold with, in months.
    warranty_months   BIGINT       NOT NULL DEFAULT 0,
    received_at       BIGINT       NOT NULL,
    supplier          VARCHAR(100) NULL,
    purchase_order_id VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    version           BIGINT       NOT NULL,
    updated_at        BIGINT       NOT NULL,
    PRIMARY KEY (sku, serial),
    KEY inventory_serials_by_serial (serial),
    KEY inventory_serials_by_level (sku, location, state),
    KEY inventory_serials_by_hold (held_by)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_serial_history (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    sku         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    serial      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    change_kind VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state_after VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location    VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    reference   VARCHAR(100) NULL,
    note        VARCHAR(500) NULL,
    actor       VARCHAR(100) NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_serial_history_by_unit (sku, serial, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Warranty cases (RMAs): a faulty unit taken in from a customer (`sale_id`, `customer_id`) or
-- from the shop's own stock (`customer_case` = 0), sent to a supplier, and the outcome.
CREATE TABLE inventory_rmas (
    id                 VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    number             BIGINT       NOT NULL,
    sku                VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    serial             VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location           VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state              VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    customer_case      BIGINT       NOT NULL,
    sale_id            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    customer_id        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    supplier_id        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    replacement_serial VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    fault              VARCHAR(500) NOT NULL,
    under_warranty     BIGINT       NOT NULL,
    opened_by          VARCHAR(100) NULL,
    created_at         BIGINT       NOT NULL,
    updated_at         BIGINT       NOT NULL,
    version            BIGINT       NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY inventory_rmas_number (number),
    KEY inventory_rmas_by_state (state, number),
    KEY inventory_rmas_by_unit (sku, serial)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_rma_history (
    id     BIGINT       NOT NULL AUTO_INCREMENT,
    rma_id VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state  VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    note   VARCHAR(500) NULL,
    actor  VARCHAR(100) NULL,
    at     BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_rma_history_by_case (rma_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
