//! Incremental sync (`updated_since` on article lists): a view of the change log. Every
//! article that became public, changed or left the public set since a time, once, in the
//! order the changes were made, tombstones included, so a client can keep an offline copy
//! exact. The time names a position in the log (the first entry logged at or after it) and the
//! cursor carries the position, so changes made in the same microsecond, or committed out of
//! the order of their clocks, are neither skipped nor read twice; an article that changed
//! several times is reported once, at its newest change.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::list_params::{check, Checked, ListParams};
use super::paging::{self, Keyset};
use super::{ReadError, Reader};
use crate::db::queries::change_log::{self, Entry};
use crate::db::queries::delivery_lists::{self, PublicSummary};
use crate::db::{utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::domain::changes::{ChangeKind, LogKind};

/// Log entries read per step while filling a page.
const STEP: i64 = 500;

/// The parameters incremental sync cannot combine with, by name.
fn not_with_sync(params: &ListParams) -> Vec<&'static str> {
    [
        ("topic", params.topic.is_some()),
        ("section", params.section.is_some()),
        ("contributor", params.contributor.is_some()),
        ("role", params.role.is_some()),
        ("published_since", params.published_since.is_some()),
        ("published_until", params.published_until.is_some()),
        ("sort", params.sort.is_some()),
        ("include", params.include.is_some()),
        ("fields", params.fields.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect()
}

/// One item of a sync page: its position in the log, its JSON and when it changed.
struct Item {
    seq: i64,
    json: String,
    at: NaiveDateTime,
}

/// One page of changes since `since`, for clients that keep an offline copy exact.
pub(super) fn page(
    conn: &mut DbConnection,
    reader: &Reader,
    params: &ListParams,
    since: DateTime<Utc>,
    self_url: &url::Url,
) -> Result<Representation, ReadError> {
    let conflicting = not_with_sync(params);
    if let Some(first) = conflicting.first() {
        return Err(ReadError::coded(
            *first,
            crate::domain::validation::FieldCode::Inconsistent,
            format!(
                "cannot be combined with updated_since ({})",
                conflicting.join(", ")
            ),
        ));
    }
    let Checked { limit, language, .. } = check(params)?;
    let keyset = Keyset::new(
        &reader.cursors,
        // `log`: a position in the change log (cursors of the time-ordered sync before it are
        // refused as from another query, never misread).
        format!("sync-log|{}|{language:?}", since.timestamp_micros()),
        params.cursor.as_deref(),
    )?;
    let after = match keyset.after() {
        Some(position) => position.id,
        None => change_log::position_at(conn, since.naive_utc())?,
    };
    let now = utc_now();
    let page = keyset.fetch(
        limit,
        |n| items_after(conn, after, language.as_deref(), n as usize, now),
        |item| paging::at_id(item.seq),
    )?;
    let items: Vec<String> = page.rows.iter().map(|item| item.json.clone()).collect();
    let last_modified = page
        .rows
        .iter()
        .map(|item| item.at)
        .max()
        .unwrap_or(now)
        .and_utc();
    paging::json_page(&items, page.next_cursor, last_modified, self_url)
}

/// Up to `n` items after log position `after`: each entry about an article in `language` that
/// no later entry in `language` supersedes, as the article is now (or its tombstone).
fn items_after(
    conn: &mut DbConnection,
    mut after: i64,
    language: Option<&str>,
    n: usize,
    now: NaiveDateTime,
) -> Result<Vec<Item>, DbError> {
    let mut items = Vec::new();
    while items.len() < n {
        let entries = change_log::public_after(conn, after, STEP)?;
        let Some(last) = entries.last() else {
            break;
        };
        after = last.seq;
        let exhausted = entries.len() < STEP as usize;
        let wanted: Vec<&Entry> = entries
            .iter()
            .filter(|e| language.is_none_or(|range| in_range(&e.language, range)))
            .collect();
        let ids: Vec<&str> = wanted.iter().map(|e| e.public_id.as_str()).collect();
        // Superseded only by a later entry the reader reads: an article that moved to another
        // language is, to a reader of the old one, the entry that says it left.
        let newest = match language {
            None => change_log::newest_about(conn, &ids)?,
            Some(range) => change_log::newest_about_where(conn, &ids, |tag| in_range(tag, range))?,
        };
        let current: Vec<&Entry> = wanted
            .into_iter()
            .filter(|e| newest.get(&e.public_id).is_none_or(|seq| *seq <= e.seq))
            .collect();
        let public_ids: Vec<&str> = current
            .iter()
            .filter(|e| {
                matches!(
                    e.kind(),
                    Some(LogKind::Article(ChangeKind::Published | ChangeKind::Updated))
                )
            })
            .map(|e| e.public_id.as_str())
            .collect();
        let summaries: std::collections::HashMap<String, PublicSummary> =
            delivery_lists::public_summaries(conn, &public_ids, now)?
                .into_iter()
                .map(|summary| (summary.public_id.clone(), summary))
                .collect();
        items.extend(
            current
                .into_iter()
                .filter_map(|e| item_of(e, &summaries, language)),
        );
        if exhausted {
            break;
        }
    }
    items.truncate(n);
    Ok(items)
}

/// RFC 4647 basic filtering: `en` matches `en` and `en-US`.
fn in_range(tag: &str, range: &str) -> bool {
    crate::domain::language::prefixes(tag).any(|prefix| prefix.eq_ignore_ascii_case(range))
}

/// What a sync client reads of `entry`: the article's summary when it is public (an entry about
/// an article that is not public any more is followed by the entry that says so), or its
/// tombstone. An article public now in a language the client does not read (moved there
/// before the log said so) is, to that client, unpublished.
fn item_of(
    entry: &Entry,
    summaries: &std::collections::HashMap<String, PublicSummary>,
    language: Option<&str>,
) -> Option<Item> {
    let mut kind = entry.kind()?;
    if let LogKind::Article(ChangeKind::Published | ChangeKind::Updated) = kind {
        let summary = summaries.get(&entry.public_id)?;
        if language.is_none_or(|range| in_range(&summary.language, range)) {
            return Some(Item {
                seq: entry.seq,
                json: format!(
                    "{{\"change\":\"updated\",\"changed_at\":{},{}",
                    json_time(entry.at),
                    summary.json.strip_prefix('{').unwrap_or(&summary.json)
                ),
                at: entry.at,
            });
        }
        kind = LogKind::Article(ChangeKind::Withdrawn);
    }
    let json = match kind {
        LogKind::Article(kind @ (ChangeKind::Withdrawn | ChangeKind::Deleted)) => serde_json::json!({
            "change": if kind == ChangeKind::Deleted { "deleted" } else { "unpublished" },
            "changed_at": entry.at.and_utc(),
            "id": entry.public_id,
            "slug": entry.slug,
            "language": entry.language,
        })
        .to_string(),
        _ => return None,
    };
    Some(Item {
        seq: entry.seq,
        json,
        at: entry.at,
    })
}

fn json_time(t: NaiveDateTime) -> String {
    serde_json::to_string(&t.and_utc()).unwrap_or_default()
}
