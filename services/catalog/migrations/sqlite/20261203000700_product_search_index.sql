-- A trigram index of the text the product search looks in (SKU, name, description, brand,
-- barcode), so a search for a few characters does not read every product. FTS5 with the
-- trigram tokenizer answers "which rows contain this substring", case-insensitively; the search
-- still checks its own conditions on the products it names.
--
-- FTS5 rows are addressed by an integer rowid, and catalog_products has none that lasts
-- (VACUUM, which backups use, may renumber an implicit rowid), so each product gets its own
-- row number here.
CREATE TABLE catalog_search_rows (
    row INTEGER PRIMARY KEY,
    sku TEXT    NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE catalog_search USING fts5(text, tokenize = 'trigram');

INSERT INTO catalog_search_rows (sku) SELECT sku FROM catalog_products ORDER BY sku;

-- Fields are joined by the unit separator (U+001F), which no search text holds, so no match
-- spans two fields.
INSERT INTO catalog_search (rowid, text)
    SELECT r.row, p.sku || char(31) || p.name || char(31) || COALESCE(p.description, '') || char(31)
                  || COALESCE(p.brand, '') || char(31) || COALESCE(p.barcode, '')
    FROM catalog_search_rows r JOIN catalog_products p ON p.sku = r.sku;

CREATE TRIGGER catalog_search_on_insert AFTER INSERT ON catalog_products BEGIN
    INSERT INTO catalog_search_rows (sku) VALUES (new.sku);
    INSERT INTO catalog_search (rowid, text) VALUES (
        (SELECT row FROM catalog_search_rows WHERE sku = new.sku),
        new.sku || char(31) || new.name || char(31) || COALESCE(new.description, '') || char(31)
            || COALESCE(new.brand, '') || char(31) || COALESCE(new.barcode, ''));
END;

CREATE TRIGGER catalog_search_on_update AFTER UPDATE OF sku, name, description, brand, barcode ON catalog_products BEGIN
    DELETE FROM catalog_search WHERE rowid = (SELECT row FROM catalog_search_rows WHERE sku = old.sku);
    UPDATE catalog_search_rows SET sku = new.sku WHERE sku = old.sku;
    INSERT INTO catalog_search (rowid, text) VALUES (
        (SELECT row FROM catalog_search_rows WHERE sku = new.sku),
        new.sku || char(31) || new.name || char(31) || COALESCE(new.description, '') || char(31)
            || COALESCE(new.brand, '') || char(31) || COALESCE(new.barcode, ''));
END;

CREATE TRIGGER catalog_search_on_delete AFTER DELETE ON catalog_products BEGIN
    DELETE FROM catalog_search WHERE rowid = (SELECT row FROM catalog_search_rows WHERE sku = old.sku);
    DELETE FROM catalog_search_rows WHERE sku = old.sku;
END;
