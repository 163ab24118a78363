ALTER TABLE webhook_deliveries DROP COLUMN locked_by;
ALTER TABLE jobs DROP COLUMN locked_by;
