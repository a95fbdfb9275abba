-- The stock settings a SKU's levels start with at each location: the shop's defaults for new
-- products when the product was created (0 for SKUs known before).
ALTER TABLE inventory_items ADD COLUMN default_low_stock_threshold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inventory_items ADD COLUMN default_reorder_quantity INTEGER NOT NULL DEFAULT 0;
