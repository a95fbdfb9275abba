-- Idempotency keys of stock operations (restock, adjustment, count, transfer): the request
-- each key was first used with and the answer it got, stored in the operation's transaction.
CREATE TABLE inventory_idempotency (
    idem_key    VARCHAR(200) NOT NULL PRIMARY KEY,
    request     TEXT         NOT NULL,
    status_code BIGINT       NULL,
    response    TEXT         NULL,
    created_at  BIGINT       NOT NULL
);
