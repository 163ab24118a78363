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

/// Declares the security schemes: `bearer` for staff, `partner_key` for partners' reads.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("KHABAR_METRICS_TOKEN, when the operator set one"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            PARTNER_KEY,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "Optional: a partner key from an admin (POST /v1/users/{id}/api-keys). Reads with it \
                 count against the partner's rate limit instead of the client address's.",
            ))),
        );
    }
}

const PARTNER_KEY: &str = "partner_key";

/// Paths the rate limiter never counts (see `routes::rate_limit`).
const UNLIMITED: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// Adds what the rate-limiting middleware can answer to every operation it guards: 429 with
/// `Retry-After`, and for the public ones the optional partner key and its 401. The middleware
/// wraps every route, so this is done here once instead of in each operation's annotation.
fn declare_rate_limits(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{RefOr, Response};
    let response = |value: serde_json::Value| -> RefOr<Response> {
        RefOr::T(serde_json::from_value(value).expect("a valid response object"))
    };
    let problem = serde_json::json!({"schema": {"$ref": "#/components/schemas/Problem"}});
    let too_many = response(serde_json::json!({
        "description": "Too many requests from this client address or partner key; wait as long as `Retry-After` says",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}},
        "content": {"application/problem+json": problem},
    }));
    let bad_key = response(serde_json::json!({
        "description": "The `X-Api-Key` is malformed, unknown or revoked, or its partner is disabled",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/problem+json": problem},
    }));
    for (path, item) in document.paths.paths.iter_mut() {
        if UNLIMITED.contains(&path.as_str()) {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            responses.entry("429".into()).or_insert_with(|| too_many.clone());
            if operation.security.is_none() {
                responses.entry("401".into()).or_insert_with(|| bad_key.clone());
                operation.security = Some(vec![
                    SecurityRequirement::default(),
                    SecurityRequirement::new(PARTNER_KEY, Vec::<String>::new()),
                ]);
            }
        }
    }
}

/// The document as the running server serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    declare_rate_limits(&mut document);
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
