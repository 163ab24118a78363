//! HTTP handlers, thin: parse the request, call the data layer, shape the response. Registered
//! through `utoipa_actix_web` so the served routes and the OpenAPI document cannot drift.

pub mod articles;
pub mod catalog;
pub mod conditional;
pub mod feeds;
pub mod health;
pub mod lists;
pub mod meta;
pub mod search;
pub mod sync;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::article::UrlBuilder;
use crate::delivery::cache::DeliveryCache;
use crate::domain::cursor::CursorSigner;
use conditional::CachePolicy;

/// Every documented route.
pub fn configure(config: &mut ServiceConfig<'_>) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(meta::openapi_json)
        .service(
            utoipa_actix_web::scope("/v1")
                .service(search::search_articles)
                .service(search::suggest)
                .service(articles::list_articles)
                .service(articles::get_article)
                .service(articles::related_articles)
                .service(articles::article_translations)
                .service(catalog::list_topics)
                .service(catalog::get_topic)
                .service(catalog::topic_articles)
                .service(catalog::list_contributors)
                .service(catalog::get_contributor)
                .service(catalog::contributor_articles)
                .service(catalog::get_media)
                .service(feeds::article_ninjs),
        )
        .service(feeds::rss_feed)
        .service(feeds::atom_feed)
        .service(feeds::json_feed)
        .service(feeds::ninjs_feed)
        .service(feeds::topic_rss_feed)
        .service(feeds::topic_atom_feed)
        .service(feeds::topic_json_feed)
        .service(feeds::contributor_rss_feed)
        .service(feeds::contributor_atom_feed)
        .service(feeds::contributor_json_feed)
        .service(feeds::news_sitemap)
        .service(feeds::sitemap_index)
        .service(feeds::sitemap_page);
}

/// Shared state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    pub pool: crate::db::DbPool,
    pub urls: UrlBuilder,
    /// How clients reach this API, for `Link` headers.
    pub public_url: url::Url,
    pub cache: DeliveryCache,
    pub cursors: CursorSigner,
    pub cache_policy: CachePolicy,
    pub feeds: feeds::FeedSettings,
}

pub type State = web::Data<AppState>;
