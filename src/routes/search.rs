//! Search: `GET /v1/search` (also `q=` on `GET /v1/articles`) and type-ahead suggestions.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::conditional::respond;
use super::lists::render_page;
use super::{AppState, State};
use crate::api::article::ArticleView;
use crate::db::queries::catalog;
use crate::db::search::{self as index, After, SearchFilter, SearchSort};
use crate::db::{self, utc_now, DbConnection};
use crate::delivery::cache::Representation;
use crate::domain::cursor::Position;
use crate::domain::language::Language;
use crate::domain::search::{self, Query, Word};
use crate::error::{ApiError, Problem};

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

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid_field(field.to_owned(), message)
}

/// Runs one search page. Shared by `/v1/search` and `q=` on article lists.
pub(super) fn search_page(
    conn: &mut DbConnection,
    params: &SearchParams,
    state: &AppState,
    self_url: &url::Url,
) -> Result<Representation, ApiError> {
    let query = Query::parse(&params.q).map_err(|e| bad("q", e.to_string()))?;
    let limit = params.limit.unwrap_or(super::lists::DEFAULT_LIMIT);
    if !(1..=super::lists::MAX_LIMIT).contains(&limit) {
        return Err(bad(
            "limit",
            format!("must be from 1 to {}", super::lists::MAX_LIMIT),
        ));
    }
    let mut filter = SearchFilter {
        language: params
            .language
            .as_deref()
            .map(|l| {
                Language::parse(l)
                    .map(|l| l.to_string())
                    .map_err(|e| bad("language", e.to_string()))
            })
            .transpose()?,
        published_since: params.published_since.map(|t| t.naive_utc()),
        published_until: params.published_until.map(|t| t.naive_utc()),
        ..SearchFilter::default()
    };
    if let Some(slug) = &params.topic {
        let topic = catalog::topic_by_slug(conn, slug)?
            .ok_or_else(|| bad("topic", format!("no topic has the slug '{slug}'")))?;
        filter.topic_id = Some(topic.id);
    }
    if let Some(slug) = &params.contributor {
        let contributor = catalog::contributor_by_slug(conn, slug)?
            .ok_or_else(|| bad("contributor", format!("no contributor has the slug '{slug}'")))?;
        filter.contributor_id = Some(contributor.id);
    }
    let sort = match params.sort.unwrap_or_default() {
        SearchSortParam::Relevance => SearchSort::Relevance,
        SearchSortParam::Newest => SearchSort::Newest,
    };
    let scope = format!("search|{}|{sort:?}|{filter:?}", params.q);
    let after = match &params.cursor {
        Some(cursor) => {
            let position = state
                .cursors
                .decode(&scope, cursor)
                .map_err(|e| bad("cursor", e.to_string()))?;
            let published_at = DateTime::from_timestamp_micros(position.micros)
                .ok_or_else(|| bad("cursor", "out of range"))?
                .naive_utc();
            Some(After {
                score: f64::from_bits(position.score as u64),
                published_at,
                article_id: position.id,
            })
        }
        None => None,
    };
    let now = utc_now();
    let mut hits = index::search(conn, &query, &filter, sort, after, i64::from(limit) + 1, now)?;
    let more = hits.len() > limit as usize;
    hits.truncate(limit as usize);
    let next_cursor = match (more, hits.last()) {
        (true, Some(last)) => Some(state.cursors.encode(
            &scope,
            Position {
                micros: last.published_at.and_utc().timestamp_micros(),
                id: last.article_id,
                score: last.score.to_bits() as i64,
            },
        )),
        _ => None,
    };
    let highlights = query.highlights();
    let ids: Vec<i64> = hits.iter().map(|h| h.article_id).collect();
    let texts: HashMap<i64, ArticleView> = crate::db::queries::delivery_lists::full_forms(conn, &ids)?
        .into_iter()
        .filter_map(|(id, json)| Some((id, serde_json::from_str(&json).ok()?)))
        .collect();
    let items: Vec<String> = hits
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
    let last_modified = now.and_utc();
    render_page(&items, next_cursor, last_modified, self_url)
}

/// Published articles matching a query, ranked by relevance (or newest first), with snippets.
#[utoipa::path(
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of results", body = SearchPage, headers(("Link" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "An empty, too long or otherwise unusable query, or a bad parameter or cursor", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/search")]
pub async fn search_articles(
    state: State,
    request: HttpRequest,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let cache_key = format!("search:{}", request.query_string());
    let fill = state.cache.fill_token();
    let representation = match state.cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let app = state.get_ref().clone();
            let self_url = super::lists::request_url(&app, &request);
            let params = params.into_inner();
            let built = Arc::new(
                db::run(&state.pool, move |conn| {
                    search_page(conn, &params, &app, &self_url)
                })
                .await?,
            );
            state.cache.insert(cache_key, built.clone(), fill);
            built
        }
    };
    Ok(respond(&request, &representation, &state.cache_policy))
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

/// Headlines, topics and contributors that have a word starting with the last word of `q`.
#[utoipa::path(
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions", body = Suggestions),
        (status = 304, description = "Not modified"),
        (status = 400, description = "An empty query or a bad parameter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/search/suggest")]
pub async fn suggest(
    state: State,
    request: HttpRequest,
    params: web::Query<SuggestParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    if params.q.chars().count() > search::MAX_QUERY_CHARS {
        return Err(bad("q", "too long"));
    }
    let prefix: Word = search::words(&params.q)
        .pop()
        .ok_or_else(|| bad("q", "type at least one letter or digit"))?;
    let language = params
        .language
        .as_deref()
        .map(|l| {
            Language::parse(l)
                .map(|l| l.to_string())
                .map_err(|e| bad("language", e.to_string()))
        })
        .transpose()?;
    let cache_key = format!("suggest:{}:{}", prefix.primary, language.as_deref().unwrap_or(""));
    let fill = state.cache.fill_token();
    let representation = match state.cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let built = db::run(&state.pool, move |conn| {
                suggestions(conn, &prefix.primary, language.as_deref())
            })
            .await?;
            let body = serde_json::to_string(&built).map_err(crate::db::DbError::unserializable)?;
            let etag = crate::delivery::strong_etag(body.as_bytes());
            let built = Arc::new(Representation::new(
                bytes::Bytes::from(body),
                etag,
                Utc::now(),
                "search".into(),
            ));
            state.cache.insert(cache_key, built.clone(), fill);
            built
        }
    };
    Ok(respond(&request, &representation, &state.cache_policy))
}

fn suggestions(
    conn: &mut DbConnection,
    prefix: &str,
    language: Option<&str>,
) -> Result<Suggestions, ApiError> {
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
    let topics = catalog::topics_page(conn, None, None, 10_000)?;
    let contributors = catalog::contributors_page(conn, None, None, 10_000)?;
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
