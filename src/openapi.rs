//! The OpenAPI document: info and tags here, operations collected from the routes themselves.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Khabar",
        description = "Headless content API for newsrooms: articles, bylines, media credits and topics as JSON, and feeds for partner aggregators. Errors are RFC 9457 problem documents (`application/problem+json`).",
        license(name = "MIT", identifier = "MIT")
    ),
    tags(
        (name = "articles", description = "Published articles"),
        (name = "search", description = "Search that understands Arabic"),
        (name = "topics", description = "Topics and their articles"),
        (name = "contributors", description = "Contributors and their articles"),
        (name = "media", description = "Media assets"),
        (name = "feeds", description = "RSS, Atom, JSON Feed, ninjs and sitemaps"),
        (name = "operations", description = "Health, readiness and this document")
    )
)]
pub struct ApiDoc;

/// The document as the running server serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    document
}

/// The document as committed in `openapi/openapi.json`: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
}
