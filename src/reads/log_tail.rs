//! This node's reader of the change log: everything downstream of a change on this node
//! follows it. After a write on this node, after another node's wake-up (PostgreSQL `NOTIFY`)
//! and on the worker's every tick, the tail reads the log from the last position it applied:
//!
//! - the response cache drops what each entry made stale (an article's answers and the lists;
//!   everything for an `everything` entry), so a node that missed a wake-up, or lost its
//!   database for a while, catches up instead of emptying its cache;
//! - change streams (`GET /v1/changes/stream`) are woken and served the public entries from a
//!   window kept in memory, so a publish costs one database read per node, not one per
//!   stream.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, RwLock};

use tokio::sync::watch;

use super::changes::{self, ChangeEntry};
use crate::api::article::UrlBuilder;
use crate::db::queries::change_log::{self, Entry};
use crate::db::{DbConnection, DbError};
use crate::delivery::cache::{Change, DeliveryCache};
use crate::domain::changes::LogKind;

/// Entries read from the log per query.
const BATCH: i64 = 1000;
/// Public entries kept in memory for streams; a stream further behind reads the database.
const WINDOW: usize = 10_000;

pub struct LogTail {
    cache: DeliveryCache,
    urls: UrlBuilder,
    /// The newest position whose effects this node applied.
    applied: AtomicI64,
    /// One catch-up at a time: entries are applied, and the window filled, in order.
    catching_up: Mutex<()>,
    /// The newest position applied, for streams to wait on.
    newest: watch::Sender<i64>,
    window: RwLock<Window>,
    /// The newest events of each live blog, ready to send.
    live: RwLock<super::live_events::Windows>,
}

/// The newest public entries, oldest first; `from`: every public entry after it is here.
struct Window {
    from: i64,
    entries: VecDeque<(i64, ChangeEntry)>,
}

/// What a stream reads next from the window: the entries after its position, or `Behind` when
/// the window no longer reaches back to it (read the database up to `from`).
pub enum Read {
    Entries(Vec<(i64, ChangeEntry)>),
    Behind { from: i64 },
}

impl LogTail {
    /// A tail that starts at `position` (the log's newest at start: an empty cache has
    /// nothing older to drop).
    pub fn new(cache: DeliveryCache, urls: UrlBuilder, position: i64) -> LogTail {
        LogTail {
            cache,
            urls,
            applied: AtomicI64::new(position),
            catching_up: Mutex::new(()),
            newest: watch::Sender::new(position),
            window: RwLock::new(Window {
                from: position,
                entries: VecDeque::new(),
            }),
            live: RwLock::new(super::live_events::Windows::new(position)),
        }
    }

    /// The newest position applied.
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::Acquire)
    }

    /// Waits on this to learn of newer entries.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.newest.subscribe()
    }

    /// Reads the log after the last applied position and applies each entry: evicts what it
    /// made stale and wakes the streams. Returns how many entries it read.
    pub fn catch_up(&self, conn: &mut DbConnection) -> Result<usize, DbError> {
        let _one = self.catching_up.lock().unwrap_or_else(|p| p.into_inner());
        let mut read = 0;
        loop {
            let entries = change_log::after(conn, self.applied(), BATCH)?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                break;
            };
            read += entries.len();
            // Made before anything is applied: should reading the entries fail, the whole
            // batch is read again next time.
            let live = super::live_events::events_of(conn, &self.urls, &entries)?;
            self.cache.apply(&evictions(&entries));
            self.remember(&entries);
            self.live
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remember(live);
            self.applied.store(last, Ordering::Release);
            if (entries.len() as i64) < BATCH {
                break;
            }
        }
        if read > 0 {
            self.newest.send_replace(self.applied());
        }
        Ok(read)
    }

    fn remember(&self, entries: &[Entry]) {
        let mut window = self.window.write().unwrap_or_else(|p| p.into_inner());
        for entry in entries {
            if let Some(public) = changes::public_entry(entry, &self.urls) {
                window.entries.push_back((entry.seq, public));
            }
        }
        while window.entries.len() > WINDOW {
            if let Some((seq, _)) = window.entries.pop_front() {
                window.from = seq;
            }
        }
    }

    /// Up to `limit` public entries after `after`, from memory.
    pub fn read_after(&self, after: i64, limit: usize) -> Read {
        let window = self.window.read().unwrap_or_else(|p| p.into_inner());
        if after < window.from {
            return Read::Behind { from: window.from };
        }
        let start = window.entries.partition_point(|(seq, _)| *seq <= after);
        Read::Entries(window.entries.range(start..).take(limit).cloned().collect())
    }
}

impl LogTail {
    /// Up to `limit` events of the live blog of article `blog` after `after`, from memory.
    pub fn read_live(&self, blog: &str, after: i64, limit: usize) -> super::live_events::Read {
        self.live
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .read_after(blog, after, limit)
    }
}

/// What a run of entries made stale in a response cache.
fn evictions(entries: &[Entry]) -> Change {
    entries
        .iter()
        .map(|entry| match entry.kind() {
            // A live change shows in its article's own reads (the live slices); what the
            // article's compiled form and the lists show of it comes with the article's entry.
            Some(LogKind::Article(_) | LogKind::Live(_)) => {
                Change::Articles([entry.public_id.clone()].into())
            }
            // A catalog change shows in lists and catalog pages; the articles it changed were
            // recompiled and have entries of their own.
            Some(LogKind::Topic | LogKind::Contributor | LogKind::Media | LogKind::Redirect) => {
                Change::Articles(Default::default())
            }
            Some(LogKind::Everything) | None => Change::Everything,
        })
        .fold(Change::Articles(Default::default()), Change::merge)
}
