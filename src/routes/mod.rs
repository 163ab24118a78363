//! HTTP handlers, thin: parse the request, call the data layer, shape the response. Registered
//! through `utoipa_actix_web` so the served routes and the OpenAPI document cannot drift.

pub mod admin;
pub mod api_keys;
pub mod articles;
pub mod auth;
pub mod body;
pub mod catalog;
pub mod catalog_write;
pub mod changes;
pub mod conditional;
pub mod desk;
pub mod desk_session;
pub mod editorial;
pub mod feeds;
pub mod health;
pub mod images;
pub mod imports;
pub mod live;
pub mod meta;
pub mod metrics;
pub mod middleware;
pub mod previews;
pub mod principal;
pub mod ranges;
pub mod rate_limit;
pub mod revisions;
pub mod search;
pub mod site;
pub mod stored_file;
pub mod uploads;
pub mod writes;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

use conditional::CachePolicy;

/// Every documented route.
pub fn configure(config: &mut ServiceConfig<'_>) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(metrics::scrape)
        .service(meta::openapi_json)
        .service(auth::jwks)
        .service(uploads::media_file)
        .service(images::rendition)
        .service(
            utoipa_actix_web::scope("/v1")
                // Public reads first: a router tries routes in order, and every pattern tried
                // before the match scans the path, so the hot reads must not wait behind the
                // editorial routes' patterns (`/articles/{id}/revisions`, ...) that share
                // their prefix. No two GET patterns here match the same path, so the order
                // changes nothing but the cost.
                .service(articles::get_article)
                .service(articles::list_articles)
                .service(catalog::topic_articles)
                .service(catalog::contributor_articles)
                .service(articles::related_articles)
                .service(articles::article_translations)
                .service(live::get_live)
                .service(live::stream_live)
                .service(live::live_rss)
                .service(live::live_atom)
                .service(live::live_ninjs)
                .service(feeds::article_ninjs)
                .service(search::search_articles)
                .service(search::suggest)
                .service(catalog::list_topics)
                .service(catalog::get_topic)
                .service(catalog::list_contributors)
                .service(catalog::get_contributor)
                .service(catalog::get_media)
                .service(site::resolve)
                .service(changes::list_changes)
                .service(changes::stream_changes)
                .service(auth::token)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::me)
                .service(desk_session::start_session)
                .service(desk_session::refresh_session)
                .service(desk_session::end_session)
                .service(editorial::list_desk_articles)
                .service(editorial::create_article)
                .service(editorial::get_editable)
                .service(editorial::update_article)
                .service(editorial::delete_article)
                .service(editorial::transition_article)
                .service(editorial::correct_article)
                .service(live::set_live)
                .service(live::set_breaking)
                .service(live::clear_breaking)
                .service(live::post_entry)
                .service(live::get_entry)
                .service(live::update_entry)
                .service(live::delete_entry)
                .service(revisions::list_revisions)
                .service(revisions::get_revision)
                .service(revisions::diff_revisions)
                .service(revisions::restore_revision)
                .service(previews::preview_article)
                .service(previews::create_preview_link)
                .service(previews::revoke_preview_link)
                .service(previews::preview_by_link)
                .service(catalog_write::create_contributor)
                .service(catalog_write::update_contributor)
                .service(catalog_write::delete_contributor)
                .service(catalog_write::create_topic)
                .service(catalog_write::update_topic)
                .service(catalog_write::delete_topic)
                .service(uploads::upload_media)
                .service(catalog_write::create_media)
                .service(catalog_write::get_media_editorial)
                .service(catalog_write::update_media)
                .service(catalog_write::delete_media)
                .service(admin::list_users)
                .service(admin::create_user)
                .service(admin::get_user)
                .service(admin::update_user)
                .service(admin::delete_user)
                .service(api_keys::list_api_keys)
                .service(api_keys::create_api_key)
                .service(api_keys::revoke_api_key)
                .service(admin::list_webhooks)
                .service(admin::create_webhook)
                .service(admin::update_webhook)
                .service(admin::delete_webhook)
                .service(admin::webhook_deliveries)
                .service(admin::audit_log)
                .service(site::list_redirects)
                .service(site::create_redirect)
                .service(site::delete_redirect)
                .service(imports::import_archive),
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
    /// The read service: public reads, the response cache, cursors, URLs.
    pub reads: std::sync::Arc<crate::reads::Reader>,
    pub cache_policy: CachePolicy,
    pub auth: crate::auth::AuthConfig,
    pub throttle: std::sync::Arc<crate::auth::throttle::LoginThrottle>,
    pub rate_limits: std::sync::Arc<rate_limit::RateLimits>,
    pub api_keys: crate::auth::api_keys::ApiKeyVerifier,
    /// Every change to content runs through it.
    pub pipeline: crate::editorial::pipeline::Pipeline,
    /// An edge cache is purged after each change (`KHABAR_PURGE_URL`).
    pub edge_purge: bool,
    pub metrics: std::sync::Arc<metrics::Metrics>,
    pub media: crate::uploads::MediaStore,
    pub images: std::sync::Arc<crate::images::ImageService>,
    pub client_limits: middleware::guard::ClientLimits,
    pub lifecycle: std::sync::Arc<crate::lifecycle::Lifecycle>,
    pub methods: std::sync::Arc<middleware::methods::MethodTable>,
    pub health: std::sync::Arc<health::HealthChecks>,
    /// The change streams open on this node.
    pub streams: std::sync::Arc<crate::reads::change_stream::Streams>,
}

pub type State = web::Data<AppState>;

/// Where a read was asked for, as the read service keys and links it.
pub fn address(request: &actix_web::HttpRequest) -> crate::reads::Address<'_> {
    crate::reads::Address {
        path: request.path(),
        query: request.query_string(),
    }
}
