//! The in-process cache in front of the delivery store. Entries are whole responses (bytes and
//! validators). Any content write empties it: writes are rare next to reads, and clearing
//! everything can never serve a stale list that a finer scheme forgot to name.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A response body ready to send, with what HTTP caching needs to know about it.
#[derive(Debug, Clone)]
pub struct Representation {
    pub body: bytes::Bytes,
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    /// `last_modified` as an HTTP date, formatted once rather than on every response.
    pub last_modified_http: String,
    pub surrogate_keys: String,
    pub content_type: &'static str,
    /// Extra headers (e.g. `Link`), name and value.
    pub headers: Vec<(&'static str, String)>,
}

impl Representation {
    pub fn new(
        body: bytes::Bytes,
        etag: String,
        last_modified: DateTime<Utc>,
        surrogate_keys: String,
    ) -> Self {
        Representation {
            body,
            etag,
            last_modified_http: last_modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            last_modified,
            surrogate_keys,
            content_type: "application/json",
            headers: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct DeliveryCache {
    entries: moka::sync::Cache<String, Arc<Representation>>,
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
                u32::try_from(key.len() + value.body.len() + 256).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        DeliveryCache { entries }
    }

    pub fn get(&self, key: &str) -> Option<Arc<Representation>> {
        self.entries.get(key)
    }

    pub fn insert(&self, key: String, value: Arc<Representation>) {
        self.entries.insert(key, value);
    }

    /// (entries, bytes held by their keys and bodies), approximately: for `/metrics`.
    pub fn size(&self) -> (u64, u64) {
        (self.entries.entry_count(), self.entries.weighted_size())
    }

    /// Forgets everything; called after every content write, here or on another node.
    pub fn invalidate_all(&self) {
        self.entries.invalidate_all();
    }
}
