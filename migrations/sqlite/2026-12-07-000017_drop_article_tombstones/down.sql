CREATE TABLE article_tombstones (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    language TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('unpublished', 'deleted')),
    removed_at TIMESTAMP NOT NULL
);
CREATE INDEX article_tombstones_removed_idx ON article_tombstones (removed_at, id);
