-- Old site paths that keep working: a slug change, an imported permalink or an editor's redirect
-- points a path at an article, topic or contributor (followed to its current path), or at a URL.
CREATE TABLE redirects (
    id INTEGER PRIMARY KEY NOT NULL,
    from_path TEXT NOT NULL UNIQUE CHECK (substr(from_path, 1, 1) = '/' AND length(from_path) BETWEEN 1 AND 2000),
    article_id BIGINT REFERENCES articles (id) ON DELETE CASCADE,
    topic_id BIGINT REFERENCES topics (id) ON DELETE CASCADE,
    contributor_id BIGINT REFERENCES contributors (id) ON DELETE CASCADE,
    to_url TEXT CHECK (to_url IS NULL OR length(to_url) BETWEEN 1 AND 2000),
    status INTEGER NOT NULL DEFAULT 301 CHECK (status IN (301, 302, 307, 308)),
    source TEXT NOT NULL CHECK (source IN ('slug_change', 'import', 'manual')),
    created_at TIMESTAMP NOT NULL,
    CHECK ((article_id IS NOT NULL) + (topic_id IS NOT NULL) + (contributor_id IS NOT NULL) + (to_url IS NOT NULL) = 1)
);
CREATE INDEX redirects_article_idx ON redirects (article_id);
CREATE INDEX redirects_topic_idx ON redirects (topic_id);
CREATE INDEX redirects_contributor_idx ON redirects (contributor_id);
