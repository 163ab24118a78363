//! Search and type-ahead suggestions.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::conditional::respond;
use super::{address, State};
use crate::error::{ApiError, Problem};
use crate::reads::search::{self, SearchPage, SearchParams, SuggestParams, Suggestions};

/// Published articles matching a query, ranked by relevance (or newest first), with snippets.
#[utoipa::path(
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of results", body = SearchPage, headers(("Link" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "An empty, too long or otherwise unusable query, or a bad parameter or cursor", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/search")]
pub async fn search_articles(
    state: State,
    request: HttpRequest,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let page = search::articles(&state.reads, params.into_inner(), address(&request)).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}

/// Headlines, topics and contributors that have a word starting with the last word of `q`.
#[utoipa::path(
    tag = "search",
    params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions", body = Suggestions),
        (status = 304, description = "Not modified"),
        (status = 400, description = "An empty query or a bad parameter", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/search/suggest")]
pub async fn suggest(
    state: State,
    request: HttpRequest,
    params: web::Query<SuggestParams>,
) -> Result<HttpResponse, ApiError> {
    let suggestions = search::suggest(&state.reads, params.into_inner()).await?;
    Ok(respond(&request, &suggestions, &state.cache_policy))
}
