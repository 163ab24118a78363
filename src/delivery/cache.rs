//! The in-process cache in front of the delivery store. Entries are whole responses (bytes and
//! validators).
//!
//! A write says what it changed ([`Change`]): the articles it recompiled, or everything. An
//! article's own entries go when it (or an article it shows, a related one or a translation)
//! changed, and every list, feed, search and catalog page goes with any change, since a
//! change can move anything in or out of a list. Other articles stay warm.
//!
//! A read that began before a write must not put what it read back after the write evicted
//! it: fills carry the generation they started in ([`DeliveryCache::fill_token`]) and are
//! dropped if an eviction happened since.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use chrono::{DateTime, Utc};

use super::codings::{self, Bodies};

/// A response body ready to send in every coding it is offered in, with what HTTP caching
/// needs to know about it.
#[derive(Debug)]
pub struct Representation {
    /// The identity form, and the brotli and gzip forms once [`Representation::coded`] made them
    /// (or the delivery store kept them).
    pub bodies: Bodies,
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    /// `last_modified` as an HTTP date, formatted once rather than on every response.
    pub last_modified_http: String,
    pub surrogate_keys: String,
    pub content_type: &'static str,
    /// Extra headers (e.g. `Link`), name and value.
    pub headers: Vec<(&'static str, String)>,
    /// One article's representation, evicted only when an article it shows changed; anything
    /// else (lists, feeds, search, catalog pages) goes with every change.
    pub is_article: bool,
    /// The headers above as sent in each coding (identity, gzip, brotli: the `ETag` and
    /// `Content-Encoding` differ), built on the first response in that coding and reused by
    /// every hit, so that a cached answer costs no header parsing.
    pub wire_headers: [OnceLock<Vec<(HeaderName, HeaderValue)>>; 3],
}

/// What a committed write changed, for the caches of every node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// These articles (public ids) were recompiled or withdrawn; lists may have changed too.
    Articles(BTreeSet<String>),
    /// Anything may have changed.
    Everything,
}

impl Change {
    /// The union of two changes.
    pub fn merge(self, other: Change) -> Change {
        match (self, other) {
            (Change::Articles(mut a), Change::Articles(b)) => {
                a.extend(b);
                Change::Articles(a)
            }
            _ => Change::Everything,
        }
    }
}

/// `LISTS_KEY` is the edge's counterpart of what [`DeliveryCache::apply`] drops for any change.
pub use crate::domain::changes::{ALL_KEY, LISTS_KEY};

impl Representation {
    /// The `Surrogate-Key` header: the representation's own keys, then the lists key for
    /// anything but an article's own answer, then the key every answer carries.
    pub fn surrogate_key_header(&self) -> String {
        let mut keys = self.surrogate_keys.clone();
        for key in [(!self.is_article).then_some(LISTS_KEY), Some(ALL_KEY)]
            .into_iter()
            .flatten()
        {
            if !keys.is_empty() {
                keys.push(' ');
            }
            keys.push_str(key);
        }
        keys
    }
}

/// Where a cache fill started: see [`DeliveryCache::fill_token`].
#[derive(Debug, Clone, Copy)]
pub struct FillToken(u64);

impl Representation {
    pub fn new(
        body: bytes::Bytes,
        etag: String,
        last_modified: DateTime<Utc>,
        surrogate_keys: String,
    ) -> Self {
        Self::with_bodies(Bodies::plain(body), etag, last_modified, surrogate_keys)
    }

    /// A representation whose forms are already made (an article's, from the delivery store).
    pub fn with_bodies(
        bodies: Bodies,
        etag: String,
        last_modified: DateTime<Utc>,
        surrogate_keys: String,
    ) -> Self {
        Representation {
            bodies,
            etag,
            last_modified_http: last_modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            last_modified,
            surrogate_keys,
            content_type: "application/json",
            headers: Vec::new(),
            is_article: false,
            wire_headers: Default::default(),
        }
    }

    /// Makes the brotli and gzip forms, once, when the body is worth coding (text of a fair
    /// size). Called where the representation is built, off the request's worker.
    pub fn coded(mut self) -> Self {
        if !self.bodies.is_coded() && codings::compressible(self.content_type) {
            self.bodies = Bodies::coded(self.bodies.identity().clone());
        }
        self
    }

    /// The identity form.
    pub fn body(&self) -> &bytes::Bytes {
        self.bodies.identity()
    }

    /// True when this entry shows one of `articles` (its own or a linked article's key).
    fn shows_any(&self, articles: &BTreeSet<String>) -> bool {
        self.surrogate_keys
            .split(' ')
            .filter_map(|key| key.strip_prefix("article-"))
            .any(|id| articles.contains(id))
    }
}

/// A representation as the address it answered: see [`DeliveryCache::answered`].
#[derive(Clone)]
pub struct Answered {
    pub representation: Arc<Representation>,
    /// The route pattern of the handler that made it, for metrics.
    pub route: Arc<str>,
}

#[derive(Clone)]
pub struct DeliveryCache {
    /// Keys are paths with queries, hundreds of bytes for a percent-encoded Arabic slug:
    /// foldhash (randomly seeded per process) hashes them several times faster than SipHash.
    entries: moka::sync::Cache<String, Arc<Representation>, foldhash::fast::RandomState>,
    /// The same representations by the exact address (path and query) a public GET answered
    /// with them, so that the next GET of that address is answered before routing. Holds the
    /// entries' `Arc`s, not copies; evicted by the same rules.
    answered: moka::sync::Cache<String, Answered, foldhash::fast::RandomState>,
    /// Counts evictions. Fills check it under the read lock, evictions bump it under the write
    /// lock, so no fill that started before an eviction lands after it.
    generation: Arc<AtomicU64>,
    eviction: Arc<RwLock<()>>,
}

