//! Contributor, topic and media writes. A change recompiles every published article that
//! shows the changed entry, in the same transaction.

use crate::domain::changes::LogKind;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::db::claim::write_transaction;
use crate::db::queries::audit;
use crate::db::queries::catalog_write as store;
use crate::db::queries::delivery::{self, Changed};
use crate::db::DbConnection;
use crate::domain::catalog::{slug_or_from, ContributorInput, MediaInput, TopicInput};
use crate::domain::editorial::merge_patch;
use crate::domain::permissions::Permission;
use crate::domain::validation::{FieldCode, FieldError};

use super::{from_json, Actor, EditContext, EditError};

/// A media asset's editable form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaDocument {
    /// The asset's public id, as used in article bodies and `featured_media`.
    pub id: String,
    #[serde(flatten)]
    pub fields: MediaInput,
}

fn not_found(what: &str, key: &str) -> EditError {
    EditError::NotFound(format!("no {what} has the id or slug '{key}'"))
}

fn slug_conflict(what: &str, slug: &str) -> EditError {
    EditError::Conflict {
        detail: format!("another {what} already has the slug '{slug}'"),
        errors: vec![FieldError::coded("/slug", FieldCode::Taken, "already taken").with_value(slug)],
    }
}

/// Applies a merge patch to an entry's current editable form.
fn patched<T: Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: &serde_json::Value,
) -> Result<T, EditError> {
    if !patch.is_object() {
        return Err(EditError::invalid(
            "/",
            FieldCode::WrongType,
            "a merge patch is a JSON object",
        ));
    }
    let mut document = serde_json::to_value(current).map_err(crate::db::DbError::unserializable)?;
    merge_patch(&mut document, patch);
    from_json(document)
}

/// The audit entry and the recompilation every catalog change ends with.
fn changed(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    action: &str,
    target: (&str, &str),
    change: Option<Changed>,
) -> Result<(), EditError> {
    audit::record(
        conn,
        actor.audit_ref(),
        action,
        target.0,
        target.1,
        &json!({}),
        ctx.now,
    )?;
    if let Some(change) = change {
        let affected = delivery::affected_by(conn, change)?;
        super::events::republish(conn, ctx, &affected)?;
    }
    let kind = match target.0 {
        "topic" => LogKind::Topic,
        "contributor" => LogKind::Contributor,
        _ => LogKind::Media,
    };
    crate::delivery::log_catalog_change(conn, kind, target.1, &ctx.origin)?;
    Ok(())
}

fn save_contributor(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    id: Option<i64>,
    input: ContributorInput,
) -> Result<ContributorInput, EditError> {
    let mut input = input.checked().map_err(EditError::Invalid)?;
    let slug = slug_or_from(&input.slug, &input.name);
    if slug.is_empty() {
        return Err(EditError::invalid(
            "/slug",
            FieldCode::Required,
            "the name has no letters to make a slug from; give one",
        ));
    }
    if store::contributor_slug_taken(conn, &slug, id)? {
        return Err(slug_conflict("contributor", &slug));
    }
    let saved = store::save_contributor(conn, id, &input, &slug, store::Stamp::now(ctx.now))?;
    let action = if id.is_some() {
        "contributor.update"
    } else {
        "contributor.create"
    };
    changed(
        conn,
        ctx,
        actor,
        action,
        ("contributor", &slug),
        id.map(|_| Changed::Contributor(saved)),
    )?;
    input.slug = Some(slug);
    Ok(input)
}

pub fn create_contributor(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    input: ContributorInput,
) -> Result<ContributorInput, EditError> {
    actor.require(Permission::ManageCatalog, "manage contributors")?;
    write_transaction(conn, |conn| save_contributor(conn, ctx, actor, None, input))
}

