//! The article write API: create, edit, delete, workflow, corrections, and the desk's list
//! (revisions and previews are in their own modules).

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::body::JsonBody;
use super::principal::Signed;
use super::writes::{
    body, create_once, created, expected_version, json_response, no_content, BodyProblems, Protected,
    VersionProblems,
};
use super::State;
use crate::api::editorial::{CorrectionRequest, EditableArticle, TransitionRequest};
use crate::db;
use crate::domain::editorial::NewArticleInput;
use crate::domain::permissions::Permission;
use crate::editorial::articles;
use crate::error::{ApiError, Problem};
use crate::reads::desk::{self, DeskPage, DeskParams};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticleIdPath {
    /// The article's public id (UUID).
    pub id: String,
}

/// The same path as the public `GET /v1/articles/{key}`, so the parameter has its name; writes
/// take the public id only, never a slug.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArticleKeyPath {
    /// The article's public id (UUID).
    pub key: String,
}

fn article_location(id: &str) -> String {
    format!("/v1/articles/{id}/editorial")
}

pub(super) fn editable_response(status: StatusCode, article: &EditableArticle) -> HttpResponse {
    json_response(status, article, Some(article.etag()))
}

/// Creates a draft. The slug is made from the headline when not given (Arabic kept); a taken
/// generated slug gets `-2`, `-3`…, a taken explicit one is a 409. Send `Idempotency-Key` to make
/// retries safe. Admins bringing in an archive may send `history` to create the article
/// already published (or unpublished, archived) at its original times.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    request_body = NewArticleInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried create return the first result instead of creating twice")),
    responses(
        (status = 201, description = "Created (or, with `Idempotent-Replayed: true`, created by an earlier request with this key)", body = EditableArticle,
            headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The slug is taken, or the idempotency key was used for another request", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[post("/articles")]
pub async fn create_article(
    state: State,
    request: HttpRequest,
    signed: Signed,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::CreateArticle)?;
    let payload = payload.value().await?;
    let input = new_article(payload.clone())?;
    if input.history.is_some() {
        signed.require(Permission::ImportArchive)?;
    }
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let article = articles::create(conn, ctx, &actor, input)?;
        created(article_location(&article.id), &article)
    })
    .await
}

/// The create body: the writable fields (each unknown one named), and `history`, read apart so
/// that its errors are named under `/history`.
fn new_article(mut payload: serde_json::Value) -> Result<NewArticleInput, ApiError> {
    let history = payload
        .as_object_mut()
        .and_then(|fields| fields.remove("history"))
        .filter(|h| !h.is_null());
    let fields = body(payload)?;
    let history = match history {
        Some(value) => Some(body(value).map_err(|error| {
            match error {
                ApiError::Unprocessable { detail, errors } => ApiError::Unprocessable {
                    detail,
                    errors: errors
                        .into_iter()
                        .map(|e| {
                            let field = format!("/history{}", e.field.trim_end_matches('/'));
                            e.renamed(field)
                        })
                        .collect(),
                },
                other => other,
            }
        })?),
        None => None,
    };
    Ok(NewArticleInput { fields, history })
}

/// The editable form of an article in any status, with its version as `ETag`.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath),
    responses(
        (status = 200, description = "The article's writable fields and workflow state", body = EditableArticle, headers(("ETag" = String))),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/articles/{id}/editorial")]
pub async fn get_editable(
    state: State,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    let article = state
        .read(move |conn, ctx| articles::show(conn, ctx, &signed.actor, &id))
        .await?;
    Ok(editable_response(StatusCode::OK, &article))
}

/// Edits an article with a JSON merge patch (RFC 7386) over its writable fields; `null`
/// removes a field. Needs `If-Match` with the current ETag.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleKeyPath, ("If-Match" = String, Header, description = "The ETag of the version edited, e.g. \"v3\"")),
    request_body(content = Object, content_type = "application/merge-patch+json", description = "Fields of `ArticleInput` to change"),
    responses(
        (status = 200, description = "The new version", body = EditableArticle, headers(("ETag" = String))),
        (status = 409, description = "The new slug is taken", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, VersionProblems
    )
)]
#[patch("/articles/{key}")]
pub async fn update_article(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<ArticleKeyPath>,
    patch: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().key;
    let expected = expected_version(&request)?;
    let patch = patch.value().await?;
    let article = state
        .write(move |conn, ctx| articles::update(conn, ctx, &signed.actor, &id, expected, patch))
        .await?;
    Ok(editable_response(StatusCode::OK, &article))
}

/// Deletes an article. A public one leaves a tombstone for `updated_since` sync and sends
/// `article.deleted`. Needs `If-Match`.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleKeyPath, ("If-Match" = String, Header, description = "The ETag of the version deleted")),
    responses((status = 204, description = "Deleted"), Protected, VersionProblems)
)]
#[delete("/articles/{key}")]
pub async fn delete_article(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<ArticleKeyPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().key;
    let expected = expected_version(&request)?;
    state
        .write(move |conn, ctx| articles::delete(conn, ctx, &signed.actor, &id, expected))
        .await?;
    Ok(no_content())
}

/// Moves an article through the workflow: draft → in_review → scheduled or published;
/// published → unpublished → archived. Publishing refuses media without a credit.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath, ("If-Match" = String, Header, description = "The ETag of the version moved")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "Moved; the new version", body = EditableArticle, headers(("ETag" = String))),
        (status = 409, description = "Not a move the workflow allows from the current status; `allowed` lists those that are", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, VersionProblems
    )
)]
#[post("/articles/{id}/transitions")]
pub async fn transition_article(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().id;
    let expected = expected_version(&request)?;
    let move_to: TransitionRequest = payload.parse().await?;
    let article = state
        .write(move |conn, ctx| articles::transition(conn, ctx, &signed.actor, &id, expected, &move_to))
        .await?;
    Ok(editable_response(StatusCode::OK, &article))
}

/// Appends a dated correction note to a published article.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(ArticleIdPath, ("If-Match" = String, Header, description = "The ETag of the version corrected")),
    request_body = CorrectionRequest,
    responses(
        (status = 200, description = "Corrected; the new version", body = EditableArticle, headers(("ETag" = String))),
        (status = 409, description = "The article is not published", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, VersionProblems
    )
)]
#[post("/articles/{id}/corrections")]
pub async fn correct_article(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<ArticleIdPath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require(Permission::Publish)?;
    let id = path.into_inner().id;
    let expected = expected_version(&request)?;
    let correction: CorrectionRequest = payload.parse().await?;
    let article = state
        .write(move |conn, ctx| articles::correct(conn, ctx, &signed.actor, &id, expected, &correction))
        .await?;
    Ok(editable_response(StatusCode::OK, &article))
}

/// The desk's list of articles in every status, newest change first: an editor's whole
/// newsroom (or, with `mine=true`, their own), a writer's own articles only.
#[utoipa::path(
    tag = "editorial",
    security(("bearer" = [])),
    params(DeskParams),
    responses(
        (status = 200, description = "A page of articles", body = DeskPage),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/editorial/articles")]
pub async fn list_desk_articles(
    state: State,
    signed: Signed,
    params: web::Query<DeskParams>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let params = params.into_inner();
    let everyone = signed.actor.may(Permission::EditAnyArticle) && params.mine != Some(true);
    let author = (!everyone).then_some(signed.actor.user_id);
    let reads = state.reads.clone();
    let page = db::run(&state.pool, move |conn| {
        desk::articles(conn, &reads.cursors, author, params).map_err(ApiError::from)
    })
    .await?;
    Ok(json_response(StatusCode::OK, &page, None))
}
