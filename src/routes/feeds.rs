//! Partner feeds (RSS, Atom, JSON Feed), ninjs, and sitemaps, all rendered from the compiled
//! articles and served with the same HTTP caching as every public read.

use std::sync::Arc;

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::conditional::respond;
use super::{AppState, State};
use crate::api::article::ArticleView;
use crate::db::queries::delivery_lists::{self, ListFilter, Sort};
use crate::db::queries::{catalog, sitemaps};
use crate::db::{self, utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::delivery::strong_etag;
use crate::domain::language::{localized, Language};
use crate::error::{ApiError, Problem};
use crate::feeds::{self, sitemap, FeedInfo};

const RSS: &str = "application/rss+xml; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const JSON_FEED: &str = "application/feed+json; charset=utf-8";
const NINJS: &str = "application/ninjs+json; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

/// Feed settings from the configuration.
#[derive(Debug, Clone)]
pub struct FeedSettings {
    /// The publication's name, in feed titles, authorship and the news sitemap.
    pub publication: String,
    pub items: u32,
    pub websub_hub: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rss,
    Atom,
    JsonFeed,
    Ninjs,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Rss => RSS,
            Format::Atom => ATOM,
            Format::JsonFeed => JSON_FEED,
            Format::Ninjs => NINJS,
        }
    }
}

#[derive(Debug, Clone)]
enum Scope {
    Language,
    Topic(String),
    Contributor(String),
}

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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Continue after a previous page (JSON Feed's `next_url` carries it).
    pub cursor: Option<String>,
}

fn feed_scope_key(scope: &Scope) -> String {
    match scope {
        Scope::Language => "language".into(),
        Scope::Topic(slug) => format!("topic:{slug}"),
        Scope::Contributor(slug) => format!("contributor:{slug}"),
    }
}

/// Loads the articles of a feed page and renders it.
fn build_feed(
    conn: &mut DbConnection,
    state: &AppState,
    language: &str,
    scope: &Scope,
    format: Format,
    cursor: Option<&str>,
    self_url: url::Url,
) -> Result<Representation, ApiError> {
    let language = Language::parse(language)
        .map_err(|_| ApiError::NotFound(format!("no feed for the language '{language}'")))?;
    let mut filter = ListFilter {
        language: Some(language.to_string()),
        ..ListFilter::default()
    };
    let (scope_name, surrogate) = match scope {
        Scope::Language => (None, format!("feed-{language}")),
        Scope::Topic(slug) => {
            let topic = catalog::topic_by_slug(conn, slug)?
                .ok_or_else(|| ApiError::NotFound(format!("no topic has the slug '{slug}'")))?;
            filter.topic_id = Some(topic.id);
            let names = serde_json::from_str(&topic.localized_names).unwrap_or_default();
            (
                Some(
                    localized(&names, language.as_str())
                        .unwrap_or(&topic.name)
                        .to_owned(),
                ),
                format!("feed-{language} topic-{slug}"),
            )
        }
        Scope::Contributor(slug) => {
            let contributor = catalog::contributor_by_slug(conn, slug)?
                .ok_or_else(|| ApiError::NotFound(format!("no contributor has the slug '{slug}'")))?;
            filter.contributor_id = Some(contributor.id);
            let names = serde_json::from_str(&contributor.localized_names).unwrap_or_default();
            (
                Some(
                    localized(&names, language.as_str())
                        .unwrap_or(&contributor.name)
                        .to_owned(),
                ),
                format!("feed-{language} contributor-{slug}"),
            )
        }
    };
    let cursor_scope = format!("feed|{language}|{}", feed_scope_key(scope));
    let after = super::lists::decode_cursor(state, &cursor_scope, cursor)?;
    let limit = i64::from(state.feeds.items);
    let now = utc_now();
    let mut rows = delivery_lists::list(conn, &filter, Sort::Newest, after, limit + 1, now)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let articles =
        crate::delivery::compiled_articles(conn, &rows.iter().map(|r| r.article_id).collect::<Vec<_>>())?;
    let updated = rows.iter().map(|r| r.updated_at).max().unwrap_or(now).and_utc();

    let next_url = match (more, rows.last()) {
        (true, Some(last)) => {
            let cursor =
                super::lists::encode_cursor(state, &cursor_scope, (last.published_at, last.article_id));
            let mut next = self_url.clone();
            next.query_pairs_mut().clear().append_pair("cursor", &cursor);
            Some(next.to_string())
        }
        _ => None,
    };
    let mut home = state.urls.article(language.as_str(), "");
    if let (Scope::Topic(slug), Ok(mut url)) = (scope, url::Url::parse(&home)) {
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push("topics").push(slug);
        }
        home = url.to_string();
    }
    let title = match &scope_name {
        Some(name) => format!("{}: {name}", state.feeds.publication),
        None => format!("{} ({language})", state.feeds.publication),
    };
    let info = FeedInfo {
        description: format!("{title} — {}", language.as_str()),
        title,
        language: language.to_string(),
        self_url: self_url.to_string(),
        home_url: home,
        hub_url: state.feeds.websub_hub.clone(),
        publisher: state.feeds.publication.clone(),
        updated,
        next_url,
    };
    let body = match format {
        Format::Rss => feeds::rss::render(&info, &articles),
        Format::Atom => feeds::atom::render(&info, &articles),
        Format::JsonFeed => feeds::json_feed::render(&info, &articles),
        Format::Ninjs => {
            let rights = feeds::ninjs::Rights {
                holder: state.feeds.publication.clone(),
            };
            let documents: Vec<serde_json::Value> = articles
                .iter()
                .map(|a| feeds::ninjs::document(a, &rights))
                .collect();
            serde_json::to_string(&documents).map_err(crate::db::DbError::unserializable)?
        }
    };
    let etag = strong_etag(body.as_bytes());
    let mut representation = Representation::new(bytes::Bytes::from(body), etag, updated, surrogate);
    representation.content_type = format.content_type();
    if let Some(hub) = &state.feeds.websub_hub {
        representation.headers.push((
            "Link",
            format!("<{hub}>; rel=\"hub\", <{}>; rel=\"self\"", info.self_url),
        ));
    }
    Ok(representation)
}

