-- Live coverage (issue 30): an article may be a live blog, with a state, its coverage times and
-- entries. Entries are never removed while their blog lives: a deleted entry keeps its row as a
-- tombstone (`deleted_at`), so that readers polling with a cursor learn of the deletion.
CREATE TABLE live_blogs (
    article_id BIGINT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('live', 'paused', 'ended')),
    coverage_start TIMESTAMP NOT NULL,
    coverage_end TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    CHECK (coverage_end IS NULL OR coverage_end >= coverage_start)
);

CREATE TABLE live_entries (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    article_id BIGINT NOT NULL REFERENCES live_blogs (article_id) ON DELETE CASCADE,
    title TEXT,
    -- The body's typed blocks as JSON, checked and sanitized like an article's.
    body TEXT NOT NULL,
    key_event BOOLEAN NOT NULL DEFAULT 0,
    pinned BOOLEAN NOT NULL DEFAULT 0,
    summary BOOLEAN NOT NULL DEFAULT 0,
    author_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP,
    CHECK (deleted_at IS NULL OR (pinned = 0 AND summary = 0))
);
-- The newest entries of a blog, and its key events.
CREATE INDEX live_entries_blog_idx ON live_entries (article_id, published_at, id);
-- At most one pinned entry and one summary per blog.
CREATE UNIQUE INDEX live_entries_pinned_idx ON live_entries (article_id) WHERE pinned = 1;
CREATE UNIQUE INDEX live_entries_summary_idx ON live_entries (article_id) WHERE summary = 1;

CREATE TABLE live_entry_bylines (
    entry_id BIGINT NOT NULL REFERENCES live_entries (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    contributor_id BIGINT NOT NULL REFERENCES contributors (id) ON DELETE RESTRICT,
    role TEXT NOT NULL CHECK (role IN ('author', 'agency', 'photographer', 'editor', 'translator')),
    PRIMARY KEY (entry_id, position),
    UNIQUE (entry_id, contributor_id, role)
);
CREATE INDEX live_entry_bylines_contributor_idx ON live_entry_bylines (contributor_id);

-- Breaking news on any article: flagged until a time (lists, feeds and the article say so while
-- it lasts).
CREATE TABLE breaking_news (
    article_id BIGINT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    until TIMESTAMP NOT NULL,
    set_at TIMESTAMP NOT NULL
);

-- The change log learns the live kinds, and `item`: the entry a live change is about (its
-- subject stays the blog's article, so that the article's readers follow it). SQLite cannot
-- change a CHECK in place: the table is made again, its numbers kept.
CREATE TABLE change_log_next (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('published', 'updated', 'withdrawn', 'deleted',
        'topic', 'contributor', 'media', 'redirect', 'everything',
        'live_entry_published', 'live_entry_updated', 'live_entry_deleted',
        'live_entry_pinned', 'live_entry_unpinned', 'live_state')),
    public_id TEXT NOT NULL,
    language TEXT NOT NULL,
    slug TEXT NOT NULL,
    keys TEXT NOT NULL DEFAULT '',
    actor TEXT,
    request_id TEXT,
    quiet BOOLEAN NOT NULL DEFAULT 0,
    item TEXT NOT NULL DEFAULT ''
);
INSERT INTO change_log_next (seq, at, kind, public_id, language, slug, keys, actor, request_id, quiet)
    SELECT seq, at, kind, public_id, language, slug, keys, actor, request_id, quiet FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_next RENAME TO change_log;
CREATE INDEX change_log_subject_idx ON change_log (public_id, seq);
CREATE INDEX change_log_at_idx ON change_log (at);
