-- Webhook deliveries are made from the change log (issue 29). A change that is not news to
-- partners (an archive imported without `--webhooks`, an article created with its past) is
-- still in the log, for caches, the edge and the public feed, but marked quiet: no webhook.
ALTER TABLE change_log ADD COLUMN quiet BOOLEAN NOT NULL DEFAULT 0;
