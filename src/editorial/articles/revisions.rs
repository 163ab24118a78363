//! An article's history: its revisions, the diff of two, and restoring an old one.

use std::collections::HashMap;

use super::write::replace;
use super::*;

fn summary(revision: &store::Revision, names: &HashMap<i64, String>) -> RevisionSummary {
    RevisionSummary {
        version: revision.version,
        action: revision.action.clone(),
        actor_user_id: revision.actor_user_id,
        actor_name: revision.actor_user_id.and_then(|id| names.get(&id).cloned()),
        created_at: utc(revision.created_at),
    }
}

/// The names of who made these revisions.
fn actor_names(
    conn: &mut DbConnection,
    revisions: &[store::Revision],
) -> Result<HashMap<i64, String>, DbError> {
    let mut ids: Vec<i64> = revisions.iter().filter_map(|r| r.actor_user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    crate::db::queries::users::names(conn, &ids)
}

pub fn revisions(
    conn: &mut DbConnection,
    actor: &Actor,
    public_id: &str,
) -> Result<Vec<RevisionSummary>, EditError> {
    let article = load(conn, public_id)?;
    require_view(actor, &article)?;
    let revisions = store::revisions(conn, article.id)?;
    let names = actor_names(conn, &revisions)?;
    Ok(revisions.iter().map(|r| summary(r, &names)).collect())
}

fn revision_of(conn: &mut DbConnection, article: &Article, version: i32) -> Result<RevisionView, EditError> {
    let revision = store::revision(conn, article.id, version)?.ok_or_else(|| {
        EditError::NotFound(format!("article {} has no version {version}", article.public_id))
    })?;
    let names = actor_names(conn, std::slice::from_ref(&revision))?;
    Ok(RevisionView {
        summary: summary(&revision, &names),
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
