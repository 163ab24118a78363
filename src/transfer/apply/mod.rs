//! Applying one record of an import: checked as the write API checks, compared with what is
//! stored (the same: nothing to do), then written with its own ids and times. Each record is
//! applied inside its own savepoint by the caller, so a refusal leaves nothing half-written.

mod records;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::json;

use super::export::article_record;
use super::format::*;
use super::report::Outcome;
use crate::api::article::UrlBuilder;
use crate::db::models::article::NewArticle;
use crate::db::queries::article_rows::NewRevision;
use crate::db::queries::editorial as store;
use crate::db::queries::jobs::{self, JobKind};
use crate::db::queries::transfer_read;
use crate::db::queries::transfer_write as write;
use crate::db::{DbConnection, DbError};
use crate::domain::editorial::ArticleInput;
use crate::domain::kinds::ArticleStatus;
use crate::domain::validation::FieldError;
use crate::images::ImageLinks;
use crate::uploads::MediaStore;

pub use records::{contributor, file, media, redirect, topic, user};

/// Why a record was not applied.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The record is wrong or names what is not there: reported, and the import goes on.
    #[error("{0}")]
    Invalid(String),
    /// The database failed: the import stops.
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for Refusal {
    fn from(error: diesel::result::Error) -> Self {
        Refusal::Database(DbError::Query(error))
    }
}

pub fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::Invalid(message.into())
}

