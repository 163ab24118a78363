//! Partner feeds (RSS, Atom, JSON Feed, ninjs) and sitemaps.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::conditional::respond;
use super::{address, State};
use crate::error::{ApiError, Problem};
use crate::reads::feeds::{self, FeedQuery, Format, Scope};
use crate::reads::{article, sitemaps};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LanguagePath {
    /// BCP 47 language tag of the feed.
    #[param(example = "ar")]
    pub language: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ScopedPath {
    /// BCP 47 language tag of the feed.
    #[param(example = "ar")]
    pub language: String,
    /// The topic or contributor slug.
    #[serde(deserialize_with = "crate::domain::slug::deserialize_normalized")]
    pub slug: String,
}

macro_rules! feed_endpoints {
    ($( $name:ident, $path:literal, $path_type:ty, $format:expr, $content_type:literal, $body:tt, $scope:expr, $doc:literal; )+) => {
        $(
            #[doc = $doc]
            #[utoipa::path(
                tag = "feeds",
                params($path_type, FeedQuery),
                responses(
                    (status = 200, description = "The feed", content_type = $content_type, body = $body),
                    (status = 304, description = "Not modified"),
                    (status = 400, description = "A bad cursor or parameter", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = "No such language, topic or contributor", body = Problem, content_type = "application/problem+json")
                )
            )]
            #[get($path)]
            pub async fn $name(
                state: State,
                request: HttpRequest,
                path: web::Path<$path_type>,
                query: web::Query<FeedQuery>,
            ) -> Result<HttpResponse, ApiError> {
                let path = path.into_inner();
                #[allow(clippy::redundant_closure_call)]
                let (language, scope) = ($scope)(path);
                let feed = feeds::feed(&state.reads, language, scope, $format, query.into_inner(), address(&request)).await?;
                Ok(respond(&request, &feed, &state.cache_policy))
            }
        )+
    };
}

fn language_scope(path: LanguagePath) -> (String, Scope) {
    (path.language, Scope::Language)
}
fn topic_scope(path: ScopedPath) -> (String, Scope) {
    (path.language, Scope::Topic(path.slug))
}
fn contributor_scope(path: ScopedPath) -> (String, Scope) {
    (path.language, Scope::Contributor(path.slug))
}

feed_endpoints! {
    rss_feed, "/feeds/{language}/rss.xml", LanguagePath, Format::Rss, "application/rss+xml", String, language_scope,
        "RSS 2.0 with Media RSS and full text (`content:encoded`): the newest articles in a language.";
    atom_feed, "/feeds/{language}/atom.xml", LanguagePath, Format::Atom, "application/atom+xml", String, language_scope,
        "Atom 1.0: the newest articles in a language.";
    json_feed, "/feeds/{language}/feed.json", LanguagePath, Format::JsonFeed, "application/feed+json", Object, language_scope,
        "JSON Feed 1.1: the newest articles in a language.";
    ninjs_feed, "/feeds/{language}/ninjs.json", LanguagePath, Format::Ninjs, "application/ninjs+json", [Object], language_scope,
        "IPTC ninjs 2.2 documents of the newest articles in a language.";
    topic_rss_feed, "/feeds/{language}/topics/{slug}/rss.xml", ScopedPath, Format::Rss, "application/rss+xml", String, topic_scope,
        "RSS 2.0 for a topic, its descendants included.";
    topic_atom_feed, "/feeds/{language}/topics/{slug}/atom.xml", ScopedPath, Format::Atom, "application/atom+xml", String, topic_scope,
        "Atom 1.0 for a topic, its descendants included.";
    topic_json_feed, "/feeds/{language}/topics/{slug}/feed.json", ScopedPath, Format::JsonFeed, "application/feed+json", Object, topic_scope,
        "JSON Feed 1.1 for a topic, its descendants included.";
    contributor_rss_feed, "/feeds/{language}/contributors/{slug}/rss.xml", ScopedPath, Format::Rss, "application/rss+xml", String, contributor_scope,
        "RSS 2.0 for a contributor.";
    contributor_atom_feed, "/feeds/{language}/contributors/{slug}/atom.xml", ScopedPath, Format::Atom, "application/atom+xml", String, contributor_scope,
        "Atom 1.0 for a contributor.";
    contributor_json_feed, "/feeds/{language}/contributors/{slug}/feed.json", ScopedPath, Format::JsonFeed, "application/feed+json", Object, contributor_scope,
        "JSON Feed 1.1 for a contributor.";
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticleKeyPath {
    /// The article's public id (UUID) or slug.
    pub key: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NinjsQuery {
    /// Language of the article, when the slug is used in several languages.
    pub language: Option<String>,
}

/// One published article as an IPTC ninjs 2.2 document.
#[utoipa::path(
    tag = "feeds",
    params(ArticleKeyPath, NinjsQuery),
    responses(
        (status = 200, description = "The ninjs document", content_type = "application/ninjs+json", body = Object),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 308, description = "An old slug of an article: the same address with its slug now (`Location`)", headers(("Location" = String))),
        (status = 404, description = "No published article has this id or slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/articles/{key}/ninjs")]
pub async fn article_ninjs(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticleKeyPath>,
    query: web::Query<NinjsQuery>,
) -> Result<HttpResponse, ApiError> {
    let document = article::ninjs(&state.reads, &path.key, query.language.as_deref())
        .await
        .map_err(|e| super::articles::follow(&request, e))?;
    Ok(respond(&request, &document, &state.cache_policy))
}

/// The Google News sitemap: articles published in the last 48 hours, at most 1,000.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "The news sitemap", content_type = "application/xml", body = String),
        (status = 304, description = "Not modified")
    )
)]
#[get("/sitemaps/news.xml")]
pub async fn news_sitemap(state: State, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let sitemap = sitemaps::news(&state.reads, address(&request)).await?;
    Ok(respond(&request, &sitemap, &state.cache_policy))
}

/// The sitemap index: one sitemap file per 50,000 article ids.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "The sitemap index", content_type = "application/xml", body = String),
        (status = 304, description = "Not modified")
    )
)]
#[get("/sitemaps/index.xml")]
pub async fn sitemap_index(state: State, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let sitemap = sitemaps::index(&state.reads, address(&request)).await?;
    Ok(respond(&request, &sitemap, &state.cache_policy))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitemapPath {
    /// The file's number, from the index.
    pub page: u32,
}

/// One sitemap file: the published articles whose ids fall in its range of 50,000.
#[utoipa::path(
    tag = "feeds",
    params(SitemapPath),
    responses(
        (status = 200, description = "A sitemap", content_type = "application/xml", body = String),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Not a sitemap number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Past the last sitemap", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/sitemaps/articles-{page}.xml")]
pub async fn sitemap_page(
    state: State,
    request: HttpRequest,
    path: web::Path<SitemapPath>,
) -> Result<HttpResponse, ApiError> {
    let sitemap = sitemaps::page(&state.reads, path.page, address(&request)).await?;
    Ok(respond(&request, &sitemap, &state.cache_policy))
}
