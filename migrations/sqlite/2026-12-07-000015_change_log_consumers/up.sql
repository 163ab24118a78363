-- The change log records every change to what the public sees, not only articles' (issue 29):
-- topics, contributors, media and redirects (lists and catalog pages change with them) and
-- `everything` (an import or a recompile, too large to name). Each entry says which surrogate
-- keys it touches, who made it and in answer to which request. SQLite cannot change a CHECK in
-- place: the table is made again, its numbers kept.
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
    request_id TEXT
);
INSERT INTO change_log_next (seq, at, kind, public_id, language, slug, keys)
    SELECT seq, at, kind, public_id, language, slug, 'article-' || public_id || ' lists' FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_next RENAME TO change_log;
CREATE INDEX change_log_subject_idx ON change_log (public_id, seq);

-- Where each consumer of the log stands (`edge_purge`: the last entry purged at the edge), and
-- `horizon`: entries at or below it may have been compacted away (a reader behind it is told
-- to start over). A lease lets one node at a time consume.
CREATE TABLE log_marks (
    name TEXT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    leased_by TEXT,
    lease_until TIMESTAMP
);
