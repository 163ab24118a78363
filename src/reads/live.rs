//! A live blog's public read (`GET /v1/articles/{key}/live`): the slices a live page renders,
//! in one call and one consistent view of the database, and a cursor from the change log to
//! poll with (`after=`) or to open the event stream at. Cached like an article's own answers
//! and evicted by the blog's change-log entries, so an idle poll is a cache hit, and a 304
//! for a client that sends its `ETag` back.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ReadError, Reader};
use crate::api::live::{LiveArticleRef, LiveBlogView, LiveEntryView};
use crate::db::claim::snapshot;
use crate::db::models::article::Article;
use crate::db::queries::article_read::ArticleKey;
use crate::db::queries::change_log;
use crate::db::queries::delivery::{self, Found};
use crate::db::queries::editorial as articles;
use crate::db::queries::live::{self as store, EntryRecord, Slice};
use crate::db::{utc_now, DbConnection, DbError};
use crate::delivery::cache::Representation;
use crate::domain::changes;
use crate::domain::kinds::LiveState;
use crate::domain::live::LiveChange;
use crate::domain::validation::FieldCode;

/// Most entries a slice holds.
pub const MAX_SLICE: i64 = 100;
const DEFAULT_LATEST: i64 = 20;
const DEFAULT_AROUND: i64 = 5;
/// Most log entries one `after=` read looks at; `more` says when others follow.
const MAX_CHANGES: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// Language of the article, when the slug is used in several languages.
    pub language: Option<String>,
    /// The newest entries, 0 to 100: 20 by default, 0 by default with `after`.
    #[param(minimum = 0, maximum = 100)]
    pub latest: Option<i64>,
    /// The newest key events, 0 to 100 (default 0).
    #[param(minimum = 0, maximum = 100)]
    pub key_events: Option<i64>,
    /// An entry's id: it and the entries published just before and after it (a shared link).
    #[param(min_length = 1, max_length = 100)]
    pub around: Option<String>,
    /// How many entries on each side of `around`, 1 to 50 (default 5).
    #[param(minimum = 1, maximum = 50)]
    pub around_size: Option<i64>,
    /// A `cursor` from an earlier answer or event: what changed since, in `changes`.
    #[param(min_length = 1, max_length = 100)]
    pub after: Option<String>,
}

/// What changed after the cursor given as `after`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveChanges {
    /// New or changed entries as they are now, in the order of their last change.
    pub entries: Vec<LiveEntryView>,
    /// Ids of entries deleted since: remove them from the page.
    pub deleted: Vec<String>,
    /// More changes follow: read again with `cursor`.
    pub more: bool,
}

/// A live blog's slices.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LivePage {
    pub article: LiveArticleRef,
    pub blog: LiveBlogView,
    /// Where this answer stands in the blog's events: poll again with `after=` it, or open the
    /// stream there. Unchanged while nothing happens on the blog.
    pub cursor: String,
    /// How long to wait before polling again; the operator raises it under load. `null` once
    /// the blog has ended.
    pub poll_interval_seconds: Option<u64>,
    pub pinned: Option<LiveEntryView>,
    pub summary: Option<LiveEntryView>,
    /// The newest entries, newest first.
    pub latest: Vec<LiveEntryView>,
    /// The newest key events, newest first (with `key_events=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_events: Option<Vec<LiveEntryView>>,
    /// With `around=`: that entry and its neighbours, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub around: Option<Vec<LiveEntryView>>,
    /// With `after=`: what changed since that cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<LiveChanges>,
}

/// The checked parameters of a live read.
#[derive(Debug, Clone)]
struct Asked {
    latest: i64,
    key_events: i64,
    around: Option<(String, i64)>,
    after: Option<i64>,
}

