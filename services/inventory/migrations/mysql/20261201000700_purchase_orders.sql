-- Purchase orders to suppliers: `number` is the shop's own sequence (PO-000001), `status`
-- draft → ordered → partially_received → received, or cancelled while nothing was received;
-- `expected_at` is a calendar date (YYYY-MM-DD). Lines are the SKUs ordered, what was received
-- of each so far, and whether receiving more than ordered is allowed.
CREATE TABLE inventory_purchase_orders (
    id           CHAR(36)      CHARACTER SET ascii NOT NULL,
    number       BIGINT        NOT NULL,
    supplier_id  CHAR(36)      CHARACTER SET ascii NOT NULL,
    location     VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status       VARCHAR(32)   CHARACTER SET ascii NOT NULL,
    expected_at  CHAR(10)      CHARACTER SET ascii NULL,
    note         VARCHAR(1000) NULL,
    created_by   VARCHAR(200)  NULL,
    created_at   BIGINT        NOT NULL,
    updated_at   BIGINT        NOT NULL,
    ordered_at   BIGINT        NULL,
    received_at  BIGINT        NULL,
    cancelled_at BIGINT        NULL,
    version      BIGINT        NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY inventory_purchase_orders_number (number),
    KEY inventory_purchase_orders_by_status (status, number),
    KEY inventory_purchase_orders_by_supplier (supplier_id, number)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_purchase_order_lines (
    purchase_order_id  CHAR(36)    CHARACTER SET ascii NOT NULL,
    line_no            BIGINT      NOT NULL,
    sku                VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    quantity           BIGINT      NOT NULL,
    received           BIGINT      NOT NULL DEFAULT 0,
    unit_cost_cents    BIGINT      NOT NULL,
    allow_over_receipt BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (purchase_order_id, line_no),
    KEY inventory_purchase_order_lines_by_sku (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Each delivery received against an order, and what it brought (with the ledger entry).
CREATE TABLE inventory_receipts (
    id                CHAR(36)      CHARACTER SET ascii NOT NULL,
    purchase_order_id CHAR(36)      CHARACTER SET ascii NOT NULL,
    reference         VARCHAR(100)  NULL,
    note              VARCHAR(500)  NULL,
    actor             VARCHAR(200)  NULL,
    received_at       BIGINT        NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_receipts_by_order (purchase_order_id, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inventory_receipt_lines (
    receipt_id      CHAR(36)    CHARACTER SET ascii NOT NULL,
    sku             VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    quantity        BIGINT      NOT NULL,
    unit_cost_cents BIGINT      NOT NULL,
    movement_id     BIGINT      NOT NULL,
    PRIMARY KEY (receipt_id, sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Ordered and not yet received, per level: the sum of the remaining quantities of the open
-- (ordered or partially received) orders for the level's SKU and location.
ALTER TABLE inventory_levels ADD COLUMN incoming BIGINT NOT NULL DEFAULT 0,
    ADD CONSTRAINT inventory_levels_incoming_not_negative CHECK (incoming >= 0);

-- The moving weighted average cost of each SKU (none until its first costed receipt: the
-- catalog's cost stands in), and how each costed receipt moved it.
ALTER TABLE inventory_items ADD COLUMN average_cost_cents BIGINT NULL;

CREATE TABLE inventory_cost_history (
    id                BIGINT      NOT NULL AUTO_INCREMENT,
    sku               VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    quantity          BIGINT      NOT NULL,
    unit_cost_cents   BIGINT      NOT NULL,
    units_before      BIGINT      NOT NULL,
    average_before    BIGINT      NULL,
    average_after     BIGINT      NOT NULL,
    purchase_order_id CHAR(36)    CHARACTER SET ascii NULL,
    movement_id       BIGINT      NOT NULL,
    created_at        BIGINT      NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_cost_history_by_sku (sku, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
