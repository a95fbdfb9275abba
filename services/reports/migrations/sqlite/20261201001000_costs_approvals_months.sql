-- The cost of goods sold (the cost of the units sold, of those put back on the shelf by
-- returns and voids, and the units sold without a known cost), the approvals each person gave,
-- the rollups of every bucket summed over all locations (under the location '*', which no
-- location code can be), and the same rollups per calendar month (keyed by its first day), so
-- that a report of the whole shop over a year reads twelve months of rows, one per member. The
-- months are kept in order of location first, so one location's months are read together.

ALTER TABLE reports_daily ADD COLUMN cost_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports_daily ADD COLUMN uncosted_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports_daily ADD COLUMN returned_cost_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports_daily ADD COLUMN voided_cost_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports_daily ADD COLUMN approvals INTEGER NOT NULL DEFAULT 0;

CREATE TABLE reports_monthly (
    dimension           TEXT    NOT NULL,
    month               TEXT    NOT NULL,
    location            TEXT    NOT NULL,
    member              TEXT    NOT NULL,
    sales               INTEGER NOT NULL DEFAULT 0,
    units               INTEGER NOT NULL DEFAULT 0,
    discount_cents      INTEGER NOT NULL DEFAULT 0,
    net_cents           INTEGER NOT NULL DEFAULT 0,
    tax_cents           INTEGER NOT NULL DEFAULT 0,
    total_cents         INTEGER NOT NULL DEFAULT 0,
    returns             INTEGER NOT NULL DEFAULT 0,
    returned_units      INTEGER NOT NULL DEFAULT 0,
    refund_cents        INTEGER NOT NULL DEFAULT 0,
    refund_tax_cents    INTEGER NOT NULL DEFAULT 0,
    voids               INTEGER NOT NULL DEFAULT 0,
    voided_units        INTEGER NOT NULL DEFAULT 0,
    void_cents          INTEGER NOT NULL DEFAULT 0,
    void_tax_cents      INTEGER NOT NULL DEFAULT 0,
    cost_cents          INTEGER NOT NULL DEFAULT 0,
    uncosted_units      INTEGER NOT NULL DEFAULT 0,
    returned_cost_cents INTEGER NOT NULL DEFAULT 0,
    voided_cost_cents   INTEGER NOT NULL DEFAULT 0,
    approvals           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dimension, location, month, member)
);

INSERT INTO reports_daily (dimension, day, location, member, sales, units, discount_cents, net_cents, tax_cents, total_cents, returns, returned_units, refund_cents, refund_tax_cents, voids, voided_units, void_cents, void_tax_cents)
SELECT dimension, day, '*', member, SUM(sales), SUM(units), SUM(discount_cents), SUM(net_cents), SUM(tax_cents), SUM(total_cents), SUM(returns), SUM(returned_units), SUM(refund_cents), SUM(refund_tax_cents), SUM(voids), SUM(voided_units), SUM(void_cents), SUM(void_tax_cents)
FROM reports_daily GROUP BY dimension, day, member;

INSERT INTO reports_monthly (dimension, month, location, member, sales, units, discount_cents, net_cents,
    tax_cents, total_cents, returns, returned_units, refund_cents, refund_tax_cents, voids, voided_units,
    void_cents, void_tax_cents)
SELECT dimension, substr(day, 1, 8) || '01', location, member, SUM(sales), SUM(units), SUM(discount_cents),
    SUM(net_cents), SUM(tax_cents), SUM(total_cents), SUM(returns), SUM(returned_units), SUM(refund_cents),
    SUM(refund_tax_cents), SUM(voids), SUM(voided_units), SUM(void_cents), SUM(void_tax_cents)
FROM reports_daily GROUP BY dimension, substr(day, 1, 8) || '01', location, member;
