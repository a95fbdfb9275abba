-- Tax and payments. `subtotal_cents` now means the net amount (after discounts, without tax);
-- sales recorded before had no tax, so theirs becomes what they came to after discounts.
-- Each of those sales was paid in one payment of its total (cash handed over exactly).
ALTER TABLE sales_sales
    ADD COLUMN tax_cents        BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN tendered_cents   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN change_due_cents BIGINT NOT NULL DEFAULT 0;
UPDATE sales_sales SET subtotal_cents = total_cents;
UPDATE sales_sales SET tendered_cents = total_cents WHERE payment_method = 'cash';

-- The rate a line was sold at, as it was then (parts per million), and its net and tax.
ALTER TABLE sales_lines
    ADD COLUMN tax_rate  VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN rate_ppm  BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN net_cents BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN tax_cents BIGINT NOT NULL DEFAULT 0;
UPDATE sales_lines SET net_cents = line_total_cents;

CREATE TABLE sales_payments (
    sale_id      CHAR(36)    CHARACTER SET ascii NOT NULL,
    payment_no   BIGINT      NOT NULL,
    method       VARCHAR(16) NOT NULL,
    amount_cents BIGINT      NOT NULL,
    PRIMARY KEY (sale_id, payment_no),
    KEY sales_payments_by_method (method)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
INSERT INTO sales_payments (sale_id, payment_no, method, amount_cents)
    SELECT id, 1, payment_method, total_cents FROM sales_sales;
