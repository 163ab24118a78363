//! A live blog's events as Server-Sent Events, made once per node from the change log: the log
//! tail turns each live entry of the log into the bytes every stream of that blog sends
//! (`id:` the cursor, `event:` the kind, `data:` the [`LiveEvent`]), and keeps the newest of
//! each blog in memory, so that a published entry costs one database read per node however
//! many readers follow the blog.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;

use crate::api::article::UrlBuilder;
use crate::api::live::{LiveBlogView, LiveEntryView, LiveEvent};
use crate::db::queries::article_read::ArticleKey;
use crate::db::queries::change_log::Entry;
use crate::db::queries::delivery::{self, Found};
use crate::db::queries::live as store;
use crate::db::{utc_now, DbConnection, DbError};
use crate::domain::changes::cursor;
use crate::domain::live::LiveChange;

/// Events kept in memory per blog; a stream further behind reads the database.
const PER_BLOG: usize = 500;
/// Events kept in memory across blogs: past it, the blog that was quiet longest is dropped
/// from memory (its streams read the database until it speaks again).
const IN_ALL: usize = 20_000;

/// One event, ready to send.
#[derive(Debug, Clone)]
pub struct Sent {
    pub seq: i64,
    pub bytes: Bytes,
}

/// The events of the live entries among `entries` (any kinds, in log order) whose blog is
/// public now, by blog (the article's public id).
pub fn events_of(
    conn: &mut DbConnection,
    urls: &UrlBuilder,
    entries: &[Entry],
) -> Result<Vec<(String, Sent)>, DbError> {
    let live: Vec<(&Entry, LiveChange)> = entries
        .iter()
        .filter_map(|e| Some((e, LiveChange::from_log_kind(&e.kind)?)))
        .collect();
    if live.is_empty() {
        return Ok(Vec::new());
    }
    let items: Vec<&str> = live
        .iter()
        .map(|(e, _)| e.item.as_str())
        .filter(|i| !i.is_empty())
        .collect();
    let found = store::by_public_ids(conn, &items)?;
    let media = store::media_of(conn, &found)?;
    let records: HashMap<String, store::EntryRecord> = found
        .into_iter()
        .map(|r| (r.entry.public_id.clone(), r))
        .collect();
    let mut blogs: HashMap<String, Option<LiveBlogView>> = HashMap::new();
    let mut out = Vec::new();
    for (entry, change) in live {
        if !blogs.contains_key(&entry.public_id) {
            let blog = public_blog(conn, &entry.public_id)?;
            blogs.insert(entry.public_id.clone(), blog);
        }
        let Some(blog) = blogs.get(&entry.public_id).cloned().flatten() else {
            // Not public (a draft's blog, or withdrawn): its events reach no reader.
            continue;
        };
        let page_url = urls.article(&entry.language, &entry.slug);
        let shown = records
            .get(&entry.item)
            .filter(|r| r.entry.deleted_at.is_none() && change != LiveChange::EntryDeleted)
            .map(|r| LiveEntryView::build(r, &media, &entry.language, &page_url));
        let event = LiveEvent {
            cursor: cursor(entry.seq),
            kind: change,
            entry_id: (change != LiveChange::StateChanged).then(|| entry.item.clone()),
            entry: shown,
            blog: (change == LiveChange::StateChanged).then_some(blog),
            at: entry.at.and_utc(),
        };
        out.push((
            entry.public_id.clone(),
            Sent {
                seq: entry.seq,
                bytes: bytes_of(&event),
            },
        ));
    }
    Ok(out)
}

/// The blog of the article `public_id` as it is now, if the article is public.
fn public_blog(conn: &mut DbConnection, public_id: &str) -> Result<Option<LiveBlogView>, DbError> {
    let Found::One(delivered) = delivery::find(conn, &ArticleKey::PublicId(public_id.to_owned()), utc_now())?
    else {
        return Ok(None);
    };
    let Some(blog) = store::blog(conn, delivered.article_id)? else {
        return Ok(None);
    };
    Ok(Some(LiveBlogView::build(
        &blog,
        store::activity(conn, delivered.article_id)?,
    )))
}

/// `id:`, `event:` and `data:` (JSON holds no line break) of one event.
fn bytes_of(event: &LiveEvent) -> Bytes {
    let data = serde_json::to_string(event).unwrap_or_default();
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.cursor,
        event.kind.event_name()
    ))
}

