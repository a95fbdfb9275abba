-- Whether every sale needs an open shift, and the refund a clerk may give without approval
-- (0: every refund needs one).
ALTER TABLE catalog_shop_settings ADD COLUMN require_shift BIGINT NOT NULL DEFAULT 0;
ALTER TABLE catalog_shop_settings ADD COLUMN approval_required_over_cents BIGINT NOT NULL DEFAULT 0;
