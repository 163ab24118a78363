//! Article reads: lists, one article, its related articles and translations.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::conditional::respond;
use super::{address, State};
use crate::api::article::ArticleView;
use crate::error::{ApiError, Problem};
use crate::reads::article::{self, ArticleLinks, ArticleQuery, LinkQuery};
use crate::reads::list_params::{ArticlePage, ListParams};
use crate::reads::lists::{self, ListSubject};
use crate::reads::ReadError;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticlePath {
    /// The article's public id (UUID) or its slug (Arabic slugs percent-encoded).
    pub key: String,
}

/// A read's error as the answer; an old slug answers 308 to the same address with the slug the
/// article has now (and its language), every other parameter kept.
pub fn follow(request: &HttpRequest, error: ReadError) -> ApiError {
    let ReadError::Moved { slug, language } = error else {
        return error.into();
    };
    // `/v1/articles/{key}[/…]`: the key is the third segment.
    let mut url = url::Url::parse("http://khabar.invalid/").expect("a static URL");
    {
        let mut segments = url.path_segments_mut().expect("http URLs have paths");
        segments.clear();
        for (index, segment) in request.path().split('/').skip(1).enumerate() {
            let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
            segments.push(if index == 2 { &slug } else { &decoded });
        }
    }
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in url::form_urlencoded::parse(request.query_string().as_bytes()) {
            if name != "language" {
                query.append_pair(&name, &value);
            }
        }
        query.append_pair("language", &language);
    }
    let location = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    ApiError::Moved { location }
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
    let page = lists::articles(
        &state.reads,
        ListSubject::All,
        params.into_inner(),
        address(&request),
    )
    .await?;
    Ok(respond(&request, &page, &state.cache_policy))
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
        (status = 308, description = "An old slug of an article: the same address with its slug now (`Location`)", headers(("Location" = String))),
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
    let article = article::article(&state.reads, &path.key, &query)
        .await
        .map_err(|e| follow(&request, e))?;
    Ok(respond(&request, &article, &state.cache_policy))
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
        (status = 308, description = "An old slug of an article: the same address with its slug now (`Location`)", headers(("Location" = String))),
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
    let related = article::related(
        &state.reads,
        &path.key,
        query.language.as_deref(),
        address(&request),
    )
    .await
    .map_err(|e| follow(&request, e))?;
    Ok(respond(&request, &related, &state.cache_policy))
}

/// The same story in other languages, for `hreflang` alternates.
#[utoipa::path(
    tag = "articles",
    params(ArticlePath, LinkQuery),
    responses(
        (status = 200, description = "Published translations", body = ArticleLinks),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 308, description = "An old slug of an article: the same address with its slug now (`Location`)", headers(("Location" = String))),
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
    let translations = article::translations(&state.reads, &path.key, query.language.as_deref())
        .await
        .map_err(|e| follow(&request, e))?;
    Ok(respond(&request, &translations, &state.cache_policy))
}
