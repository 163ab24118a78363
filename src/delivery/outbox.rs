//! What a change tells the outside world besides the change log: webhook events (through the
//! outbox, in the change's transaction), which the editorial service and the importers queue;
//! and the WebSub hub's address, whose pings the worker makes from the log.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::api::article::UrlBuilder;
use crate::db::models::article::Article;
use crate::db::queries::webhooks;
use crate::db::{DbConnection, DbError};

/// The events a webhook can subscribe to.
pub const EVENTS: &[&str] = &[
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.deleted",
];

/// The WebSub hub, and the API's public address the feeds live under.
#[derive(Debug, Clone)]
pub struct WebSub {
    pub hub: String,
    pub public_url: url::Url,
}

impl WebSub {
    /// The language feeds an article appears in (what a hub's subscribers follow).
    pub fn feeds_for(&self, language: &str) -> Vec<String> {
        ["rss.xml", "atom.xml", "feed.json"]
            .iter()
            .filter_map(|name| self.public_url.join(&format!("feeds/{language}/{name}")).ok())
            .map(|url| url.to_string())
            .collect()
    }
}

/// Queues `event` about `article` for every subscribed webhook. (The WebSub hub hears of
/// changes from the change log: see `worker::log`.)
pub fn article_event(
    conn: &mut DbConnection,
    event: &str,
    article: &Article,
    urls: &UrlBuilder,
    now: NaiveDateTime,
    request_id: Option<&str>,
) -> Result<(), DbError> {
    let mut payload = json!({
        "event": event,
        "occurred_at": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "article": {
            "id": article.public_id,
            "slug": article.slug,
            "language": article.language,
            "status": article.status,
            "version": article.version,
            "url": urls.article(&article.language, &article.slug),
        }
    });
    if let Some(id) = request_id {
        // The request that made the change, also sent as `X-Request-Id`.
        payload["request_id"] = json!(id);
    }
    webhooks::enqueue(conn, event, &article.public_id, &payload, now)?;
    Ok(())
}
