//! The read side, the mirror of `editorial/`: every public read is a request checked here,
//! answered from the response cache or built from the delivery store in one call, and returned
//! as a ready [`Representation`]. No HTTP here; `routes` parses, calls and responds, and maps
//! [`ReadError`] to problems.
//!
//! - [`params`]: page sizes, languages and comma lists, checked the same way everywhere;
//! - [`paging`]: keyset pages with signed cursors, one helper for every list;
//! - [`resolve`]: topic, section and contributor slugs to ids;
//! - [`list_params`]: what every article list accepts and answers;
//! - one module per kind of read: [`article`], [`lists`], [`search`], [`sync`], [`catalog`],
//!   [`feeds`], [`sitemaps`].

pub mod article;
pub mod catalog;
pub mod change_stream;
pub mod changes;
pub mod desk;
pub mod feeds;
pub mod list_params;
pub mod lists;
pub mod live;
pub mod live_events;
pub mod live_feeds;
pub mod live_stream;
pub mod log_tail;
pub mod paging;
pub mod params;
pub mod resolve;
pub mod search;
pub mod site;
pub mod sitemaps;
pub mod sync;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::article::UrlBuilder;
use crate::db::replicas::ReadRouting;
use crate::db::{DbConnection, DbError};
use crate::delivery::cache::{DeliveryCache, Representation};
use crate::delivery::strong_etag;
use crate::domain::cursor::CursorSigner;
use crate::domain::validation::{FieldCode, FieldError};

/// Everything a public read needs: where to read (a fresh replica or the primary), the response
/// cache, the cursor key, how URLs are built, and the feed settings. Shared by all handlers
/// behind one `Arc`.
pub struct Reader {
    pub routing: Arc<ReadRouting>,
    pub cache: DeliveryCache,
    /// Fills under way, by cache key: a request that misses while another fills the same key
    /// waits for that fill instead of building the same answer again (an entry expiring under
    /// 64 connections would otherwise be built 64 times at once).
    pub filling: Filling,
    pub cursors: CursorSigner,
    pub urls: UrlBuilder,
    /// How clients reach this API, for `Link` headers and feed self links.
    pub public_url: url::Url,
    pub feeds: feeds::FeedSettings,
    /// This node's reader of the change log: its cache and its change streams follow it.
    pub tail: Arc<log_tail::LogTail>,
}

/// Why a read was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    NotFound(String),
    /// A bad parameter or cursor (400), each named.
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    /// What a parameter names is no longer kept (410): a cursor older than the log's window.
    #[error("{detail}")]
    Gone { detail: String, errors: Vec<FieldError> },
    /// The article asked for by an old slug lives at this slug now.
    #[error("the article is at the slug '{slug}' now")]
    Moved { slug: String, language: String },
    #[error(transparent)]
    Database(#[from] DbError),
}

impl ReadError {
    /// One bad parameter.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        ReadError::BadRequest {
            detail: format!("invalid {}: {}", error.field, error.message),
            errors: vec![error],
        }
    }

    /// One bad parameter, with the code that says how.
    pub fn coded(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        ReadError::invalid_all(vec![FieldError::coded(field, code, message)])
    }

    /// Several bad parameters at once; the detail repeats them for humans.
    pub fn invalid_all(errors: Vec<FieldError>) -> Self {
        ReadError::BadRequest {
            detail: errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            errors,
        }
    }
}

impl From<diesel::result::Error> for ReadError {
    fn from(error: diesel::result::Error) -> Self {
        ReadError::Database(DbError::Query(error))
    }
}

impl From<FieldError> for ReadError {
    fn from(error: FieldError) -> Self {
        ReadError::invalid_all(vec![error])
    }
}

/// Where a read was asked for: the raw path and query, which key the cache, and from which
/// the public URL of the answer (for `Link` headers) is built only when it is needed.
#[derive(Debug, Clone, Copy)]
pub struct Address<'a> {
    pub path: &'a str,
    pub query: &'a str,
}

impl Address<'_> {
    /// The cache key of this address for one kind of read.
    pub fn key(&self, kind: &str) -> String {
        let mut key = String::with_capacity(kind.len() + self.path.len() + self.query.len() + 2);
        key.push_str(kind);
        key.push(':');
        key.push_str(self.path);
        key.push('?');
        key.push_str(self.query);
        key
    }

    /// The absolute URL clients use for this address.
    pub fn url(&self, public_url: &url::Url) -> url::Url {
        let mut url = public_url.clone();
        url.set_path(self.path);
        url.set_query(Some(self.query).filter(|q| !q.is_empty()));
        url
    }
}

/// The fills under way (see [`Reader::filling`]).
#[derive(Default)]
pub struct Filling {
    pending: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Notify>>>,
}

/// This request fills `key`: the others that miss it wait on `notify` until it is done.
struct Filler<'a> {
    filling: &'a Filling,
    key: String,
    notify: Arc<tokio::sync::Notify>,
}

impl Drop for Filler<'_> {
    /// Done (built, failed or cancelled): the waiters look again.
    fn drop(&mut self) {
        let mut pending = self.filling.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.remove(&self.key);
        self.notify.notify_waiters();
    }
}

impl Filling {
    /// Either this request fills `key` (`Ok`), or another one is and this one waits for it
    /// (`Err` with what to wait on).
    fn claim(&self, key: &str) -> Result<Filler<'_>, tokio::sync::futures::OwnedNotified> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match pending.get(key) {
            // Made under the lock, before the filler can notify: the wake-up cannot be missed.
            Some(notify) => Err(Arc::clone(notify).notified_owned()),
            None => {
                let notify = Arc::new(tokio::sync::Notify::new());
                pending.insert(key.to_owned(), Arc::clone(&notify));
                Ok(Filler {
                    filling: self,
                    key: key.to_owned(),
                    notify,
                })
            }
        }
    }
}

