-- A product's tax rate: the code of one of the shop's rates; NULL means the shop's default.
ALTER TABLE catalog_products
    ADD COLUMN tax_rate VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER barcode;
