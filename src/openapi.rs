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
        (name = "auth", description = "Signing in: access and refresh tokens, and the keys to verify them"),
        (name = "editorial", description = "Writing articles: drafts, edits, workflow, corrections, revisions and previews"),
        (name = "admin", description = "Users, webhooks and the audit log"),
        (name = "search", description = "Search that understands Arabic"),
        (name = "topics", description = "Topics and their articles"),
        (name = "contributors", description = "Contributors and their articles"),
        (name = "media", description = "Media assets"),
        (name = "feeds", description = "RSS, Atom, JSON Feed, ninjs and sitemaps"),
        (name = "operations", description = "Health, readiness and this document")
    ),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the protected operations name.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /v1/auth/token"))
                    .build(),
            ),
        );
    }
}

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
