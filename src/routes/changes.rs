//! The public change feed.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::conditional::respond;
use super::State;
use crate::error::{ApiError, Problem};
use crate::reads::changes::{self, ChangePage, ChangesQuery};

/// Every change to what the public sees, in commit order: an article published (or its
/// embargo lifted), updated, withdrawn or deleted, each once, with a cursor. A partner, an app
/// or a cache that follows `next` keeps an exact copy of the public set without missing or
/// repeating a change; cursors are positions in the log, never times.
#[utoipa::path(
    tag = "articles",
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes, oldest first", body = ChangePage,
            headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "`after` is not a cursor of this feed, or `limit` is out of range", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    state: State,
    request: HttpRequest,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = changes::page(&state.reads, &query).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}
