//! Article lists: parameters, keyset paging with signed cursors, `Link` headers, and shape
//! control (`include`, `fields`). Shared by `/v1/articles` and the topic and contributor lists.

use std::sync::Arc;

use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::db::queries::catalog;
use crate::db::queries::delivery_lists::{self, ListFilter, ListRow, Sort};
use crate::db::{self, utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::delivery::strong_etag;
use crate::domain::cursor::Position;
use crate::domain::kinds::{BylineRole, TopicKind};
use crate::domain::language::Language;
use crate::error::{ApiError, FieldError};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// What `include=` may add to list entries, and the key each adds.
pub const INCLUDES: &[(&str, &str)] = &[
    ("bylines", "bylines"),
    ("media", "featured_media"),
    ("topics", "topics"),
    ("related", "related"),
    ("translations", "translations"),
];

/// Fields of the summary shape, for `fields=`.
pub const SUMMARY_FIELDS: &[&str] = &[
    "id",
    "slug",
    "language",
    "dir",
    "headline",
    "lead",
    "dateline",
    "byline",
    "image",
    "primary_topic",
    "canonical_url",
    "word_count",
    "reading_time_minutes",
    "published_at",
    "updated_at",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    /// Newest first by publish time (the default).
    #[default]
    Newest,
    /// Oldest first by publish time.
    Oldest,
    /// Most recently changed first.
    Updated,
    /// Best match first; only with `q`, where it is the default.
    Relevance,
}

/// Parameters of every article list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Search: only articles matching these words (see `GET /v1/search`), best match first
    /// unless `sort=newest`.
    pub q: Option<String>,
    /// Only articles in this language (BCP 47).
    #[param(example = "ar")]
    pub language: Option<String>,
    /// Only articles with this topic or one of its descendants (topic slug).
    #[param(example = "libya")]
    pub topic: Option<String>,
    /// Only articles in this section (slug of a topic of kind `section`).
    #[param(example = "world")]
    pub section: Option<String>,
    /// Only articles crediting this contributor (slug).
    #[param(example = "afp")]
    pub contributor: Option<String>,
    /// Only articles with a byline in this role (with `contributor`: that contributor in that role).
    pub role: Option<BylineRole>,
    /// Published at or after this time (RFC 3339).
    pub published_since: Option<DateTime<Utc>>,
    /// Published before this time (RFC 3339).
    pub published_until: Option<DateTime<Utc>>,
    #[param(inline)]
    pub sort: Option<SortParam>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Incremental sync: everything that changed at or after this time (RFC 3339), oldest
    /// change first, including tombstones (`{"change": "unpublished" | "deleted", "id", "slug",
    /// "language", "changed_at"}`) for articles that left the public set. Articles carry
    /// `"change": "updated"` and `changed_at`. Combines with `language`, `limit` and `cursor` only.
    pub updated_since: Option<DateTime<Utc>>,
    /// Comma-separated: bylines, media, topics, related, translations.
    #[param(example = "bylines,media")]
    pub include: Option<String>,
    /// Comma-separated summary fields to keep (sparse fieldset).
    #[param(example = "id,slug,headline")]
    pub fields: Option<String>,
}

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticlePage {
    /// Article summaries, plus whatever `include` asked for; with `updated_since`, changes and
    /// tombstones.
    pub data: Vec<ArticleListEntry>,
    /// Pass as `cursor` for the next page; absent on the last page. Also in the `Link` header.
    pub next_cursor: Option<String>,
}

