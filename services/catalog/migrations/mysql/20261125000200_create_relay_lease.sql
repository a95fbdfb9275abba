-- The outbox relay's lease: only the process holding it publishes, so events leave in order.
CREATE TABLE catalog_relay_lease (
    name       VARCHAR(32)  NOT NULL PRIMARY KEY,
    holder     VARCHAR(64)  NOT NULL,
    expires_at BIGINT       NOT NULL
);
INSERT INTO catalog_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);
