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
pub mod desk;
pub mod feeds;
pub mod list_params;
pub mod lists;
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
    pub cursors: CursorSigner,
    pub urls: UrlBuilder,
    /// How clients reach this API, for `Link` headers and feed self links.
    pub public_url: url::Url,
    pub feeds: feeds::FeedSettings,
}

/// Why a read was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    NotFound(String),
    /// A bad parameter or cursor (400), each named.
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
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

impl Reader {
    /// Cache-aside, the one way every read uses the cache: the entry under `key`, or what the
    /// work made by `on_miss` builds from the delivery store, kept unless a write evicted its
    /// sources meanwhile. `on_miss` runs only on a miss, so that a hit costs no more than the
    /// lookup (URLs for `Link` headers and the like are built there).
    pub async fn cached<F>(
        self: &Arc<Self>,
        key: String,
        on_miss: impl FnOnce() -> F,
    ) -> Result<Arc<Representation>, ReadError>
    where
        F: FnOnce(&mut DbConnection, &Reader) -> Result<Representation, ReadError> + Send + 'static,
    {
        let fill = self.cache.fill_token();
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let build = on_miss();
        let reader = Arc::clone(self);
        let built = Arc::new(self.routing.read(move |conn| build(conn, &reader)).await?);
        self.cache.insert(key, built.clone(), fill);
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
