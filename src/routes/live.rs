//! Live blogs: the public read and event stream, and the editorial writes (the blog's state,
//! its entries).

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::articles::ArticlePath;
use super::body::JsonBody;
use super::conditional::respond;
use super::principal::Signed;
use super::writes::{
    body, create_once, created, expected_version, json_response, no_content, BodyProblems, Protected,
    VersionProblems,
};
use super::{address, State};
use crate::api::live::{LiveBlogView, LiveEvent};
use crate::domain::live::{BreakingInput, LiveBlogInput, LiveEntryInput};
use crate::editorial::articles::breaking;
use crate::editorial::articles::live::{self, EditableEntry};
use crate::error::{ApiError, Problem};
use crate::reads::feeds::Format;
use crate::reads::live::{LivePage, LiveQuery};
use crate::reads::{live as live_reads, live_feeds, live_stream};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntryPath {
    /// The article's public id (UUID).
    pub key: String,
    /// The entry's public id (UUID).
    pub entry: String,
}

fn entry_location(article: &str, entry: &str) -> String {
    format!("/v1/articles/{article}/live/entries/{entry}")
}

fn entry_response(status: StatusCode, entry: &EditableEntry) -> HttpResponse {
    json_response(status, entry, Some(entry.etag()))
}

/// A live blog in one call: the slices a live page renders (the newest entries, key events,
/// the pinned entry, the summary, the entries around a shared one) and, with `after`, what
/// changed since a cursor (entries as they are now, and the ids of deleted ones). `cursor`
/// comes from the change log: poll again with `after=` it (an idle poll answers 304 to
/// `If-None-Match`), or open the stream there. `poll_interval_seconds` is the operator's.
#[utoipa::path(
    tag = "live",
    params(ArticlePath, LiveQuery),
    responses(
        (status = 200, description = "The live blog's slices", body = LivePage,
            headers(("ETag" = String), ("Last-Modified" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published live blog has this id or slug, or it shows no entry `around` names", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "`after` is older than the change log keeps: read again without it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{key}/live")]
pub async fn get_live(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let poll = state.streams.settings.live_poll;
    let page = live_reads::page(&state.reads, &path.key, &query, poll).await?;
    Ok(respond(&request, &page, &state.cache_policy))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LiveStreamQuery {
    /// Language of the article, when the slug is used in several languages.
    pub language: Option<String>,
    /// Where to start: the `cursor` of the live read or of the article's `live` (a page
    /// rendered from them). Without it (and without `Last-Event-ID`) the stream starts with
    /// the blog's next event.
    #[param(min_length = 1, max_length = 100)]
    pub after: Option<String>,
}

/// A live blog's events as Server-Sent Events: `event:` is the kind (`entry_published`,
/// `entry_updated`, `entry_deleted`, `entry_pinned`, `entry_unpinned`, `state_changed`),
/// `data:` a `LiveEvent` (JSON) and `id:` its change-log cursor, so a client that reconnects
/// with `Last-Event-ID` (browsers do) resumes after the last event it received, on any node.
/// `: keep-alive` comes after 15 s without events; `retry:` says how long to wait before
/// reconnecting. A node holds at most `KHABAR_MAX_STREAMS` streams (change streams
/// included), `KHABAR_MAX_STREAMS_PER_ADDRESS` from one client: past that, 503 with
/// `Retry-After`.
#[utoipa::path(
    tag = "live",
    params(ArticlePath, LiveStreamQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received; wins over `after`")),
    responses(
        (status = 200, description = "An endless stream of events; each `data:` is one LiveEvent",
            content_type = "text/event-stream", body = LiveEvent),
        (status = 400, description = "`after` or `Last-Event-ID` is not a cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published live blog has this id or slug", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The cursor is older than the log keeps: read the blog again", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "This node, or this client, has as many streams open as it may", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64))),
    )
)]
#[get("/articles/{key}/live/stream")]
pub async fn stream_live(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LiveStreamQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let (field, cursor) = match super::changes::last_event_id(&request)? {
        Some(id) => ("Last-Event-ID", Some(id)),
        None => ("after", query.after),
    };
    let (blog, position) =
        live_stream::start(&state.reads, &path.key, query.language.as_deref(), field, cursor).await?;
    let ticket = super::changes::admit(&state, &request)?;
    let lifecycle = state.lifecycle.clone();
    let stop = async move { lifecycle.drain_started().await };
    let events = live_stream::events(state.reads.clone(), blog, position, ticket, stop);
    Ok(super::changes::event_stream(events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LiveFeedQuery {
    /// Language of the article, when the slug is used in several languages.
    pub language: Option<String>,
}

/// A live blog's feed in `format`, through the cache.
async fn live_feed(
    state: &State,
    request: &HttpRequest,
    key: &str,
    query: &LiveFeedQuery,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let feed = live_feeds::feed(
        &state.reads,
        key,
        query.language.as_deref(),
        format,
        address(request),
    )
    .await?;
    Ok(respond(request, &feed, &state.cache_policy))
}

/// A live blog's newest 50 entries as RSS 2.0 (full text in `content:encoded`, credits as
/// `dc:creator`, key events as a `category`), newest first.
#[utoipa::path(
    tag = "live",
    params(ArticlePath, LiveFeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "application/rss+xml", body = String),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published live blog has this id or slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{key}/live/rss.xml")]
pub async fn live_rss(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LiveFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    live_feed(&state, &request, &path.key, &query, Format::Rss).await
}

/// A live blog's newest 50 entries as Atom 1.0, newest first.
#[utoipa::path(
    tag = "live",
    params(ArticlePath, LiveFeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "application/atom+xml", body = String),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published live blog has this id or slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{key}/live/atom.xml")]
pub async fn live_atom(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LiveFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    live_feed(&state, &request, &path.key, &query, Format::Atom).await
}

/// A live blog's newest 50 entries as IPTC ninjs 2.2 items, newest first, each associated with
/// the blog's article (`associations[0].name` is `liveblog`).
#[utoipa::path(
    tag = "live",
    params(ArticlePath, LiveFeedQuery),
    responses(
        (status = 200, description = "The entries", content_type = "application/ninjs+json", body = [Object]),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published live blog has this id or slug", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{key}/live/ninjs")]
pub async fn live_ninjs(
    state: State,
    request: HttpRequest,
    path: web::Path<ArticlePath>,
    query: web::Query<LiveFeedQuery>,
) -> Result<HttpResponse, ApiError> {
    live_feed(&state, &request, &path.key, &query, Format::Ninjs).await
}

/// The breaking flag as the write answers it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BreakingView {
    /// Breaking news until this time.
    pub until: chrono::DateTime<chrono::Utc>,
}

/// Flags an article as breaking news until a time (in the future, at most 72 hours ahead;
/// a second call moves it). The article, its list entries and feeds carry `breaking_until`
/// (feeds a `breaking` category while it lasts), and the change reaches the change feed and
/// streams. Editors only.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(ArticlePath),
    request_body = BreakingInput,
    responses(
        (status = 200, description = "Flagged", body = BreakingView),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[put("/articles/{key}/breaking")]
pub async fn set_breaking(
    state: State,
    signed: Signed,
    path: web::Path<ArticlePath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let payload = payload.value().await?;
    let id = path.into_inner().key;
    let until = state
        .write(move |conn, ctx| breaking::set(conn, ctx, &signed.actor, &id, payload))
        .await?;
    Ok(json_response(StatusCode::OK, &BreakingView { until }, None))
}

/// Takes the breaking flag away.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(ArticlePath),
    responses(
        (status = 204, description = "The article is not breaking news (any more)"),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[delete("/articles/{key}/breaking")]
pub async fn clear_breaking(
    state: State,
    signed: Signed,
    path: web::Path<ArticlePath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let id = path.into_inner().key;
    state
        .write(move |conn, ctx| breaking::clear(conn, ctx, &signed.actor, &id))
        .await?;
    Ok(no_content())
}

/// Makes the article a live blog, or changes its state (`live`, `paused`, `ended`) or coverage
/// times. Ending sets `coverage_end` (now unless given); going live again clears it.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(ArticlePath),
    request_body = LiveBlogInput,
    responses(
        (status = 200, description = "The live blog", body = LiveBlogView),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[put("/articles/{key}/live")]
pub async fn set_live(
    state: State,
    signed: Signed,
    path: web::Path<ArticlePath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let input: LiveBlogInput = body(payload.value().await?)?;
    let id = path.into_inner().key;
    let blog = state
        .write(move |conn, ctx| live::set_blog(conn, ctx, &signed.actor, &id, input))
        .await?;
    Ok(json_response(StatusCode::OK, &blog, None))
}

/// Posts an entry to a live blog that is live or paused. Pinning it (or making it the
/// summary) takes the pin (or the summary) from the entry that had it. Send
/// `Idempotency-Key` so that a retried post, or a double Ctrl+Enter, posts once.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(ArticlePath, ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried post return the first result instead of posting twice")),
    request_body = LiveEntryInput,
    responses(
        (status = 201, description = "Posted (or, with `Idempotent-Replayed: true`, posted by an earlier request with this key)", body = EditableEntry,
            headers(("ETag" = String), ("Location" = String))),
        (status = 404, description = "No article has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The article is no live blog, or its blog has ended, or the idempotency key was used for another request", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems
    )
)]
#[post("/articles/{key}/live/entries")]
pub async fn post_entry(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<ArticlePath>,
    payload: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let payload = payload.value().await?;
    let article = path.into_inner().key;
    let actor = signed.actor.clone();
    let input = payload.clone();
    create_once(&state, &request, &signed.actor, &payload, move |conn, ctx| {
        let entry = live::post_entry(conn, ctx, &actor, &article, input)?;
        created(entry_location(&article, &entry.entry.id), &entry)
    })
    .await
}

/// An entry as its editors see it (deleted ones too), with its version as `ETag`.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(EntryPath),
    responses(
        (status = 200, description = "The entry", body = EditableEntry, headers(("ETag" = String))),
        (status = 404, description = "No such article or entry", body = Problem, content_type = "application/problem+json"),
        Protected
    )
)]
#[get("/articles/{key}/live/entries/{entry}")]
pub async fn get_entry(
    state: State,
    signed: Signed,
    path: web::Path<EntryPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let EntryPath { key, entry } = path.into_inner();
    let found = state
        .read(move |conn, ctx| live::show_entry(conn, ctx, &signed.actor, (&key, &entry)))
        .await?;
    Ok(entry_response(StatusCode::OK, &found))
}

/// Edits an entry with a JSON merge patch over `LiveEntryInput`'s fields; needs `If-Match`.
/// Editors edit any entry, writers their own.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(EntryPath, ("If-Match" = String, Header, description = "The ETag of the version edited, e.g. \"v2\"")),
    request_body(content = Object, content_type = "application/merge-patch+json", description = "Fields of `LiveEntryInput` to change"),
    responses(
        (status = 200, description = "The new version", body = EditableEntry, headers(("ETag" = String))),
        (status = 409, description = "The blog has ended", body = Problem, content_type = "application/problem+json"),
        Protected, BodyProblems, VersionProblems
    )
)]
#[patch("/articles/{key}/live/entries/{entry}")]
pub async fn update_entry(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<EntryPath>,
    patch: JsonBody,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let EntryPath { key, entry } = path.into_inner();
    let expected = expected_version(&request)?;
    let patch = patch.value().await?;
    let edited = state
        .write(move |conn, ctx| live::edit_entry(conn, ctx, &signed.actor, (&key, &entry), expected, patch))
        .await?;
    Ok(entry_response(StatusCode::OK, &edited))
}

/// Deletes an entry: readers receive `entry_deleted` and remove it. Needs `If-Match`.
#[utoipa::path(
    tag = "live",
    security(("bearer" = [])),
    params(EntryPath, ("If-Match" = String, Header, description = "The ETag of the version deleted")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The blog has ended", body = Problem, content_type = "application/problem+json"),
        Protected, VersionProblems
    )
)]
#[delete("/articles/{key}/live/entries/{entry}")]
pub async fn delete_entry(
    state: State,
    request: HttpRequest,
    signed: Signed,
    path: web::Path<EntryPath>,
) -> Result<HttpResponse, ApiError> {
    signed.require_article_access()?;
    let EntryPath { key, entry } = path.into_inner();
    let expected = expected_version(&request)?;
    state
        .write(move |conn, ctx| live::delete_entry(conn, ctx, &signed.actor, (&key, &entry), expected))
        .await?;
    Ok(no_content())
}
