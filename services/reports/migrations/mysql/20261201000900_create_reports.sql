-- The reporting service's tables: rollups per day, location, dimension and member, what it
-- keeps of each sale for its returns, the products' names and groups, closed shifts, and the
-- inbox and dead letters of its consumers.

CREATE TABLE reports_daily (
    dimension        VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    day              CHAR(10)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member           VARCHAR(191) COLLATE utf8mb4_bin NOT NULL,
    sales            BIGINT NOT NULL DEFAULT 0,
    units            BIGINT NOT NULL DEFAULT 0,
    discount_cents   BIGINT NOT NULL DEFAULT 0,
    net_cents        BIGINT NOT NULL DEFAULT 0,
    tax_cents        BIGINT NOT NULL DEFAULT 0,
    total_cents      BIGINT NOT NULL DEFAULT 0,
    returns          BIGINT NOT NULL DEFAULT 0,
    returned_units   BIGINT NOT NULL DEFAULT 0,
    refund_cents     BIGINT NOT NULL DEFAULT 0,
    refund_tax_cents BIGINT NOT NULL DEFAULT 0,
    voids            BIGINT NOT NULL DEFAULT 0,
    voided_units     BIGINT NOT NULL DEFAULT 0,
    void_cents       BIGINT NOT NULL DEFAULT 0,
    void_tax_cents   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, day, location, member)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reports_sales (
    sale_id  CHAR(36) CHARACTER SET ascii NOT NULL,
    recorded TEXT     NOT NULL,
    PRIMARY KEY (sale_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reports_products (
    sku      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name     VARCHAR(500) NOT NULL,
    category VARCHAR(500) NOT NULL,
    brand    VARCHAR(500),
    version  BIGINT       NOT NULL,
    PRIMARY KEY (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reports_shifts (
    shift_id            VARCHAR(64)  CHARACTER SET ascii NOT NULL,
    till                VARCHAR(191) NOT NULL,
    location            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    z_number            BIGINT       NOT NULL,
    day                 CHAR(10)     CHARACTER SET ascii NOT NULL,
    closed_at           VARCHAR(40)  CHARACTER SET ascii NOT NULL,
    closed_by           VARCHAR(191),
    sales               BIGINT       NOT NULL,
    total_cents         BIGINT       NOT NULL,
    refunds_cents       BIGINT       NOT NULL,
    expected_cash_cents BIGINT       NOT NULL,
    counted_cash_cents  BIGINT       NOT NULL,
    over_short_cents    BIGINT       NOT NULL,
    PRIMARY KEY (shift_id),
    KEY reports_shifts_by_day (day)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE reports_inbox (
    event_id   CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    applied_at BIGINT       NOT NULL,
    PRIMARY KEY (event_id)
) ENGINE = InnoDB;

CREATE TABLE reports_dead_letters (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    event_id   VARCHAR(64)  NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    payload    LONGTEXT     NOT NULL,
    error      TEXT         NOT NULL,
    attempts   BIGINT       NOT NULL,
    dead_at    BIGINT       NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
