-- The change log records every change to what the public sees, not only articles' (issue 29):
-- topics, contributors, media and redirects (lists and catalog pages change with them) and
-- `everything` (an import or a recompile, too large to name). Each entry says which surrogate
-- keys it touches, who made it and in answer to which request.
ALTER TABLE change_log DROP CONSTRAINT change_log_kind_check;
ALTER TABLE change_log ADD CONSTRAINT change_log_kind_check CHECK (kind IN ('published',
    'updated', 'withdrawn', 'deleted', 'topic', 'contributor', 'media', 'redirect', 'everything'));
ALTER TABLE change_log ADD COLUMN keys TEXT NOT NULL DEFAULT '';
ALTER TABLE change_log ADD COLUMN actor TEXT;
ALTER TABLE change_log ADD COLUMN request_id TEXT;
UPDATE change_log SET keys = 'article-' || public_id || ' lists';

-- Where each consumer of the log stands (`edge_purge`: the last entry purged at the edge), and
-- `horizon`: entries at or below it may have been compacted away (a reader behind it is told
-- to start over). A lease lets one node at a time consume.
CREATE TABLE log_marks (
    name TEXT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    leased_by TEXT,
    lease_until TIMESTAMP
);