/// One entry of an article list, as the contract describes it. Entries are written from the
/// stored summary JSON rather than from this type; it exists for the OpenAPI document. Every
/// field but `id` may be missing: `fields=` keeps only the fields named (and always `id`), and
/// a tombstone carries only `id`, `slug`, `language`, `change` and `changed_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleListEntry {
    pub id: String,
    pub slug: Option<String>,
    pub language: Option<String>,
    pub dir: Option<crate::domain::language::TextDirection>,
    pub headline: Option<String>,
    pub lead: Option<String>,
    pub dateline: Option<String>,
    pub byline: Option<String>,
    pub image: Option<crate::api::summary::SummaryImage>,
    pub primary_topic: Option<crate::api::article::TopicRef>,
    pub canonical_url: Option<String>,
    pub word_count: Option<usize>,
    pub reading_time_minutes: Option<usize>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// With `include=bylines`.
    pub bylines: Option<Vec<crate::api::article::BylineView>>,
    /// With `include=media`.
    pub featured_media: Option<crate::api::article::ArticleMediaView>,
    /// With `include=topics`.
    pub topics: Option<Vec<crate::api::article::TopicRef>>,
    /// With `include=related`.
    pub related: Option<Vec<crate::api::article::ArticleLinkView>>,
    /// With `include=translations`.
    pub translations: Option<Vec<crate::api::article::ArticleLinkView>>,
    /// With `updated_since`: what happened to the article.
    pub change: Option<super::sync::ChangeKind>,
    /// With `updated_since`: when it happened.
    pub changed_at: Option<DateTime<Utc>>,
}

