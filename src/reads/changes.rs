//! The public change feed (`GET /v1/changes`): what became public, changed, or stopped being
//! public, in the order it was committed, after a cursor. A view of the change log
//! (`db::queries::change_log`), so a reader that follows `next` sees every change once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ReadError, Reader};
use crate::api::article::UrlBuilder;
use crate::db::queries::change_log;
use crate::db::DbConnection;
use crate::delivery::cache::Representation;
use crate::domain::changes::{self, ChangeKind};
use crate::domain::validation::FieldCode;

/// Most entries one page holds, and how many it holds unless asked.
pub const MAX_LIMIT: i64 = 1000;
const DEFAULT_LIMIT: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next` of the previous page; without it the feed starts at the log's beginning.
    #[param(min_length = 1, max_length = 100)]
    pub after: Option<String>,
    /// Entries per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// The article a change is about, as the public knew it then.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedArticle {
    pub id: String,
    pub language: String,
    pub slug: String,
    /// Its address on the website; for `withdrawn` and `deleted`, the address it had.
    pub url: String,
}

/// One change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeEntry {
    /// This entry's place in the log: pass it as `after` to read what came later.
    pub cursor: String,
    pub kind: ChangeKind,
    /// When the change was committed.
    pub at: DateTime<Utc>,
    pub article: ChangedArticle,
}

/// A page of the change feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangePage {
    /// Oldest first.
    pub data: Vec<ChangeEntry>,
    /// Pass as `after` to continue: the cursor of the last entry, or the one given when there
    /// is nothing newer yet (poll again with it).
    pub next: String,
    /// Whether more entries follow right away (`next` gives them).
    pub more: bool,
}

/// An entry as the public feed shows it; `None` for what the public feed leaves out (the
/// catalog entries caches follow).
pub fn public_entry(entry: &change_log::Entry, urls: &UrlBuilder) -> Option<ChangeEntry> {
    let kind = ChangeKind::parse(&entry.kind)?;
    Some(ChangeEntry {
        cursor: changes::cursor(entry.seq),
        kind,
        at: entry.at.and_utc(),
        article: ChangedArticle {
            url: urls.article(&entry.language, &entry.slug),
            id: entry.public_id.clone(),
            language: entry.language.clone(),
            slug: entry.slug.clone(),
        },
    })
}

/// The position a client's cursor names (`field` says where it sent it): 400 for what is not
/// one of ours.
pub fn position(field: &str, cursor: Option<&str>) -> Result<i64, ReadError> {
    match cursor {
        None => Ok(0),
        Some(cursor) => changes::position(cursor).ok_or_else(|| {
            ReadError::coded(
                field,
                FieldCode::Format,
                "not a cursor of this feed: pass the `next` or a `cursor` it gave",
            )
        }),
    }
}

/// 410 for a position the log no longer reaches back to: the entries after it that were
/// compacted away cannot be told. Starting over without a cursor gives the newest state of
/// every article, tombstones included.
pub fn check_retained(conn: &mut DbConnection, field: &str, after: i64) -> Result<(), ReadError> {
    retained_above(field, after, change_log::horizon(conn)?)
}

/// [`check_retained`] against a horizon already read.
pub fn retained_above(field: &str, after: i64, horizon: i64) -> Result<(), ReadError> {
    if after > 0 && after < horizon {
        return Err(ReadError::Gone {
            detail: format!(
                "{field} is older than the change log keeps; start over without it: the feed \
                 then gives every article's current state (and tombstones) before what follows"
            ),
            errors: vec![crate::domain::validation::FieldError::coded(
                field,
                FieldCode::OutOfRange,
                "older than the retained window",
            )],
        });
    }
    Ok(())
}

pub async fn page(reader: &Arc<Reader>, query: &ChangesQuery) -> Result<Arc<Representation>, ReadError> {
    let after = position("after", query.after.as_deref())?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ReadError::coded(
            "limit",
            FieldCode::OutOfRange,
            format!("must be 1 to {MAX_LIMIT}"),
        ));
    }
    reader
        .cached(format!("changes:{after}:{limit}"), || {
            move |conn, reader| {
                check_retained(conn, "after", after)?;
                // One more than asked says whether more follow.
                let mut entries = change_log::public_after(conn, after, limit + 1)?;
                let more = entries.len() as i64 > limit;
                entries.truncate(limit as usize);
                let newest_at = entries.last().map_or(DateTime::UNIX_EPOCH, |e| e.at.and_utc());
                let next = changes::cursor(entries.last().map_or(after, |e| e.seq));
                let data = entries
                    .iter()
                    .filter_map(|entry| public_entry(entry, &reader.urls))
                    .collect();
                super::json(&ChangePage { data, next, more }, newest_at, String::new())
            }
        })
        .await
}
