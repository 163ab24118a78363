//! Creating, editing (JSON merge patch over the editable form) and deleting articles.

use super::*;
use crate::domain::editorial::NewArticleInput;

pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    request: NewArticleInput,
) -> Result<EditableArticle, EditError> {
    actor.require(Permission::CreateArticle, "create articles")?;
    let history = match &request.history {
        Some(history) => {
            actor.require(Permission::ImportArchive, "create articles with their past")?;
            Some((
                history.status,
                history.times(ctx.now.and_utc()).map_err(EditError::Invalid)?,
            ))
        }
        None => None,
    };
    write_transaction(conn, |conn| {
        let (input, resolved) = resolve_checked(conn, request.fields, None)?;
        if let Some((ArticleStatus::Published, _)) = history {
            publishable(&input, &resolved)?;
        }
        let slug = settle_slug(conn, &input, None)?;
        let group = match resolved.translation_group {
            Some(group) => group,
            None => store::new_translation_group(conn, ctx.now)?,
        };
        let article = store::insert_draft(conn, &input, &slug, group, actor.user_id, ctx.now)?;
        store::replace_children(conn, article.id, &input, &resolved)?;
        let Some((status, (first, published, updated))) = history else {
            let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, "create")?;
            return editable_with(conn, ctx, actor, &article, fields);
        };
        // An archived story, as it was: its own times, compiled as of its last change, and no
        // webhook or ping (it is not news).
        let (first, published, updated) = (
            crate::db::truncate(first.naive_utc()),
            crate::db::truncate(published.naive_utc()),
            crate::db::truncate(updated.naive_utc()),
        );
        store::set_status(
            conn,
            article.id,
            &StatusChange {
                status,
                published_at: Some(published),
                first_published_at: Some(first),
                scheduled_at: None,
            },
        )?;
        store::set_times(conn, article.id, first, updated)?;
        // Its revision and audit entry say when it came into Khabar.
        let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, "import")?;
        let quiet = EditContext {
            origin: ctx.origin.quietly(),
            ..ctx.clone()
        };
        crate::editorial::events::republish_at(conn, &quiet, &[article.id], updated)?;
        editable_with(conn, ctx, actor, &article, fields)
    })
}

/// Writes `input` over the article as its next version (edits and restores).
pub(super) fn replace(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    article: Article,
    input: ArticleInput,
    action: &str,
) -> Result<EditableArticle, EditError> {
    let (mut input, resolved) = resolve_checked(conn, input, Some(article.id))?;
    if article.status == ArticleStatus::Published {
        publishable(&input, &resolved)?;
    }
    if input.slug.as_deref() == Some(article.slug.as_str()) && input.language == article.language {
        // Unchanged: no need to look for collisions.
    } else {
        input.slug = Some(settle_slug(conn, &input, Some(article.id))?);
    }
    let slug = input.slug.clone().unwrap_or_else(|| article.slug.clone());
    bump(conn, &article, ctx.now)?;
    let group = resolved.translation_group.unwrap_or(article.translation_group_id);
    store::update_fields(conn, article.id, &input, &slug, group)?;
    keep_old_path(conn, ctx, &article, &input.language, &slug)?;
    store::replace_children(conn, article.id, &input, &resolved)?;
    let Saved { article, fields } = saved(conn, ctx, actor.audit_ref(), article.id, action)?;
    republish(conn, ctx, &article)?;
    editable_with(conn, ctx, actor, &article, fields)
}

/// An article that has been public keeps answering at its old path after its slug (or
/// language) changes: a redirect to the article, which follows any later change too. Its new
/// path is its own again, if an earlier rename had left a redirect there.
fn keep_old_path(
    conn: &mut DbConnection,
    ctx: &EditContext,
    article: &Article,
    language: &str,
    slug: &str,
) -> Result<(), EditError> {
    use crate::db::queries::redirects::{self, NewRedirect, Target};
    use crate::domain::kinds::RedirectSource;
    use crate::domain::site_path::SitePath;
    let new_path = SitePath::of_article(language, slug);
    redirects::remove_to_article(conn, new_path.as_str(), article.id)?;
    let old_path = SitePath::of_article(&article.language, &article.slug);
    if article.first_published_at.is_some() && old_path != new_path {
        redirects::put(
            conn,
            &NewRedirect {
                from_path: old_path.as_str(),
                target: &Target::Article(article.id),
                status: 301,
                source: RedirectSource::SlugChange,
                created_at: ctx.now,
            },
        )?;
    }
    Ok(())
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
        return Err(EditError::invalid(
            "/",
            crate::domain::validation::FieldCode::WrongType,
            "a merge patch is a JSON object",
        ));
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
                crate::domain::validation::FieldCode::Inconsistent,
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
        let neighbours: Vec<i64> = delivery::affected_by(conn, Changed::Article(article.id))?
            .into_iter()
            .filter(|id| *id != article.id)
            .collect();
        let last = serde_json::to_value(store::document(conn, &article)?)
            .map_err(crate::db::DbError::unserializable)?;
        // Its delivery forms go first, leaving a tombstone (and the change log's entry) while
        // they still say what the public knew: deleting the row cascades them away unrecorded.
        crate::db::queries::delivery::withdraw(
            conn,
            article.id,
            crate::db::queries::delivery::Removal::Deleted,
            ctx.now,
            &ctx.origin,
        )?;
        store::delete(conn, article.id)?;
        // Recompiles the articles that linked to it.
        let affected: Vec<i64> = std::iter::once(article.id).chain(neighbours).collect();
        crate::editorial::events::republish(conn, ctx, &affected)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "article.delete",
            "article",
            &article.public_id,
            &json!({"version": article.version, "status": article.status, "last": last}),
            ctx.now,
        )?;
        Ok(())
    })
}
