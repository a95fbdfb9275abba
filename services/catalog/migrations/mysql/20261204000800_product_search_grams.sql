-- The search index of MySQL/MariaDB: the three-character pieces of each product's searchable
-- text (SKU, name, description, brand, barcode), lower-cased, with the SKUs holding them
-- (src/search_grams.rs); SQLite has its FTS5 trigram index. The collation is the products',
-- so a piece matches the same letters as the search's LIKE.
CREATE TABLE catalog_search_grams (
    gram VARCHAR(3)  NOT NULL,
    sku  VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (gram, sku),
    KEY catalog_search_grams_by_sku (sku)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Products whose pieces are still to be written (an import's, written in batches after it);
-- a search checks them as well until then.
CREATE TABLE catalog_search_pending (
    sku VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (sku)
) ENGINE = InnoDB;

-- The products already there.
INSERT INTO catalog_search_pending (sku) SELECT sku FROM catalog_products;
