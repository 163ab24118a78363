//! Article writes: create, edit (JSON merge patch), delete, workflow moves, corrections,
//! revisions and previews. Each public function is one transaction.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::api::article::ArticleView;
use crate::api::editorial::{
    CorrectionRequest, CorrectionView, EditableArticle, RevisionDiff, RevisionSummary, RevisionView,
    TransitionRequest,
};
use crate::api::utc;
use crate::db::claim::write_transaction;
use crate::db::models::article::Article;
use crate::db::queries::article_read::{self, Visibility};
use crate::db::queries::audit::{self, ActorRef};
use crate::db::queries::delivery::{self, Changed};
use crate::db::queries::editorial::{self as store, StatusChange};
use crate::db::queries::jobs::{self, JobKind};
use crate::db::queries::previews;
use crate::db::{DbConnection, DbError};
use crate::domain::editorial::{self, ArticleInput};
use crate::domain::kinds::ArticleStatus;
use crate::domain::permissions::Permission;
use crate::domain::{slug, workflow};

use super::{events, from_json, Actor, EditContext, EditError};

pub const MAX_NOTE_CHARS: usize = 2_000;

fn status_of(article: &Article) -> Result<ArticleStatus, EditError> {
    Ok(article.status)
}

fn load(conn: &mut DbConnection, public_id: &str) -> Result<Article, EditError> {
    store::find(conn, public_id)?
        .ok_or_else(|| EditError::NotFound(format!("no article has the id '{public_id}'")))
}

fn reload(conn: &mut DbConnection, id: i64) -> Result<Article, EditError> {
    store::find_by_id(conn, id)?.ok_or_else(|| DbError::Corrupt(format!("article {id} vanished")).into())
}

fn is_own(actor: &Actor, article: &Article) -> bool {
    article.author_user_id == Some(actor.user_id)
}

/// What a caller who may not see an article is told: the same as for an id that does not
/// exist, so that ids cannot be probed.
fn hidden(article: &Article) -> EditError {
    EditError::NotFound(format!("no article has the id '{}'", article.public_id))
}

/// Editors change anything; writers their own drafts.
fn require_edit(actor: &Actor, article: &Article) -> Result<(), EditError> {
    require_view(actor, article)?;
    if actor.may(Permission::EditAnyArticle) {
        return Ok(());
    }
    if workflow::writer_may_edit(status_of(article)?) {
        return Ok(());
    }
    Err(EditError::Forbidden(format!(
        "writers edit their own drafts only; this article is {}",
        article.status
    )))
}

/// Editors see anything; writers their own articles; to anyone else an article is missing.
fn require_view(actor: &Actor, article: &Article) -> Result<(), EditError> {
    if actor.may(Permission::EditAnyArticle)
        || (actor.may(Permission::EditOwnDraft) && is_own(actor, article))
    {
        Ok(())
    } else {
        Err(hidden(article))
    }
}

fn check_version(article: &Article, expected: i32) -> Result<(), EditError> {
    if article.version == expected {
        Ok(())
    } else {
        Err(EditError::Stale {
            expected,
            current: article.version,
        })
    }
}

/// Takes the next version, or reports the one that won a concurrent race.
fn bump(conn: &mut DbConnection, article: &Article, now: NaiveDateTime) -> Result<(), EditError> {
    if store::bump_version(conn, article.id, article.version, now)? {
        return Ok(());
    }
    let current = reload(conn, article.id)?;
    Err(EditError::Stale {
        expected: article.version,
        current: current.version,
    })
}

/// The editable form of a stored article.
pub fn editable(conn: &mut DbConnection, article: &Article) -> Result<EditableArticle, EditError> {
    let fields = store::document(conn, article)?;
    editable_with(conn, article, fields)
}

/// The editable form, from writable fields already loaded (by [`saved`]).
fn editable_with(
    conn: &mut DbConnection,
    article: &Article,
    fields: ArticleInput,
) -> Result<EditableArticle, EditError> {
    Ok(EditableArticle {
        id: article.public_id.clone(),
        version: article.version,
        status: status_of(article)?,
        author_user_id: article.author_user_id,
        created_at: utc(article.created_at),
        updated_at: utc(article.updated_at),
        first_published_at: article.first_published_at.map(utc),
        published_at: article.published_at.map(utc),
        scheduled_at: article.scheduled_at.map(utc),
        translations: store::translations_of(conn, article)?,
        corrections: store::corrections_of(conn, article.id)?
            .into_iter()
            .map(|(at, note)| CorrectionView {
                corrected_at: utc(at),
                note,
            })
            .collect(),
        fields,
    })
}

