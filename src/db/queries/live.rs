//! Live blogs and their entries: the one writer of `live_blogs`, `live_entries` and
//! `live_entry_bylines`, and the reads the live slices are made of.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::schema::{
    contributors, live_blogs, live_entries, live_entry_bylines, media_assets, media_renditions,
};
use crate::db::{DbConnection, DbError};
use crate::domain::kinds::{BylineRole, LiveState};

/// A live blog: the live state of one article.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = live_blogs)]
pub struct LiveBlog {
    pub article_id: i64,
    #[diesel(deserialize_as = String)]
    pub state: LiveState,
    pub coverage_start: NaiveDateTime,
    pub coverage_end: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// One entry of a live blog; a deleted one is a tombstone (`deleted_at`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = live_entries)]
pub struct Entry {
    pub id: i64,
    pub public_id: String,
    pub article_id: i64,
    pub title: Option<String>,
    /// The body's blocks, JSON.
    pub body: String,
    pub key_event: bool,
    pub pinned: bool,
    pub summary: bool,
    pub author_user_id: Option<i64>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub published_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// An entry's writable columns.
pub struct EntryFields<'a> {
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub key_event: bool,
    pub pinned: bool,
    pub summary: bool,
}

/// An entry with what its view shows besides its row.
#[derive(Debug, Clone)]
pub struct EntryRecord {
    pub entry: Entry,
    pub bylines: Vec<(BylineRole, Contributor)>,
}

pub fn blog(conn: &mut DbConnection, article_id: i64) -> Result<Option<LiveBlog>, DbError> {
    Ok(live_blogs::table
        .find(article_id)
        .select(LiveBlog::as_select())
        .first(conn)
        .optional()?)
}

/// Writes the blog's row, creating it.
pub fn save_blog(conn: &mut DbConnection, blog: &LiveBlog) -> Result<(), DbError> {
    let updated = diesel::update(live_blogs::table.find(blog.article_id))
        .set((
            live_blogs::state.eq(blog.state.as_str()),
            live_blogs::coverage_start.eq(blog.coverage_start),
            live_blogs::coverage_end.eq(blog.coverage_end),
            live_blogs::updated_at.eq(blog.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(live_blogs::table)
            .values((
                live_blogs::article_id.eq(blog.article_id),
                live_blogs::state.eq(blog.state.as_str()),
                live_blogs::coverage_start.eq(blog.coverage_start),
                live_blogs::coverage_end.eq(blog.coverage_end),
                live_blogs::updated_at.eq(blog.updated_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Holds the article's row until the transaction ends, so that changes to one blog are made
/// one after the other (the pin and the summary move between entries; a blog is made once).
/// SQLite's writer already holds the whole database.
pub fn lock_article(conn: &mut DbConnection, article_id: i64) -> Result<(), DbError> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query("SELECT 1 FROM articles WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::BigInt, _>(article_id)
            .execute(pg)?;
    }
    Ok(())
}

pub fn entry(conn: &mut DbConnection, public_id: &str) -> Result<Option<Entry>, DbError> {
    Ok(live_entries::table
        .filter(live_entries::public_id.eq(public_id))
        .select(Entry::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts an entry published at `now`; returns its row id.
pub fn insert_entry(
    conn: &mut DbConnection,
    article_id: i64,
    public_id: &str,
    fields: &EntryFields<'_>,
    author: Option<i64>,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    let row = (
        live_entries::public_id.eq(public_id),
        live_entries::article_id.eq(article_id),
        live_entries::title.eq(fields.title),
        live_entries::body.eq(fields.body),
        live_entries::key_event.eq(fields.key_event),
        live_entries::pinned.eq(fields.pinned),
        live_entries::summary.eq(fields.summary),
        live_entries::author_user_id.eq(author),
        live_entries::created_at.eq(now),
        live_entries::published_at.eq(now),
        live_entries::updated_at.eq(now),
    );
    Ok(match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(live_entries::table)
            .values(row)
            .returning(live_entries::id)
            .get_result(c)?,
        DbConnection::Pg(c) => diesel::insert_into(live_entries::table)
            .values(row)
            .returning(live_entries::id)
            .get_result(c)?,
    })
}

/// Writes an entry's fields as its next version, if it is still at `version`; false when
/// another edit got there first.
pub fn update_entry(
    conn: &mut DbConnection,
    id: i64,
    version: i32,
    fields: &EntryFields<'_>,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        live_entries::table
            .find(id)
            .filter(live_entries::version.eq(version))
            .filter(live_entries::deleted_at.is_null()),
    )
    .set((
        live_entries::title.eq(fields.title),
        live_entries::body.eq(fields.body),
        live_entries::key_event.eq(fields.key_event),
        live_entries::pinned.eq(fields.pinned),
        live_entries::summary.eq(fields.summary),
        live_entries::version.eq(version + 1),
        live_entries::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Makes an entry a tombstone (its text is kept for the audit trail, never shown).
pub fn delete_entry(
    conn: &mut DbConnection,
    id: i64,
    version: i32,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(
        live_entries::table
            .find(id)
            .filter(live_entries::version.eq(version))
            .filter(live_entries::deleted_at.is_null()),
    )
    .set((
        live_entries::pinned.eq(false),
        live_entries::summary.eq(false),
        live_entries::version.eq(version + 1),
        live_entries::updated_at.eq(now),
        live_entries::deleted_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Which flag [`release_flag`] takes from the other entries.
#[derive(Debug, Clone, Copy)]
pub enum Flag {
    Pinned,
    Summary,
}

/// Takes `flag` from every entry of the blog but `keep`; returns the public ids that had it.
pub fn release_flag(
    conn: &mut DbConnection,
    article_id: i64,
    flag: Flag,
    keep: i64,
    now: NaiveDateTime,
) -> Result<Vec<String>, DbError> {
    let of_blog = live_entries::table
        .filter(live_entries::article_id.eq(article_id))
        .filter(live_entries::id.ne(keep));
    let had: Vec<(i64, String)> = match flag {
        Flag::Pinned => of_blog
            .filter(live_entries::pinned.eq(true))
            .select((live_entries::id, live_entries::public_id))
            .load(conn)?,
        Flag::Summary => of_blog
            .filter(live_entries::summary.eq(true))
            .select((live_entries::id, live_entries::public_id))
            .load(conn)?,
    };
    let ids: Vec<i64> = had.iter().map(|(id, _)| *id).collect();
    let target = live_entries::table.filter(live_entries::id.eq_any(&ids));
    match flag {
        Flag::Pinned => diesel::update(target)
            .set((live_entries::pinned.eq(false), live_entries::updated_at.eq(now)))
            .execute(conn)?,
        Flag::Summary => diesel::update(target)
            .set((live_entries::summary.eq(false), live_entries::updated_at.eq(now)))
            .execute(conn)?,
    };
    Ok(had.into_iter().map(|(_, public_id)| public_id).collect())
}

/// Replaces an entry's bylines: (contributor row id, role), in order.
pub fn set_bylines(
    conn: &mut DbConnection,
    entry_id: i64,
    bylines: &[(i64, BylineRole)],
) -> Result<(), DbError> {
    diesel::delete(live_entry_bylines::table.filter(live_entry_bylines::entry_id.eq(entry_id)))
        .execute(conn)?;
    let rows: Vec<_> = bylines
        .iter()
        .enumerate()
        .map(|(position, (contributor, role))| {
            (
                live_entry_bylines::entry_id.eq(entry_id),
                live_entry_bylines::position.eq(position as i32),
                live_entry_bylines::contributor_id.eq(*contributor),
                live_entry_bylines::role.eq(role.as_str()),
            )
        })
        .collect();
    insert_rows!(conn, live_entry_bylines::table, rows)?;
    Ok(())
}

/// Row ids of the contributors with these slugs.
pub fn contributor_ids(conn: &mut DbConnection, slugs: &[&str]) -> Result<HashMap<String, i64>, DbError> {
    Ok(contributors::table
        .filter(contributors::slug.eq_any(slugs))
        .select((contributors::slug, contributors::id))
        .load(conn)?
        .into_iter()
        .collect())
}

/// Which slice of a blog's entries to read.
#[derive(Debug, Clone, Copy)]
pub enum Slice {
    /// The newest `n` that are not deleted.
    Latest(i64),
    /// The newest `n` key events.
    KeyEvents(i64),
    /// The pinned entry.
    Pinned,
    /// The summary.
    Summary,
    /// Up to `n` entries published before and after the entry with this row id (and it).
    Around(i64, i64),
}

/// The entries of a blog that are shown (not deleted), as a boxed query to refine.
macro_rules! shown {
    ($article_id:expr) => {
        live_entries::table
            .filter(live_entries::article_id.eq($article_id))
            .filter(live_entries::deleted_at.is_null())
            .select(Entry::as_select())
            .into_boxed()
    };
}

/// The entries of `slice`, newest first.
pub fn slice(conn: &mut DbConnection, article_id: i64, slice: Slice) -> Result<Vec<EntryRecord>, DbError> {
    let newest = (live_entries::published_at.desc(), live_entries::id.desc());
    let rows: Vec<Entry> = match slice {
        Slice::Latest(n) => shown!(article_id).order(newest).limit(n).load(conn)?,
        Slice::KeyEvents(n) => shown!(article_id)
            .filter(live_entries::key_event.eq(true))
            .order(newest)
            .limit(n)
            .load(conn)?,
        Slice::Pinned => shown!(article_id)
            .filter(live_entries::pinned.eq(true))
            .limit(1)
            .load(conn)?,
        Slice::Summary => shown!(article_id)
            .filter(live_entries::summary.eq(true))
            .limit(1)
            .load(conn)?,
        Slice::Around(id, n) => around(conn, article_id, id, n)?,
    };
    with_bylines(conn, rows)
}

/// The entry with row id `id` and up to `n` shown entries on each side of it, newest first.
fn around(conn: &mut DbConnection, article_id: i64, id: i64, n: i64) -> Result<Vec<Entry>, DbError> {
    let Some(middle) = shown!(article_id)
        .filter(live_entries::id.eq(id))
        .first(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let (at, row) = (middle.published_at, middle.id);
    let newer: Vec<Entry> = shown!(article_id)
        .filter(
            live_entries::published_at
                .gt(at)
                .or(live_entries::published_at.eq(at).and(live_entries::id.gt(row))),
        )
        .order((live_entries::published_at.asc(), live_entries::id.asc()))
        .limit(n)
        .load(conn)?;
    let older: Vec<Entry> = shown!(article_id)
        .filter(
            live_entries::published_at
                .lt(at)
                .or(live_entries::published_at.eq(at).and(live_entries::id.lt(row))),
        )
        .order((live_entries::published_at.desc(), live_entries::id.desc()))
        .limit(n)
        .load(conn)?;
    Ok(newer.into_iter().rev().chain([middle]).chain(older).collect())
}

/// These entries (deleted ones too), by public id.
pub fn by_public_ids(conn: &mut DbConnection, public_ids: &[&str]) -> Result<Vec<EntryRecord>, DbError> {
    let rows: Vec<Entry> = live_entries::table
        .filter(live_entries::public_id.eq_any(public_ids))
        .select(Entry::as_select())
        .load(conn)?;
    with_bylines(conn, rows)
}

fn with_bylines(conn: &mut DbConnection, rows: Vec<Entry>) -> Result<Vec<EntryRecord>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let credits: Vec<(i64, String, Contributor)> = live_entry_bylines::table
        .inner_join(contributors::table)
        .filter(live_entry_bylines::entry_id.eq_any(&ids))
        .order((
            live_entry_bylines::entry_id.asc(),
            live_entry_bylines::position.asc(),
        ))
        .select((
            live_entry_bylines::entry_id,
            live_entry_bylines::role,
            Contributor::as_select(),
        ))
        .load(conn)?;
    let mut by_entry: HashMap<i64, Vec<(BylineRole, Contributor)>> = HashMap::new();
    for (entry, role, contributor) in credits {
        let role = role.parse().map_err(DbError::corrupt)?;
        by_entry.entry(entry).or_default().push((role, contributor));
    }
    Ok(rows
        .into_iter()
        .map(|entry| EntryRecord {
            bylines: by_entry.remove(&entry.id).unwrap_or_default(),
            entry,
        })
        .collect())
}

/// How many entries the blog shows, and when the newest change to one was made (a deletion
/// counts: the page changed).
pub fn activity(conn: &mut DbConnection, article_id: i64) -> Result<(i64, Option<NaiveDateTime>), DbError> {
    let of_blog = live_entries::table.filter(live_entries::article_id.eq(article_id));
    let shown: i64 = of_blog
        .filter(live_entries::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    let newest: Option<NaiveDateTime> = of_blog
        .select(diesel::dsl::max(live_entries::updated_at))
        .first(conn)?;
    Ok((shown, newest))
}

/// The media assets (with their renditions) of these public ids, by public id.
pub fn media(
    conn: &mut DbConnection,
    public_ids: &[&str],
) -> Result<HashMap<String, (MediaAsset, Vec<Rendition>)>, DbError> {
    let assets: Vec<MediaAsset> = media_assets::table
        .filter(media_assets::public_id.eq_any(public_ids))
        .select(MediaAsset::as_select())
        .load(conn)?;
    let ids: Vec<i64> = assets.iter().map(|a| a.id).collect();
    let renditions: Vec<Rendition> = media_renditions::table
        .filter(media_renditions::media_id.eq_any(&ids))
        .order((media_renditions::media_id.asc(), media_renditions::id.asc()))
        .select(Rendition::as_select())
        .load(conn)?;
    let mut found: HashMap<String, (MediaAsset, Vec<Rendition>)> = assets
        .into_iter()
        .map(|a| (a.public_id.clone(), (a, Vec::new())))
        .collect();
    let by_row: HashMap<i64, String> = found.values().map(|(a, _)| (a.id, a.public_id.clone())).collect();
    for rendition in renditions {
        if let Some(slot) = by_row.get(&rendition.media_id).and_then(|p| found.get_mut(p)) {
            slot.1.push(rendition);
        }
    }
    Ok(found)
}

/// The media (with renditions) the bodies of these entries show, by public id: one read for
/// all of them.
pub fn media_of(
    conn: &mut DbConnection,
    records: &[EntryRecord],
) -> Result<HashMap<String, (MediaAsset, Vec<Rendition>)>, DbError> {
    let bodies: Vec<Vec<crate::domain::blocks::Block>> = records
        .iter()
        .map(|r| serde_json::from_str(&r.entry.body).unwrap_or_default())
        .collect();
    let ids: Vec<&str> = bodies.iter().flatten().filter_map(|b| b.media_id()).collect();
    media(conn, &ids)
}