async fn serve_feed(
    state: State,
    request: HttpRequest,
    language: String,
    scope: Scope,
    format: Format,
    query: FeedQuery,
) -> Result<HttpResponse, ApiError> {
    let cache_key = format!("feed:{}?{}", request.path(), request.query_string());
    let fill = state.cache.fill_token();
    let representation = match state.cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let app = state.get_ref().clone();
            let self_url = super::lists::request_url(&app, &request);
            let mut self_url = self_url;
            self_url.set_query(None);
            let built = db::run(&state.pool, move |conn| {
                build_feed(
                    conn,
                    &app,
                    &language,
                    &scope,
                    format,
                    query.cursor.as_deref(),
                    self_url,
                )
            })
            .await?;
            let built = Arc::new(built);
            state.cache.insert(cache_key, built.clone(), fill);
            built
        }
    };
    Ok(respond(&request, &representation, &state.cache_policy))
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
                serve_feed(state, request, language, scope, $format, query.into_inner()).await
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
    let source = super::articles::load_article(&state, &path.key, query.language.as_deref()).await?;
    let article: ArticleView = serde_json::from_slice(&source.body).map_err(DbError::corrupt)?;
    let rights = feeds::ninjs::Rights {
        holder: state.feeds.publication.clone(),
    };
    let body = feeds::ninjs::document(&article, &rights).to_string();
    let etag = strong_etag(body.as_bytes());
    let mut representation = Representation::new(
        bytes::Bytes::from(body),
        etag,
        source.last_modified,
        source.surrogate_keys.clone(),
    );
    representation.content_type = NINJS;
    Ok(respond(&request, &representation, &state.cache_policy))
}

/// Serves an XML sitemap through the response cache.
async fn serve_sitemap(
    state: State,
    request: HttpRequest,
    build: impl FnOnce(&mut DbConnection, &AppState) -> Result<String, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let cache_key = format!("sitemap:{}", request.path());
    let fill = state.cache.fill_token();
    let representation = match state.cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let app = state.get_ref().clone();
            let body = db::run(&state.pool, move |conn| build(conn, &app)).await?;
            let etag = strong_etag(body.as_bytes());
            let mut representation =
                Representation::new(bytes::Bytes::from(body), etag, Utc::now(), "sitemaps".into());
            representation.content_type = XML;
            let representation = Arc::new(representation);
            state.cache.insert(cache_key, representation.clone(), fill);
            representation
        }
    };
    Ok(respond(&request, &representation, &state.cache_policy))
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
    serve_sitemap(state, request, |conn, app| {
        let now = utc_now();
        let rows = sitemaps::published_since(
            conn,
            now - Duration::hours(48),
            now,
            sitemap::MAX_NEWS_URLS as i64,
        )?;
        let entries: Vec<sitemap::NewsEntry> = rows
            .into_iter()
            .map(|row| sitemap::NewsEntry {
                url: app.urls.article(&row.language, &row.slug),
                language: row.language,
                title: row.headline,
                published_at: row.published_at.and_utc(),
            })
            .collect();
        Ok(sitemap::news(&app.feeds.publication, &entries))
    })
    .await
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
    let base = state.public_url.clone();
    serve_sitemap(state, request, move |conn, _| {
        let pages = sitemaps::pages(conn, sitemap::MAX_URLS as i64)?;
        let files: Vec<(String, chrono::DateTime<Utc>)> = pages
            .into_iter()
            .filter_map(|(page, modified)| {
                let url = base.join(&format!("sitemaps/articles-{page}.xml")).ok()?;
                Some((url.to_string(), modified.and_utc()))
            })
            .collect();
        Ok(sitemap::index(&files))
    })
    .await
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
    let page = i64::from(path.page);
    serve_sitemap(state, request, move |conn, app| {
        let rows = sitemaps::page(conn, page, sitemap::MAX_URLS as i64, utc_now())?;
        // The first page always exists (the index lists it); a later one only with URLs on it.
        if rows.is_empty() && page > 0 {
            return Err(ApiError::NotFound(format!(
                "there is no sitemap {page}; /sitemaps/index.xml lists those there are"
            )));
        }
        let entries: Vec<(String, chrono::DateTime<Utc>)> = rows
            .into_iter()
            .map(|(language, slug, modified)| (app.urls.article(&language, &slug), modified.and_utc()))
            .collect();
        Ok(sitemap::urls(&entries))
    })
    .await
}
