DELETE FROM change_log WHERE kind LIKE 'live_%';
ALTER TABLE change_log DROP COLUMN item;
ALTER TABLE change_log DROP CONSTRAINT change_log_kind_check;
ALTER TABLE change_log ADD CONSTRAINT change_log_kind_check CHECK (kind IN ('published',
    'updated', 'withdrawn', 'deleted', 'topic', 'contributor', 'media', 'redirect', 'everything'));
DROP TABLE breaking_news;
DROP TABLE live_entry_bylines;
DROP TABLE live_entries;
DROP TABLE live_blogs;
