//! Topics, contributors and media: small tables, read directly and cached as responses.

use std::sync::Arc;

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::conditional::respond;
use super::lists::{self, ArticlePage, ListParams};
use super::{AppState, State};
use crate::api::catalog::{ContributorView, MediaView, TopicDetail, TopicView};
use crate::db::queries::catalog;
use crate::db::{self, utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::delivery::strong_etag;
use crate::domain::cursor::Position;
use crate::domain::kinds::{ContributorKind, TopicKind};
use crate::error::{ApiError, Problem};

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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TopicListParams {
    pub kind: Option<TopicKind>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContributorListParams {
    pub kind: Option<ContributorKind>,
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicPage {
    pub data: Vec<TopicView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContributorPage {
    pub data: Vec<ContributorView>,
    pub next_cursor: Option<String>,
}

/// Serves `build`'s JSON through the response cache.
async fn cached_json<T, F>(
    state: &State,
    request: &HttpRequest,
    surrogate_keys: String,
    build: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection, &AppState) -> Result<T, ApiError> + Send + 'static,
{
    let cache_key = format!("catalog:{}?{}", request.path(), request.query_string());
    let fill = state.cache.fill_token();
    let representation = match state.cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let app = state.get_ref().clone();
            let value = db::run(&state.pool, move |conn| build(conn, &app)).await?;
            let body = serde_json::to_string(&value).map_err(crate::db::DbError::unserializable)?;
            let etag = strong_etag(body.as_bytes());
            let representation = Arc::new(Representation::new(
                bytes::Bytes::from(body),
                etag,
                utc_now().and_utc(),
                surrogate_keys,
            ));
            state.cache.insert(cache_key, representation.clone(), fill);
            representation
        }
    };
    Ok(respond(request, &representation, &state.cache_policy))
}

fn check_limit(limit: Option<u32>) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(lists::DEFAULT_LIMIT);
    if !(1..=lists::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            format!("must be from 1 to {}", lists::MAX_LIMIT),
        ));
    }
    Ok(i64::from(limit))
}

/// One page of an id-ordered catalog list (topics, contributors): `load(after, n)` fetches one
/// row more than the page so that the cursor is only given when there is a next page.
fn id_page<R, T>(
    state: &AppState,
    scope: &str,
    cursor: Option<&str>,
    limit: i64,
    load: impl FnOnce(Option<i64>, i64) -> Result<Vec<R>, DbError>,
    id: impl Fn(&R) -> i64,
    view: impl Fn(&R) -> Option<T>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let after = cursor
        .map(|c| state.cursors.decode(scope, c).map(|p| p.id))
        .transpose()
        .map_err(|e| ApiError::invalid_field("cursor", e.to_string()))?;
    let mut rows = load(after, limit + 1)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(state.cursors.encode(
            scope,
            Position {
                id: id(last),
                ..Position::default()
            },
        )),
        _ => None,
    };
    Ok((rows.iter().filter_map(view).collect(), next_cursor))
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
    let params = params.into_inner();
    let limit = check_limit(params.limit)?;
    cached_json(&state, &request.clone(), "topics".into(), move |conn, state| {
        let kind = params.kind.map(|k| k.as_str());
        let (data, next_cursor) = id_page(
            state,
            &format!("topics|{kind:?}"),
            params.cursor.as_deref(),
            limit,
            |after, n| catalog::topics_page(conn, kind, after, n),
            |topic| topic.id,
            TopicView::from_row,
        )?;
        Ok(TopicPage { data, next_cursor })
    })
    .await
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
    let slug = path.into_inner().slug;
    cached_json(
        &state,
        &request.clone(),
        format!("topic-{slug}"),
        move |conn, _| {
            let topic = catalog::topic_by_slug(conn, &slug)?
                .ok_or_else(|| ApiError::NotFound(format!("no topic has the slug '{slug}'")))?;
            let (parent, children) = catalog::topic_tree(conn, &topic)?;
            Ok(TopicDetail {
                topic: TopicView::from_row(&topic).ok_or_else(|| DbError::Corrupt("topic kind".into()))?,
                parent: parent.as_ref().and_then(TopicView::from_row),
                children: children.iter().filter_map(TopicView::from_row).collect(),
            })
        },
    )
    .await
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
    let slug = path.into_inner().slug;
    let representation = lists::serve_list(&state, &request, params.into_inner(), move |conn, params| {
        catalog::topic_by_slug(conn, &slug)?
            .ok_or_else(|| ApiError::NotFound(format!("no topic has the slug '{slug}'")))?;
        params.topic = Some(slug);
        Ok(())
    })
    .await?;
    Ok(respond(&request, &representation, &state.cache_policy))
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
    let params = params.into_inner();
    let limit = check_limit(params.limit)?;
    cached_json(
        &state,
        &request.clone(),
        "contributors".into(),
        move |conn, state| {
            let kind = params.kind.map(|k| k.as_str());
            let (data, next_cursor) = id_page(
                state,
                &format!("contributors|{kind:?}"),
                params.cursor.as_deref(),
                limit,
                |after, n| catalog::contributors_page(conn, kind, after, n),
                |contributor| contributor.id,
                ContributorView::from_row,
            )?;
            Ok(ContributorPage { data, next_cursor })
        },
    )
    .await
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
    let slug = path.into_inner().slug;
    cached_json(
        &state,
        &request.clone(),
        format!("contributor-{slug}"),
        move |conn, _| {
            let contributor = catalog::contributor_by_slug(conn, &slug)?
                .ok_or_else(|| ApiError::NotFound(format!("no contributor has the slug '{slug}'")))?;
            ContributorView::from_row(&contributor)
                .ok_or_else(|| DbError::Corrupt("contributor kind".into()).into())
        },
    )
    .await
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
    let slug = path.into_inner().slug;
    let representation = lists::serve_list(&state, &request, params.into_inner(), move |conn, params| {
        catalog::contributor_by_slug(conn, &slug)?
            .ok_or_else(|| ApiError::NotFound(format!("no contributor has the slug '{slug}'")))?;
        params.contributor = Some(slug);
        Ok(())
    })
    .await?;
    Ok(respond(&request, &representation, &state.cache_policy))
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
    let id = path.into_inner().id;
    let not_found = move |id: &str| ApiError::NotFound(format!("no media asset has the id '{id}'"));
    let public_id = uuid::Uuid::parse_str(&id)
        .map_err(|_| not_found(&id))?
        .hyphenated()
        .to_string();
    cached_json(
        &state,
        &request.clone(),
        format!("media-{public_id}"),
        move |conn, _| {
            let (asset, renditions) =
                catalog::public_media(conn, &public_id, utc_now())?.ok_or_else(|| not_found(&public_id))?;
            MediaView::from_row(&asset, &renditions)
                .ok_or_else(|| DbError::Corrupt("media kind".into()).into())
        },
    )
    .await
}
