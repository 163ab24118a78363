DELETE FROM change_log WHERE kind LIKE 'live_%';
CREATE TABLE change_log_next (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'withdrawn', 'deleted',
        'topic', 'contributor', 'media', 'redirect', 'everything')),
    public_id TEXT NOT NULL,
    language TEXT NOT NULL,
    slug TEXT NOT NULL,
    keys TEXT NOT NULL DEFAULT '',
    actor TEXT,
    request_id TEXT,
    quiet BOOLEAN NOT NULL DEFAULT 0
);
INSERT INTO change_log_next (seq, at, kind, public_id, language, slug, keys, actor, request_id, quiet)
    SELECT seq, at, kind, public_id, language, slug, keys, actor, request_id, quiet FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_next RENAME TO change_log;
CREATE INDEX change_log_subject_idx ON change_log (public_id, seq);
CREATE INDEX change_log_at_idx ON change_log (at);
DROP TABLE breaking_news;
DROP TABLE live_entry_bylines;
DROP TABLE live_entries;
DROP TABLE live_blogs;