/// The article as saved, with the writable fields its revision stores.
struct Saved {
    article: Article,
    fields: ArticleInput,
}

/// Stores the revision for the article's current version and the audit entry.
fn saved(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: ActorRef<'_>,
    article_id: i64,
    action: &str,
) -> Result<Saved, EditError> {
    let article = reload(conn, article_id)?;
    let fields = store::document(conn, &article)?;
    let mut snapshot = serde_json::to_value(&fields).map_err(crate::db::DbError::unserializable)?;
    snapshot["status"] = json!(article.status);
    store::insert_revision(
        conn,
        article.id,
        article.version,
        action,
        actor.user_id,
        &snapshot,
        ctx.now,
    )?;
    audit::record(
        conn,
        actor,
        &format!("article.{action}"),
        "article",
        &article.public_id,
        &json!({"version": article.version}),
        ctx.now,
    )?;
    Ok(Saved { article, fields })
}

/// Recompiles what the public sees of the article and its neighbours, and tells subscribers.
fn republish(
    conn: &mut DbConnection,
    ctx: &EditContext,
    before: Option<&Visibility>,
    article: &Article,
) -> Result<(), EditError> {
    let affected = delivery::affected_by(conn, Changed::Article(article.id))?;
    crate::delivery::publish_changes(conn, &affected, &ctx.urls, ctx.now)?;
    let was_public = before.is_some_and(|v| v.is_public(ctx.now));
    let is_public = Visibility::from(article).is_public(ctx.now);
    let event = match (was_public, is_public) {
        (false, true) => Some("article.published"),
        (true, true) => Some("article.updated"),
        (true, false) => Some("article.unpublished"),
        (false, false) => None,
    };
    if let Some(event) = event {
        events::article_event(conn, event, article, &ctx.urls, ctx.websub.as_ref(), ctx.now)?;
    }
    if article.status == ArticleStatus::Published {
        if let Some(embargo) = article.embargo_until.filter(|e| *e > ctx.now) {
            jobs::enqueue(
                conn,
                JobKind::LiftEmbargo,
                &json!({"article_id": article.id}),
                embargo,
                ctx.now,
            )?;
        }
    }
    Ok(())
}

/// The slug an input asks for, or one made from its headline; a taken explicit slug is a 409.
fn settle_slug(
    conn: &mut DbConnection,
    input: &ArticleInput,
    except: Option<i64>,
) -> Result<String, EditError> {
    if let Some(wanted) = &input.slug {
        if store::slug_taken(conn, &input.language, wanted, except)? {
            return Err(EditError::Conflict {
                detail: format!(
                    "another '{}' article already has the slug '{wanted}'",
                    input.language
                ),
                errors: vec![crate::domain::validation::FieldError::new(
                    "/slug",
                    "already taken",
                )],
            });
        }
        return Ok(wanted.clone());
    }
    let base = slug::slugify(&input.headline);
    Ok(editorial::free_slug(&base, |candidate| {
        store::slug_taken(conn, &input.language, candidate, except)
    })?)
}

fn resolve_checked(
    conn: &mut DbConnection,
    input: ArticleInput,
    article_id: Option<i64>,
) -> Result<(ArticleInput, store::Resolved), EditError> {
    let input = input.checked().map_err(EditError::Invalid)?;
    let resolved = store::resolve(conn, &input, article_id)?.map_err(EditError::Invalid)?;
    Ok((input, resolved))
}

/// What publishing requires beyond a valid article: a body, and a credit on every medium.
fn publishable(input: &ArticleInput, resolved: &store::Resolved) -> Result<(), EditError> {
    let mut errors = resolved.uncredited(input);
    if input.body.is_empty() {
        errors.push(crate::domain::validation::FieldError::new(
            "/body",
            "an article needs a body to be published",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(EditError::Invalid(errors))
    }
}

pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    input: ArticleInput,
) -> Result<EditableArticle, EditError> {
    actor.require(Permission::CreateArticle, "create articles")?;
    write_transaction(conn, |conn| {
        let (input, resolved) = resolve_checked(conn, input, None)?;
        let slug = settle_slug(conn, &input, None)?;
        let group = match resolved.translation_group {
            Some(group) => group,
            None => store::new_translation_group(conn, ctx.now)?,
        };
        let article = store::insert_draft(conn, &input, &slug, group, actor.user_id, ctx.now)?;
        store::replace_children(conn, article.id, &input, &resolved)?;
        let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, "create")?;
        editable_with(conn, &article, fields)
    })
}

