-- Publishing compiles: each public article's delivery forms, computed when it is published or
-- changed, so that a read is one indexed lookup of ready bytes. Rows exist only for published
-- articles; `visible_from` folds in the embargo.
CREATE TABLE article_deliveries (
    article_id BIGINT PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    public_id TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL,
    language TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    visible_from TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    full_json TEXT NOT NULL,
    summary_json TEXT NOT NULL,
    etag TEXT NOT NULL,
    surrogate_keys TEXT NOT NULL,
    UNIQUE (language, slug)
);
CREATE INDEX article_deliveries_slug_idx ON article_deliveries (slug);
CREATE INDEX article_deliveries_newest_idx ON article_deliveries (published_at DESC, article_id DESC);
CREATE INDEX article_deliveries_language_idx ON article_deliveries (language, published_at DESC, article_id DESC);
CREATE INDEX article_deliveries_updated_idx ON article_deliveries (updated_at DESC, article_id DESC);

-- One row per (topic or any of its ancestors, article), so that "topic including descendants"
-- is a single index range.
CREATE TABLE delivery_topics (
    topic_id BIGINT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES article_deliveries (article_id) ON DELETE CASCADE,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (topic_id, article_id)
);
CREATE INDEX delivery_topics_keyset_idx ON delivery_topics (topic_id, published_at DESC, article_id DESC);
CREATE INDEX delivery_topics_article_idx ON delivery_topics (article_id);

CREATE TABLE delivery_contributors (
    contributor_id BIGINT NOT NULL REFERENCES contributors (id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES article_deliveries (article_id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('author', 'agency', 'photographer', 'editor', 'translator')),
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (contributor_id, article_id, role)
);
CREATE INDEX delivery_contributors_keyset_idx ON delivery_contributors (contributor_id, published_at DESC, article_id DESC);
CREATE INDEX delivery_contributors_article_idx ON delivery_contributors (article_id);

-- Articles that left the public set, for incremental sync (`updated_since`).
CREATE TABLE article_tombstones (
    id INTEGER PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    language TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('unpublished', 'deleted')),
    removed_at TIMESTAMP NOT NULL
);
CREATE INDEX article_tombstones_removed_idx ON article_tombstones (removed_at, id);
