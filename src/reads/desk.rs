//! The desk's lists: articles in every status for the people who edit them, newest change
//! first, with the same keyset paging and signed cursors as the public lists. Not cached and
//! never public: the route checks who asks, and a writer's list holds their own articles only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::{at_time, Keyset};
use super::params::{language, Limit};
use super::ReadError;
use crate::api::utc;
use crate::db::queries::editorial::{desk_page, DeskFilter};
use crate::db::DbConnection;
use crate::domain::cursor::CursorSigner;
use crate::domain::kinds::ArticleStatus;
use crate::domain::match_key;
use crate::domain::validation::FieldError;

/// The longest `q` the desk list takes.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeskParams {
    /// Only articles in this status.
    #[param(inline)]
    pub status: Option<ArticleStatus>,
    /// Only the caller's own articles. Writers always get only their own.
    pub mine: Option<bool>,
    /// Only articles in this language (BCP 47).
    pub language: Option<String>,
    /// Only articles whose headline has these words, each typed as the start of a word and
    /// spelled as search accepts it (Arabic normalized: "انقرة" finds "أنقرة"; letter case
    /// and accents ignored).
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One article in a desk list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskArticle {
    pub id: String,
    pub headline: String,
    pub slug: String,
    pub language: String,
    pub status: ArticleStatus,
    /// The ETag of this version is `"v{version}"`.
    pub version: i32,
    pub author_user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub embargo_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskPage {
    pub data: Vec<DeskArticle>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A page of the desk list. `author` restricts it to one user's articles (writers, or `mine`).
pub fn articles(
    conn: &mut DbConnection,
    cursors: &CursorSigner,
    author: Option<i64>,
    params: DeskParams,
) -> Result<DeskPage, ReadError> {
    let words = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let too_long = words
        .filter(|q| q.chars().count() > MAX_QUERY_CHARS)
        .map(|_| FieldError::too_long("q", MAX_QUERY_CHARS));
    let (limit, language) = match (
        Limit::parse(params.limit),
        language(params.language.as_deref()),
        too_long,
    ) {
        (Ok(limit), Ok(language), None) => (limit, language),
        (limit, language, too_long) => {
            let errors = [limit.err(), language.err(), too_long]
                .into_iter()
                .flatten()
                .collect();
            return Err(ReadError::invalid_all(errors));
        }
    };
    let typed = words.map(match_key::patterns).unwrap_or_default();
    if words.is_some() && typed.is_empty() {
        // Typed, but nothing a word: no headline can match.
        return Ok(DeskPage {
            data: Vec::new(),
            next_cursor: None,
        });
    }
    let filter = DeskFilter {
        status: params.status,
        author,
        language: language.as_deref(),
        headline_words: &typed,
    };
    // The cursor's MAC covers the filter, so a cursor cannot be moved to another list.
    let scope = format!(
        "desk|{}|{}|{}|{}",
        params.status.map(|s| s.as_str()).unwrap_or(""),
        author.map(|a| a.to_string()).unwrap_or_default(),
        language.as_deref().unwrap_or(""),
        words.unwrap_or("")
    );
    let keyset = Keyset::new(cursors, scope, params.cursor.as_deref())?;
    let after = keyset.after_time()?;
    let page = keyset.fetch(
        limit,
        |n| desk_page(conn, &filter, after, n),
        |article| at_time(article.updated_at, article.id),
    )?;
    Ok(DeskPage {
        data: page
            .rows
            .into_iter()
            .map(|a| DeskArticle {
                id: a.public_id,
                headline: a.headline,
                slug: a.slug,
                language: a.language,
                status: a.status,
                version: a.version,
                author_user_id: a.author_user_id,
                created_at: utc(a.created_at),
                updated_at: utc(a.updated_at),
                published_at: a.published_at.map(utc),
                scheduled_at: a.scheduled_at.map(utc),
                embargo_until: a.embargo_until.map(utc),
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}