/// Writes `input` over the article as its next version (edits and restores).
fn replace(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article: Article,
    input: ArticleInput,
    action: &str,
) -> Result<EditableArticle, EditError> {
    let (mut input, resolved) = resolve_checked(conn, input, Some(article.id))?;
    if status_of(&article)? == ArticleStatus::Published {
        publishable(&input, &resolved)?;
    }
    if input.slug.as_deref() == Some(article.slug.as_str()) && input.language == article.language {
        // Unchanged: no need to look for collisions.
    } else {
        input.slug = Some(settle_slug(conn, &input, Some(article.id))?);
    }
    let slug = input.slug.clone().unwrap_or_else(|| article.slug.clone());
    let before = Visibility::from(&article);
    bump(conn, &article, ctx.now)?;
    let group = resolved.translation_group.unwrap_or(article.translation_group_id);
    store::update_fields(conn, article.id, &input, &slug, group)?;
    store::replace_children(conn, article.id, &input, &resolved)?;
    let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, action)?;
    republish(conn, ctx, Some(&before), &article)?;
    editable_with(conn, &article, fields)
}

pub fn update(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
    patch: serde_json::Value,
) -> Result<EditableArticle, EditError> {
    if !patch.is_object() {
        return Err(EditError::invalid("/", "a merge patch is a JSON object"));
    }
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_edit(actor, &article)?;
        check_version(&article, expected_version)?;
        let mut document = serde_json::to_value(store::document(conn, &article)?)
            .map_err(crate::db::DbError::unserializable)?;
        if let Some(field) = patch
            .as_object()
            .and_then(|p| p.keys().find(|k| READ_ONLY.contains(&k.as_str())))
        {
            return Err(EditError::invalid(
                &format!("/{field}"),
                "is read-only; status changes through /transitions, versions and times by the server",
            ));
        }
        editorial::merge_patch(&mut document, &patch);
        let input: ArticleInput = from_json(document)?;
        replace(conn, ctx, actor, article, input, "update")
    })
}

/// Fields of the editable form that a patch may not set.
const READ_ONLY: &[&str] = &[
    "id",
    "version",
    "status",
    "author_user_id",
    "created_at",
    "updated_at",
    "first_published_at",
    "published_at",
    "scheduled_at",
    "translations",
    "corrections",
];

pub fn delete(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
) -> Result<(), EditError> {
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_edit(actor, &article)?;
        check_version(&article, expected_version)?;
        let was_public = Visibility::from(&article).is_public(ctx.now);
        let neighbours: Vec<i64> = delivery::affected_by(conn, Changed::Article(article.id))?
            .into_iter()
            .filter(|id| *id != article.id)
            .collect();
        let last = serde_json::to_value(store::document(conn, &article)?)
            .map_err(crate::db::DbError::unserializable)?;
        store::delete(conn, article.id)?;
        // Withdraws its delivery forms (leaving a tombstone for sync clients) and recompiles
        // the articles that linked to it.
        let affected: Vec<i64> = std::iter::once(article.id).chain(neighbours).collect();
        crate::delivery::publish_changes(conn, &affected, &ctx.urls, ctx.now)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "article.delete",
            "article",
            &article.public_id,
            &json!({"version": article.version, "status": article.status, "last": last}),
            ctx.now,
        )?;
        if was_public {
            events::article_event(
                conn,
                "article.deleted",
                &article,
                &ctx.urls,
                ctx.websub.as_ref(),
                ctx.now,
            )?;
        }
        Ok(())
    })
}

pub fn transition(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
    request: &TransitionRequest,
) -> Result<EditableArticle, EditError> {
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_view(actor, &article)?;
        let from = status_of(&article)?;
        let needed = workflow::transition(from, request.to).map_err(EditError::Transition)?;
        match needed {
            Permission::EditOwnDraft => require_view(actor, &article)?,
            other => actor.require(other, &format!("move an article to {}", request.to))?,
        }
        check_version(&article, expected_version)?;
        let scheduled_at = match (request.to, request.scheduled_at) {
            (ArticleStatus::Scheduled, None) => {
                return Err(EditError::invalid(
                    "/scheduled_at",
                    "required to schedule an article",
                ))
            }
            (ArticleStatus::Scheduled, Some(at)) if at.naive_utc() <= ctx.now => {
                return Err(EditError::invalid("/scheduled_at", "must be in the future"))
            }
            (ArticleStatus::Scheduled, Some(at)) => Some(crate::db::truncate(at.naive_utc())),
            (_, Some(_)) => return Err(EditError::invalid("/scheduled_at", "only for to: scheduled")),
            (_, None) => None,
        };
        if matches!(request.to, ArticleStatus::Published | ArticleStatus::Scheduled) {
            let input = store::document(conn, &article)?;
            let resolved = store::resolve(conn, &input, Some(article.id))?.map_err(EditError::Invalid)?;
            publishable(&input, &resolved)?;
        }
        let before = Visibility::from(&article);
        bump(conn, &article, ctx.now)?;
        store::set_status(
            conn,
            article.id,
            &status_change(&article, request.to, scheduled_at, ctx.now),
        )?;
        if let Some(at) = scheduled_at {
            jobs::enqueue(
                conn,
                JobKind::PublishScheduled,
                &json!({"article_id": article.id}),
                at,
                ctx.now,
            )?;
        }
        let Saved { article, fields } = saved(
            conn,
            ctx,
            actor.audit_ref(),
            article.id,
            &format!("transition:{}", request.to),
        )?;
        republish(conn, ctx, Some(&before), &article)?;
        editable_with(conn, &article, fields)
    })
}

