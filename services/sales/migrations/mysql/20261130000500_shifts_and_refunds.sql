-- Till shifts: opened with a float, closed with the counted cash (and the expected cash and
-- over/short of its Z report, kept as closed) and a Z number per till.
-- `open_till` holds the till while the shift is open and is NULL once closed: its unique index
-- allows one open shift per till, on both engines.
CREATE TABLE sales_shifts (
    number              BIGINT       NOT NULL AUTO_INCREMENT,
    id                  CHAR(36)     CHARACTER SET ascii NOT NULL,
    till                VARCHAR(32)  NOT NULL,
    open_till           VARCHAR(32)  NULL,
    location            VARCHAR(32)  NOT NULL,
    status              VARCHAR(16)  NOT NULL,
    opening_float_cents BIGINT       NOT NULL,
    opened_by           VARCHAR(200) NULL,
    opened_at           BIGINT       NOT NULL,
    closed_by           VARCHAR(200) NULL,
    closed_at           BIGINT       NULL,
    counted_cash_cents  BIGINT       NULL,
    expected_cash_cents BIGINT       NULL,
    over_short_cents    BIGINT       NULL,
    z_number            BIGINT       NULL,
    note                VARCHAR(500) NULL,
    PRIMARY KEY (number),
    UNIQUE KEY sales_shifts_id (id),
    UNIQUE KEY sales_shifts_open_till (open_till),
    UNIQUE KEY sales_shifts_z_numbers (till, z_number),
    KEY sales_shifts_by_till (till, number)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sales_cash_movements (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    shift_id     CHAR(36)     CHARACTER SET ascii NOT NULL,
    kind         VARCHAR(16)  NOT NULL,
    amount_cents BIGINT       NOT NULL,
    reason       VARCHAR(200) NOT NULL,
    actor        VARCHAR(200) NULL,
    at           BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY sales_cash_movements_by_shift (shift_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every refund (a return or a void): how much, by which method, why, in which shift.
CREATE TABLE sales_refunds (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    sale_id      CHAR(36)     CHARACTER SET ascii NOT NULL,
    shift_id     CHAR(36)     CHARACTER SET ascii NULL,
    change_kind  VARCHAR(16)  NOT NULL,
    method       VARCHAR(16)  NOT NULL,
    amount_cents BIGINT       NOT NULL,
    tax_cents    BIGINT       NOT NULL,
    reason       VARCHAR(32)  NULL,
    note         VARCHAR(500) NULL,
    actor        VARCHAR(200) NULL,
    approved_by  VARCHAR(64)  NULL,
    at           BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY sales_refunds_by_shift (shift_id, id),
    KEY sales_refunds_by_sale (sale_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE sales_sales
    ADD COLUMN shift_id CHAR(36) CHARACTER SET ascii NULL,
    ADD KEY sales_sales_by_shift (shift_id, receipt_number);
ALTER TABLE sales_history ADD COLUMN approved_by VARCHAR(64) NULL;
