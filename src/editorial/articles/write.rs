//! Creating, editing (JSON merge patch over the editable form) and deleting articles.

use super::*;
use crate::db::models::article::NewArticle;
use crate::domain::editorial::NewArticleInput;

pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    request: NewArticleInput,
) -> Result<EditableArticle, EditError> {
    actor.require(Permission::CreateArticle, "create articles")?;
    if request.history.is_some() {
        actor.require(Permission::ImportArchive, "create articles with their past")?;
    }
    write_transaction(conn, |conn| {
        let Saved { article, fields } = insert_new(conn, ctx, Some(actor), request)?;
        editable_with(conn, ctx, actor, &article, fields)
    })
}

/// Creates an article that no signed-in user asks for (the demo, generated sets): the rules
/// and writes of [`create`], with no author and no one in the audit entry.
pub fn create_unattended(
    conn: &mut DbConnection,
    ctx: &EditContext,
    request: NewArticleInput,
) -> Result<Article, EditError> {
    write_transaction(conn, |conn| Ok(insert_new(conn, ctx, None, request)?.article))
}

/// Checks a new article, writes it (a draft, or with its past as it was), and records its
/// first revision.
fn insert_new(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: Option<&Actor>,
    request: NewArticleInput,
) -> Result<Saved, EditError> {
    let history = match &request.history {
        Some(history) => Some((
            history.status,
            history.times(ctx.now.and_utc()).map_err(EditError::Invalid)?,
        )),
        None => None,
    };
    let (input, resolved) = resolve_checked(conn, request.fields, None)?;
    if let Some((ArticleStatus::Published, _)) = history {
        publishable(&input, &resolved)?;
    }
    let slug = settle_slug(conn, &input, None)?;
    let group = match resolved.translation_group {
        Some(group) => group,
        None => store::new_translation_group(conn, ctx.now)?,
    };
    let audit = actor.map_or(
        ActorRef {
            user_id: None,
            email: None,
        },
        Actor::audit_ref,
    );
    let draft = NewArticle {
        public_id: uuid::Uuid::now_v7().to_string(),
        status: ArticleStatus::Draft.as_str(),
        author_user_id: actor.map(|a| a.user_id),
        created_at: ctx.now,
        updated_at: ctx.now,
        first_published_at: None,
        published_at: None,
        scheduled_at: None,
        ..store::with_fields(NewArticle::blank(), &input, &slug, group)
    };
    let Some((status, times)) = history else {
        let id = store::save_article(conn, None, &draft, 1)?;
        store::replace_children(conn, id, &input, &resolved)?;
        return saved(conn, ctx, audit, id, "create");
    };
    let (row, updated) = with_past(draft, status, times);
    let id = store::save_article(conn, None, &row, 1)?;
    store::replace_children(conn, id, &input, &resolved)?;
    // Its revision and audit entry say when it came into Khabar.
    let saved = saved(conn, ctx, audit, id, "import")?;
    compile_archived(conn, ctx, id, updated)?;
    Ok(saved)
}

/// An archived story's row, as it was: its status and own times (and when it last changed).
fn with_past(
    draft: NewArticle<'_>,
    status: ArticleStatus,
    (first, published, updated): crate::domain::editorial::PublicationTimes,
) -> (NewArticle<'_>, chrono::NaiveDateTime) {
    let (first, published, updated) = (
        crate::db::truncate(first.naive_utc()),
        crate::db::truncate(published.naive_utc()),
        crate::db::truncate(updated.naive_utc()),
    );
    let row = NewArticle {
        status: status.as_str(),
        first_published_at: Some(first),
        published_at: Some(published),
        created_at: first,
        updated_at: updated,
        ..draft
    };
    (row, updated)
}

/// Compiles an archived story as of its last change, with no webhook or ping (it is not
/// news), and the articles that show it.
fn compile_archived(
    conn: &mut DbConnection,
    ctx: &EditContext,
    id: i64,
    updated: chrono::NaiveDateTime,
) -> Result<(), EditError> {
    let quiet = EditContext {
        origin: ctx.origin.quietly(),
        ..ctx.clone()
    };
    crate::editorial::events::republish_at(conn, &quiet, &[id], updated)?;
    // The articles that show it (the story it translates, those it is related to) list it
    // now, each compiled as of its own last change.
    for other in delivery::affected_by(conn, Changed::Article(id))? {
        if other == id {
            continue;
        }
        if let Some(at) = crate::db::queries::delivery::delivered_at(conn, other)? {
            crate::editorial::events::republish_at(conn, &quiet, &[other], at)?;
        }
    }
    Ok(())
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
    let next = bump(conn, &article, ctx.now)?;
    let group = resolved.translation_group.unwrap_or(article.translation_group_id);
    store::save_article(
        conn,
        Some(article.id),
        &store::with_fields(next.columns(), &input, &slug, group),
        next.version,
    )?;
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
