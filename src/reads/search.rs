//! Search: `GET /v1/search` (also `q=` on article lists) and type-ahead suggestions.

use crate::domain::validation::{FieldCode, FieldError};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::{self, Keyset};
use super::params::{self, Limit};
use super::{resolve, Address, ReadError, Reader};
use crate::api::article::ArticleView;
use crate::db::queries::{catalog, delivery_lists};
use crate::db::search::{self as index, After, SearchFilter, SearchSort};
use crate::db::{utc_now, DbConnection};
use crate::delivery::cache::Representation;
use crate::domain::cursor::Position;
use crate::domain::search::{self, Query, Word};

/// Words of context on each side of the first match in a snippet.
const SNIPPET_CONTEXT_WORDS: usize = 12;
const SUGGESTIONS: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchSortParam {
    /// Best match first, newer first among equal matches (the default).
    #[default]
    Relevance,
    Newest,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find (Arabic forms such as "الدفاع", "والدفاع" and "دفاع" find each other);
    /// `"a phrase"` in double quotes; `-word` to exclude. At most 500 characters.
    #[param(example = "وزير الدفاع")]
    pub q: String,
    pub language: Option<String>,
    /// Topic slug; its descendants are included.
    pub topic: Option<String>,
    /// Contributor slug.
    pub contributor: Option<String>,
    pub published_since: Option<DateTime<Utc>>,
    pub published_until: Option<DateTime<Utc>>,
    #[param(inline)]
    pub sort: Option<SearchSortParam>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub data: Vec<SearchHit>,
    pub next_cursor: Option<String>,
}

/// An article summary with where the query matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub article: crate::api::summary::ArticleSummary,
    /// Text around the first match, matched words in `<mark>`, everything else HTML-escaped.
    pub snippet: Option<String>,
}

/// One search page. Shared by `/v1/search` and `q=` on article lists.
pub(super) fn page(
    conn: &mut DbConnection,
    reader: &Reader,
    params: &SearchParams,
    self_url: &url::Url,
) -> Result<Representation, ReadError> {
    let query = Query::parse(&params.q).map_err(|e| ReadError::invalid("q", e.to_string()))?;
    let limit = Limit::parse(params.limit)?;
    let mut filter = SearchFilter {
        language: params::language(params.language.as_deref())?,
        published_since: params.published_since.map(|t| t.naive_utc()),
        published_until: params.published_until.map(|t| t.naive_utc()),
        ..SearchFilter::default()
    };
    if let Some(slug) = &params.topic {
        filter.topic_id = Some(resolve::topic_filter(conn, "topic", slug)?.id);
    }
    if let Some(slug) = &params.contributor {
        filter.contributor_id = Some(resolve::contributor_filter(conn, "contributor", slug)?.id);
    }
    let sort = match params.sort.unwrap_or_default() {
        SearchSortParam::Relevance => SearchSort::Relevance,
        SearchSortParam::Newest => SearchSort::Newest,
    };
    let keyset = Keyset::new(
        &reader.cursors,
        format!("search|{}|{sort:?}|{filter:?}", params.q),
        params.cursor.as_deref(),
    )?;
    let after = match keyset.after() {
        Some(position) => Some(After {
            score: f64::from_bits(position.score as u64),
            published_at: paging::time_of(&position)?,
            article_id: position.id,
        }),
        None => None,
    };
    let now = utc_now();
    let page = keyset.fetch(
        limit,
        |n| index::search(conn, &query, &filter, sort, after, n, now),
        |last| Position {
            score: last.score.to_bits() as i64,
            ..paging::at_time(last.published_at, last.article_id)
        },
    )?;
    let highlights = query.highlights();
    let ids: Vec<i64> = page.rows.iter().map(|h| h.article_id).collect();
    let texts: HashMap<i64, ArticleView> = delivery_lists::full_forms(conn, &ids)?
        .into_iter()
        .filter_map(|(id, brotli)| Some((id, crate::delivery::parse_full(&brotli).ok()?)))
        .collect();
    let items: Vec<String> = page
        .rows
        .iter()
        .map(|hit| {
            let snippet = texts.get(&hit.article_id).and_then(|article| {
                [
                    article.lead.as_deref(),
                    Some(article.body_text.as_str()),
                    Some(article.headline.as_str()),
                ]
                .into_iter()
                .flatten()
                .find_map(|text| search::snippet(text, &highlights, SNIPPET_CONTEXT_WORDS))
            });
            let snippet = serde_json::to_string(&snippet).unwrap_or_else(|_| "null".into());
            format!(
                "{{\"snippet\":{snippet},{}",
                hit.summary_json.strip_prefix('{').unwrap_or(&hit.summary_json)
            )
        })
        .collect();
    let last_modified = page
        .rows
        .iter()
        .map(|hit| hit.updated_at)
        .max()
        .unwrap_or(now)
        .and_utc();
    paging::json_page(&items, page.next_cursor, last_modified, self_url)
}

