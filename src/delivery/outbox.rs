//! What a change tells the outside world, made from the change log by the worker: webhook
//! events (queued in the outbox, `webhook_deliveries`, then sent with retries) and the WebSub
//! hub's address, which its pings go to.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::api::article::UrlBuilder;
use crate::db::queries::change_log::Entry;
use crate::db::queries::webhooks;
use crate::db::{DbConnection, DbError};
use crate::domain::changes::{ChangeKind, LogKind};

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

/// The webhook event an entry of the change log makes, if it makes one: an article's public
/// life, unless the change was not news to partners (`quiet`).
pub fn event_of(entry: &Entry) -> Option<&'static str> {
    if entry.quiet {
        return None;
    }
    match entry.kind()? {
        LogKind::Article(kind) => Some(match kind {
            ChangeKind::Published => "article.published",
            ChangeKind::Updated => "article.updated",
            ChangeKind::Withdrawn => "article.unpublished",
            ChangeKind::Deleted => "article.deleted",
        }),
        _ => None,
    }
}

/// Queues, for every subscribed webhook, the events that `entries` (read from the change log,
/// in its order) make; returns how many deliveries. The article's status and version are
/// those it has now, moments after the change; a deleted article has neither.
pub fn queue_events(
    conn: &mut DbConnection,
    entries: &[Entry],
    urls: &UrlBuilder,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let events: Vec<(&Entry, &str)> = entries
        .iter()
        .filter_map(|entry| event_of(entry).map(|event| (entry, event)))
        .collect();
    if events.is_empty() {
        return Ok(0);
    }
    let subscribers = webhooks::active(conn)?;
    if subscribers.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = events.iter().map(|(e, _)| e.public_id.as_str()).collect();
    let states = webhooks::article_states(conn, &ids)?;
    let mut queued = 0;
    for (entry, event) in events {
        let (status, version) = match states.get(&entry.public_id) {
            Some((status, version)) => (json!(status), json!(version)),
            None => (serde_json::Value::Null, serde_json::Value::Null),
        };
        let mut payload = json!({
            "event": event,
            "occurred_at": entry.at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "article": {
                "id": entry.public_id,
                "slug": entry.slug,
                "language": entry.language,
                "status": status,
                "version": version,
                "url": urls.article(&entry.language, &entry.slug),
            }
        });
        if let Some(id) = &entry.request_id {
            // The request that made the change, also sent as `X-Request-Id`.
            payload["request_id"] = json!(id);
        }
        queued += webhooks::enqueue_for(conn, &subscribers, event, &entry.public_id, &payload, now)?;
    }
    Ok(queued)
}
