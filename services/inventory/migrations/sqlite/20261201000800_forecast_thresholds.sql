-- Whether a level's low-stock threshold and reorder quantity follow the forecast's reorder
-- point (recomputed by the inventory) instead of numbers set by hand.
ALTER TABLE inventory_levels ADD COLUMN follows_forecast INTEGER NOT NULL DEFAULT 0;
