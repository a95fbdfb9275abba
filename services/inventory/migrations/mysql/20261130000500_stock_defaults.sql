-- The stock settings a SKU's levels start with at each location: the shop's defaults for new
-- products when the product was created (0 for SKUs known before).
ALTER TABLE inventory_items
    ADD COLUMN default_low_stock_threshold BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN default_reorder_quantity    BIGINT NOT NULL DEFAULT 0;
