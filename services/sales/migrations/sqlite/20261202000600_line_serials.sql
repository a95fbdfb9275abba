-- The serial numbers of a line's units (space-separated, for serialized products), those given
-- back since, and the warranty the product was sold with.
ALTER TABLE sales_lines ADD COLUMN serials TEXT NULL;
ALTER TABLE sales_lines ADD COLUMN returned_serials TEXT NULL;
ALTER TABLE sales_lines ADD COLUMN warranty_months INTEGER NOT NULL DEFAULT 0;