/// The newest events of each blog, in memory.
pub struct Windows {
    /// Every event after it of a blog that has no window here is in none (the tail's start,
    /// raised past the last event of each blog dropped from memory).
    from: i64,
    blogs: HashMap<String, Window>,
    /// Events held, across blogs.
    held: usize,
}

struct Window {
    /// Every event of the blog after it is here.
    from: i64,
    events: VecDeque<Sent>,
}

/// What a stream reads next: events after its position, or `Behind` when memory no longer
/// reaches back to it (read the database up to `from`).
pub enum Read {
    Events(Vec<Sent>),
    Behind { from: i64 },
}

impl Windows {
    pub fn new(from: i64) -> Windows {
        Windows {
            from,
            blogs: HashMap::new(),
            held: 0,
        }
    }

    pub fn remember(&mut self, events: Vec<(String, Sent)>) {
        for (blog, sent) in events {
            let from = self.from;
            let window = self.blogs.entry(blog).or_insert_with(|| Window {
                from,
                events: VecDeque::new(),
            });
            window.events.push_back(sent);
            self.held += 1;
            while window.events.len() > PER_BLOG {
                if let Some(dropped) = window.events.pop_front() {
                    window.from = dropped.seq;
                    self.held -= 1;
                }
            }
        }
        while self.held > IN_ALL && self.blogs.len() > 1 {
            self.drop_quietest();
        }
    }

    /// Drops the window of the blog whose newest event is oldest. Its streams read the
    /// database from then on (they are behind `from`), until its next event opens a window.
    fn drop_quietest(&mut self) {
        let quietest = self
            .blogs
            .iter()
            .min_by_key(|(_, w)| w.events.back().map_or(w.from, |e| e.seq))
            .map(|(blog, _)| blog.clone());
        if let Some(window) = quietest.and_then(|blog| self.blogs.remove(&blog)) {
            self.held -= window.events.len();
            self.from = self.from.max(window.events.back().map_or(window.from, |e| e.seq));
        }
    }

    /// Up to `limit` events of `blog` after `after`.
    pub fn read_after(&self, blog: &str, after: i64, limit: usize) -> Read {
        let Some(window) = self.blogs.get(blog) else {
            return if after < self.from {
                Read::Behind { from: self.from }
            } else {
                Read::Events(Vec::new())
            };
        };
        if after < window.from {
            return Read::Behind { from: window.from };
        }
        let start = window.events.partition_point(|sent| sent.seq <= after);
        Read::Events(window.events.range(start..).take(limit).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(seq: i64) -> Sent {
        Sent {
            seq,
            bytes: Bytes::from(seq.to_string()),
        }
    }

    fn seqs(read: Read) -> Result<Vec<i64>, i64> {
        match read {
            Read::Events(events) => Ok(events.iter().map(|e| e.seq).collect()),
            Read::Behind { from } => Err(from),
        }
    }

    #[test]
    fn a_blog_dropped_from_memory_is_read_from_the_database_not_missed() {
        let mut windows = Windows::new(10);
        windows.remember(vec![("a".into(), sent(11)), ("b".into(), sent(12))]);
        assert_eq!(seqs(windows.read_after("a", 10, 10)), Ok(vec![11]));
        assert_eq!(seqs(windows.read_after("c", 10, 10)), Ok(vec![]));
        assert_eq!(seqs(windows.read_after("c", 5, 10)), Err(10));
        // Many busy blogs fill memory past its bound: a (quiet longest) is dropped, and a
        // stream of a that had not read 11 yet is sent to the database, not told nothing.
        let mut seq = 12;
        for blog in 0..=IN_ALL / PER_BLOG {
            let events: Vec<(String, Sent)> = (0..PER_BLOG)
                .map(|_| {
                    seq += 1;
                    (format!("x{blog}"), sent(seq))
                })
                .collect();
            windows.remember(events);
        }
        let from = match seqs(windows.read_after("a", 10, 10)) {
            Err(from) => from,
            Ok(events) => panic!("a's dropped events were answered from memory: {events:?}"),
        };
        assert!(from >= 11, "the database is read past a's last event ({from})");
        assert_eq!(seqs(windows.read_after("a", from, 10)), Ok(vec![]));
        // A busy blog keeps its newest events.
        assert_eq!(
            seqs(windows.read_after(&format!("x{}", IN_ALL / PER_BLOG), seq - 1, 10)),
            Ok(vec![seq])
        );
        assert!(windows.held <= IN_ALL);
    }
}
