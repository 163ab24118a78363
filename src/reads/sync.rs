//! Incremental sync (`updated_since` on article lists): every change since a time, oldest
//! first, tombstones included, so a client can keep an offline copy exact.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::list_params::{check, Checked, ListParams};
use super::paging::{self, Keyset};
use super::{ReadError, Reader};
use crate::db::queries::delivery_lists::{self, Change};
use crate::db::{utc_now, DbConnection};
use crate::delivery::cache::Representation;

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
        format!("sync|{}|{language:?}", since.timestamp_micros()),
        params.cursor.as_deref(),
    )?;
    let after = keyset.after_time()?;
    let now = utc_now();
    let page = keyset.fetch(
        limit,
        |n| delivery_lists::changes_since(conn, since.naive_utc(), after, language.as_deref(), n, now),
        |last| {
            let (at, id) = last.position();
            paging::at_time(at, id)
        },
    )?;
    let json_time = |t: NaiveDateTime| serde_json::to_string(&t.and_utc()).unwrap_or_default();
    let items: Vec<String> = page
        .rows
        .iter()
        .map(|change| match change {
            Change::Updated(row) => format!(
                "{{\"change\":\"updated\",\"changed_at\":{},{}",
                json_time(row.updated_at),
                row.summary_json.strip_prefix('{').unwrap_or(&row.summary_json)
            ),
            Change::Removed(tombstone) => serde_json::json!({
                "change": tombstone.reason,
                "changed_at": tombstone.removed_at.and_utc(),
                "id": tombstone.public_id,
                "slug": tombstone.slug,
                "language": tombstone.language,
            })
            .to_string(),
        })
        .collect();
    let last_modified = page
        .rows
        .iter()
        .map(|c| c.position().0)
        .max()
        .unwrap_or(now)
        .and_utc();
    paging::json_page(&items, page.next_cursor, last_modified, self_url)
}
