-- The gateway's tables for SQLite; see the MySQL twin for the meaning of each table.
CREATE TABLE auth_users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT    NOT NULL,
    display_name         TEXT    NOT NULL,
    role                 TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    acted                INTEGER NOT NULL DEFAULT 0,
    last_login_at        INTEGER NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    CONSTRAINT auth_users_username_unique UNIQUE (username)
);

CREATE TABLE auth_credentials (
    id           TEXT    NOT NULL PRIMARY KEY,
    kind         TEXT    NOT NULL,
    token_digest TEXT    NOT NULL,
    csrf_digest  TEXT    NULL,
    user_id      INTEGER NOT NULL,
    name         TEXT    NULL,
    role         TEXT    NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NULL,
    revoked_at   INTEGER NULL,
    last_used_at INTEGER NULL,
    CONSTRAINT auth_credentials_digest_unique UNIQUE (token_digest)
);
CREATE INDEX auth_credentials_by_user ON auth_credentials (user_id, kind);

CREATE TABLE auth_login_failures (
    subject      TEXT    NOT NULL PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0
);