pub fn fields(errors: Vec<FieldError>) -> Refusal {
    invalid(
        errors
            .iter()
            .map(|e| format!("{}: {}", e.field.trim_start_matches('/'), e.message))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

pub fn naive(time: DateTime<Utc>) -> NaiveDateTime {
    crate::db::truncate(time.naive_utc())
}

/// What every record needs, and what the import remembers between records.
pub struct Context<'a> {
    pub media: &'a MediaStore,
    pub links: &'a ImageLinks,
    pub urls: &'a UrlBuilder,
    /// Who the change log says made the import's changes: quiet (no webhook) unless the
    /// operator asked for webhooks.
    pub origin: crate::domain::changes::Origin,
    /// A hash no password matches, for users imported without one.
    pub locked_hash: String,
    /// The line of the record being applied.
    pub line: u64,
    /// Every record on its own (see [`super::import::ImportOptions::one_at_a_time`]).
    pub one_at_a_time: bool,
    /// Translation groups made for a group key whose article comes later in the file.
    pub groups_ahead: HashMap<String, i64>,
    /// Articles whose related articles come later in the file: (line, row id, public id,
    /// related public ids in order).
    pub related_ahead: Vec<(u64, i64, String, Vec<String>)>,
}

/// The status, the times it implies, and nothing else: what the workflow would have left.
pub fn check_times(r: &ArticleRecord) -> Result<(), Refusal> {
    match r.status {
        ArticleStatus::Published if r.published_at.is_none() || r.first_published_at.is_none() => Err(
            invalid("published_at, first_published_at: a published article has both"),
        ),
        ArticleStatus::Scheduled if r.scheduled_at.is_none() => {
            Err(invalid("scheduled_at: a scheduled article has one"))
        }
        _ if r.version < 1 => Err(invalid("version: from 1")),
        _ if r.updated_at < r.created_at => Err(invalid("updated_at: before created_at")),
        _ => Ok(()),
    }
}

/// The checks of an article record that need no database: its id, its status and times, its
/// fields as the write API checks them (HTML sanitized: the input returned is what is stored),
/// slug and language in normal form, and no relation to itself.
pub fn prepare(r: &ArticleRecord) -> Result<ArticleInput, Refusal> {
    check_id(r)?;
    check_times(r)?;
    let input = ArticleInput {
        language: r.language.clone(),
        slug: Some(r.slug.clone()),
        headline: r.headline.clone(),
        lead: r.lead.clone(),
        dateline: r.dateline.clone(),
        canonical_url: r.canonical_url.clone(),
        body: r.body.clone(),
        bylines: r.bylines.clone(),
        topics: r.topics.clone(),
        featured_media: r.featured_media.clone(),
        related: Vec::new(),
        translation_of: None,
        embargo_until: r.embargo_until,
    }
    .checked()
    .map_err(fields)?;
    if input.language != r.language || input.slug.as_deref() != Some(r.slug.as_str()) {
        return Err(invalid(format!(
            "language, slug: not in normal form ('{}', '{}')",
            input.language,
            input.slug.as_deref().unwrap_or_default()
        )));
    }
    if r.related.contains(&r.id) {
        return Err(invalid("related: an article cannot be related to itself"));
    }
    Ok(input)
}

fn check_id(r: &ArticleRecord) -> Result<(), Refusal> {
    let public_id = uuid::Uuid::parse_str(&r.id)
        .map_err(|_| invalid("id: not a UUID"))?
        .hyphenated()
        .to_string();
    if public_id != r.id {
        return Err(invalid("id: not a UUID in lower-case hyphenated form"));
    }
    Ok(())
}

pub fn article(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
    r: &ArticleRecord,
) -> Result<(Outcome, Option<i64>), Refusal> {
    check_id(r)?;
    check_times(r)?;
    let existing = write::article_by_public_id(conn, &r.id)?;
    if let Some((id, _, _)) = existing {
        let stored = transfer_read::articles_page(conn, id - 1, 1, None)?;
        if let Some(rows) = stored.into_iter().next() {
            if article_record(rows)? == *r {
                return Ok((Outcome::Unchanged, Some(id)));
            }
        }
    }
    let existing_id = existing.as_ref().map(|(id, _, _)| *id);
    let input = prepare(r)?;
    if let Some(holder) = write::slug_holder(conn, &r.language, &r.slug, existing_id)? {
        return Err(invalid(format!(
            "slug: '{}' in '{}' is taken by article {holder}",
            r.slug, r.language
        )));
    }
    let resolved = match store::resolve(conn, &input, existing_id)? {
        Ok(resolved) => resolved,
        Err(errors) => return Err(fields(errors)),
    };
    // Every check is done: from here on the record is written, nothing refused.
    let group = match translation_group(conn, ctx, r, existing.as_ref().map(|(_, group, _)| *group))? {
        Some(group) => group,
        None => {
            let group = store::new_translation_group(conn, naive(r.created_at))?;
            if r.translation_group != r.id {
                ctx.groups_ahead.insert(r.translation_group.clone(), group);
            }
            group
        }
    };
    let author_user_id = match &r.author {
        Some(email) => write::user_ids(conn, &[email.as_str()])?.get(email).copied(),
        None => None,
    };
    let status = r.status.as_str();
    let id = store::save_article(
        conn,
        existing_id,
        &NewArticle {
            public_id: r.id.clone(),
            slug: &r.slug,
            language: &r.language,
            translation_group_id: group,
            headline: &input.headline,
            lead: input.lead.as_deref(),
            dateline: input.dateline.as_deref(),
            status,
            canonical_url: input.canonical_url.as_deref(),
            author_user_id,
            created_at: naive(r.created_at),
            updated_at: naive(r.updated_at),
            first_published_at: r.first_published_at.map(naive),
            published_at: r.published_at.map(naive),
            scheduled_at: r.scheduled_at.map(naive),
            embargo_until: r.embargo_until.map(naive),
            search_key: crate::domain::match_key::key([input.headline.as_str()]),
        },
        r.version,
    )?;
    store::replace_children(conn, id, &input, &resolved)?;
    // Related articles already here are linked now; the others once the file is read.
    let present: HashMap<String, i64> = related_ids(conn, &r.related)?;
    if present.len() == r.related.len() {
        let ids: Vec<i64> = r.related.iter().filter_map(|p| present.get(p).copied()).collect();
        write::replace_related(conn, id, &ids)?;
    } else {
        ctx.related_ahead
            .push((ctx.line, id, r.id.clone(), r.related.clone()));
    }
    let corrections: Vec<(NaiveDateTime, &str, NaiveDateTime)> = r
        .corrections
        .iter()
        .map(|c| (naive(c.corrected_at), c.note.as_str(), naive(c.created_at)))
        .collect();
    write::replace_corrections(conn, id, &corrections)?;
    let actors: Vec<&str> = r.revisions.iter().filter_map(|v| v.actor.as_deref()).collect();
    let actor_ids = write::user_ids(conn, &actors)?;
    let revisions: Vec<NewRevision> = r
        .revisions
        .iter()
        .map(|v| NewRevision {
            article_id: id,
            version: v.version,
            action: v.action.clone(),
            actor_user_id: v.actor.as_ref().and_then(|a| actor_ids.get(a).copied()),
            snapshot: v.snapshot.to_string(),
            created_at: naive(v.created_at),
        })
        .collect();
    write::replace_revisions(conn, id, &revisions)?;
    schedule(conn, r, id, existing_id.is_none())?;
    compile(conn, ctx.urls, &ctx.origin, r, id)?;
    Ok((
        if existing.is_some() {
            Outcome::Updated
        } else {
            Outcome::Created
        },
        Some(id),
    ))
}

fn related_ids(conn: &mut DbConnection, public_ids: &[String]) -> Result<HashMap<String, i64>, DbError> {
    Ok(crate::db::queries::editorial::ids_by_public_id(conn, public_ids)?
        .into_iter()
        .collect())
}

/// The translation group an article joins: the group of the article that names it; `None`
/// when a group must be made (the article that names it comes later in the file, or none
/// does). Refused when the group has another article in this language. Writes nothing.
fn translation_group(
    conn: &mut DbConnection,
    ctx: &Context<'_>,
    r: &ArticleRecord,
    current: Option<i64>,
) -> Result<Option<i64>, Refusal> {
    let group = if let Some(group) = ctx.groups_ahead.get(&r.translation_group) {
        Some(*group)
    } else if r.translation_group == r.id {
        current
    } else {
        write::article_by_public_id(conn, &r.translation_group)?.map(|(_, group, _)| group)
    };
    let Some(group) = group else {
        return Ok(None);
    };
    let clash = crate::db::queries::editorial::other_translation(conn, group, &r.language, &r.id)?;
    if let Some(other) = clash {
        return Err(invalid(format!(
            "translation_group: the story already has a '{}' version: {other}",
            r.language
        )));
    }
    Ok(Some(group))
}

/// The jobs a scheduled or embargoed article needs, for a new one (an updated one has them).
pub fn schedule(conn: &mut DbConnection, r: &ArticleRecord, id: i64, created: bool) -> Result<(), DbError> {
    if !created {
        return Ok(());
    }
    let now = crate::db::utc_now();
    if let (ArticleStatus::Scheduled, Some(at)) = (r.status, r.scheduled_at) {
        jobs::enqueue(
            conn,
            JobKind::PublishScheduled,
            &json!({"article_id": id}),
            naive(at),
            now,
        )?;
    }
    if let (ArticleStatus::Published, Some(embargo)) = (r.status, r.embargo_until) {
        if naive(embargo) > now {
            jobs::enqueue(
                conn,
                JobKind::LiftEmbargo,
                &json!({"article_id": id}),
                naive(embargo),
                now,
            )?;
        }
    }
    Ok(())
}

/// Builds the article's delivery forms and search entry as of when its public form last
/// changed, so that its answers say what they said where it came from.
pub fn compile(
    conn: &mut DbConnection,
    urls: &UrlBuilder,
    origin: &crate::domain::changes::Origin,
    r: &ArticleRecord,
    id: i64,
) -> Result<(), DbError> {
    let as_of = naive(r.delivered_at.unwrap_or(r.updated_at));
    crate::delivery::compile_article(conn, id, urls, as_of, origin)?;
    // The articles that show this one (its translations, those that list it as related) came
    // earlier in the file and were compiled without it: again, each as of its own last change.
    use crate::db::queries::delivery::{self, Changed};
    for other in delivery::affected_by(conn, Changed::Article(id))? {
        if other == id {
            continue;
        }
        if let Some(delivered) = delivery::delivered_at(conn, other)? {
            crate::delivery::compile_article(conn, other, urls, delivered, origin)?;
        }
    }
    Ok(())
}

/// Links the related articles that came later in the file, and recompiles what shows them.
/// Returns the links left out: (line, article, related public id not found).
pub fn link_related_ahead(
    conn: &mut DbConnection,
    ctx: &mut Context<'_>,
) -> Result<Vec<(u64, String, String)>, DbError> {
    let mut missing = Vec::new();
    for (line, id, public_id, related) in std::mem::take(&mut ctx.related_ahead) {
        let present = related_ids(conn, &related)?;
        let ids: Vec<i64> = related
            .iter()
            .filter_map(|p| match present.get(p) {
                Some(row) if *row != id => Some(*row),
                Some(_) => None,
                None => {
                    missing.push((line, public_id.clone(), p.clone()));
                    None
                }
            })
            .collect();
        write::replace_related(conn, id, &ids)?;
        if let Some(rows) = transfer_read::articles_page(conn, id - 1, 1, None)?
            .into_iter()
            .next()
        {
            let record = article_record(rows)?;
            // Links made after the fact are no news to partners.
            compile(conn, ctx.urls, &ctx.origin.quietly(), &record, id)?;
        }
    }
    Ok(missing)
}

pub fn deleted(conn: &mut DbConnection, ctx: &Context<'_>, r: &DeletedRecord) -> Result<Outcome, Refusal> {
    if r.kind != "article" {
        return Err(invalid(format!(
            "kind: '{}' cannot be deleted by an import",
            r.kind
        )));
    }
    let Some((id, _, _)) = write::article_by_public_id(conn, &r.id)? else {
        return Ok(Outcome::Unchanged);
    };
    store::delete(conn, id)?;
    crate::delivery::compile_article(conn, id, ctx.urls, naive(r.at), &ctx.origin)?;
    Ok(Outcome::Updated)
}
