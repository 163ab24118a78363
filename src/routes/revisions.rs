//! An article's history over HTTP: its revisions, the diff of two, and restoring one.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::editorial::{editable_response, ArticleIdPath};
use super::principal::Signed;
use super::writes::{expected_version, json_response, BadPath, Protected, VersionProblems};
use super::State;
use crate::api::editorial::{EditableArticle, RevisionDiff, RevisionSummary, RevisionView};
use crate::editorial::articles;
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RevisionPath {
    /// The article's public id (UUID).
    pub id: String,
    /// A version number.
    #[param(minimum = 1)]
    pub version: i32,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    #[param(minimum = 1)]
    pub from: i32,
    #[param(minimum = 1)]
    pub to: i32,
}
/// Every saved version of an article, newest first.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath),
    responses(
        (status = 200, description = "Revisions", body = Vec<RevisionSummary>),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_revisions(
    state: State,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    let revisions = state
        .read(move |conn, _| articles::revisions(conn, &signed.actor, &id))
        .await?;
    Ok(json_response(StatusCode::OK, &revisions, None))
}

/// One version of an article: who saved it, when, and its content then.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(RevisionPath),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        (status = 404, description = "No such article or version", body = Problem, content_type = "application/problem+json"),
        Protected, BadPath
    )
)]
#[get("/articles/{id}/revisions/{version}")]
pub async fn get_revision(
    state: State,
    signed: Signed,
    path: web::Path<RevisionPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let RevisionPath { id, version } = path.into_inner();
    let revision = state
        .read(move |conn, _| articles::revision(conn, &signed.actor, &id, version))
        .await?;
    Ok(json_response(StatusCode::OK, &revision, None))
}

/// The fields that differ between two versions.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath, DiffQuery),
    responses(
        (status = 200, description = "Changed fields, each with its value in both versions", body = RevisionDiff),
        (status = 400, description = "Missing or non-numeric versions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or version", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/articles/{id}/diff")]
pub async fn diff_revisions(
    state: State,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    let DiffQuery { from, to } = query.into_inner();
    let diff = state
        .read(move |conn, _| articles::diff(conn, &signed.actor, &id, from, to))
        .await?;
    Ok(json_response(StatusCode::OK, &diff, None))
}

/// Makes an old version's content the next version (the status is kept). Needs `If-Match`.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(RevisionPath, ("If-Match" = String, Header, description = "The ETag of the current version")),
    responses(
        (status = 200, description = "Restored as a new version", body = EditableArticle, headers(("ETag" = String))),
        (status = 409, description = "The old version's slug is taken now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The old version names media, topics or contributors that no longer exist", body = Problem, content_type = "application/problem+json"),
        Protected, VersionProblems, BadPath
    )
)]
#[post("/articles/{id}/revisions/{version}/restore")]
pub async fn restore_revision(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<RevisionPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let RevisionPath { id, version } = path.into_inner();
    let expected = expected_version(&request)?;
    let article = state
        .write(move |conn, ctx| articles::restore(conn, ctx, &signed.actor, &id, expected, version))
        .await?;
    Ok(editable_response(StatusCode::OK, &article))
}
