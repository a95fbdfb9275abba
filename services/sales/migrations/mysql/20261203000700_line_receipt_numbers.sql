-- Each line carries its sale's receipt number, so "the sales of this product, newest first"
-- reads the newest lines of the SKU from one index instead of every line it ever had.

ALTER TABLE sales_lines ADD COLUMN receipt_number BIGINT NULL,
    ADD KEY sales_lines_by_sku_newest (sku, receipt_number),
    DROP KEY sales_lines_by_sku;
UPDATE sales_lines l JOIN sales_sales s ON s.id = l.sale_id SET l.receipt_number = s.receipt_number;