pub fn update_contributor(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    slug: &str,
    patch: &serde_json::Value,
) -> Result<ContributorInput, EditError> {
    actor.require(Permission::ManageCatalog, "manage contributors")?;
    write_transaction(conn, |conn| {
        let (id, current) = store::contributor(conn, slug)?.ok_or_else(|| not_found("contributor", slug))?;
        let input = patched(&current, patch)?;
        save_contributor(conn, ctx, actor, Some(id), input)
    })
}

pub fn delete_contributor(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    slug: &str,
) -> Result<(), EditError> {
    actor.require(Permission::ManageCatalog, "manage contributors")?;
    write_transaction(conn, |conn| {
        let (id, _) = store::contributor(conn, slug)?.ok_or_else(|| not_found("contributor", slug))?;
        store::delete_contributor(conn, id)?;
        changed(
            conn,
            ctx,
            actor,
            "contributor.delete",
            ("contributor", slug),
            None,
        )
    })
}

fn save_topic(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    id: Option<i64>,
    input: TopicInput,
) -> Result<TopicInput, EditError> {
    let mut input = input.checked().map_err(EditError::Invalid)?;
    let slug = slug_or_from(&input.slug, &input.name);
    if slug.is_empty() {
        return Err(EditError::invalid(
            "/slug",
            FieldCode::Required,
            "the name has no letters to make a slug from; give one",
        ));
    }
    if store::topic_slug_taken(conn, &slug, id)? {
        return Err(slug_conflict("topic", &slug));
    }
    let parent_id = match &input.parent {
        None => None,
        Some(parent) => {
            let parent_id = store::topic_id(conn, parent)?.ok_or_else(|| {
                EditError::Invalid(vec![FieldError::not_found(
                    "/parent",
                    "topic has the slug",
                    parent,
                )])
            })?;
            if id.is_some_and(|id| store::ancestors(conn, parent_id).is_ok_and(|chain| chain.contains(&id))) {
                return Err(EditError::invalid(
                    "/parent",
                    FieldCode::Inconsistent,
                    "a topic cannot be its own ancestor",
                ));
            }
            Some(parent_id)
        }
    };
    let saved = store::save_topic(conn, id, &input, &slug, parent_id, store::Stamp::now(ctx.now))?;
    let action = if id.is_some() {
        "topic.update"
    } else {
        "topic.create"
    };
    changed(
        conn,
        ctx,
        actor,
        action,
        ("topic", &slug),
        id.map(|_| Changed::Topic(saved)),
    )?;
    input.slug = Some(slug);
    Ok(input)
}

pub fn create_topic(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    input: TopicInput,
) -> Result<TopicInput, EditError> {
    actor.require(Permission::ManageCatalog, "manage topics")?;
    write_transaction(conn, |conn| save_topic(conn, ctx, actor, None, input))
}

pub fn update_topic(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    slug: &str,
    patch: &serde_json::Value,
) -> Result<TopicInput, EditError> {
    actor.require(Permission::ManageCatalog, "manage topics")?;
    write_transaction(conn, |conn| {
        let (id, current) = store::topic(conn, slug)?.ok_or_else(|| not_found("topic", slug))?;
        let input = patched(&current, patch)?;
        save_topic(conn, ctx, actor, Some(id), input)
    })
}

pub fn delete_topic(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    slug: &str,
) -> Result<(), EditError> {
    actor.require(Permission::ManageCatalog, "manage topics")?;
    write_transaction(conn, |conn| {
        let (id, _) = store::topic(conn, slug)?.ok_or_else(|| not_found("topic", slug))?;
        store::delete_topic(conn, id)?;
        changed(conn, ctx, actor, "topic.delete", ("topic", slug), None)
    })
}

/// Registers an asset: by URL (`file` None), or an upload stored as `file` whose renditions
/// Khabar makes.
pub fn create_media(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    input: MediaInput,
    file: Option<&str>,
) -> Result<MediaDocument, EditError> {
    actor.require(Permission::RegisterMedia, "register media")?;
    let mut input = input.checked().map_err(EditError::Invalid)?;
    if let Some(file) = file {
        frame_renditions(ctx, file, &mut input);
    }
    write_transaction(conn, |conn| {
        let public_id = uuid::Uuid::now_v7().to_string();
        store::save_media(conn, None, &public_id, &input, file, ctx.now)?;
        changed(conn, ctx, actor, "media.create", ("media", &public_id), None)?;
        Ok(MediaDocument {
            id: public_id,
            fields: input,
        })
    })
}