fn split_list(raw: Option<&str>) -> Vec<String> {
    raw.map(|r| {
        r.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn naive(at: Option<DateTime<Utc>>) -> Option<NaiveDateTime> {
    at.map(|t| t.naive_utc())
}

/// A validated list request.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: ListFilter,
    pub sort: Sort,
    pub limit: u32,
    pub after: Option<(NaiveDateTime, i64)>,
    pub includes: Vec<&'static str>,
    pub fields: Vec<String>,
    scope: String,
}

/// Parameters checked without the database.
pub(super) struct Checked {
    pub sort: Sort,
    pub limit: u32,
    pub includes: Vec<&'static str>,
    pub fields: Vec<String>,
    pub language: Option<String>,
}

/// Checks parameters that need no database; slugs are resolved by [`resolve`].
pub(super) fn check(params: &ListParams) -> Result<Checked, ApiError> {
    let mut errors = Vec::new();
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new("limit", format!("must be from 1 to {MAX_LIMIT}")));
    }
    let language = match params.language.as_deref().map(Language::parse).transpose() {
        Ok(language) => language.map(|l| l.to_string()),
        Err(e) => {
            errors.push(FieldError::new("language", e.to_string()));
            None
        }
    };
    let mut includes = Vec::new();
    for name in split_list(params.include.as_deref()) {
        match INCLUDES.iter().find(|(n, _)| *n == name) {
            Some((_, key)) => includes.push(*key),
            None => errors.push(FieldError::new(
                "include",
                format!(
                    "unknown value '{name}'; allowed: {}",
                    INCLUDES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    let fields = split_list(params.fields.as_deref());
    for field in &fields {
        if !SUMMARY_FIELDS.contains(&field.as_str()) {
            errors.push(FieldError::new(
                "fields",
                format!("unknown field '{field}'; allowed: {}", SUMMARY_FIELDS.join(", ")),
            ));
        }
    }
    if let (Some(since), Some(until)) = (params.published_since, params.published_until) {
        if since >= until {
            errors.push(FieldError::new(
                "published_until",
                "must be after published_since",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::BadRequest {
            detail: errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            errors,
        });
    }
    let sort = match params.sort.unwrap_or_default() {
        SortParam::Newest => Sort::Newest,
        SortParam::Oldest => Sort::Oldest,
        SortParam::Updated => Sort::Updated,
        SortParam::Relevance => {
            return Err(ApiError::invalid_field(
                "sort",
                "relevance needs a search query (q)",
            ));
        }
    };
    Ok(Checked {
        sort,
        limit,
        includes,
        fields,
        language,
    })
}

/// Resolves slugs to ids and checks the cursor.
pub fn resolve(
    conn: &mut DbConnection,
    params: &ListParams,
    state: &AppState,
) -> Result<ListRequest, ApiError> {
    let Checked {
        sort,
        limit,
        includes,
        fields,
        language,
    } = check(params)?;
    let mut filter = ListFilter {
        language,
        published_since: naive(params.published_since),
        published_until: naive(params.published_until),
        role: params.role.map(|r| r.as_str().to_owned()),
        ..ListFilter::default()
    };
    if let Some(slug) = &params.topic {
        let topic = catalog::topic_by_slug(conn, slug)?
            .ok_or_else(|| ApiError::invalid_field("topic", format!("no topic has the slug '{slug}'")))?;
        filter.topic_id = Some(topic.id);
    }
    if let Some(slug) = &params.section {
        let topic = catalog::topic_by_slug(conn, slug)?
            .filter(|t| t.kind == TopicKind::Section.as_str())
            .ok_or_else(|| ApiError::invalid_field("section", format!("no section has the slug '{slug}'")))?;
        filter.section_id = Some(topic.id);
    }
    if let Some(slug) = &params.contributor {
        let contributor = catalog::contributor_by_slug(conn, slug)?.ok_or_else(|| {
            ApiError::invalid_field("contributor", format!("no contributor has the slug '{slug}'"))
        })?;
        filter.contributor_id = Some(contributor.id);
    }
    // The cursor is only valid for the same sort and filters.
    let scope = format!(
        "{sort:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        filter.language,
        filter.topic_id,
        filter.section_id,
        filter.contributor_id,
        filter.role,
        filter.published_since,
        filter.published_until
    );
    let after = decode_cursor(state, &scope, params.cursor.as_deref())?;
    Ok(ListRequest {
        filter,
        sort,
        limit,
        after,
        includes,
        fields,
        scope,
    })
}

/// Fetches the page and renders it, `Link` header included.
pub fn page(
    conn: &mut DbConnection,
    request: &ListRequest,
    state: &AppState,
    self_url: &url::Url,
) -> Result<Representation, ApiError> {
    let now = utc_now();
    let mut rows = delivery_lists::list(
        conn,
        &request.filter,
        request.sort,
        request.after,
        i64::from(request.limit) + 1,
        now,
    )?;
    let more = rows.len() > request.limit as usize;
    rows.truncate(request.limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => {
            let at = if request.sort == Sort::Updated {
                last.updated_at
            } else {
                last.published_at
            };
            Some(encode_cursor(state, &request.scope, (at, last.article_id)))
        }
        _ => None,
    };
    let items = render_items(conn, &rows, request)?;
    let last_modified = rows.iter().map(|r| r.updated_at).max().unwrap_or(now).and_utc();
    render_page(&items, next_cursor, last_modified, self_url)
}

/// The JSON of each entry: the stored summary as is, or reshaped for `include` and `fields`.
fn render_items(
    conn: &mut DbConnection,
    rows: &[ListRow],
    request: &ListRequest,
) -> Result<Vec<String>, ApiError> {
    if request.includes.is_empty() && request.fields.is_empty() {
        return Ok(rows.iter().map(|r| r.summary_json.clone()).collect());
    }
    let full: std::collections::HashMap<i64, serde_json::Value> = if request.includes.is_empty() {
        Default::default()
    } else {
        let ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
        delivery_lists::full_forms(conn, &ids)?
            .into_iter()
            .filter_map(|(id, json)| Some((id, serde_json::from_str(&json).ok()?)))
            .collect()
    };
    rows.iter()
        .map(|row| {
            let mut summary: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&row.summary_json).map_err(DbError::corrupt)?;
            if !request.fields.is_empty() {
                summary.retain(|key, _| key == "id" || request.fields.iter().any(|f| f == key));
            }
            if let Some(full) = full.get(&row.article_id) {
                for key in &request.includes {
                    summary.insert((*key).to_owned(), full[*key].clone());
                }
            }
            Ok(serde_json::Value::Object(summary).to_string())
        })
        .collect()
}

/// The absolute URL of this request, as clients reach it.
pub fn request_url(state: &AppState, request: &HttpRequest) -> url::Url {
    let mut url = state.public_url.clone();
    url.set_path(request.path());
    url.set_query(Some(request.query_string()).filter(|q| !q.is_empty()));
    url
}

pub(super) fn decode_cursor(
    state: &AppState,
    scope: &str,
    cursor: Option<&str>,
) -> Result<Option<(NaiveDateTime, i64)>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let position = state
        .cursors
        .decode(scope, cursor)
        .map_err(|e| ApiError::invalid_field("cursor", e.to_string()))?;
    let at = DateTime::from_timestamp_micros(position.micros)
        .ok_or_else(|| ApiError::invalid_field("cursor", "out of range"))?
        .naive_utc();
    Ok(Some((at, position.id)))
}

pub(super) fn encode_cursor(state: &AppState, scope: &str, (at, id): (NaiveDateTime, i64)) -> String {
    state.cursors.encode(
        scope,
        Position {
            micros: at.and_utc().timestamp_micros(),
            id,
            score: 0,
        },
    )
}

/// `{"data": [...], "next_cursor": ...}` from ready item JSON, with its `Link` header.
pub(super) fn render_page(
    items: &[String],
    next_cursor: Option<String>,
    last_modified: DateTime<Utc>,
    self_url: &url::Url,
) -> Result<Representation, ApiError> {
    let mut body = String::with_capacity(items.iter().map(String::len).sum::<usize>() + 128);
    body.push_str("{\"data\":[");
    body.push_str(&items.join(","));
    body.push_str("],\"next_cursor\":");
    body.push_str(&serde_json::to_string(&next_cursor).map_err(crate::db::DbError::unserializable)?);
    body.push('}');
    let mut headers = Vec::new();
    if let Some(cursor) = &next_cursor {
        let mut next = self_url.clone();
        let kept: Vec<(String, String)> = self_url
            .query_pairs()
            .filter(|(k, _)| k != "cursor")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        next.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("cursor", cursor);
        headers.push(("Link", format!("<{next}>; rel=\"next\"")));
    }
    let etag = strong_etag(body.as_bytes());
    let mut representation =
        Representation::new(bytes::Bytes::from(body), etag, last_modified, "articles".into());
    representation.headers = headers;
    Ok(representation)
}

/// `q=` on an article list: the same search as `GET /v1/search`, with the list's filters.
fn search_in_list(
    conn: &mut DbConnection,
    params: ListParams,
    q: String,
    state: &AppState,
    self_url: &url::Url,
) -> Result<Representation, ApiError> {
    let unsupported = [
        ("section", params.section.is_some()),
        ("role", params.role.is_some()),
        ("include", params.include.is_some()),
        ("fields", params.fields.is_some()),
        ("updated_since", params.updated_since.is_some()),
    ];
    if let Some((name, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(ApiError::invalid_field(*name, "cannot be combined with q"));
    }
    let sort = match params.sort {
        None | Some(SortParam::Relevance) => super::search::SearchSortParam::Relevance,
        Some(SortParam::Newest) => super::search::SearchSortParam::Newest,
        Some(_) => {
            return Err(ApiError::invalid_field(
                "sort",
                "with q, sort is relevance or newest",
            ))
        }
    };
    let search = super::search::SearchParams {
        q,
        language: params.language,
        topic: params.topic,
        contributor: params.contributor,
        published_since: params.published_since,
        published_until: params.published_until,
        sort: Some(sort),
        limit: params.limit,
        cursor: params.cursor,
    };
    super::search::search_page(conn, &search, state, self_url)
}

/// Serves a list through the cache.
pub async fn serve_list(
    state: &AppState,
    request: &HttpRequest,
    params: ListParams,
    fixed: impl FnOnce(&mut DbConnection, &mut ListParams) -> Result<(), ApiError> + Send + 'static,
) -> Result<Arc<Representation>, ApiError> {
    let cache_key = format!("list:{}?{}", request.path(), request.query_string());
    let fill = state.cache.fill_token();
    if let Some(hit) = state.cache.get(&cache_key) {
        return Ok(hit);
    }
    let self_url = request_url(state, request);
    let state_for_db = state.clone();
    let representation = db::run(&state.pool, move |conn| {
        let mut params = params;
        fixed(conn, &mut params)?;
        if let Some(q) = params.q.clone() {
            return search_in_list(conn, params, q, &state_for_db, &self_url);
        }
        if let Some(since) = params.updated_since {
            return super::sync::sync_page(conn, &params, since, &state_for_db, &self_url);
        }
        let list_request = resolve(conn, &params, &state_for_db)?;
        page(conn, &list_request, &state_for_db, &self_url)
    })
    .await?;
    let representation = Arc::new(representation);
    state.cache.insert(cache_key, representation.clone(), fill);
    Ok(representation)
}
