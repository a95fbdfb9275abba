-- Whether each unit of a product carries a serial number, and the warranty a customer gets in
-- months (0: none).

ALTER TABLE catalog_products ADD COLUMN serialized BIGINT NOT NULL DEFAULT 0;
ALTER TABLE catalog_products ADD COLUMN warranty_months BIGINT NOT NULL DEFAULT 0;