fn status_change(
    article: &Article,
    to: ArticleStatus,
    scheduled_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> StatusChange {
    let published_at = match to {
        // Back from unpublished, an article keeps its original publication time.
        ArticleStatus::Published => Some(
            article
                .published_at
                .filter(|_| article.first_published_at.is_some())
                .unwrap_or(now),
        ),
        _ => article.published_at,
    };
    StatusChange {
        status: to,
        first_published_at: article
            .first_published_at
            .or((to == ArticleStatus::Published).then_some(now)),
        published_at,
        scheduled_at,
    }
}

/// Publishes a scheduled article whose time has come (the job's work); `false` when it was
/// unscheduled or rescheduled meanwhile.
pub fn publish_due(conn: &mut DbConnection, ctx: &EditContext, article_id: i64) -> Result<bool, EditError> {
    write_transaction(conn, |conn| {
        let Some(article) = store::find_by_id(conn, article_id)? else {
            return Ok(false);
        };
        let due = article.status == ArticleStatus::Scheduled
            && article.scheduled_at.is_some_and(|at| at <= ctx.now);
        if !due {
            return Ok(false);
        }
        let before = Visibility::from(&article);
        bump(conn, &article, ctx.now)?;
        let mut change = status_change(&article, ArticleStatus::Published, None, ctx.now);
        change.published_at = article.scheduled_at.or(change.published_at);
        store::set_status(conn, article.id, &change)?;
        let system = ActorRef {
            user_id: None,
            email: None,
        };
        let article = saved(conn, ctx, system, article.id, "transition:published:scheduled")?.article;
        republish(conn, ctx, Some(&before), &article)?;
        Ok(true)
    })
}

/// Announces an article whose embargo has lifted (the job's work).
pub fn lift_embargo(conn: &mut DbConnection, ctx: &EditContext, article_id: i64) -> Result<bool, EditError> {
    write_transaction(conn, |conn| {
        let Some(article) = store::find_by_id(conn, article_id)? else {
            return Ok(false);
        };
        let lifted = Visibility::from(&article).is_public(ctx.now)
            && article.embargo_until.is_some_and(|e| e <= ctx.now);
        if !lifted {
            return Ok(false);
        }
        let affected = delivery::affected_by(conn, Changed::Article(article.id))?;
        crate::delivery::publish_changes(conn, &affected, &ctx.urls, ctx.now)?;
        events::article_event(
            conn,
            "article.published",
            &article,
            &ctx.urls,
            ctx.websub.as_ref(),
            ctx.now,
        )?;
        Ok(true)
    })
}

pub fn correct(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
    request: &CorrectionRequest,
) -> Result<EditableArticle, EditError> {
    actor.require(Permission::Publish, "correct articles")?;
    let note = request.note.trim();
    if note.is_empty() {
        return Err(EditError::invalid("/note", "must not be empty"));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(EditError::invalid(
            "/note",
            format!("must be at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    let corrected_at = request
        .corrected_at
        .map_or(ctx.now, |t| crate::db::truncate(t.naive_utc()));
    if corrected_at > ctx.now {
        return Err(EditError::invalid("/corrected_at", "must not be in the future"));
    }
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        if article.status != ArticleStatus::Published {
            return Err(EditError::Conflict {
                detail: format!(
                    "corrections are appended to published articles; this one is {}",
                    article.status
                ),
                errors: vec![],
            });
        }
        check_version(&article, expected_version)?;
        let before = Visibility::from(&article);
        bump(conn, &article, ctx.now)?;
        store::add_correction(conn, article.id, corrected_at, note, ctx.now)?;
        let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, "correction")?;
        republish(conn, ctx, Some(&before), &article)?;
        editable_with(conn, &article, fields)
    })
}

pub fn show(conn: &mut DbConnection, actor: &Actor, public_id: &str) -> Result<EditableArticle, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    editable(conn, &article)
}

/// The article exactly as the public representation would show it, published or not.
pub fn preview(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
) -> Result<ArticleView, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    render(conn, ctx, article)
}

