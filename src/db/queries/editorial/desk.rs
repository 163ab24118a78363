//! The desk's list: articles in every status, newest change first, for those who may edit them.

use super::*;

diesel::define_sql_function!(fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Which articles a desk list shows. Every filter is optional; `author` is set for writers,
/// who see their own articles only.
#[derive(Debug, Default)]
pub struct DeskFilter<'a> {
    pub status: Option<ArticleStatus>,
    pub author: Option<i64>,
    pub language: Option<&'a str>,
    /// Words the headline must contain, in this order (case folded).
    pub headline_contains: Option<&'a str>,
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
    if let Some(words) = filter.headline_contains {
        query = query.filter(lower(articles::headline).like(like_pattern(words)).escape('\\'));
    }
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

/// `%words%` with LIKE's own wildcards escaped, so that `50%` finds "50%", not everything.
fn like_pattern(words: &str) -> String {
    let mut pattern = String::with_capacity(words.len() + 2);
    pattern.push('%');
    for c in words.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_in_the_words_are_literal() {
        assert_eq!(super::like_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
