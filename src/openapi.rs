//! The OpenAPI document: info and tags here, operations collected from the routes themselves.

use actix_web::App;
use serde_json::{json, Value};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Khabar",
        description = "Headless content API for newsrooms: articles, bylines, media credits and topics as JSON, and feeds for partner aggregators. Errors are RFC 9457 problem documents (`application/problem+json`).",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "The Khabar maintainers")
    ),
    servers(
        (url = "{origin}", description = "Where this Khabar is served: its KHABAR_PUBLIC_URL",
            variables(("origin" = (default = "http://127.0.0.1:8080", description = "Scheme, host and port, without a trailing slash"))))
    ),
    tags(
        (name = "articles", description = "Published articles"),
        (name = "auth", description = "Signing in: access and refresh tokens, and the keys to verify them"),
        (name = "editorial", description = "Writing articles: drafts, edits, workflow, corrections, revisions and previews"),
        (name = "live", description = "Live blogs: their state, entries, slices and event stream"),
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

/// Declares the security schemes: `bearer` for staff, `session_cookie` for browser sessions,
/// `metrics_token` for scrapers. Partners'
/// keys are an optional header of the public operations, not a scheme: those need no credentials.
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
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    crate::routes::desk_session::SESSION_COOKIE,
                    "A browser session from POST /v1/auth/session (HttpOnly; sent to /v1/auth/session only)",
                ),
            )),
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
    }
}

/// Paths the rate limiter never counts (see `routes::rate_limit`).
const UNLIMITED: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// Adds what the rate-limiting middleware can answer to every operation it guards: 429 with
/// `Retry-After`, and for the public ones the optional partner key and its 401. The middleware
/// wraps every route, so this is done here once instead of in each operation's annotation.
fn declare_rate_limits(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::Parameter;
    use utoipa::openapi::{RefOr, Response};
    let partner_key: Parameter = serde_json::from_value(serde_json::json!({
        "name": "X-Api-Key",
        "in": "header",
        "required": false,
        "description": "A partner key from an admin (POST /v1/users/{id}/api-keys). Reads with it count against the partner's rate limit instead of the client address's. Not needed to read.",
        "schema": {"type": "string", "pattern": format!("^{}[A-Za-z0-9]{{40}}$", crate::auth::api_keys::KEY_PREFIX)}
    }))
    .expect("a valid parameter object");
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
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(RefOr::T(partner_key.clone()));
            }
        }
    }
}

/// Adds the answers any operation can give when what it depends on fails, rather than a 500:
/// 503 with `Retry-After` (the database or media store unreachable, the node draining, or the
/// request outliving KHABAR_REQUEST_TIMEOUT_MS), and for writes 507 (the disk is full; nothing
/// was written). Liveness and metrics touch neither and answer regardless.
fn declare_outages(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Response};
    let response = |value: serde_json::Value| -> RefOr<Response> {
        RefOr::T(serde_json::from_value(value).expect("a valid response object"))
    };
    let problem = serde_json::json!({"schema": {"$ref": "#/components/schemas/Problem"}});
    let unavailable = response(serde_json::json!({
        "description": "The database or the media store cannot be reached, the node is shutting down, or the answer took longer than KHABAR_REQUEST_TIMEOUT_MS; nothing was changed. Retry after `Retry-After`",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}},
        "content": {"application/problem+json": problem},
    }));
    let full = response(serde_json::json!({
        "description": "The disk holding the database or the media is full; nothing was written",
        "content": {"application/problem+json": problem},
    }));
    for (path, item) in document.paths.paths.iter_mut() {
        if ["/healthz", "/metrics"].contains(&path.as_str()) {
            continue;
        }
        for operation in [&mut item.get].into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            responses
                .entry("503".into())
                .or_insert_with(|| unavailable.clone());
        }
        let writes = [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for operation in writes.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            responses
                .entry("503".into())
                .or_insert_with(|| unavailable.clone());
            responses.entry("507".into()).or_insert_with(|| full.clone());
        }
    }
}

/// Gives every operation a description: the summary (the first line of its doc comment, when
/// that is all it has) and what it takes to call it, so that a reader of any generated client
/// learns whether to authenticate without reading the security objects.
fn describe_operations(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            if operation
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty())
            {
                continue;
            }
            let summary = operation.summary.clone().unwrap_or_default();
            let access = match &operation.security {
                Some(requirements) if !requirements.is_empty() => {
                    "Needs an access token (`Authorization: Bearer`); the README's permission matrix says which roles may call it."
                }
                _ => "Needs no credentials.",
            };
            let summary = summary.trim_end_matches('.');
            operation.description = Some(format!("{summary}. {access}"));
        }
    }
}

/// Calls `visit` with each JSON request body's media object (`{"schema": …}`) and the
/// operation's method.
fn for_each_json_body(document: &mut Value, mut visit: impl FnMut(&str, &mut Value)) {
    for item in document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
    {
        for (method, operation) in item.as_object_mut().into_iter().flatten() {
            let Some(content) = operation
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (media_type, media) in content.iter_mut() {
                if media_type.contains("json") {
                    visit(method, media);
                }
            }
        }
    }
}

/// Names in the `$ref`s under `schema`.
fn refs(schema: &Value, found: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|target| target.strip_prefix("#/components/schemas/"))
            {
                found.push(name.to_owned());
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

/// Schemas that responses extend with `allOf` (serde's flatten).
fn extended_schemas(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(parts)) = map.get("allOf") {
                parts.iter().for_each(|part| refs(part, found));
            }
            map.values().for_each(|v| extended_schemas(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| extended_schemas(v, found)),
        _ => {}
    }
}

