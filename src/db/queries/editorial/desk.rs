//! The desk's list: articles in every status, newest change first, for those who may edit them.

use super::*;

/// Which articles a desk list shows. Every filter is optional; `author` is set for writers,
/// who see their own articles only.
#[derive(Debug, Default)]
pub struct DeskFilter<'a> {
    pub status: Option<ArticleStatus>,
    pub author: Option<i64>,
    pub language: Option<&'a str>,
    /// The patterns of the words typed (`domain::match_key::patterns`): every word must
    /// start a word of the headline, spelled any way search would accept.
    pub headline_words: &'a [Vec<String>],
}

/// Up to `limit` articles after `(updated_at, id)`, newest change first.
pub fn desk_page(
    conn: &mut DbConnection,
    filter: &DeskFilter<'_>,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> Result<Vec<Article>, DbError> {
    let mut query = articles::table.select(Article::as_select()).into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(articles::status.eq(status.as_str()));
    }
    if let Some(author) = filter.author {
        query = query.filter(articles::author_user_id.eq(author));
    }
    if let Some(language) = filter.language {
        query = query.filter(articles::language.eq(language));
    }
    let mut query = crate::db::queries::filter_by_key!(
        query,
        articles::table,
        articles::search_key,
        filter.headline_words
    );
    if let Some((at, id)) = after {
        query = query.filter(
            articles::updated_at
                .lt(at)
                .or(articles::updated_at.eq(at).and(articles::id.lt(id))),
        );
    }
    Ok(query
        .order((articles::updated_at.desc(), articles::id.desc()))
        .limit(limit)
        .load(conn)?)
}
