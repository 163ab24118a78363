//! The change feed as Server-Sent Events (`GET /v1/changes/stream`, WHATWG HTML §9.2): each
//! public change is one event whose `id:` is its cursor and whose `data:` is the entry as the
//! JSON feed gives it, so a client that reconnects with `Last-Event-ID` (any node: cursors are
//! log positions) resumes exactly after the last event it received.
//!
//! Streams are served from this node's log tail ([`super::log_tail`]): a publish costs one
//! database read per node however many streams are open; a stream that starts further back
//! than the tail's memory reads the database until it catches up. A comment line every
//! `keep_alive` keeps proxies from closing an idle stream; `retry:` tells clients how long to
//! wait before reconnecting. Streams end when the node drains.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::Stream;

use super::changes::{self, ChangeEntry};
use super::log_tail::Read;
use super::{ReadError, Reader};
use crate::db::queries::change_log;

/// Entries sent per chunk.
const CHUNK: usize = 200;

pub use crate::config::limits::StreamSettings;

/// The streams open on this node, counted in total and per client address.
pub struct Streams {
    pub settings: StreamSettings,
    open: AtomicUsize,
    by_address: Mutex<HashMap<IpAddr, usize>>,
}

/// Why a stream was not opened.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    NodeFull,
    AddressFull,
}

/// A place among the open streams, given back when the stream ends.
pub struct Ticket {
    streams: Arc<Streams>,
    address: IpAddr,
}

impl Ticket {
    /// The streams this place is among.
    pub fn streams(&self) -> &Streams {
        &self.streams
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.streams.open.fetch_sub(1, Ordering::AcqRel);
        let mut by_address = self.streams.by_address.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                by_address.remove(&self.address);
            }
        }
    }
}

impl Streams {
    pub fn new(settings: StreamSettings) -> Arc<Streams> {
        Arc::new(Streams {
            settings,
            open: AtomicUsize::new(0),
            by_address: Mutex::new(HashMap::new()),
        })
    }

    /// How many streams are open on this node.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// A place for one more stream from `address`, if the node and the address have room.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Ticket, Refused> {
        let mut by_address = self.by_address.lock().unwrap_or_else(|p| p.into_inner());
        if self.open() >= self.settings.max_streams {
            return Err(Refused::NodeFull);
        }
        let count = by_address.entry(address).or_insert(0);
        if *count >= self.settings.per_address {
            return Err(Refused::AddressFull);
        }
        *count += 1;
        self.open.fetch_add(1, Ordering::AcqRel);
        Ok(Ticket {
            streams: Arc::clone(self),
            address,
        })
    }
}

/// Checks where a stream would start (400 for what is not a cursor, 410 for one the log no
/// longer reaches back to) and returns its position.
pub async fn start(
    reader: &Arc<Reader>,
    field: &'static str,
    cursor: Option<String>,
) -> Result<i64, ReadError> {
    let after = changes::position(field, cursor.as_deref())?;
    reader
        .routing
        .read(move |conn| changes::check_retained(conn, field, after))
        .await?;
    Ok(after)
}

/// One event: `id:` the cursor, `data:` the entry (JSON holds no line break).
fn event(entry: &ChangeEntry) -> String {
    let data = serde_json::to_string(entry).unwrap_or_default();
    format!("id: {}\ndata: {data}\n\n", entry.cursor)
}

struct State<S> {
    reader: Arc<Reader>,
    position: i64,
    newest: tokio::sync::watch::Receiver<i64>,
    first: bool,
    stop: std::pin::Pin<Box<S>>,
    ticket: Ticket,
}

/// The stream of events after `position`, until `stop` resolves or the client goes.
pub fn events<S>(
    reader: Arc<Reader>,
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
        position,
        newest,
        first: true,
        stop: Box::pin(stop),
        ticket,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        let chunk = next_chunk(&mut state).await?;
        Some((Ok(Bytes::from(chunk)), state))
    })
}

/// The next bytes to send: the opening `retry:`, events, or a keep-alive comment; `None` ends
/// the stream.
async fn next_chunk<S: std::future::Future<Output = ()>>(state: &mut State<S>) -> Option<String> {
    let settings = &state.ticket.streams.settings;
    if state.first {
        state.first = false;
        // A comment first, so that clients and proxies see the stream open at once.
        return Some(format!(
            ": khabar changes\nretry: {}\n\n",
            settings.retry.as_millis()
        ));
    }
    let keep_alive = settings.keep_alive;
    loop {
        // Marked seen before reading, so an entry applied after the read still wakes us.
        state.newest.borrow_and_update();
        let entries = match state.reader.tail.read_after(state.position, CHUNK) {
            Read::Entries(entries) => entries,
            Read::Behind { from } => {
                let entries = from_database(state, from).await?;
                if entries.is_empty() {
                    // Moved up to what the tail holds: read that.
                    continue;
                }
                entries
            }
        };
        if let Some((last, _)) = entries.last() {
            state.position = *last;
            return Some(entries.iter().map(|(_, entry)| event(entry)).collect());
        }
        tokio::select! {
            changed = state.newest.changed() => changed.ok()?,
            () = tokio::time::sleep(keep_alive) => return Some(": keep-alive\n\n".to_owned()),
            () = state.stop.as_mut() => return None,
        }
    }
}

/// Public entries after the stream's position from the database, for a stream that started
/// further back than the tail's memory; past what the database holds, it moves to `from`.
async fn from_database<S>(state: &mut State<S>, from: i64) -> Option<Vec<(i64, ChangeEntry)>> {
    let after = state.position;
    let reader = Arc::clone(&state.reader);
    let entries = state
        .reader
        .routing
        .read(move |conn| change_log::public_after(conn, after, CHUNK as i64))
        .await
        .ok()?;
    if entries.is_empty() {
        state.position = state.position.max(from);
    }
    Some(
        entries
            .iter()
            .filter_map(|entry| Some((entry.seq, changes::public_entry(entry, &reader.urls)?)))
            .collect(),
    )
}
