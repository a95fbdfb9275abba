-- The tables a service keeps for its events (as each service's own migrations create them
-- under its name), and one row per effect the test handler applies.
CREATE TABLE backbone_outbox (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      TEXT    NOT NULL UNIQUE,
    event_type    TEXT    NOT NULL,
    event_version INTEGER NOT NULL,
    occurred_at   INTEGER NOT NULL,
    payload       TEXT    NOT NULL,
    published_at  INTEGER NULL
);
CREATE INDEX backbone_outbox_unpublished ON backbone_outbox (published_at, seq);

CREATE TABLE backbone_relay_lease (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO backbone_relay_lease (name, holder, expires_at) VALUES ('outbox', '', 0);

CREATE TABLE backbone_inbox (
    event_id   TEXT    NOT NULL PRIMARY KEY,
    event_type TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
);

CREATE TABLE backbone_dead_letters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL,
    event_type TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    error      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    dead_at    INTEGER NOT NULL
);

CREATE TABLE test_effects (event_id TEXT NOT NULL);
