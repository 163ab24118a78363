//! What a change tells the outside world: webhook events (through the outbox, in the change's
//! transaction) and WebSub pings (through the job table).

use chrono::NaiveDateTime;
use serde_json::json;

use crate::api::article::UrlBuilder;
use crate::db::models::article::Article;
use crate::db::queries::jobs::{self, JobKind};
use crate::db::queries::webhooks;
use crate::db::{DbConnection, DbError};
use crate::delivery::cache::Change;

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

/// Recompiles `article_ids` (and tells every node's cache), and when an edge cache is purged,
/// queues the purge of what changed: in the change's transaction, so that a committed change
/// is always purged and a rolled-back one never is.
pub fn republish(
    conn: &mut DbConnection,
    ctx: &super::EditContext,
    article_ids: &[i64],
) -> Result<(), DbError> {
    republish_at(conn, ctx, article_ids, ctx.now)
}

/// [`republish`] with the time the articles' forms are compiled as of.
pub fn republish_at(
    conn: &mut DbConnection,
    ctx: &super::EditContext,
    article_ids: &[i64],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let change = crate::delivery::publish_changes(conn, article_ids, &ctx.urls, at)?;
    if ctx.edge_purge {
        enqueue_purge(conn, &change, ctx.request_id.as_deref(), ctx.now)?;
    }
    Ok(())
}

/// Queues the purge of every answer at the edge, when one is purged: after an import, which
/// changes too much to name.
pub fn purge_everything(conn: &mut DbConnection, ctx: &super::EditContext) -> Result<(), DbError> {
    if ctx.edge_purge {
        enqueue_purge(conn, &Change::Everything, None, ctx.now)?;
    }
    Ok(())
}

/// After content changed around the API (`khabar import`, `khabar recompile`): every running
/// node empties its cache (PostgreSQL's notification; a SQLite server keeps its cache up to
/// `KHABAR_CACHE_MAX_AGE`) and, with an edge cache, a purge of everything is queued for the
/// servers' workers to send.
pub fn everything_changed(
    conn: &mut DbConnection,
    edge_purge: bool,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    crate::db::claim::write_transaction(conn, |conn| {
        crate::db::notify::announce_change(conn, &Change::Everything)?;
        if edge_purge {
            enqueue_purge(conn, &Change::Everything, None, now)?;
        }
        Ok(())
    })
}

/// The outbox row of an edge purge: the keys `change` touched, and the request that made it.
fn enqueue_purge(
    conn: &mut DbConnection,
    change: &Change,
    request_id: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    jobs::enqueue(
        conn,
        JobKind::EdgePurge,
        &json!({"keys": change.purge_keys(), "request_id": request_id}),
        now,
        now,
    )
}

/// Queues `event` about `article` for every subscribed webhook, and a WebSub ping.
pub fn article_event(
    conn: &mut DbConnection,
    event: &str,
    article: &Article,
    urls: &UrlBuilder,
    websub: Option<&WebSub>,
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
    if let Some(websub) = websub {
        jobs::enqueue(
            conn,
            JobKind::WebSubPing,
            &json!({"hub": websub.hub, "feeds": websub.feeds_for(&article.language)}),
            now,
            now,
        )?;
    }
    Ok(())
}
