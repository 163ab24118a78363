//! Article writes, each public function one transaction: [`write`] (create, edit by JSON
//! merge patch, delete), [`workflow`] (moves, scheduled publishing, embargoes, corrections),
//! [`revisions`] (history, diff, restore) and [`previews`] (the public form before publishing,
//! and partner preview links). What they share (loading, permissions, versions, saving a
//! revision, republishing) is here.

pub mod breaking;
pub mod live;
mod previews;
mod revisions;
mod workflow;
mod write;

pub use previews::{create_preview_link, preview, preview_by_link, revoke_preview_link};
pub use revisions::{diff, restore, revision, revisions};
pub use workflow::{correct, lift_embargo, publish_due, transition};
pub use write::{create, create_unattended, delete, update};

use chrono::NaiveDateTime;
use serde_json::json;

use crate::api::article::ArticleView;
use crate::api::editorial::{
    CorrectionRequest, CorrectionView, EditableArticle, RevisionDiff, RevisionSummary, RevisionView,
    TransitionRequest, Warning, WarningCode,
};
use crate::api::utc;
use crate::db::claim::write_transaction;
use crate::db::models::article::Article;
use crate::db::queries::article_read::{self, Visibility};
use crate::db::queries::audit::{self, ActorRef};
use crate::db::queries::delivery::{self, Changed};
use crate::db::queries::editorial::{self as store, StatusChange};
use crate::db::queries::jobs::{self, JobKind};
use crate::db::queries::previews as preview_links;
use crate::db::{DbConnection, DbError};
use crate::domain::editorial::{self, ArticleInput};
use crate::domain::kinds::ArticleStatus;
use crate::domain::permissions::Permission;
use crate::domain::slug;
use crate::domain::workflow as rules;

use crate::editorial::{from_json, Actor, EditContext, EditError};

pub const MAX_NOTE_CHARS: usize = 2_000;

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
    if rules::writer_may_edit(article.status) {
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

/// Takes the next version, or reports the one that won a concurrent race; the article as it
/// now is (its next version, changed now).
fn bump(conn: &mut DbConnection, article: &Article, now: NaiveDateTime) -> Result<Article, EditError> {
    if store::bump_version(conn, article.id, article.version, now)? {
        return Ok(Article {
            version: article.version + 1,
            updated_at: now,
            ..article.clone()
        });
    }
    let current = reload(conn, article.id)?;
    Err(EditError::Stale {
        expected: article.version,
        current: current.version,
    })
}

/// Takes the next version and moves the article to another status, in its one row writer.
fn move_to(
    conn: &mut DbConnection,
    article: &Article,
    change: &StatusChange,
    now: NaiveDateTime,
) -> Result<(), EditError> {
    let next = bump(conn, article, now)?;
    store::save_article(conn, Some(next.id), &change.applied(next.columns()), next.version)?;
    Ok(())
}

/// The editable form of a stored article.
pub fn editable(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article: &Article,
) -> Result<EditableArticle, EditError> {
    let fields = store::document(conn, article)?;
    editable_with(conn, ctx, actor, article, fields)
}

/// The editable form as `actor` sees it, from writable fields already loaded (by [`saved`]).
fn editable_with(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article: &Article,
    fields: ArticleInput,
) -> Result<EditableArticle, EditError> {
    let warnings = warnings(conn, ctx, &fields)?;
    Ok(EditableArticle {
        warnings,
        actions: rules::actions(actor.role, is_own(actor, article), article.status),
        id: article.public_id.clone(),
        version: article.version,
        status: article.status,
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
fn republish(conn: &mut DbConnection, ctx: &EditContext, article: &Article) -> Result<(), EditError> {
    let affected = delivery::affected_by(conn, Changed::Article(article.id))?;
    crate::editorial::events::republish(conn, ctx, &affected)?;
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
                errors: vec![crate::domain::validation::FieldError::coded(
                    "/slug",
                    crate::domain::validation::FieldCode::Taken,
                    "already taken",
                )
                .with_value(wanted.as_str())],
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
        errors.push(crate::domain::validation::FieldError::coded(
            "/body",
            crate::domain::validation::FieldCode::Required,
            "an article needs a body to be published",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(EditError::Invalid(errors))
    }
}

pub fn show(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
) -> Result<EditableArticle, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    editable(conn, ctx, actor, &article)
}

/// What the editor is told but not stopped by.
fn warnings(
    conn: &mut DbConnection,
    ctx: &EditContext,
    fields: &ArticleInput,
) -> Result<Vec<Warning>, EditError> {
    let Some(featured) = &fields.featured_media else {
        return Ok(Vec::new());
    };
    let minimum = i32::try_from(ctx.featured_image_min_width).unwrap_or(i32::MAX);
    Ok(match store::image_width(conn, &featured.media_id)? {
        Some(Some(width)) if width < minimum => vec![Warning {
            field: "/featured_media".into(),
            code: WarningCode::NarrowFeaturedImage,
            limit: Some(ctx.featured_image_min_width.into()),
            detail: format!(
                "the featured image is {width} px wide; Google Discover and large cards want at least {minimum} px"
            ),
        }],
        Some(None) => vec![Warning {
            field: "/featured_media".into(),
            code: WarningCode::UnknownImageWidth,
            limit: Some(ctx.featured_image_min_width.into()),
            detail: format!("the featured image's width is unknown; partners want at least {minimum} px"),
        }],
        _ => Vec::new(),
    })
}
