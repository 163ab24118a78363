//! Topics, contributors and media, and the article lists of a topic or contributor.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::conditional::respond;
use super::{address, State};
use crate::api::catalog::{ContributorView, MediaView, TopicDetail};
use crate::error::{ApiError, Problem};
use crate::reads::catalog::{self, ContributorListParams, ContributorPage, TopicListParams, TopicPage};
use crate::reads::list_params::{ArticlePage, ListParams};
use crate::reads::lists::{self, ListSubject};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SlugPath {
    #[serde(deserialize_with = "crate::domain::slug::deserialize_normalized")]
    pub slug: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MediaPath {
    /// The asset's public id (UUID).
    pub id: String,
}

/// All topics, in creation order, optionally of one kind.
#[utoipa::path(
    tag = "topics",
    params(TopicListParams),
    responses(
        (status = 200, description = "A page of topics", body = TopicPage),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/topics")]
pub async fn list_topics(
    state: State,
    request: HttpRequest,
    params: web::Query<TopicListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = catalog::topics(&state.reads, params.into_inner(), address(&request)).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}

/// One topic with its parent and children.
#[utoipa::path(
    tag = "topics",
    params(SlugPath),
    responses(
        (status = 200, description = "The topic", body = TopicDetail),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No topic has this slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/topics/{slug}")]
pub async fn get_topic(
    state: State,
    request: HttpRequest,
    path: web::Path<SlugPath>,
) -> Result<HttpResponse, ApiError> {
    let topic = catalog::topic(&state.reads, path.into_inner().slug, address(&request)).await?;
    Ok(respond(&request, &topic, &state.cache_policy))
}

/// Published articles with this topic or any of its descendants.
#[utoipa::path(
    tag = "topics",
    params(SlugPath, ListParams),
    responses(
        (status = 200, description = "A page of article summaries", body = ArticlePage, headers(("Link" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No topic has this slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/topics/{slug}/articles")]
pub async fn topic_articles(
    state: State,
    request: HttpRequest,
    path: web::Path<SlugPath>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let subject = ListSubject::Topic(path.into_inner().slug);
    let page = lists::articles(&state.reads, subject, params.into_inner(), address(&request)).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}

/// All contributors, in creation order, optionally of one kind.
#[utoipa::path(
    tag = "contributors",
    params(ContributorListParams),
    responses(
        (status = 200, description = "A page of contributors", body = ContributorPage),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/contributors")]
pub async fn list_contributors(
    state: State,
    request: HttpRequest,
    params: web::Query<ContributorListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = catalog::contributors(&state.reads, params.into_inner(), address(&request)).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}

/// One contributor.
#[utoipa::path(
    tag = "contributors",
    params(SlugPath),
    responses(
        (status = 200, description = "The contributor", body = ContributorView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No contributor has this slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/contributors/{slug}")]
pub async fn get_contributor(
    state: State,
    request: HttpRequest,
    path: web::Path<SlugPath>,
) -> Result<HttpResponse, ApiError> {
    let contributor = catalog::contributor(&state.reads, path.into_inner().slug, address(&request)).await?;
    Ok(respond(&request, &contributor, &state.cache_policy))
}

/// Published articles crediting this contributor (optionally in one `role`).
#[utoipa::path(
    tag = "contributors",
    params(SlugPath, ListParams),
    responses(
        (status = 200, description = "A page of article summaries", body = ArticlePage, headers(("Link" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No contributor has this slug", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/contributors/{slug}/articles")]
pub async fn contributor_articles(
    state: State,
    request: HttpRequest,
    path: web::Path<SlugPath>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let subject = ListSubject::Contributor(path.into_inner().slug);
    let page = lists::articles(&state.reads, subject, params.into_inner(), address(&request)).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}

/// One media asset with its credit, copyright holder, license and renditions, once a
/// published article shows it.
#[utoipa::path(
    tag = "media",
    params(MediaPath),
    responses(
        (status = 200, description = "The media asset", body = MediaView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No public article shows a media asset with this id", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/media/{id}")]
pub async fn get_media(
    state: State,
    request: HttpRequest,
    path: web::Path<MediaPath>,
) -> Result<HttpResponse, ApiError> {
    let media = catalog::media(&state.reads, &path.id, address(&request)).await?;
    Ok(respond(&request, &media, &state.cache_policy))
}