fn render(conn: &mut DbConnection, ctx: &EditContext, article: Article) -> Result<ArticleView, EditError> {
    let record = article_read::load_record(conn, article, ctx.now)?;
    Ok(ArticleView::build(record, &ctx.urls))
}

/// Starts a preview link; returns the article's public id for the token.
pub fn create_preview_link(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    link_id: &str,
    expires_at: NaiveDateTime,
) -> Result<(), EditError> {
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_view(actor, &article)?;
        previews::create(conn, link_id, article.id, actor.user_id, ctx.now, expires_at)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "preview_link.create",
            "article",
            public_id,
            &json!({"link": link_id}),
            ctx.now,
        )?;
        Ok(())
    })
}

pub fn revoke_preview_link(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    link_id: &str,
) -> Result<(), EditError> {
    write_transaction(conn, |conn| {
        let missing = || EditError::NotFound(format!("no preview link has the id '{link_id}'"));
        let article_id = previews::article_of(conn, link_id)?.ok_or_else(missing)?;
        let article = reload(conn, article_id)?;
        // Another writer's link is as missing as one that never existed.
        require_view(actor, &article).map_err(|_| missing())?;
        previews::revoke(conn, link_id, ctx.now)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "preview_link.revoke",
            "article",
            &article.public_id,
            &json!({"link": link_id}),
            ctx.now,
        )?;
        Ok(())
    })
}

/// What a live preview link shows; `None` when it was revoked or has expired.
pub fn preview_by_link(
    conn: &mut DbConnection,
    ctx: &EditContext,
    link_id: &str,
    public_id: &str,
) -> Result<Option<ArticleView>, EditError> {
    let Some(article_id) = previews::live_article(conn, link_id, ctx.now)? else {
        return Ok(None);
    };
    let article = reload(conn, article_id)?;
    if article.public_id != public_id {
        return Ok(None);
    }
    render(conn, ctx, article).map(Some)
}

fn summary(revision: &store::Revision) -> RevisionSummary {
    RevisionSummary {
        version: revision.version,
        action: revision.action.clone(),
        actor_user_id: revision.actor_user_id,
        created_at: utc(revision.created_at),
    }
}

pub fn revisions(
    conn: &mut DbConnection,
    actor: &Actor,
    public_id: &str,
) -> Result<Vec<RevisionSummary>, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    Ok(store::revisions(conn, article.id)?.iter().map(summary).collect())
}

fn revision_of(conn: &mut DbConnection, article: &Article, version: i32) -> Result<RevisionView, EditError> {
    let revision = store::revision(conn, article.id, version)?.ok_or_else(|| {
        EditError::NotFound(format!("article {} has no version {version}", article.public_id))
    })?;
    Ok(RevisionView {
        summary: summary(&revision),
        snapshot: serde_json::from_str(&revision.snapshot).map_err(DbError::corrupt)?,
    })
}

pub fn revision(
    conn: &mut DbConnection,
    actor: &Actor,
    public_id: &str,
    version: i32,
) -> Result<RevisionView, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    revision_of(conn, &article, version)
}

pub fn diff(
    conn: &mut DbConnection,
    actor: &Actor,
    public_id: &str,
    from: i32,
    to: i32,
) -> Result<RevisionDiff, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    let (a, b) = (
        revision_of(conn, &article, from)?,
        revision_of(conn, &article, to)?,
    );
    Ok(RevisionDiff {
        from,
        to,
        changes: editorial::diff(&a.snapshot, &b.snapshot),
    })
}

/// Makes an old version's content the next version (the status stays as it is).
pub fn restore(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    expected_version: i32,
    version: i32,
) -> Result<EditableArticle, EditError> {
    write_transaction(conn, |conn| {
        let article = load(conn, public_id)?;
        require_edit(actor, &article)?;
        if article.status == ArticleStatus::Published {
            actor.require(Permission::Publish, "restore a published article")?;
        }
        check_version(&article, expected_version)?;
        let mut snapshot = revision_of(conn, &article, version)?.snapshot;
        if let Some(fields) = snapshot.as_object_mut() {
            fields.remove("status");
        }
        let input: ArticleInput = from_json(snapshot)?;
        replace(conn, ctx, actor, article, input, &format!("restore:{version}"))
    })
}
