//! Users, webhooks and the audit log: admin only.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::principal::Signed;
use super::writes::{
    body, create_once, created, json_response, no_content, BadPath, BodyProblems, KeyReused, Protected,
};
use super::State;
use crate::db::queries::audit;
use crate::domain::permissions::Permission;
use crate::editorial::users::{self, NewUserRequest, UserUpdate, UserView};
use crate::editorial::webhooks::{self, DeliveryView, WebhookRequest, WebhookView};
use crate::editorial::EditError;
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    pub id: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries older than this id (the last `id` of the previous page).
    pub before: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
    /// e.g. `article.update`, `user.create`, `auth.sign_in`.
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// All users.
#[utoipa::path(tag = "admin", security(("bearer" = [])), responses((status = 200, description = "Users", body = Vec<UserView>), Protected))]
#[get("/users")]
pub async fn list_users(state: State, signed: Signed) -> Result<HttpResponse, ApiError> {
    let list = state
        .read(move |conn, _| users::list(conn, &signed.actor))
        .await?;
    Ok(json_response(StatusCode::OK, &list, None))
}

/// Creates a user; without `password`, one is generated and returned once.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = NewUserRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result")),
    responses(
        (status = 201, description = "Created", body = UserView, headers(("Location" = String))),
        (status = 409, description = "The email is taken, or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[post("/users")]
pub async fn create_user(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageUsers)?;
    let payload = payload.value().await?;
    let new_user: NewUserRequest = body(payload.clone())?;
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let user = users::create(conn, ctx, &actor, new_user)?;
        created(format!("/v1/users/{}", user.id), &user)
    })
    .await
}

/// One user (admins see anyone; others themselves).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let user = state
        .read(move |conn, _| users::show(conn, &signed.actor, id))
        .await?;
    Ok(json_response(StatusCode::OK, &user, None))
}

/// Changes a user's role, name, password or disabled flag; sessions end when the role or
/// password changes or the account is disabled.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    request_body = UserUpdate,
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, BadPath
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    signed.require(Permission::ManageUsers)?;
    let update: UserUpdate = payload.parse().await?;
    let user = state
        .write(move |conn, ctx| users::update(conn, ctx, &signed.actor, id, update))
        .await?;
    // A disabled partner's keys must stop working here at once (elsewhere within 30 s).
    state.api_keys.forget_all();
    Ok(json_response(StatusCode::OK, &user, None))
}

/// Deletes a user; their tokens stop working at once.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Admins cannot delete themselves", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    state
        .write(move |conn, ctx| users::delete(conn, ctx, &signed.actor, id))
        .await?;
    state.api_keys.forget_all();
    Ok(no_content())
}

/// Webhook subscriptions.
#[utoipa::path(tag = "admin", security(("bearer" = [])), responses((status = 200, description = "Subscriptions", body = Vec<WebhookView>), Protected))]
#[get("/webhooks")]
pub async fn list_webhooks(state: State, signed: Signed) -> Result<HttpResponse, ApiError> {
    let list = state
        .read(move |conn, _| webhooks::list(conn, &signed.actor))
        .await?;
    Ok(json_response(StatusCode::OK, &list, None))
}

/// Subscribes a URL to events. Deliveries are POSTs of JSON signed with the returned secret:
/// `Khabar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`; retried with
/// exponential backoff; in order per article.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    request_body = WebhookRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result")),
    responses((status = 201, description = "Subscribed; `secret` is shown this once", body = WebhookView, headers(("Location" = String))), Protected, BodyProblems, KeyReused)
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageWebhooks)?;
    let payload = payload.value().await?;
    let subscription: WebhookRequest = body(payload.clone())?;
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let hook = webhooks::create(conn, ctx, &actor, subscription)?;
        created(format!("/v1/webhooks/{}", hook.id), &hook)
    })
    .await
}

/// Changes a subscription's URL, events or `active` flag.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    request_body = WebhookRequest,
    responses(
        (status = 200, description = "The subscription", body = WebhookView),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, BadPath
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    signed.require(Permission::ManageWebhooks)?;
    let subscription: WebhookRequest = payload.parse().await?;
    let hook = state
        .write(move |conn, ctx| webhooks::update(conn, ctx, &signed.actor, id, subscription))
        .await?;
    Ok(json_response(StatusCode::OK, &hook, None))
}

/// Ends a subscription and drops its pending deliveries.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    state
        .write(move |conn, ctx| webhooks::delete(conn, ctx, &signed.actor, id))
        .await?;
    Ok(no_content())
}

/// The delivery log of a subscription, newest first (the last 200).
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 200, description = "Deliveries", body = Vec<DeliveryView>),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn webhook_deliveries(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let list = state
        .read(move |conn, _| webhooks::deliveries(conn, &signed.actor, id, 200))
        .await?;
    Ok(json_response(StatusCode::OK, &list, None))
}

/// Every write: who, what, which resource, when. Newest first.
#[utoipa::path(
    tag = "admin",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "Audit entries", body = Vec<AuditEntryView>),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/audit")]
pub async fn audit_log(
    state: State,
    signed: Signed,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let AuditQuery { before, limit } = query.into_inner();
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_field("limit", "must be from 1 to 200"));
    }
    let entries = state
        .read(move |conn, _| {
            signed
                .actor
                .require(Permission::ReadAudit, "read the audit log")?;
            audit::page(conn, before, limit)?
                .into_iter()
                .map(|e| {
                    Ok(AuditEntryView {
                        id: e.id,
                        actor_user_id: e.actor_user_id,
                        actor_email: e.actor_email,
                        action: e.action,
                        target_type: e.target_type,
                        target_id: e.target_id,
                        detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                        created_at: e.created_at.and_utc(),
                    })
                })
                .collect::<Result<Vec<_>, EditError>>()
        })
        .await?;
    Ok(json_response(StatusCode::OK, &entries, None))
}