fn asked(query: &LiveQuery) -> Result<Asked, ReadError> {
    let bounded = |field: &str, value: Option<i64>, default: i64, range: std::ops::RangeInclusive<i64>| {
        let value = value.unwrap_or(default);
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(ReadError::coded(
                field,
                FieldCode::OutOfRange,
                format!("must be {} to {}", range.start(), range.end()),
            ))
        }
    };
    let after = match &query.after {
        Some(cursor) => Some(super::changes::position("after", Some(cursor))?),
        None => None,
    };
    let default_latest = if after.is_some() { 0 } else { DEFAULT_LATEST };
    let around_size = bounded("around_size", query.around_size, DEFAULT_AROUND, 1..=50)?;
    if query.around_size.is_some() && query.around.is_none() {
        return Err(ReadError::coded(
            "around_size",
            FieldCode::Inconsistent,
            "only with around",
        ));
    }
    let around = match &query.around {
        Some(id) => match uuid::Uuid::parse_str(id) {
            Ok(id) => Some((id.hyphenated().to_string(), around_size)),
            Err(_) => return Err(ReadError::coded("around", FieldCode::Format, "not an entry id")),
        },
        None => None,
    };
    Ok(Asked {
        latest: bounded("latest", query.latest, default_latest, 0..=MAX_SLICE)?,
        key_events: bounded("key_events", query.key_events, 0, 0..=MAX_SLICE)?,
        around,
        after,
    })
}

/// The live read of the article `key`, through the cache.
pub async fn page(
    reader: &Arc<Reader>,
    key: &str,
    query: &LiveQuery,
    poll: Duration,
) -> Result<Arc<Representation>, ReadError> {
    let asked = asked(query)?;
    let lookup = super::article::parse_key(key, query.language.as_deref())?;
    let cache_key = format!(
        "live:{key}:{}:{}:{}:{:?}:{:?}:{}",
        query.language.as_deref().unwrap_or(""),
        asked.latest,
        asked.key_events,
        asked.around,
        asked.after,
        poll.as_secs()
    );
    let key = key.to_owned();
    reader
        .cached(cache_key, || {
            move |conn, reader| {
                if let Some(after) = asked.after {
                    super::changes::check_retained(conn, "after", after)?;
                }
                snapshot(conn, |conn| build(conn, reader, &lookup, &key, &asked, poll))
            }
        })
        .await
}

fn build(
    conn: &mut DbConnection,
    reader: &Reader,
    lookup: &ArticleKey,
    key: &str,
    asked: &Asked,
    poll: Duration,
) -> Result<Representation, ReadError> {
    let (article, blog) = public_blog(conn, lookup, key)?;
    let page_url = reader.urls.article(&article.language, &article.slug);
    let mut views = Views {
        conn,
        language: &article.language,
        page_url: &page_url,
    };
    let mut position = change_log::newest_live(views.conn, &article.public_id)?;
    let changes = match asked.after {
        Some(after) => {
            let (changes, last) = views.changes(&article.public_id, after)?;
            // Never behind the cursor given: polling with the answer's cursor moves forward.
            position = if changes.more { last } else { position.max(after) };
            Some(changes)
        }
        None => None,
    };
    let one = |views: &mut Views<'_, '_>, slice| {
        Ok::<_, ReadError>(views.slice(article.id, slice)?.into_iter().next())
    };
    let page = LivePage {
        blog: LiveBlogView::build(&blog, store::activity(views.conn, article.id)?),
        cursor: changes::cursor(position),
        poll_interval_seconds: (blog.state != LiveState::Ended).then_some(poll.as_secs()),
        pinned: one(&mut views, Slice::Pinned)?,
        summary: one(&mut views, Slice::Summary)?,
        latest: views.slice(article.id, Slice::Latest(asked.latest))?,
        key_events: match asked.key_events {
            0 => None,
            n => Some(views.slice(article.id, Slice::KeyEvents(n))?),
        },
        around: match &asked.around {
            Some((id, n)) => Some(views.around(&article, id, *n)?),
            None => None,
        },
        changes,
        article: article_ref(&article, page_url.clone()),
    };
    let modified = page.blog.updated_at;
    let mut representation = super::json(
        &page,
        modified.max(DateTime::<Utc>::UNIX_EPOCH),
        format!("article-{}", article.public_id),
    )?;
    representation.is_article = true;
    Ok(representation)
}

