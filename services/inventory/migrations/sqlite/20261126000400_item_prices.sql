-- Price and cost of each SKU, from the catalog's events, to value the stock on hand.
-- Items known before this migration have none until the catalog next changes them.
ALTER TABLE inventory_items ADD COLUMN price_cents INTEGER NULL;
ALTER TABLE inventory_items ADD COLUMN cost_cents INTEGER NULL;
