-- Webhook deliveries are made from the change log (issue 29). A change that is not news to
-- partners (an archive imported without `--webhooks`, an article created with its past) is
-- still in the log, for caches, the edge and the public feed, but marked quiet: no webhook.
ALTER TABLE change_log ADD COLUMN quiet BOOLEAN NOT NULL DEFAULT 0;

-- Incremental sync (`updated_since`) is a view of the log: a time names the first position
-- logged at or after it.
CREATE INDEX change_log_at_idx ON change_log (at);

-- What was public before the log existed enters it once, as of this upgrade, so that the log
-- read from its start holds every public article and every tombstone (sync and
-- `/v1/changes` from the start then agree with the database).
INSERT INTO change_log (at, kind, public_id, language, slug, keys, actor, quiet)
SELECT strftime('%Y-%m-%d %H:%M:%f', 'now'), 'published', d.public_id, d.language, d.slug,
       'article-' || d.public_id || ' lists', 'upgrade', 1
FROM article_deliveries d
WHERE d.visible_from <= strftime('%Y-%m-%d %H:%M:%f', 'now')
  AND NOT EXISTS (SELECT 1 FROM change_log c WHERE c.public_id = d.public_id)
ORDER BY d.updated_at, d.article_id;
INSERT INTO change_log (at, kind, public_id, language, slug, keys, actor, quiet)
SELECT strftime('%Y-%m-%d %H:%M:%f', 'now'), CASE t.reason WHEN 'deleted' THEN 'deleted' ELSE 'withdrawn' END,
       t.public_id, t.language, t.slug, 'article-' || t.public_id || ' lists', 'upgrade', 1
FROM article_tombstones t
WHERE t.id = (SELECT max(t2.id) FROM article_tombstones t2 WHERE t2.public_id = t.public_id)
  AND NOT EXISTS (SELECT 1 FROM change_log c WHERE c.public_id = t.public_id)
  AND NOT EXISTS (SELECT 1 FROM article_deliveries d WHERE d.public_id = t.public_id)
ORDER BY t.removed_at, t.id;