/// Types each JSON merge patch body (RFC 7396): `<Input>Patch`, derived from the input type the
/// operation's body description names ("Fields of `ContributorInput` to change"). Every field is
/// optional; a field that may be absent may also be `null` (which removes it); unknown fields
/// are refused, as the server refuses them. Nested objects keep their full type.
fn type_merge_patches(document: &mut Value) {
    let mut patches: Vec<(String, String)> = Vec::new();
    for item in document["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
    {
        let Some(body) = item.get_mut("patch").and_then(|op| op.get_mut("requestBody")) else {
            continue;
        };
        let description = body["description"].as_str().unwrap_or_default().to_owned();
        let Some(input) = description.split('`').nth(1).map(str::to_owned) else {
            continue;
        };
        let Some(media) = body["content"].get_mut("application/merge-patch+json") else {
            continue;
        };
        let name = format!("{}Patch", input.trim_end_matches("Input"));
        media["schema"] = json!({"$ref": format!("#/components/schemas/{name}")});
        patches.push((name, input));
    }
    for (name, input) in patches {
        let source = document["components"]["schemas"][&input].clone();
        assert!(source.is_object(), "{name}: no schema named {input}");
        let required: Vec<&str> = source["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut properties = serde_json::Map::new();
        for (field, schema) in source["properties"].as_object().into_iter().flatten() {
            let nullable = schema["type"]
                .as_array()
                .is_some_and(|types| types.iter().any(|t| t == "null"))
                || schema["oneOf"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["type"] == "null"));
            let schema = if required.contains(&field.as_str()) || nullable {
                schema.clone()
            } else {
                json!({"oneOf": [schema, {"type": "null"}]})
            };
            properties.insert(field.clone(), schema);
        }
        document["components"]["schemas"][name] = json!({
            "type": "object",
            "description": format!("A JSON merge patch (RFC 7396) of `{input}`: the fields to change; `null` removes an optional field."),
            "properties": properties,
            "additionalProperties": false,
        });
    }
}

/// Marks every object a request body can contain as closed (`additionalProperties: false`):
/// the one body reader refuses unknown fields at any depth (see `editorial::from_json`), so a
/// generated client must not send them either. Maps (objects without `properties`) stay open.
///
/// A schema that responses extend with `allOf` (serde's flatten) must stay open itself; a body
/// naming it closes it where it uses it, with `unevaluatedProperties: false` beside the `$ref`
/// (JSON Schema 2020-12, as OpenAPI 3.1 has it; utoipa's types cannot hold that, hence JSON).
fn close_request_objects(document: &mut Value) {
    fn close(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                if map.contains_key("allOf") {
                    // A flattened type (`#[serde(flatten)]`): the parts add up to one object, so
                    // none may be closed alone; the whole is closed with `unevaluatedProperties`.
                    map.entry("unevaluatedProperties").or_insert(Value::Bool(false));
                    if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                        for part in parts {
                            if let Some(Value::Object(fields)) = part.get_mut("properties") {
                                fields.values_mut().for_each(close);
                            }
                        }
                    }
                    return;
                }
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                for (key, value) in map.iter_mut() {
                    // Inside `properties` the keys are field names, not keywords.
                    if key == "properties" {
                        if let Value::Object(fields) = value {
                            fields.values_mut().for_each(close);
                        }
                    } else {
                        close(value);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(close),
            _ => {}
        }
    }
    let mut extended = Vec::new();
    extended_schemas(document, &mut extended);
    let mut pending = Vec::new();
    for_each_json_body(document, |_, media| {
        refs(&media["schema"], &mut pending);
        let named = media["schema"]["$ref"]
            .as_str()
            .and_then(|target| target.strip_prefix("#/components/schemas/"));
        if named.is_some_and(|name| extended.iter().any(|e| e == name)) {
            media["schema"]["unevaluatedProperties"] = Value::Bool(false);
        }
    });
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = &mut document["components"]["schemas"][&name];
        refs(schema, &mut pending);
        close(schema);
        if extended.contains(&name) {
            if let Some(map) = schema.as_object_mut() {
                map.remove("additionalProperties");
            }
        }
    }
}

/// The document as the running server serves it (the routes, what the middleware answers,
/// and the descriptions); [`to_json`] adds what utoipa's types cannot say.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    declare_rate_limits(&mut document);
    declare_outages(&mut document);
    describe_operations(&mut document);
    document
}

/// Pretty JSON with a final newline, with the merge patches typed and request objects closed.
fn to_json(document: &utoipa::openapi::OpenApi) -> String {
    let mut value = serde_json::to_value(document).expect("the OpenAPI document serializes");
    type_merge_patches(&mut value);
    close_request_objects(&mut value);
    let mut json = serde_json::to_string_pretty(&value).expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// The document as a node serves it: the committed one, with the server's default origin
/// set to where this node is reached, so that "try it" in /docs and generated clients point
/// at it.
pub fn document_json_served_at(public_url: &url::Url) -> String {
    let mut document = document();
    let origin = public_url.as_str().trim_end_matches('/').to_owned();
    if let Some(server) = document.servers.as_mut().and_then(|servers| servers.first_mut()) {
        if let Some(variable) = server.variables.as_mut().and_then(|v| v.get_mut("origin")) {
            variable.default_value = origin;
        }
    }
    to_json(&document)
}

/// The document as committed in `openapi/openapi.json`: pretty JSON with a final newline.
pub fn document_json() -> String {
    to_json(&document())
}
