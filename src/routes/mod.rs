//! HTTP handlers, thin: parse the request, call the data layer, shape the response. Registered
//! through `utoipa_actix_web` so the served routes and the OpenAPI document cannot drift.

pub mod articles;
pub mod health;
pub mod meta;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

/// Every documented route.
pub fn configure(config: &mut ServiceConfig<'_>) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(meta::openapi_json)
        .service(utoipa_actix_web::scope("/v1").service(articles::get_article));
}

/// Shared state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    pub pool: crate::db::DbPool,
    pub urls: crate::api::article::UrlBuilder,
}

pub type State = web::Data<AppState>;