/// Makes an upload's renditions from its framing (where the node can sign image URLs).
fn frame_renditions(ctx: &EditContext, file: &str, input: &mut MediaInput) {
    let (Some(links), Some(width), Some(height)) = (&ctx.images, input.width, input.height) else {
        return;
    };
    let original = crate::images::Original {
        file: file.to_owned(),
        width: width.unsigned_abs(),
        height: height.unsigned_abs(),
        // Uploads with transparency are linked as PNG (see `ImageLinks`).
        has_alpha: input.mime_type == "image/png",
    };
    input.renditions = links.standard(&original, input.focal_point, &input.crops);
}

/// An asset as its editors see it, public or not yet.
pub fn show_media(
    conn: &mut DbConnection,
    actor: &Actor,
    public_id: &str,
) -> Result<MediaDocument, EditError> {
    actor.require(Permission::RegisterMedia, "see unpublished media")?;
    let stored = store::media(conn, public_id)?.ok_or_else(|| not_found("media asset", public_id))?;
    Ok(MediaDocument {
        id: public_id.to_owned(),
        fields: stored.input,
    })
}

pub fn update_media(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
    patch: &serde_json::Value,
) -> Result<MediaDocument, EditError> {
    actor.require(Permission::RegisterMedia, "edit media")?;
    write_transaction(conn, |conn| {
        let stored = store::media(conn, public_id)?.ok_or_else(|| not_found("media asset", public_id))?;
        let id = stored.id;
        let mut input = patched(&stored.input, patch)?
            .checked()
            .map_err(EditError::Invalid)?;
        if let Some(file) = &stored.file {
            // The file and its size are the server's: an upload's picture is not swapped by
            // editing its URL (upload another), and its renditions follow its framing.
            let before = &stored.input;
            for (field, unchanged) in [
                ("/url", input.url == before.url),
                ("/mime_type", input.mime_type == before.mime_type),
                ("/width", input.width == before.width),
                ("/height", input.height == before.height),
            ] {
                if !unchanged {
                    return Err(EditError::invalid(
                        field,
                        FieldCode::Inconsistent,
                        "an uploaded image's file and size are fixed; upload a new image instead",
                    ));
                }
            }
            frame_renditions(ctx, file, &mut input);
        }
        // A credit may not be removed from an asset that public articles show.
        let shown = !delivery::affected_by(conn, Changed::Media(id))?.is_empty();
        if shown && input.credit.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(EditError::invalid(
                "/credit",
                FieldCode::Uncredited,
                "published articles show this asset; it needs a credit",
            ));
        }
        store::save_media(conn, Some(id), public_id, &input, None, ctx.now)?;
        changed(
            conn,
            ctx,
            actor,
            "media.update",
            ("media", public_id),
            Some(Changed::Media(id)),
        )?;
        Ok(MediaDocument {
            id: public_id.to_owned(),
            fields: input,
        })
    })
}

/// Deletes an asset. Returns the upload's file when no other asset uses it any more, for the
/// caller to remove once the deletion is committed.
pub fn delete_media(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    public_id: &str,
) -> Result<Option<String>, EditError> {
    actor.require(Permission::ManageCatalog, "delete media")?;
    write_transaction(conn, |conn| {
        let stored = store::media(conn, public_id)?.ok_or_else(|| not_found("media asset", public_id))?;
        store::delete_media(conn, stored.id)?;
        changed(conn, ctx, actor, "media.delete", ("media", public_id), None)?;
        Ok(match stored.file {
            Some(file) if !store::file_in_use(conn, &file)? => Some(file),
            _ => None,
        })
    })
}