/// One page of `GET /v1/search`, through the cache.
pub async fn articles(
    reader: &Arc<Reader>,
    params: SearchParams,
    address: Address<'_>,
) -> Result<Arc<Representation>, ReadError> {
    reader
        .cached(address.key("search"), || {
            let self_url = address.url(&reader.public_url);
            move |conn, reader| page(conn, reader, &params, &self_url)
        })
        .await
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What the user has typed so far; the last word is completed.
    #[param(example = "طراب")]
    pub q: String,
    pub language: Option<String>,
}

/// Type-ahead suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub headlines: Vec<SuggestedArticle>,
    pub topics: Vec<Suggested>,
    pub contributors: Vec<Suggested>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedArticle {
    pub id: String,
    pub slug: String,
    pub language: String,
    pub headline: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggested {
    pub slug: String,
    pub name: String,
}

/// Up to `SUGGESTIONS` of `(slug, localized names JSON, name)` with a name (in any language)
/// that has a word starting with `prefix`, each shown by its name in `language`.
fn named_matches<'a>(
    rows: impl Iterator<Item = (&'a String, &'a String, &'a String)>,
    prefix: &str,
    language: Option<&str>,
) -> Vec<Suggested> {
    let starts = |name: &str| {
        search::words(name)
            .iter()
            .any(|w| w.forms().any(|f| f.starts_with(prefix)))
    };
    rows.filter_map(|(slug, names, fallback)| {
        let names: BTreeMap<String, String> = serde_json::from_str(names).unwrap_or_default();
        if !starts(fallback) && !names.values().any(|n| starts(n)) {
            return None;
        }
        let name = language
            .and_then(|l| crate::domain::language::localized(&names, l))
            .unwrap_or(fallback);
        Some(Suggested {
            slug: slug.clone(),
            name: name.to_owned(),
        })
    })
    .take(SUGGESTIONS as usize)
    .collect()
}

/// Suggestions for what has been typed so far, through the cache (keyed by the normalized
/// last word, so "طراب" and "الطراب" share an entry).
pub async fn suggest(reader: &Arc<Reader>, params: SuggestParams) -> Result<Arc<Representation>, ReadError> {
    if params.q.chars().count() > search::MAX_QUERY_CHARS {
        return Err(FieldError::too_long("q", crate::domain::search::MAX_QUERY_CHARS).into());
    }
    let prefix: Word = search::words(&params.q)
        .pop()
        .ok_or_else(|| ReadError::coded("q", FieldCode::Required, "type at least one letter or digit"))?;
    let language = params::language(params.language.as_deref())?;
    let key = format!("suggest:{}:{}", prefix.primary, language.as_deref().unwrap_or(""));
    reader
        .cached(key, || {
            move |conn, _| {
                let found = suggestions(conn, &prefix.primary, language.as_deref())?;
                super::json(&found, Utc::now(), "search".into())
            }
        })
        .await
}

fn suggestions(
    conn: &mut DbConnection,
    prefix: &str,
    language: Option<&str>,
) -> Result<Suggestions, ReadError> {
    let headlines = index::suggest_headlines(conn, prefix, language, SUGGESTIONS, utc_now())?
        .into_iter()
        .filter_map(|hit| serde_json::from_str::<serde_json::Value>(&hit.summary_json).ok())
        .filter_map(|summary| {
            Some(SuggestedArticle {
                id: summary["id"].as_str()?.to_owned(),
                slug: summary["slug"].as_str()?.to_owned(),
                language: summary["language"].as_str()?.to_owned(),
                headline: summary["headline"].as_str()?.to_owned(),
            })
        })
        .collect();
    let topics = catalog::topics_page(conn, None, &[], None, 10_000)?;
    let contributors = catalog::contributors_page(conn, None, &[], None, 10_000)?;
    let topics = named_matches(
        topics.iter().map(|t| (&t.slug, &t.localized_names, &t.name)),
        prefix,
        language,
    );
    let contributors = named_matches(
        contributors
            .iter()
            .map(|c| (&c.slug, &c.localized_names, &c.name)),
        prefix,
        language,
    );
    Ok(Suggestions {
        headlines,
        topics,
        contributors,
    })
}