impl std::fmt::Debug for DeliveryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeliveryCache({} entries)", self.entries.entry_count())
    }
}

impl DeliveryCache {
    /// `max_bytes` bounds the bodies held; `ttl` bounds how long anything is served from memory,
    /// which also bounds how late an embargo lifts or a scheduled time passes in a cached list.
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, value: &Arc<Representation>| {
                u32::try_from(key.len() + value.bodies.weight() + 256).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .support_invalidation_closures()
            .build_with_hasher(foldhash::fast::RandomState::default());
        let answered = moka::sync::Cache::builder()
            // The bodies are weighed in `entries`; here only what an address adds.
            .max_capacity(max_bytes / 4)
            .weigher(|key: &String, _: &Answered| u32::try_from(key.len() + 128).unwrap_or(u32::MAX))
            .time_to_live(ttl)
            .support_invalidation_closures()
            .build_with_hasher(foldhash::fast::RandomState::default());
        DeliveryCache {
            entries,
            answered,
            generation: Arc::new(AtomicU64::new(0)),
            eviction: Arc::new(RwLock::new(())),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<Representation>> {
        self.entries.get(key)
    }

    /// Take before reading what will be inserted.
    pub fn fill_token(&self) -> FillToken {
        FillToken(self.generation.load(Ordering::Acquire))
    }

    /// Inserts `value`, unless an eviction happened since `token` was taken (then what was read
    /// may predate the write that caused it, and the next read fills afresh).
    pub fn insert(&self, key: String, value: Arc<Representation>, token: FillToken) {
        let _fill = self
            .eviction
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.generation.load(Ordering::Acquire) == token.0 {
            self.entries.insert(key, value);
        }
    }

    /// The representation a public GET of `address` (path and query) was last answered with,
    /// if it is still current.
    pub fn answered(&self, address: &str) -> Option<Answered> {
        self.answered.get(address)
    }

    /// Remembers what answered `address`, unless an eviction happened since `token`.
    pub fn remember_answer(&self, address: String, answered: Answered, token: FillToken) {
        let _fill = self
            .eviction
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.generation.load(Ordering::Acquire) == token.0 {
            self.answered.insert(address, answered);
        }
    }

    /// Evicts what `change` may have made stale.
    pub fn apply(&self, change: &Change) {
        let _evicting = self
            .eviction
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        match change {
            Change::Everything => {
                self.entries.invalidate_all();
                self.answered.invalidate_all();
            }
            Change::Articles(articles) => {
                let stale = {
                    let articles = articles.clone();
                    move |entry: &Representation| !entry.is_article || entry.shows_any(&articles)
                };
                let by_key = stale.clone();
                // Applies to the entries present now; later fills carry the new generation.
                let registered = self.entries.invalidate_entries_if(move |_, entry| by_key(entry));
                if registered.is_err() {
                    self.entries.invalidate_all();
                }
                let registered = self
                    .answered
                    .invalidate_entries_if(move |_, answered| stale(&answered.representation));
                if registered.is_err() {
                    self.answered.invalidate_all();
                }
            }
        }
    }

    /// (entries, bytes held by their keys and bodies), approximately: for `/metrics`.
    pub fn size(&self) -> (u64, u64) {
        (self.entries.entry_count(), self.entries.weighted_size())
    }

    /// Forgets everything.
    pub fn invalidate_all(&self) {
        self.apply(&Change::Everything);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(keys: &str, is_article: bool) -> Arc<Representation> {
        let mut representation = Representation::new(
            bytes::Bytes::from_static(b"{}"),
            "\"t\"".into(),
            Utc::now(),
            keys.into(),
        );
        representation.is_article = is_article;
        Arc::new(representation)
    }

    #[test]
    fn a_change_evicts_what_shows_it_and_every_list() {
        let cache = DeliveryCache::new(1 << 20, Duration::from_secs(60));
        let token = cache.fill_token();
        cache.insert("a".into(), entry("article-A topic-x", true), token);
        cache.insert("b".into(), entry("article-B topic-x", true), token);
        cache.insert("c".into(), entry("article-C article-A", true), token);
        cache.insert("list".into(), entry("articles", false), token);
        cache.apply(&Change::Articles(["A".to_owned()].into()));
        assert!(cache.get("a").is_none(), "the changed article");
        assert!(cache.get("c").is_none(), "an article that links to it");
        assert!(cache.get("list").is_none(), "lists");
        assert!(cache.get("b").is_some(), "other articles stay warm");
        cache.apply(&Change::Everything);
        assert!(cache.get("b").is_none());
    }

    #[test]
    fn a_fill_that_started_before_an_eviction_is_dropped() {
        let cache = DeliveryCache::new(1 << 20, Duration::from_secs(60));
        let before = cache.fill_token();
        cache.apply(&Change::Articles(["A".to_owned()].into()));
        cache.insert("a".into(), entry("article-A", true), before);
        assert!(
            cache.get("a").is_none(),
            "read before the write, not put back after it"
        );
        cache.insert("a".into(), entry("article-A", true), cache.fill_token());
        assert!(cache.get("a").is_some());
    }

    #[test]
    fn changes_merge() {
        let a = Change::Articles(["A".to_owned()].into());
        let b = Change::Articles(["B".to_owned()].into());
        assert_eq!(
            a.clone().merge(b),
            Change::Articles(["A".to_owned(), "B".to_owned()].into())
        );
        assert_eq!(a.merge(Change::Everything), Change::Everything);
    }
}
