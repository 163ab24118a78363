//! A live blog's events as Server-Sent Events (`GET /v1/articles/{key}/live/stream`, WHATWG
//! HTML §9.2). Each event's `id:` is its change-log cursor, so a client that reconnects with
//! `Last-Event-ID` resumes right after the last event it received, on any node; `event:` names
//! what happened (`entry_published`, ...), `data:` is the [`crate::api::live::LiveEvent`].
//! Streams share the node's cap with the change streams, and are served from the log tail's
//! per-blog memory ([`super::live_events`]); one further behind reads the database.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;

use super::change_stream::Ticket;
use super::live_events::{self, Read, Sent};
use super::{ReadError, Reader};
use crate::db::queries::change_log;

/// Events sent per chunk.
const CHUNK: usize = 200;

/// Where streams of one blog start, as this node last read it: kept in the response cache
/// under the blog's article key, so every live change to the blog evicts it (the position is
/// always the blog's newest), and a storm of readers reconnecting costs one database read.
#[derive(serde::Serialize, serde::Deserialize)]
struct Start {
    blog: String,
    position: i64,
    /// The change log's compaction horizon: cursors below it are gone.
    horizon: i64,
}

/// The blog a stream follows and where it starts: 404 for an article that is not a public
/// live blog, 400 for what is not a cursor, 410 for one the log no longer reaches back to.
/// Without a cursor the stream starts at the blog's newest event (only what comes next).
pub async fn start(
    reader: &Arc<Reader>,
    key: &str,
    language: Option<&str>,
    field: &'static str,
    cursor: Option<String>,
) -> Result<(String, i64), ReadError> {
    let lookup = super::article::parse_key(key, language)?;
    let given = match cursor.as_deref() {
        Some(cursor) => Some(super::changes::position(field, Some(cursor))?),
        None => None,
    };
    let cache_key = format!("live-start:{key}:{}", language.unwrap_or(""));
    let key = key.to_owned();
    let found = reader
        .cached(cache_key, || {
            move |conn, _| {
                let blog = super::live::public_blog(conn, &lookup, &key)?.0.public_id;
                let start = Start {
                    position: change_log::newest_live(conn, &blog)?,
                    horizon: change_log::horizon(conn)?,
                    blog,
                };
                let keys = format!("article-{}", start.blog);
                let mut representation = super::json(&start, chrono::DateTime::UNIX_EPOCH, keys)?;
                representation.is_article = true;
                Ok(representation)
            }
        })
        .await?;
    let start: Start = serde_json::from_slice(found.body()).map_err(crate::db::DbError::corrupt)?;
    let position = match given {
        Some(after) => {
            super::changes::retained_above(field, after, start.horizon)?;
            after
        }
        None => start.position,
    };
    Ok((start.blog, position))
}

struct State<S> {
    reader: Arc<Reader>,
    blog: String,
    position: i64,
    newest: tokio::sync::watch::Receiver<i64>,
    first: bool,
    stop: std::pin::Pin<Box<S>>,
    ticket: Ticket,
}

/// The events of `blog` after `position`, until `stop` resolves or the client goes.
pub fn events<S>(
    reader: Arc<Reader>,
    blog: String,
    position: i64,
    ticket: Ticket,
    stop: S,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>>
where
    S: std::future::Future<Output = ()> + 'static,
{
    let newest = reader.tail.subscribe();
    let state = State {
        reader,
        blog,
        position,
        newest,
        first: true,
        stop: Box::pin(stop),
        ticket,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        let chunk = next_chunk(&mut state).await?;
        Some((Ok(chunk), state))
    })
}

/// The next bytes to send: the opening `retry:`, events, or a keep-alive comment; `None` ends
/// the stream.
async fn next_chunk<S: std::future::Future<Output = ()>>(state: &mut State<S>) -> Option<Bytes> {
    let settings = &state.ticket.streams().settings;
    if state.first {
        state.first = false;
        return Some(Bytes::from(format!(
            ": khabar live\nretry: {}\n\n",
            settings.retry.as_millis()
        )));
    }
    let keep_alive = settings.keep_alive;
    loop {
        // Marked seen before reading, so an entry applied after the read still wakes us.
        state.newest.borrow_and_update();
        let events = match state.reader.tail.read_live(&state.blog, state.position, CHUNK) {
            Read::Events(events) => events,
            Read::Behind { from } => {
                let events = from_database(state, from).await?;
                if events.is_empty() {
                    continue;
                }
                events
            }
        };
        if let Some(last) = events.last() {
            state.position = last.seq;
            if events.len() == 1 {
                return Some(events[0].bytes.clone());
            }
            let mut chunk = bytes::BytesMut::new();
            for sent in &events {
                chunk.extend_from_slice(&sent.bytes);
            }
            return Some(chunk.freeze());
        }
        tokio::select! {
            changed = state.newest.changed() => changed.ok()?,
            () = tokio::time::sleep(keep_alive) => return Some(Bytes::from_static(b": keep-alive\n\n")),
            () = state.stop.as_mut() => return None,
        }
    }
}

/// The blog's events after the stream's position from the database, for a stream that started
/// further back than the tail's memory; past what the database holds, it moves to `from`.
async fn from_database<S>(state: &mut State<S>, from: i64) -> Option<Vec<Sent>> {
    let (after, blog) = (state.position, state.blog.clone());
    let reader = Arc::clone(&state.reader);
    let events = state
        .reader
        .routing
        .read(move |conn| {
            let entries = change_log::live_after(conn, &blog, after, CHUNK as i64)?;
            live_events::events_of(conn, &reader.urls, &entries)
        })
        .await
        .ok()?;
    if events.is_empty() {
        state.position = state.position.max(from);
    }
    Some(events.into_iter().map(|(_, sent)| sent).collect())
}
