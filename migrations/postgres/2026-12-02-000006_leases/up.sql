-- Which node holds the lease on a job or delivery: a node records a result only for an item
-- it still holds, so a node that overran its lease cannot undo the one that took over.
ALTER TABLE jobs ADD COLUMN locked_by TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN locked_by TEXT;
