-- Sales schema for MySQL/MariaDB; the SQLite twin keeps the same tables and meaning.
-- Money in integer cents; times unix milliseconds (UTC).

-- `receipt_number` is the human-readable number printed on the receipt.
CREATE TABLE sales_sales (
    receipt_number BIGINT       NOT NULL AUTO_INCREMENT,
    id             CHAR(36)     CHARACTER SET ascii NOT NULL,
    status         VARCHAR(20)  NOT NULL,
    location       VARCHAR(32)  NOT NULL,
    payment_method VARCHAR(16)  NOT NULL,
    customer       VARCHAR(200) NULL,
    note           VARCHAR(500) NULL,
    subtotal_cents BIGINT       NOT NULL,
    discount_cents BIGINT       NOT NULL,
    total_cents    BIGINT       NOT NULL,
    refunded_cents BIGINT       NOT NULL DEFAULT 0,
    units          BIGINT       NOT NULL,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    PRIMARY KEY (receipt_number),
    UNIQUE KEY sales_sales_id (id),
    KEY sales_sales_by_time (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Prices are copied from the catalog at the time of the sale: later price changes never
-- alter a past sale.
CREATE TABLE sales_lines (
    sale_id           CHAR(36)     CHARACTER SET ascii NOT NULL,
    line_no           BIGINT       NOT NULL,
    sku               VARCHAR(64)  NOT NULL,
    name              VARCHAR(200) NOT NULL,
    quantity          BIGINT       NOT NULL,
    unit_price_cents  BIGINT       NOT NULL,
    discount_cents    BIGINT       NOT NULL,
    line_total_cents  BIGINT       NOT NULL,
    returned_quantity BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (sale_id, line_no),
    KEY sales_lines_by_sku (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sales_history (
    id      BIGINT       NOT NULL AUTO_INCREMENT,
    sale_id CHAR(36)     CHARACTER SET ascii NOT NULL,
    status  VARCHAR(20)  NOT NULL,
    detail  VARCHAR(500) NULL,
    at      BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY sales_history_by_sale (sale_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Idempotency keys: the request they were first used with and the response it got, stored
-- in the same transaction as the sale. `status_code` is NULL while the first request runs.
CREATE TABLE sales_idempotency (
    idem_key    VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request     LONGTEXT     NOT NULL,
    status_code BIGINT       NULL,
    response    LONGTEXT     NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (idem_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sales_outbox (
    seq           BIGINT       NOT NULL AUTO_INCREMENT,
    event_id      CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type    VARCHAR(100) NOT NULL,
    event_version BIGINT       NOT NULL,
    occurred_at   BIGINT       NOT NULL,
    payload       LONGTEXT     NOT NULL,
    published_at  BIGINT       NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY sales_outbox_event_id (event_id),
    KEY sales_outbox_unpublished (published_at, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sales_relay_lease (
    name       VARCHAR(32) NOT NULL PRIMARY KEY,
    holder     VARCHAR(64) NOT NULL,
    expires_at BIGINT      NOT NULL
);
INSERT INTO sales_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);
