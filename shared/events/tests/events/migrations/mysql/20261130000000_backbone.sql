-- The tables a service keeps for its events (as each service's own migrations create them
-- under its name), and one row per effect the test handler applies.
CREATE TABLE backbone_outbox (
    seq           BIGINT       NOT NULL AUTO_INCREMENT,
    event_id      CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type    VARCHAR(100) NOT NULL,
    event_version BIGINT       NOT NULL,
    occurred_at   BIGINT       NOT NULL,
    payload       LONGTEXT     NOT NULL,
    published_at  BIGINT       NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY backbone_outbox_event_id (event_id),
    KEY backbone_outbox_unpublished (published_at, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE backbone_relay_lease (
    name       VARCHAR(32) NOT NULL PRIMARY KEY,
    holder     VARCHAR(64) NOT NULL,
    expires_at BIGINT      NOT NULL
);
INSERT INTO backbone_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);

CREATE TABLE backbone_inbox (
    event_id   CHAR(36)     CHARACTER SET ascii NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    applied_at BIGINT       NOT NULL,
    PRIMARY KEY (event_id)
) ENGINE = InnoDB;

CREATE TABLE backbone_dead_letters (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    event_id   VARCHAR(64)  NOT NULL,
    event_type VARCHAR(100) NOT NULL,
    payload    LONGTEXT     NOT NULL,
    error      TEXT         NOT NULL,
    attempts   BIGINT       NOT NULL,
    dead_at    BIGINT       NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE test_effects (event_id VARCHAR(64) NOT NULL) ENGINE = InnoDB;
