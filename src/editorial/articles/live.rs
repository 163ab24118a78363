//! Live blogs: making an article one, moving its state, and posting, editing and deleting its
//! entries. Each runs inside the pipeline's transaction: it checks, writes through
//! `db::queries::live`, records what readers must learn in the change log (one entry per
//! event, the entry's id as `item`) and recompiles the article when it is public, so that its
//! times and its `LiveBlogPosting` follow its newest entry.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{load, require_edit, require_view};
use crate::api::live::{LiveBlogView, LiveEntryView};
use crate::api::utc;
use crate::db::models::article::Article;
use crate::db::queries::audit;
use crate::db::queries::change_log::{self, NewEntry};
use crate::db::queries::live::{self as store, EntryFields, Flag, LiveBlog};
use crate::db::DbConnection;
use crate::domain::changes::LogKind;
use crate::domain::editorial::{merge_patch, BylineInput};
use crate::domain::kinds::LiveState;
use crate::domain::live::{LiveBlogInput, LiveChange, LiveEntryInput};
use crate::domain::permissions::Permission;
use crate::domain::validation::{Checks, FieldCode, FieldError};
use crate::editorial::{from_json, Actor, EditContext, EditError};

/// An entry as its editors see it: the public view, its version (`ETag: "v{version}"`) and
/// whether it was deleted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EditableEntry {
    #[serde(flatten)]
    pub entry: LiveEntryView,
    pub version: i32,
    pub deleted: bool,
}

