-- Who recorded each sale and who made each later change (a username, or `service:<name>`).
-- Sales recorded before this migration have no actor.
ALTER TABLE sales_sales ADD COLUMN recorded_by VARCHAR(128) NULL;
ALTER TABLE sales_history ADD COLUMN actor VARCHAR(128) NULL;
