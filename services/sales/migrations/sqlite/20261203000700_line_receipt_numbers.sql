-- Each line carries its sale's receipt number, so "the sales of this product, newest first"
-- reads the newest lines of the SKU from one index instead of every line it ever had.

ALTER TABLE sales_lines ADD COLUMN receipt_number INTEGER NULL;
UPDATE sales_lines SET receipt_number = (SELECT s.receipt_number FROM sales_sales s WHERE s.id = sales_lines.sale_id);
CREATE INDEX sales_lines_by_sku_newest ON sales_lines (sku, receipt_number);
DROP INDEX sales_lines_by_sku;
