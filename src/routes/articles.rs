use std::sync::Arc;

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::conditional::respond;
use super::lists::{self, ArticlePage, ListParams};
use super::State;
use crate::api::article::{ArticleLinkView, ArticleView};
use crate::db::queries::article_read::ArticleKey;
use crate::db::queries::delivery::{self, Found};
use crate::db::{self, utc_now, DbError};
use crate::delivery::cache::Representation;
use crate::delivery::strong_etag;
use crate::domain::language::Language;
use crate::domain::slug;
use crate::error::{ApiError, FieldError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticlePath {
    /// The article's public id (UUID) or its slug (Arabic slugs percent-encoded).
    pub key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleQuery {
    /// Language of the article, when the slug is used in several languages.
    #[param(example = "ar")]
    pub language: Option<String>,
    /// Comma-separated top-level fields to keep (sparse fieldset), e.g. `headline,byline,seo`.
    pub fields: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Language of the article, when the slug is used in several languages.
    #[param(example = "ar")]
    pub language: Option<String>,
}

/// Articles linked from one article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleLinks {
    pub data: Vec<ArticleLinkView>,
    /// For related articles: true when none were curated and these were computed from shared
    /// topics, contributors and recency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<bool>,
}

/// How many related articles are computed when none are curated, and how many recent articles
/// of each shared topic are considered.
const COMPUTED_RELATED: usize = 5;
const RELATED_CANDIDATES_PER_TOPIC: i64 = 50;

/// Top-level fields of the full article shape, for `fields=`.
const ARTICLE_FIELDS: &[&str] = &[
    "id",
    "slug",
    "language",
    "dir",
    "headline",
    "lead",
    "dateline",
    "byline",
    "bylines",
    "featured_media",
    "body",
    "body_html",
    "body_text",
    "word_count",
    "reading_time_minutes",
    "topics",
    "related",
    "translations",
    "corrections",
    "canonical_url",
    "seo",
    "first_published_at",
    "published_at",
    "updated_at",
    "version",
];

fn parse_key(key: &str, language: Option<&str>) -> Result<ArticleKey, ApiError> {
    let language = language
        .map(|raw| {
            Language::parse(raw)
                .map(|l| l.to_string())
                .map_err(|e| ApiError::invalid_field("language", e.to_string()))
        })
        .transpose()?;
    if let Ok(id) = uuid::Uuid::parse_str(key) {
        return Ok(ArticleKey::PublicId(id.hyphenated().to_string()));
    }
    let slug = slug::parse(key).map_err(|_| not_found(key))?;
    Ok(ArticleKey::Slug { slug, language })
}

fn not_found(key: &str) -> ApiError {
    ApiError::NotFound(format!("no published article has the id or slug '{key}'"))
}

fn parse_fields(raw: Option<&str>) -> Result<Vec<String>, ApiError> {
    let fields: Vec<String> = raw
        .map(|r| {
            r.split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let unknown: Vec<FieldError> = fields
        .iter()
        .filter(|f| !ARTICLE_FIELDS.contains(&f.as_str()))
        .map(|f| {
            FieldError::new(
                "fields",
                format!("unknown field '{f}'; allowed: {}", ARTICLE_FIELDS.join(", ")),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(fields)
    } else {
        Err(ApiError::BadRequest {
            detail: "fields names an unknown field".into(),
            errors: unknown,
        })
    }
}

/// Loads a public article's compiled form, through the cache.
pub(crate) async fn load_article(
    state: &State,
    key: &str,
    language: Option<&str>,
) -> Result<Arc<Representation>, ApiError> {
    let cache_key = format!("article:{key}:{}", language.unwrap_or(""));
    let fill = state.cache.fill_token();
    if let Some(hit) = state.cache.get(&cache_key) {
        return Ok(hit);
    }
    let lookup = parse_key(key, language)?;
    let found = db::run(&state.pool, move |conn| delivery::find(conn, &lookup, utc_now())).await?;
    let delivered = match found {
        Found::One(delivered) => delivered,
        Found::None => return Err(not_found(key)),
        Found::Ambiguous(languages) => {
            return Err(ApiError::BadRequest {
                detail: format!(
                    "the slug is published in several languages ({}); add ?language=",
                    languages.join(", ")
                ),
                errors: vec![FieldError::new(
                    "language",
                    format!("required here; one of: {}", languages.join(", ")),
                )],
            })
        }
    };
    let mut representation = Representation::new(
        bytes::Bytes::from(delivered.full_json),
        delivered.etag,
        delivered.updated_at.and_utc(),
        delivered.surrogate_keys,
    );
    representation.is_article = true;
    let representation = Arc::new(representation);
    state.cache.insert(cache_key, representation.clone(), fill);
    Ok(representation)
}

/// A derived representation: part of an article's compiled JSON.
fn derived(source: &Representation, body: serde_json::Value) -> Result<Representation, ApiError> {
    let body = body.to_string();
    Ok(Representation::new(
        bytes::Bytes::from(body.clone()),
        strong_etag(body.as_bytes()),
        source.last_modified,
        source.surrogate_keys.clone(),
    ))
}

fn parse_json(
    representation: &Representation,
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    serde_json::from_slice(&representation.body).map_err(|e| DbError::Corrupt(e.to_string()).into())
}

/// A page of published articles, newest first unless `sort` says otherwise. Keyset-paginated:
/// follow `next_cursor` (or the `Link: rel="next"` header).
#[utoipa::path(
    tag = "articles",
    params(ListParams),
    responses(
        (status = 200, description = "A page of article summaries", body = ArticlePage,
            headers(("ETag" = String), ("Link" = String, description = "RFC 8288 link to the next page"), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` / `If-Modified-Since` copy"),
        (status = 400, description = "A bad parameter, an unknown include or field, or a bad cursor", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/articles")]
pub async fn list_articles(
    state: State,
    request: HttpRequest,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let representation = lists::serve_list(&state, &request, params.into_inner(), |_, _| Ok(())).await?;
    Ok(respond(&request, &representation, &state.cache_policy))
}

/// One published article, by public id or slug, with bylines, featured media and its credit,
/// topics, related articles, translations and SEO metadata.
#[utoipa::path(
    tag = "articles",
    params(ArticlePath, ArticleQuery),
    responses(
        (status = 200, description = "The article", body = ArticleView,
            headers(("ETag" = String), ("Last-Modified" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified since the `If-None-Match` / `If-Modified-Since` copy"),
        (status = 400, description = "A bad parameter, or a slug used in several languages without `language`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/articles/{key}")]
pub async fn get_article(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<ArticleQuery>,
) -> Result<HttpResponse, ApiError> {
    let fields = parse_fields(query.fields.as_deref())?;
    let representation = load_article(&state, &path.key, query.language.as_deref()).await?;
    if fields.is_empty() {
        return Ok(respond(&request, &representation, &state.cache_policy));
    }
    let mut article = parse_json(&representation)?;
    article.retain(|key, _| fields.iter().any(|f| f == key));
    let sparse = derived(&representation, serde_json::Value::Object(article))?;
    Ok(respond(&request, &sparse, &state.cache_policy))
}

async fn linked(
    state: State,
    request: HttpRequest,
    key: &str,
    language: Option<&str>,
    field: &str,
) -> Result<HttpResponse, ApiError> {
    let representation = load_article(&state, key, language).await?;
    let article = parse_json(&representation)?;
    let links = article
        .get(field)
        .cloned()
        .unwrap_or_else(|| serde_json::json!([]));
    let body = derived(&representation, serde_json::json!({ "data": links }))?;
    Ok(respond(&request, &body, &state.cache_policy))
}

/// Related articles: the editors' curated list, in their order; when there is none, up to five
/// computed from shared topics (the primary topic weighs most), contributors, language and
/// recency (`"computed": true`).
#[utoipa::path(
    tag = "articles",
    params(ArticlePath, LinkQuery),
    responses(
        (status = 200, description = "Related articles", body = ArticleLinks),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/articles/{key}/related")]
pub async fn related_articles(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    let representation = load_article(&state, &path.key, query.language.as_deref()).await?;
    let article = parse_json(&representation)?;
    let curated = article
        .get("related")
        .and_then(|r| r.as_array())
        .filter(|r| !r.is_empty());
    if let Some(curated) = curated {
        let body = derived(
            &representation,
            serde_json::json!({ "data": curated, "computed": false }),
        )?;
        return Ok(respond(&request, &body, &state.cache_policy));
    }
    let cache_key = format!("related:{}", request.path());
    let fill = state.cache.fill_token();
    let computed = match state.cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let public_id = article
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let summaries = db::run(&state.pool, move |conn| {
                use crate::db::queries::related;
                let Some(subject) = related::subject(conn, &public_id)? else {
                    return Ok::<_, ApiError>(Vec::new());
                };
                let candidates =
                    related::candidates(conn, &subject, RELATED_CANDIDATES_PER_TOPIC, utc_now())?;
                let ranked = crate::domain::related::rank(&subject, candidates, COMPUTED_RELATED);
                Ok(related::summaries(conn, &ranked)?)
            })
            .await?;
            let links: Vec<serde_json::Value> = summaries
                .iter()
                .filter_map(|json| serde_json::from_str::<serde_json::Value>(json).ok())
                .map(|summary| {
                    serde_json::json!({
                        "id": summary["id"],
                        "slug": summary["slug"],
                        "language": summary["language"],
                        "headline": summary["headline"],
                        "canonical_url": summary["canonical_url"],
                        "published_at": summary["published_at"],
                    })
                })
                .collect();
            let built = Arc::new(derived(
                &representation,
                serde_json::json!({ "data": links, "computed": true }),
            )?);
            state.cache.insert(cache_key, built.clone(), fill);
            built
        }
    };
    Ok(respond(&request, &computed, &state.cache_policy))
}

/// The same story in other languages, for `hreflang` alternates.
#[utoipa::path(
    tag = "articles",
    params(ArticlePath, LinkQuery),
    responses(
        (status = 200, description = "Published translations", body = ArticleLinks),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/articles/{key}/translations")]
pub async fn article_translations(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, ApiError> {
    linked(
        state,
        request,
        &path.key,
        query.language.as_deref(),
        "translations",
    )
    .await
}
