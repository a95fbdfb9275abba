-- Till shifts: opened with a float, closed with the counted cash (and the expected cash and
-- over/short of its Z report, kept as closed) and a Z number per till.
-- `open_till` holds the till while the shift is open and is NULL once closed: its unique index
-- allows one open shift per till, on both engines.
CREATE TABLE sales_shifts (
    number              INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT    NOT NULL UNIQUE,
    till                TEXT    NOT NULL,
    open_till           TEXT    NULL UNIQUE,
    location            TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    opening_float_cents INTEGER NOT NULL,
    opened_by           TEXT    NULL,
    opened_at           INTEGER NOT NULL,
    closed_by           TEXT    NULL,
    closed_at           INTEGER NULL,
    counted_cash_cents  INTEGER NULL,
    expected_cash_cents INTEGER NULL,
    over_short_cents    INTEGER NULL,
    z_number            INTEGER NULL,
    note                TEXT    NULL
);
CREATE INDEX sales_shifts_by_till ON sales_shifts (till, number);
CREATE UNIQUE INDEX sales_shifts_z_numbers ON sales_shifts (till, z_number);

CREATE TABLE sales_cash_movements (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    shift_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    actor        TEXT    NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX sales_cash_movements_by_shift ON sales_cash_movements (shift_id, id);

-- Every refund (a return or a void): how much, by which method, why, in which shift.
CREATE TABLE sales_refunds (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id      TEXT    NOT NULL,
    shift_id     TEXT    NULL,
    change_kind  TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    amount_cents INTEGER NOT NULL,
    tax_cents    INTEGER NOT NULL,
    reason       TEXT    NULL,
    note         TEXT    NULL,
    actor        TEXT    NULL,
    approved_by  TEXT    NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX sales_refunds_by_shift ON sales_refunds (shift_id, id);
CREATE INDEX sales_refunds_by_sale ON sales_refunds (sale_id, id);

ALTER TABLE sales_sales ADD COLUMN shift_id TEXT NULL;
CREATE INDEX sales_sales_by_shift ON sales_sales (shift_id, receipt_number);
ALTER TABLE sales_history ADD COLUMN approved_by TEXT NULL;
