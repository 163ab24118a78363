-- Full-text search over compiled articles. The text is normalized in Rust (src/domain/search.rs)
-- before it gets here, so the 'simple' configuration only splits it: no stemming, no stop words.
-- forms: every form of each word, headline weighted A and the rest B, and facet tokens for the
-- language, topics (with ancestors) and contributors weighted D, so that filters narrow the
-- match itself; phrases: the primary forms in order, for "quoted phrases".
CREATE TABLE article_search (
    article_id BIGINT PRIMARY KEY REFERENCES article_deliveries (article_id) ON DELETE CASCADE,
    forms TSVECTOR NOT NULL,
    phrases TSVECTOR NOT NULL
);
CREATE INDEX article_search_forms_idx ON article_search USING GIN (forms);
CREATE INDEX article_search_phrases_idx ON article_search USING GIN (phrases);
