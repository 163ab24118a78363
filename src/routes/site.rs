//! The website's paths: resolving one for a server-rendered front-end, and the redirects that
//! keep old ones working.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin::IdPath;
use super::body::JsonBody;
use super::conditional::respond;
use super::principal::Signed;
use super::writes::{
    body, create_once, created, json_response, no_content, BadPath, BodyProblems, KeyReused, Protected,
};
use super::State;
use crate::domain::permissions::Permission;
use crate::editorial::redirects::{self, RedirectRequest, RedirectView};
use crate::error::{ApiError, Problem};
use crate::reads::site::{self, ResolveQuery, Resolved};

/// What a path of the website shows: an article (with its summary), a topic or a contributor,
/// in Khabar's layout (`/{language}/{slug}`, `/topics/{slug}`, `/contributors/{slug}`); or,
/// for an old path (a renamed slug, an imported permalink, an editor's redirect), the redirect
/// to answer the reader with. For server-rendered front-ends: one call per page view, cached
/// like every public read.
#[utoipa::path(
    tag = "articles",
    params(ResolveQuery),
    responses(
        (status = 200, description = "What the path shows, or where it leads (`type`: article, topic, contributor or redirect)", body = Resolved,
            headers(("ETag" = String), ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "`path` is not a path of the site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The path shows nothing and leads nowhere", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/resolve")]
pub async fn resolve(
    state: State,
    request: HttpRequest,
    query: web::Query<ResolveQuery>,
) -> Result<HttpResponse, ApiError> {
    let resolved = site::resolve(&state.reads, &query).await?;
    Ok(respond(&request, &resolved, &state.cache_policy))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RedirectPageQuery {
    /// Redirects after this id (the last `id` of the previous page).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// A page of redirects.
#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectPage {
    pub data: Vec<RedirectView>,
    /// Pass as `after` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

/// Redirects, in the order they were made: slug changes, imported permalinks and manual ones.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(RedirectPageQuery),
    responses(
        (status = 200, description = "A page of redirects", body = RedirectPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/redirects")]
pub async fn list_redirects(
    state: State,
    signed: Signed,
    query: web::Query<RedirectPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid_field("limit", "from 1 to 200"));
    }
    let after = query.after.unwrap_or(0).max(0);
    let data = state
        .read(move |conn, ctx| redirects::list(conn, ctx, &signed.actor, after, limit + 1))
        .await?;
    let mut data = data;
    let next_after = if data.len() as i64 > limit {
        data.truncate(limit as usize);
        data.last().map(|r| r.id)
    } else {
        None
    };
    Ok(json_response(
        StatusCode::OK,
        &RedirectPage { data, next_after },
        None,
    ))
}

/// Makes an old path of the website lead to an article, topic, contributor or URL. A path that
/// shows something now, or that already has a redirect, is a 409.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    request_body = RedirectRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result")),
    responses(
        (status = 201, description = "Created", body = RedirectView, headers(("Location" = String))),
        (status = 409, description = "The path shows something now, or already has a redirect", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, KeyReused
    )
)]
#[post("/redirects")]
pub async fn create_redirect(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::ManageCatalog)?;
    let payload = payload.value().await?;
    let redirect: RedirectRequest = body(payload.clone())?;
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let view = redirects::create(conn, ctx, &actor, redirect)?;
        created(format!("/v1/redirects/{}", view.id), &view)
    })
    .await
}

/// Removes a redirect: its path shows nothing again.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(IdPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such redirect", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[delete("/redirects/{id}")]
pub async fn delete_redirect(
    state: State,
    signed: Signed,
    path: web::Path<IdPath>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    state
        .write(move |conn, ctx| redirects::delete(conn, ctx, &signed.actor, id))
        .await?;
    Ok(no_content())
}
