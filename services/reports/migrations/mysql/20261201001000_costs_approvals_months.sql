-- The cost of goods sold (the cost of the units sold, of those put back on the shelf by
-- returns and voids, and the units sold without a known cost), the approvals each person gave,
-- the rollups of every bucket summed over all locations (under the location '*', which no
-- location code can be), and the same rollups per calendar month (keyed by its first day), so
-- that a report of the whole shop over a year reads twelve months of rows, one per member. The
-- months are kept in order of location first, so one location's months are read together.

ALTER TABLE reports_daily
    ADD COLUMN cost_cents          BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN uncosted_units      BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN returned_cost_cents BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN voided_cost_cents   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN approvals           BIGINT NOT NULL DEFAULT 0;

CREATE TABLE reports_monthly (
    dimension           VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    month               CHAR(10)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location            VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member              VARCHAR(191) COLLATE utf8mb4_bin NOT NULL,
    sales               BIGINT NOT NULL DEFAULT 0,
    units               BIGINT NOT NULL DEFAULT 0,
    discount_cents      BIGINT NOT NULL DEFAULT 0,
    net_cents           BIGINT NOT NULL DEFAULT 0,
    tax_cents           BIGINT NOT NULL DEFAULT 0,
    total_cents         BIGINT NOT NULL DEFAULT 0,
    returns             BIGINT NOT NULL DEFAULT 0,
    returned_units      BIGINT NOT NULL DEFAULT 0,
    refund_cents        BIGINT NOT NULL DEFAULT 0,
    refund_tax_cents    BIGINT NOT NULL DEFAULT 0,
    voids               BIGINT NOT NULL DEFAULT 0,
    voided_units        BIGINT NOT NULL DEFAULT 0,
    void_cents          BIGINT NOT NULL DEFAULT 0,
    void_tax_cents      BIGINT NOT NULL DEFAULT 0,
    cost_cents          BIGINT NOT NULL DEFAULT 0,
    uncosted_units      BIGINT NOT NULL DEFAULT 0,
    returned_cost_cents BIGINT NOT NULL DEFAULT 0,
    voided_cost_cents   BIGINT NOT NULL DEFAULT 0,
    approvals           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, location, month, member)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO reports_daily (dimension, day, location, member, sales, units, discount_cents, net_cents, tax_cents, total_cents, returns, returned_units, refund_cents, refund_tax_cents, voids, voided_units, void_cents, void_tax_cents)
SELECT dimension, day, '*', member, SUM(sales), SUM(units), SUM(discount_cents), SUM(net_cents), SUM(tax_cents), SUM(total_cents), SUM(returns), SUM(returned_units), SUM(refund_cents), SUM(refund_tax_cents), SUM(voids), SUM(voided_units), SUM(void_cents), SUM(void_tax_cents)
FROM reports_daily GROUP BY dimension, day, member;

INSERT INTO reports_monthly (dimension, month, location, member, sales, units, discount_cents, net_cents,
    tax_cents, total_cents, returns, returned_units, refund_cents, refund_tax_cents, voids, voided_units,
    void_cents, void_tax_cents)
SELECT dimension, CONCAT(SUBSTRING(day, 1, 8), '01'), location, member, SUM(sales), SUM(units),
    SUM(discount_cents), SUM(net_cents), SUM(tax_cents), SUM(total_cents), SUM(returns), SUM(returned_units),
    SUM(refund_cents), SUM(refund_tax_cents), SUM(voids), SUM(voided_units), SUM(void_cents),
    SUM(void_tax_cents)
FROM reports_daily GROUP BY dimension, CONCAT(SUBSTRING(day, 1, 8), '01'), location, member;
