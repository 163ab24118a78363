//! What every article list accepts and answers: the parameters (checked here, without the
//! database) and the shapes of its pages, shared by lists, search in lists and sync.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{self, Limit};
use super::ReadError;
use crate::db::queries::delivery_lists::Sort;
use crate::domain::kinds::BylineRole;
use crate::domain::validation::{FieldCode, FieldError};

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
    /// Incremental sync, a view of the change log: every article that changed at or after this
    /// time (RFC 3339), once, at its newest change, in the order the changes were made,
    /// including tombstones (`{"change": "unpublished" | "deleted", "id", "slug", "language",
    /// "changed_at"}`) for articles that left the public set. Articles carry
    /// `"change": "updated"` and `changed_at` (when the public learned of the change). Combines
    /// with `language`, `limit` and `cursor` only.
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
    pub change: Option<ChangeKind>,
    /// With `updated_since`: when it happened.
    pub changed_at: Option<DateTime<Utc>>,
}

/// What incremental sync reports about an article.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Updated,
    Unpublished,
    Deleted,
}

/// Parameters checked without the database.
pub struct Checked {
    pub sort: Sort,
    pub limit: Limit,
    pub includes: Vec<&'static str>,
    pub fields: Vec<String>,
    pub language: Option<String>,
}

/// Checks the parameters that need no database, every bad one named at once.
pub fn check(params: &ListParams) -> Result<Checked, ReadError> {
    let mut errors = Vec::new();
    let limit = Limit::parse(params.limit).map_err(|e| errors.push(e)).ok();
    let language = params::language(params.language.as_deref())
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let include_names = params::comma_list(params.include.as_deref());
    let allowed: Vec<&str> = INCLUDES.iter().map(|(name, _)| *name).collect();
    errors.extend(params::unknown_names("include", &include_names, &allowed));
    let includes = INCLUDES
        .iter()
        .filter(|(name, _)| include_names.iter().any(|n| n == name))
        .map(|(_, key)| *key)
        .collect();
    let fields = params::comma_list(params.fields.as_deref());
    errors.extend(params::unknown_names("fields", &fields, SUMMARY_FIELDS));
    if let (Some(since), Some(until)) = (params.published_since, params.published_until) {
        if since >= until {
            errors.push(FieldError::coded(
                "published_until",
                FieldCode::Inconsistent,
                "must be after published_since",
            ));
        }
    }
    let Some(limit) = limit.filter(|_| errors.is_empty()) else {
        return Err(ReadError::invalid_all(errors));
    };
    let sort = match params.sort.unwrap_or_default() {
        SortParam::Newest => Sort::Newest,
        SortParam::Oldest => Sort::Oldest,
        SortParam::Updated => Sort::Updated,
        SortParam::Relevance => {
            return Err(ReadError::coded(
                "sort",
                FieldCode::Inconsistent,
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
