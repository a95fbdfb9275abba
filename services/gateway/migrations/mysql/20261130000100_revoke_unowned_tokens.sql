-- Until now an API token could create API tokens, and disabling a user left their tokens
-- unrevoked (enabling the user again revived them). Tokens are now created only from a
-- login session and disabling revokes them; this revokes what the old rules left behind.
-- The SQLite twin of this file must do the same.

-- A token created when its owner had no live session can only have been created by another
-- token. (A token created by a token while a session was also open cannot be told apart;
-- docs/operations.md says how to review tokens.) MySQL cannot read the table it updates in
-- a subquery, hence the derived table.
UPDATE auth_credentials
SET revoked_at = CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)
WHERE id IN (
    SELECT id FROM (
        SELECT t.id FROM auth_credentials t
        WHERE t.kind = 'api'
          AND t.revoked_at IS NULL
          AND NOT EXISTS (
              SELECT 1 FROM auth_credentials s
              WHERE s.kind = 'session'
                AND s.user_id = t.user_id
                AND s.created_at <= t.created_at
                AND (s.revoked_at IS NULL OR s.revoked_at >= t.created_at)
                AND (s.expires_at IS NULL OR s.expires_at >= t.created_at)
          )
    ) AS minted_by_tokens
);

-- Tokens of disabled users.
UPDATE auth_credentials
SET revoked_at = CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)
WHERE revoked_at IS NULL
  AND user_id IN (SELECT id FROM auth_users WHERE disabled = 1);