impl EditableEntry {
    pub fn etag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

/// No entry has this row id: what [`flags_taken`] keeps for an entry not yet written.
const NO_ENTRY: i64 = 0;

/// Makes the article a live blog, or changes its state or coverage times.
pub fn set_blog(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article_id: &str,
    input: LiveBlogInput,
) -> Result<LiveBlogView, EditError> {
    let article = load(conn, article_id)?;
    require_edit(actor, &article)?;
    let blog = apply_blog(conn, ctx, Some(actor), &article, &input)?;
    Ok(LiveBlogView::build(&blog, store::activity(conn, article.id)?))
}

/// Writes the blog's state and coverage (when they change), logs it, and recompiles the
/// article; `actor` is audited (a content set loads unattended).
fn apply_blog(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: Option<&Actor>,
    article: &Article,
    input: &LiveBlogInput,
) -> Result<LiveBlog, EditError> {
    store::lock_article(conn, article.id)?;
    let before = store::blog(conn, article.id)?;
    let was = before
        .as_ref()
        .map(|b| (utc(b.coverage_start), b.coverage_end.map(utc)));
    let (start, end) = input.coverage(was, utc(ctx.now)).map_err(EditError::Invalid)?;
    let blog = LiveBlog {
        article_id: article.id,
        state: input.state,
        coverage_start: start.naive_utc(),
        coverage_end: end.map(|e| e.naive_utc()),
        updated_at: ctx.now,
    };
    let same = |b: &LiveBlog| {
        (b.state, b.coverage_start, b.coverage_end) == (blog.state, blog.coverage_start, blog.coverage_end)
    };
    if before.as_ref().is_some_and(same) {
        return Ok(before.unwrap_or(blog));
    }
    store::save_blog(conn, &blog)?;
    log(conn, ctx, article, LiveChange::StateChanged, "")?;
    if let Some(actor) = actor {
        audit::record(
            conn,
            actor.audit_ref(),
            "live.state",
            "article",
            &article.public_id,
            &json!({"state": blog.state, "was": before.as_ref().map(|b| b.state)}),
            ctx.now,
        )?;
    }
    recompile(conn, ctx, article)?;
    Ok(blog)
}

/// Posts an entry to the article's live blog.
pub fn post_entry(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article_id: &str,
    payload: serde_json::Value,
) -> Result<EditableEntry, EditError> {
    let article = load(conn, article_id)?;
    require_view(actor, &article)?;
    open_blog(conn, &article)?;
    let input = checked(conn, from_json::<LiveEntryInput>(payload)?)?;
    let public_id = publish_entry(conn, ctx, &article, &input, Some(actor.user_id))?;
    finish(conn, ctx, actor, &article, "live.entry.create", &public_id)
}

/// Writes a checked entry, published now; logs it (and the pin and summary it takes).
fn publish_entry(
    conn: &mut DbConnection,
    ctx: &EditContext,
    article: &Article,
    input: &LiveEntryInput,
    author: Option<i64>,
) -> Result<String, EditError> {
    let public_id = uuid::Uuid::now_v7().to_string();
    let body = serde_json::to_string(&input.body).map_err(crate::db::DbError::unserializable)?;
    // The pin and the summary leave the entries that had them first: one of each per blog.
    flags_taken(conn, ctx, article, NO_ENTRY, input)?;
    let id = store::insert_entry(
        conn,
        article.id,
        &public_id,
        &fields(input, &body),
        author,
        ctx.now,
    )?;
    save_bylines(conn, id, &input.bylines)?;
    log(conn, ctx, article, LiveChange::EntryPublished, &public_id)?;
    if input.pinned {
        log(conn, ctx, article, LiveChange::EntryPinned, &public_id)?;
    }
    Ok(public_id)
}

/// A live blog of a content set (the demo's): made live at its start, its entries posted at
/// their own times, then left in its final state. Checked like the API's posts.
pub fn load_unattended(
    conn: &mut DbConnection,
    ctx: &EditContext,
    article_id: &str,
    blog: &LiveBlogInput,
    entries: Vec<(chrono::NaiveDateTime, LiveEntryInput)>,
) -> Result<(), EditError> {
    let article = load(conn, article_id)?;
    let opening = LiveBlogInput {
        state: LiveState::Live,
        coverage_start: blog.coverage_start,
        coverage_end: None,
    };
    let at = |now| EditContext { now, ..ctx.clone() };
    let start = blog.coverage_start.map_or(ctx.now, |s| s.naive_utc());
    apply_blog(conn, &at(start), None, &article, &opening)?;
    for (now, input) in entries {
        let input = checked(conn, input)?;
        publish_entry(conn, &at(now), &article, &input, None)?;
        recompile(conn, &at(now), &article)?;
    }
    let end = blog.coverage_end.map_or(ctx.now, |e| e.naive_utc());
    apply_blog(conn, &at(end), None, &article, blog)?;
    Ok(())
}

/// Edits an entry with a JSON merge patch over its writable fields, at `expected` version.
pub fn edit_entry(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    (article_id, entry_id): (&str, &str),
    expected: i32,
    patch: serde_json::Value,
) -> Result<EditableEntry, EditError> {
    let (article, entry) = editable_entry(conn, actor, article_id, entry_id, expected)?;
    let mut document =
        serde_json::to_value(stored_input(conn, &entry)?).map_err(crate::db::DbError::unserializable)?;
    merge_patch(&mut document, &patch);
    let input = checked(conn, from_json::<LiveEntryInput>(document)?)?;
    let body = serde_json::to_string(&input.body).map_err(crate::db::DbError::unserializable)?;
    flags_taken(conn, ctx, &article, entry.id, &input)?;
    if !store::update_entry(conn, entry.id, entry.version, &fields(&input, &body), ctx.now)? {
        return Err(stale(conn, entry_id, expected)?);
    }
    save_bylines(conn, entry.id, &input.bylines)?;
    log(conn, ctx, &article, LiveChange::EntryUpdated, entry_id)?;
    match (entry.pinned, input.pinned) {
        (false, true) => log(conn, ctx, &article, LiveChange::EntryPinned, entry_id)?,
        (true, false) => log(conn, ctx, &article, LiveChange::EntryUnpinned, entry_id)?,
        _ => {}
    }
    finish(conn, ctx, actor, &article, "live.entry.update", entry_id)
}

/// Deletes an entry: readers receive a tombstone.
pub fn delete_entry(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    (article_id, entry_id): (&str, &str),
    expected: i32,
) -> Result<(), EditError> {
    let (article, entry) = editable_entry(conn, actor, article_id, entry_id, expected)?;
    if !store::delete_entry(conn, entry.id, entry.version, ctx.now)? {
        return Err(stale(conn, entry_id, expected)?);
    }
    if entry.pinned {
        log(conn, ctx, &article, LiveChange::EntryUnpinned, entry_id)?;
    }
    log(conn, ctx, &article, LiveChange::EntryDeleted, entry_id)?;
    finish(conn, ctx, actor, &article, "live.entry.delete", entry_id).map(|_| ())
}

/// An entry as its editors see it, deleted ones included.
pub fn show_entry(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    (article_id, entry_id): (&str, &str),
) -> Result<EditableEntry, EditError> {
    let article = load(conn, article_id)?;
    require_view(actor, &article)?;
    editable(conn, ctx, &article, entry_id)
}

/// The article's blog, if it may take entries now.
fn open_blog(conn: &mut DbConnection, article: &Article) -> Result<LiveBlog, EditError> {
    store::lock_article(conn, article.id)?;
    let blog = store::blog(conn, article.id)?.ok_or_else(|| EditError::Conflict {
        detail: "this article is not a live blog; make it one first (PUT its /live)".into(),
        errors: Vec::new(),
    })?;
    if blog.state == LiveState::Ended {
        return Err(EditError::Conflict {
            detail: "this live blog has ended; set it live again to post".into(),
            errors: vec![FieldError::coded("state", FieldCode::Inconsistent, "ended")],
        });
    }
    Ok(blog)
}

/// The entry to change, checked: it belongs to the article, the caller may change it (editors
/// any, writers their own on a blog they see), it is not deleted and is at `expected`.
fn editable_entry(
    conn: &mut DbConnection,
    actor: &Actor,
    article_id: &str,
    entry_id: &str,
    expected: i32,
) -> Result<(Article, store::Entry), EditError> {
    let article = load(conn, article_id)?;
    require_view(actor, &article)?;
    // Read under the blog's lock: what another editor saved meanwhile counts.
    open_blog(conn, &article)?;
    let missing = || EditError::NotFound(format!("the live blog has no entry '{entry_id}'"));
    let entry = store::entry(conn, entry_id)?
        .filter(|e| e.article_id == article.id && e.deleted_at.is_none())
        .ok_or_else(missing)?;
    if !actor.may(Permission::EditAnyArticle) && entry.author_user_id != Some(actor.user_id) {
        return Err(EditError::Forbidden(
            "writers change their own entries only".into(),
        ));
    }
    if entry.version != expected {
        return Err(EditError::Stale {
            expected,
            current: entry.version,
        });
    }
    Ok((article, entry))
}

fn stale(conn: &mut DbConnection, entry_id: &str, expected: i32) -> Result<EditError, EditError> {
    let current = store::entry(conn, entry_id)?.map_or(expected, |e| e.version);
    Ok(EditError::Stale { expected, current })
}

/// The checked input with every reference found (contributors, media).
fn checked(conn: &mut DbConnection, input: LiveEntryInput) -> Result<LiveEntryInput, EditError> {
    let input = input.checked().map_err(EditError::Invalid)?;
    let mut checks = Checks::default();
    let slugs: Vec<&str> = input.bylines.iter().map(|b| b.contributor.as_str()).collect();
    let found = store::contributor_ids(conn, &slugs)?;
    for (index, slug) in slugs.iter().enumerate() {
        if !found.contains_key(*slug) {
            checks.push(FieldError::not_found(
                format!("/bylines/{index}/contributor"),
                "contributor has the slug",
                slug,
            ));
        }
    }
    let media = store::media(conn, &input.media_ids())?;
    for (index, block) in input.body.iter().enumerate() {
        if let Some(id) = block.media_id().filter(|id| !media.contains_key(*id)) {
            checks.push(FieldError::not_found(
                format!("/body/{index}/media_id"),
                "media asset has the id",
                id,
            ));
        }
    }
    checks.finish().map_err(EditError::Invalid)?;
    Ok(input)
}

fn fields<'a>(input: &'a LiveEntryInput, body: &'a str) -> EntryFields<'a> {
    EntryFields {
        title: input.title.as_deref(),
        body,
        key_event: input.key_event,
        pinned: input.pinned,
        summary: input.summary,
    }
}

fn save_bylines(conn: &mut DbConnection, entry_id: i64, bylines: &[BylineInput]) -> Result<(), EditError> {
    let slugs: Vec<&str> = bylines.iter().map(|b| b.contributor.as_str()).collect();
    let ids = store::contributor_ids(conn, &slugs)?;
    let rows: Vec<_> = bylines
        .iter()
        .filter_map(|b| Some((*ids.get(&b.contributor)?, b.role)))
        .collect();
    store::set_bylines(conn, entry_id, &rows)?;
    Ok(())
}

/// The writable fields of a stored entry, for a merge patch.
fn stored_input(conn: &mut DbConnection, entry: &store::Entry) -> Result<LiveEntryInput, EditError> {
    let record = store::by_public_ids(conn, &[entry.public_id.as_str()])?
        .pop()
        .ok_or_else(|| crate::db::DbError::Corrupt(format!("entry {} vanished", entry.public_id)))?;
    Ok(LiveEntryInput {
        title: entry.title.clone(),
        body: serde_json::from_str(&entry.body).map_err(crate::db::DbError::corrupt)?,
        bylines: record
            .bylines
            .into_iter()
            .map(|(role, contributor)| BylineInput {
                contributor: contributor.slug,
                role,
            })
            .collect(),
        key_event: entry.key_event,
        pinned: entry.pinned,
        summary: entry.summary,
    })
}

/// A pin or summary moved to entry `id`: the entries that had it lose it (and an unpinned one
/// is an event).
fn flags_taken(
    conn: &mut DbConnection,
    ctx: &EditContext,
    article: &Article,
    id: i64,
    input: &LiveEntryInput,
) -> Result<(), EditError> {
    if input.pinned {
        for unpinned in store::release_flag(conn, article.id, Flag::Pinned, id, ctx.now)? {
            log(conn, ctx, article, LiveChange::EntryUnpinned, &unpinned)?;
        }
    }
    if input.summary {
        for was in store::release_flag(conn, article.id, Flag::Summary, id, ctx.now)? {
            log(conn, ctx, article, LiveChange::EntryUpdated, &was)?;
        }
    }
    Ok(())
}

fn log(
    conn: &mut DbConnection,
    ctx: &EditContext,
    article: &Article,
    change: LiveChange,
    item: &str,
) -> Result<(), EditError> {
    change_log::append(
        conn,
        &NewEntry {
            kind: LogKind::Live(change),
            public_id: &article.public_id,
            language: &article.language,
            slug: &article.slug,
            item,
            origin: &ctx.origin,
        },
    )?;
    Ok(())
}

/// The article's public form follows its blog (times, `LiveBlogPosting`); a draft's has none.
fn recompile(conn: &mut DbConnection, ctx: &EditContext, article: &Article) -> Result<(), EditError> {
    crate::editorial::events::republish(conn, ctx, &[article.id])?;
    Ok(())
}

fn finish(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article: &Article,
    action: &str,
    entry_id: &str,
) -> Result<EditableEntry, EditError> {
    audit::record(
        conn,
        actor.audit_ref(),
        action,
        "live_entry",
        entry_id,
        &json!({"article": article.public_id}),
        ctx.now,
    )?;
    recompile(conn, ctx, article)?;
    editable(conn, ctx, article, entry_id)
}

fn editable(
    conn: &mut DbConnection,
    ctx: &EditContext,
    article: &Article,
    entry_id: &str,
) -> Result<EditableEntry, EditError> {
    let missing = || EditError::NotFound(format!("the live blog has no entry '{entry_id}'"));
    let record = store::by_public_ids(conn, &[entry_id])?
        .pop()
        .filter(|r| r.entry.article_id == article.id)
        .ok_or_else(missing)?;
    let media = store::media_of(conn, std::slice::from_ref(&record))?;
    let page = ctx.urls.article(&article.language, &article.slug);
    Ok(EditableEntry {
        entry: LiveEntryView::build(&record, &media, &article.language, &page),
        version: record.entry.version,
        deleted: record.entry.deleted_at.is_some(),
    })
}
