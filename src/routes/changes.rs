//! The public change feed, as pages and as a stream.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::conditional::respond;
use super::State;
use crate::error::{ApiError, Problem};
use crate::reads::change_stream::{self, Refused};
use crate::reads::changes::{self, ChangeEntry, ChangePage, ChangesQuery};

/// Every change to what the public sees, in commit order: an article published (or its
/// embargo lifted), updated, withdrawn or deleted, each once, with a cursor. A partner, an app
/// or a cache that follows `next` keeps an exact copy of the public set without missing or
/// repeating a change; cursors are positions in the log, never times. The log keeps every
/// article's newest change for ever and older ones for `KHABAR_CHANGE_LOG_DAYS`: a cursor
/// older than that is answered 410, and starting over without `after` gives every article's
/// current state again.
#[utoipa::path(
    tag = "articles",
    params(ChangesQuery),
    responses(
        (status = 200, description = "A page of changes, oldest first", body = ChangePage,
            headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "`after` is not a cursor of this feed, or `limit` is out of range", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`after` is older than the log keeps: start over without it", body = Problem, content_type = "application/problem+json"),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// Where to start: a cursor from the feed (`next`, or an entry's `cursor`), e.g. the one a
    /// page rendered from the API ended at. Without it (and without `Last-Event-ID`) the
    /// stream starts at the log's beginning.
    #[param(min_length = 1, max_length = 100)]
    pub after: Option<String>,
}

/// The change feed as Server-Sent Events. Each event is one change: `id:` is its cursor,
/// `data:` the entry as `GET /v1/changes` gives it (a `ChangeEntry`, JSON), and no `event:`
/// field (an `EventSource`'s `message`). A client that reconnects sends `Last-Event-ID`
/// (browsers do it on their own) and resumes right after the last event it received, on any
/// node. A comment line (`: keep-alive`) comes after 15 s without events; `retry:` says how long
/// to wait before reconnecting. A node holds at most `KHABAR_MAX_STREAMS` streams, and
/// `KHABAR_MAX_STREAMS_PER_ADDRESS` from one client: past that, 503 with `Retry-After`.
#[utoipa::path(
    tag = "articles",
    params(StreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received; wins over `after`")),
    responses(
        (status = 200, description = "An endless stream of events; each `data:` is one ChangeEntry",
            content_type = "text/event-stream", body = ChangeEntry),
        (status = 400, description = "`after` or `Last-Event-ID` is not a cursor of this feed", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The cursor is older than the log keeps: start over without it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "This node, or this client, has as many streams open as it may", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64))),
    )
)]
#[get("/changes/stream")]
pub async fn stream_changes(
    state: State,
    request: HttpRequest,
    query: web::Query<StreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let (field, cursor) = match last_event_id(&request)? {
        Some(id) => ("Last-Event-ID", Some(id)),
        None => ("after", query.into_inner().after),
    };
    let position = change_stream::start(&state.reads, field, cursor).await?;
    let ticket = admit(&state, &request)?;
    let lifecycle = state.lifecycle.clone();
    let stop = async move { lifecycle.drain_started().await };
    let events = change_stream::events(state.reads.clone(), position, ticket, stop);
    Ok(event_stream(events))
}

/// The `Last-Event-ID` a reconnecting client sent, if it sent one that is not empty (an empty
/// one is what a browser sends when no event had an id yet).
pub(super) fn last_event_id(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get("last-event-id") else {
        return Ok(None);
    };
    let id = value
        .to_str()
        .map_err(|_| ApiError::invalid_field("Last-Event-ID", "must be visible ASCII"))?;
    Ok(Some(id.to_owned()).filter(|id| !id.trim().is_empty()))
}

/// A place for one more stream from this client on this node, or 503 with `Retry-After`.
pub(super) fn admit(state: &State, request: &HttpRequest) -> Result<change_stream::Ticket, ApiError> {
    let address = state
        .rate_limits
        .client(request)
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into());
    state.streams.admit(address).map_err(|refused| ApiError::Busy {
        detail: match refused {
            Refused::NodeFull => "this node holds as many streams as it may; retry later".into(),
            Refused::AddressFull => "this address holds as many streams as it may".into(),
        },
        retry_after: state.streams.settings.retry.as_secs().max(1) * 10,
    })
}

/// The answer that carries a stream of Server-Sent Events.
pub(super) fn event_stream<S>(events: S) -> HttpResponse
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, std::convert::Infallible>> + 'static,
{
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // nginx buffers proxied answers unless told not to.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events)
}