/// The public article `lookup` names and its live blog: 404 when it is no public live blog,
/// 400 for a slug public in several languages.
pub(super) fn public_blog(
    conn: &mut DbConnection,
    lookup: &ArticleKey,
    key: &str,
) -> Result<(Article, store::LiveBlog), ReadError> {
    let missing = || ReadError::NotFound(format!("no published live blog has the id or slug '{key}'"));
    let delivered = match delivery::find(conn, lookup, utc_now())? {
        Found::One(delivered) => delivered,
        Found::Ambiguous(languages) => return Err(super::article::ambiguous(&languages)),
        Found::None => return Err(missing()),
    };
    let article = articles::find_by_id(conn, delivered.article_id)?.ok_or_else(missing)?;
    let blog = store::blog(conn, article.id)?.ok_or_else(missing)?;
    Ok((article, blog))
}

fn article_ref(article: &Article, url: String) -> LiveArticleRef {
    LiveArticleRef {
        id: article.public_id.clone(),
        slug: article.slug.clone(),
        language: article.language.clone(),
        headline: article.headline.clone(),
        url,
    }
}

/// Builds entry views for one blog.
struct Views<'c, 'a> {
    conn: &'c mut DbConnection,
    language: &'a str,
    page_url: &'a str,
}

impl Views<'_, '_> {
    fn views(&mut self, records: &[EntryRecord]) -> Result<Vec<LiveEntryView>, DbError> {
        let media = store::media_of(self.conn, records)?;
        Ok(records
            .iter()
            .map(|r| LiveEntryView::build(r, &media, self.language, self.page_url))
            .collect())
    }

    fn slice(&mut self, article_id: i64, slice: Slice) -> Result<Vec<LiveEntryView>, DbError> {
        if matches!(slice, Slice::Latest(0)) {
            return Ok(Vec::new());
        }
        let records = store::slice(self.conn, article_id, slice)?;
        self.views(&records)
    }

    /// The entry `id` of this blog and its neighbours; 404 for an entry it does not show.
    fn around(&mut self, article: &Article, id: &str, n: i64) -> Result<Vec<LiveEntryView>, ReadError> {
        let entry = store::entry(self.conn, id)?
            .filter(|e| e.article_id == article.id && e.deleted_at.is_none())
            .ok_or_else(|| ReadError::NotFound(format!("the live blog shows no entry '{id}'")))?;
        Ok(self.slice(article.id, Slice::Around(entry.id, n))?)
    }

    /// The blog's changes after `after`: entries as they are now and deletions, and the
    /// position of the last change read.
    fn changes(&mut self, public_id: &str, after: i64) -> Result<(LiveChanges, i64), DbError> {
        let mut read = change_log::live_after(self.conn, public_id, after, MAX_CHANGES + 1)?;
        let more = read.len() as i64 > MAX_CHANGES;
        read.truncate(MAX_CHANGES as usize);
        let last = read.last().map_or(after, |e| e.seq);
        // Each entry once, at the place of its last change.
        let mut items: Vec<&str> = Vec::new();
        for entry in read.iter().rev() {
            let is_entry =
                LiveChange::from_log_kind(&entry.kind).is_some_and(|c| c != LiveChange::StateChanged);
            if is_entry && !items.contains(&entry.item.as_str()) {
                items.push(&entry.item);
            }
        }
        items.reverse();
        let records = store::by_public_ids(self.conn, &items)?;
        let (gone, shown): (Vec<EntryRecord>, Vec<EntryRecord>) =
            records.into_iter().partition(|r| r.entry.deleted_at.is_some());
        let mut shown = shown;
        shown.sort_by_key(|r| items.iter().position(|i| *i == r.entry.public_id));
        let entries = self.views(&shown)?;
        Ok((
            LiveChanges {
                entries,
                deleted: gone.into_iter().map(|r| r.entry.public_id).collect(),
                more,
            },
            last,
        ))
    }
}