impl Reader {
    /// Cache-aside, the one way every read uses the cache: the entry under `key`, or what the
    /// work made by `on_miss` builds from the delivery store, kept unless a write evicted its
    /// sources meanwhile. `on_miss` runs only on a miss, so that a hit costs no more than the
    /// lookup (URLs for `Link` headers and the like are built there). One request fills a key
    /// at a time; the others that miss it meanwhile take what it filled.
    pub async fn cached<F>(
        self: &Arc<Self>,
        key: String,
        on_miss: impl FnOnce() -> F,
    ) -> Result<Arc<Representation>, ReadError>
    where
        F: FnOnce(&mut DbConnection, &Reader) -> Result<Representation, ReadError> + Send + 'static,
    {
        self.through_cache(key, || {
            let build = on_miss();
            let reader = Arc::clone(self);
            // Built and coded (brotli, gzip) on a blocking thread, once per fill: a request
            // only picks the bytes its client accepts.
            async move {
                let routing = Arc::clone(&reader.routing);
                routing
                    .read(move |conn| build(conn, &reader).map(Representation::coded))
                    .await
            }
        })
        .await
    }

    /// A representation derived from another one (a sparse form of an article, its ninjs), kept
    /// under `key` like any read and evicted with its source (it carries the source's keys).
    /// `build` runs on a blocking thread, with the coding, once per fill.
    pub async fn derived(
        self: &Arc<Self>,
        key: String,
        build: impl FnOnce() -> Result<Representation, ReadError> + Send + 'static,
    ) -> Result<Arc<Representation>, ReadError> {
        self.through_cache(key, || async move {
            crate::telemetry::spawn_blocking(move || build().map(Representation::coded))
                .await
                .map_err(|_| DbError::Cancelled)?
        })
        .await
    }

    /// The entry under `key`, or the one `fill` makes, kept unless a write evicted what it was
    /// made from meanwhile; one fill of a key at a time.
    async fn through_cache<Fut>(
        &self,
        key: String,
        fill: impl FnOnce() -> Fut,
    ) -> Result<Arc<Representation>, ReadError>
    where
        Fut: std::future::Future<Output = Result<Representation, ReadError>>,
    {
        let mut token = self.cache.fill_token();
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let _filler = match self.filling.claim(&key) {
            Ok(filler) => Some(filler),
            Err(wait) => {
                wait.await;
                if let Some(hit) = self.cache.get(&key) {
                    return Ok(hit);
                }
                // The fill failed, or a write evicted it at once: build for this request.
                token = self.cache.fill_token();
                None
            }
        };
        let built = Arc::new(fill().await?);
        self.cache.insert(key, built.clone(), token);
        Ok(built)
    }
}

/// `value` as a JSON representation with a strong `ETag`.
pub fn json(
    value: &impl Serialize,
    last_modified: DateTime<Utc>,
    surrogate_keys: String,
) -> Result<Representation, ReadError> {
    let body = serde_json::to_string(value).map_err(DbError::unserializable)?;
    Ok(text(body, last_modified, surrogate_keys))
}

/// A ready body as a representation with a strong `ETag` (JSON unless the caller says else).
pub fn text(body: String, last_modified: DateTime<Utc>, surrogate_keys: String) -> Representation {
    let etag = strong_etag(body.as_bytes());
    Representation::new(bytes::Bytes::from(body), etag, last_modified, surrogate_keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_key_and_locate_the_request() {
        let address = Address {
            path: "/v1/topics/%D9%84%D9%8A%D8%A8%D9%8A%D8%A7/articles",
            query: "limit=2",
        };
        assert_eq!(
            address.key("list"),
            "list:/v1/topics/%D9%84%D9%8A%D8%A8%D9%8A%D8%A7/articles?limit=2"
        );
        let public = url::Url::parse("https://api.example.com/").unwrap();
        assert_eq!(
            address.url(&public).as_str(),
            "https://api.example.com/v1/topics/%D9%84%D9%8A%D8%A8%D9%8A%D8%A7/articles?limit=2"
        );
        let bare = Address {
            path: "/v1/articles",
            query: "",
        };
        assert_eq!(bare.url(&public).as_str(), "https://api.example.com/v1/articles");
    }

    #[tokio::test]
    async fn one_fill_of_a_key_at_a_time_and_its_waiters_wake() {
        let filling = Filling::default();
        let Ok(first) = filling.claim("k") else {
            panic!("the first miss fills");
        };
        let Err(wait) = filling.claim("k") else {
            panic!("a second miss waits");
        };
        assert!(filling.claim("other").is_ok(), "other keys fill at once");
        let woken = tokio::spawn(async move {
            wait.await;
            true
        });
        drop(first);
        assert!(tokio::time::timeout(std::time::Duration::from_secs(5), woken)
            .await
            .expect("woken when the fill ends")
            .unwrap());
        assert!(filling.claim("k").is_ok(), "the key is free again");
    }

    #[test]
    fn several_bad_parameters_are_all_named() {
        let ReadError::BadRequest { detail, errors } = ReadError::invalid_all(vec![
            FieldError::new("limit", "must be from 1 to 100"),
            FieldError::new("fields", "unknown field 'x'"),
        ]) else {
            panic!("not a bad request");
        };
        assert_eq!(detail, "limit: must be from 1 to 100; fields: unknown field 'x'");
        assert_eq!(errors.len(), 2);
    }
}
