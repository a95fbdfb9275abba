-- The gateway's tables: who may use the API. The SQLite twin of this file must keep the same
-- tables, columns and meaning. Times are unix milliseconds (UTC); booleans are 0/1 BIGINTs.

-- People. The username is stored lower-case; acted is set once the user has changed anything,
-- after which the user can be disabled but never deleted (the ledger and the sales name them).
CREATE TABLE auth_users (
    id                   BIGINT       NOT NULL AUTO_INCREMENT,
    username             VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    display_name         VARCHAR(200) NOT NULL,
    role                 VARCHAR(16)  NOT NULL,
    password_hash        VARCHAR(255) NOT NULL,
    must_change_password BIGINT       NOT NULL DEFAULT 0,
    disabled             BIGINT       NOT NULL DEFAULT 0,
    acted                BIGINT       NOT NULL DEFAULT 0,
    last_login_at        BIGINT       NULL,
    created_at           BIGINT       NOT NULL,
    updated_at           BIGINT       NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY auth_users_username_unique (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Credentials: login sessions (session, also sent as a cookie, with their CSRF token) and
-- API tokens (api, named, with a role no higher than their creator). Only SHA-256 digests
-- of the secrets are stored: a copy of this table lets no one in.
CREATE TABLE auth_credentials (
    id           CHAR(36)     CHARACTER SET ascii NOT NULL,
    kind         VARCHAR(8)   NOT NULL,
    token_digest CHAR(64)     CHARACTER SET ascii NOT NULL,
    csrf_digest  CHAR(64)     CHARACTER SET ascii NULL,
    user_id      BIGINT       NOT NULL,
    name         VARCHAR(100) NULL,
    role         VARCHAR(16)  NOT NULL,
    created_by   BIGINT       NOT NULL,
    created_at   BIGINT       NOT NULL,
    expires_at   BIGINT       NULL,
    revoked_at   BIGINT       NULL,
    last_used_at BIGINT       NULL,
    PRIMARY KEY (id),
    UNIQUE KEY auth_credentials_digest_unique (token_digest),
    KEY auth_credentials_by_user (user_id, kind)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Failed logins per username (user:NAME, whether or not such a user exists, so a lock
-- says nothing about existence) and per client address (addr:IP).
CREATE TABLE auth_login_failures (
    subject      VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    failures     BIGINT       NOT NULL,
    last_at      BIGINT       NOT NULL,
    locked_until BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (subject)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
