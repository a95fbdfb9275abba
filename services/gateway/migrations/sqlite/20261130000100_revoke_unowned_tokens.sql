-- Until now an API token could create API tokens, and disabling a user left their tokens
-- unrevoked (enabling the user again revived them). Tokens are now created only from a
-- login session and disabling revokes them; this revokes what the old rules left behind.
-- The MySQL twin of this file must do the same.

-- A token created when its owner had no live session can only have been created by another
-- token. (A token created by a token while a session was also open cannot be told apart;
-- docs/operations.md says how to review tokens.)
UPDATE auth_credentials
SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE kind = 'api'
  AND revoked_at IS NULL
  AND NOT EXISTS (
      SELECT 1 FROM auth_credentials s
      WHERE s.kind = 'session'
        AND s.user_id = auth_credentials.user_id
        AND s.created_at <= auth_credentials.created_at
        AND (s.revoked_at IS NULL OR s.revoked_at >= auth_credentials.created_at)
        AND (s.expires_at IS NULL OR s.expires_at >= auth_credentials.created_at)
  );

-- Tokens of disabled users.
UPDATE auth_credentials
SET revoked_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE revoked_at IS NULL
  AND user_id IN (SELECT id FROM auth_users WHERE disabled = 1);
