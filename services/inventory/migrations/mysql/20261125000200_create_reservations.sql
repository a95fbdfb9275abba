-- Stock held for a sale that is being recorded. `id` is the sale id, so asking twice for the
-- same sale finds the same reservation. Pending reservations count in `inventory_levels.reserved`
-- until the sale commits (SaleCreated), the sales service releases them, or they expire.
CREATE TABLE inventory_reservations (
    id         VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    location   VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    status     VARCHAR(16) NOT NULL,
    expires_at BIGINT      NOT NULL,
    created_at BIGINT      NOT NULL,
    PRIMARY KEY (id),
    KEY inventory_reservations_expiry (status, expires_at)
) ENGINE = InnoDB;

CREATE TABLE inventory_reservation_lines (
    reservation_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sku            VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    quantity       BIGINT      NOT NULL,
    PRIMARY KEY (reservation_id, sku)
) ENGINE = InnoDB;
