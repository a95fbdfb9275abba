-- Stock held for a sale that is being recorded; see the MySQL twin for the meaning.
CREATE TABLE inventory_reservations (
    id         TEXT    NOT NULL PRIMARY KEY,
    location   TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX inventory_reservations_expiry ON inventory_reservations (status, expires_at);

CREATE TABLE inventory_reservation_lines (
    reservation_id TEXT    NOT NULL,
    sku            TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    PRIMARY KEY (reservation_id, sku)
);
