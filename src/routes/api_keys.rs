//! Partner API keys: admins issue them to partner accounts and revoke them.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::admin::IdPath;
use super::body::JsonBody;
use super::principal::Signed;
use super::writes::{json_response, no_content, BadPath, BodyProblems, Protected};
use super::State;
use crate::domain::permissions::Permission;
use crate::editorial::api_keys::{self, ApiKeyView, NewApiKeyRequest};
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KeyPath {
    /// The partner user's id.
    pub id: i64,
    /// The key's id.
    pub key_id: i64,
}

/// A partner's API keys, revoked ones included (the keys themselves are never shown again).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "Keys, newest first", body = Vec<ApiKeyView>),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[get("/users/{id}/api-keys")]
pub async fn list_api_keys(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let user_id = path.id;
    let keys = state
        .read(move |conn, _| api_keys::list(conn, &signed.actor, user_id))
        .await?;
    Ok(json_response(StatusCode::OK, &keys, None))
}

/// Issues an API key to a partner account. Partners send it as `X-Api-Key` to read under the
/// partner rate limit instead of their address's; it grants no write rights. `key` is shown
/// in this answer only. Not idempotent on purpose: a replay would have to keep the key in clear.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    request_body = NewApiKeyRequest,
    responses(
        (status = 201, description = "Issued; `key` is shown this once", body = ApiKeyView, headers(("Location" = String))),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is not a partner", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, BadPath
    )
)]
#[post("/users/{id}/api-keys")]
pub async fn create_api_key(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let user_id = path.id;
    signed.require(Permission::ManageUsers)?;
    let request: NewApiKeyRequest = payload.parse().await?;
    let key = state
        .write(move |conn, ctx| api_keys::create(conn, ctx, &signed.actor, user_id, request))
        .await?;
    let mut response = json_response(StatusCode::CREATED, &key, None);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/v1/users/{user_id}/api-keys/{}", key.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Revokes a key: this node refuses it at once, every other node within 30 seconds.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(KeyPath),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 404, description = "No such user or key", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[delete("/users/{id}/api-keys/{key_id}")]
pub async fn revoke_api_key(
    state: State,
    signed: Signed,
    path: web::Path<KeyPath>,
) -> Result<HttpResponse, ApiError> {
    let KeyPath { id, key_id } = path.into_inner();
    state
        .write(move |conn, ctx| api_keys::revoke(conn, ctx, &signed.actor, id, key_id))
        .await?;
    state.api_keys.forget_all();
    Ok(no_content())
}
