//! Contributor, topic and media writes.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::body::JsonBody;
use super::catalog::{MediaPath, SlugPath};
use super::principal::Signed;
use super::writes::{
    body, create_once, created, json_response, no_content, BodyProblems, KeyReused, Protected,
};
use super::State;
use crate::domain::catalog::{ContributorInput, MediaInput, TopicInput};
use crate::domain::permissions::Permission;
use crate::editorial::catalog::{self, MediaDocument};
use crate::error::{ApiError, Problem};

/// Creates a contributor (person, organisation or agency).
#[utoipa::path(
    tag = "contributors",
    security(("bearer" = [])),
    request_body = ContributorInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result")),
    responses(
        (status = 201, description = "Created", body = ContributorInput, headers(("Location" = String))),
        (status = 409, description = "The slug is taken, or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[post("/contributors")]
pub async fn create_contributor(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageCatalog)?;
    let payload = payload.value().await?;
    let input: ContributorInput = body(payload.clone())?;
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let saved = catalog::create_contributor(conn, ctx, &actor, input)?;
        created(
            format!("/v1/contributors/{}", saved.slug.as_deref().unwrap_or_default()),
            &saved,
        )
    })
    .await
}

/// Edits a contributor (JSON merge patch); the published articles crediting it are recompiled.
#[utoipa::path(
    tag = "contributors",
    security(("bearer" = [])),
    params(SlugPath),
    request_body(content = Object, content_type = "application/merge-patch+json", description = "Fields of `ContributorInput` to change"),
    responses(
        (status = 200, description = "The contributor", body = ContributorInput),
        (status = 404, description = "No such contributor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[patch("/contributors/{slug}")]
pub async fn update_contributor(
    state: State,
    signed: Signed,
    path: web::Path<SlugPath>,
    patch: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageCatalog)?;
    let slug = path.into_inner().slug;
    let patch = patch.value().await?;
    let saved = state
        .write(move |conn, ctx| catalog::update_contributor(conn, ctx, &signed.actor, &slug, &patch))
        .await?;
    Ok(json_response(StatusCode::OK, &saved, None))
}

/// Deletes a contributor no byline names.
#[utoipa::path(
    tag = "contributors",
    security(("bearer" = [])),
    params(SlugPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such contributor", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bylines still name it", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[delete("/contributors/{slug}")]
pub async fn delete_contributor(
    state: State,
    signed: Signed,
    path: web::Path<SlugPath>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner().slug;
    state
        .write(move |conn, ctx| catalog::delete_contributor(conn, ctx, &signed.actor, &slug))
        .await?;
    Ok(no_content())
}

/// Creates a topic.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    request_body = TopicInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result")),
    responses(
        (status = 201, description = "Created", body = TopicInput, headers(("Location" = String))),
        (status = 409, description = "The slug is taken, or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[post("/topics")]
pub async fn create_topic(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageCatalog)?;
    let payload = payload.value().await?;
    let input: TopicInput = body(payload.clone())?;
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let saved = catalog::create_topic(conn, ctx, &actor, input)?;
        created(
            format!("/v1/topics/{}", saved.slug.as_deref().unwrap_or_default()),
            &saved,
        )
    })
    .await
}

/// Edits a topic (JSON merge patch); the published articles tagged with it are recompiled.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    params(SlugPath),
    request_body(content = Object, content_type = "application/merge-patch+json", description = "Fields of `TopicInput` to change"),
    responses(
        (status = 200, description = "The topic", body = TopicInput),
        (status = 404, description = "No such topic", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[patch("/topics/{slug}")]
pub async fn update_topic(
    state: State,
    signed: Signed,
    path: web::Path<SlugPath>,
    patch: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageCatalog)?;
    let slug = path.into_inner().slug;
    let patch = patch.value().await?;
    let saved = state
        .write(move |conn, ctx| catalog::update_topic(conn, ctx, &signed.actor, &slug, &patch))
        .await?;
    Ok(json_response(StatusCode::OK, &saved, None))
}

/// Deletes a topic no article or child topic uses.
#[utoipa::path(
    tag = "topics",
    security(("bearer" = [])),
    params(SlugPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such topic", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Articles or child topics still use it", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[delete("/topics/{slug}")]
pub async fn delete_topic(
    state: State,
    signed: Signed,
    path: web::Path<SlugPath>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner().slug;
    state
        .write(move |conn, ctx| catalog::delete_topic(conn, ctx, &signed.actor, &slug))
        .await?;
    Ok(no_content())
}

/// Registers a media asset by URL, with its credit, rights and renditions.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    request_body = MediaInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result")),
    responses((status = 201, description = "Registered", body = MediaDocument, headers(("Location" = String))), Protected, BodyProblems, KeyReused)
)]
#[post("/media")]
pub async fn create_media(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::RegisterMedia)?;
    let payload = payload.value().await?;
    let input: MediaInput = body(payload.clone())?;
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let saved = catalog::create_media(conn, ctx, &actor, input, None)?;
        created(format!("/v1/media/{}", saved.id), &saved)
    })
    .await
}

/// Edits a media asset (JSON merge patch); the published articles showing it are recompiled.
/// The credit of an asset that published articles show cannot be removed.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(MediaPath),
    request_body(content = Object, content_type = "application/merge-patch+json", description = "Fields of `MediaInput` to change"),
    responses(
        (status = 200, description = "The asset", body = MediaDocument),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[patch("/media/{id}")]
pub async fn update_media(
    state: State,
    signed: Signed,
    path: web::Path<MediaPath>,
    patch: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::RegisterMedia)?;
    let id = path.into_inner().id;
    let patch = patch.value().await?;
    let saved = state
        .write(move |conn, ctx| catalog::update_media(conn, ctx, &signed.actor, &id, &patch))
        .await?;
    Ok(json_response(StatusCode::OK, &saved, None))
}

/// A media asset with every field, before any published article shows it (the public
/// `GET /v1/media/{id}` answers only after).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(MediaPath),
    responses(
        (status = 200, description = "The asset", body = MediaDocument),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/media/{id}/editorial")]
pub async fn get_media_editorial(
    state: State,
    signed: Signed,
    path: web::Path<MediaPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::RegisterMedia)?;
    let id = path.into_inner().id;
    let asset = state
        .read(move |conn, _| catalog::show_media(conn, &signed.actor, &id))
        .await?;
    Ok(json_response(StatusCode::OK, &asset, None))
}

/// Deletes a media asset no article uses.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(MediaPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Articles still use it", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(
    state: State,
    signed: Signed,
    path: web::Path<MediaPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().id;
    let unused = state
        .write(move |conn, ctx| catalog::delete_media(conn, ctx, &signed.actor, &id))
        .await?;
    // After the commit: a failed removal leaves a file nothing links, never a link to nothing.
    if let Some(file) = unused {
        state.images.forget(&file).await;
    }
    Ok(no_content())
}
