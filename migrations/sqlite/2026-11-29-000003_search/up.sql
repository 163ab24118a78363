-- Full-text search over compiled articles. The text is normalized in Rust (src/domain/search.rs)
-- before it gets here: columns hold space-separated word forms, so the tokenizer only splits.
-- headline and body hold every form of each word (for word queries, headline weighted higher);
-- phrases holds the primary forms in order (for "quoted phrases"); facets holds tokens for
-- the language, topics (with ancestors) and contributors, so that filters narrow the match
-- itself. rowid = article_id.
CREATE VIRTUAL TABLE article_search USING fts5(
    headline,
    body,
    phrases,
    facets,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
