//! Applying one record of an import that is not an article: contributors, users and topics
//! through the rules and the store functions the API uses; uploaded originals and media
//! assets as uploads are checked; redirects.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::super::export::{contributor_record, media_record, redirect_to, topic_record, user_record};
use super::super::format::*;
use super::super::report::Outcome;
use super::{fields, invalid, naive, Context, Refusal};
use crate::db::models::user::NewUser;
use crate::db::queries::catalog_write::Stamp;
use crate::db::queries::redirects::{self, NewRedirect, Target};
use crate::db::queries::transfer_write as write;
use crate::db::queries::{catalog, catalog_write, transfer_read};
use crate::db::{DbConnection, DbError};
use crate::domain::catalog::MediaInput;
use crate::domain::catalog::{ContributorInput, TopicInput};
use crate::domain::site_path::SitePath;
use crate::domain::slug;
use crate::images::Original;

/// A catalog record's slug must be one the API would have made: parsed and in normal form.
fn normal_slug(raw: &str) -> Result<(), Refusal> {
    let slug = slug::parse(raw).map_err(|e| invalid(format!("slug: {e}")))?;
    if slug != raw {
        return Err(invalid(format!("slug: '{raw}' is not in normal form ('{slug}')")));
    }
    Ok(())
}

pub fn contributor(conn: &mut DbConnection, r: &ContributorRecord) -> Result<Outcome, Refusal> {
    normal_slug(&r.slug)?;
    // The rules the API applies to a contributor, then the one store function.
    let input = ContributorInput {
        slug: Some(r.slug.clone()),
        kind: r.kind,
        name: r.name.clone(),
        localized_names: r.localized_names.clone(),
        bio: r.bio.clone(),
        avatar_url: r.avatar_url.clone(),
        url: r.url.clone(),
    }
    .checked()
    .map_err(fields)?;
    let existing = catalog::contributor_by_slug(conn, &r.slug)?;
    if let Some(existing) = &existing {
        if contributor_record(existing.clone())? == *r {
            return Ok(Outcome::Unchanged);
        }
    }
    catalog_write::save_contributor(
        conn,
        existing.as_ref().map(|c| c.id),
        &input,
        &r.slug,
        Stamp::as_recorded(naive(r.created_at), naive(r.updated_at)),
    )?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}

pub fn user(conn: &mut DbConnection, ctx: &Context<'_>, r: &UserRecord) -> Result<Outcome, Refusal> {
    let email = r.email.trim().to_lowercase();
    if email != r.email || !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
        return Err(invalid(format!(
            "email: '{}' is not a lower-case email address",
            r.email
        )));
    }
    if let Some(hash) = &r.password_hash {
        if !hash.starts_with("$argon2") {
            return Err(invalid("password_hash: not an Argon2 PHC string"));
        }
    }
    let contributor_id = match &r.contributor {
        Some(slug) => Some(
            catalog::contributor_by_slug(conn, slug)?
                .ok_or_else(|| invalid(format!("contributor: no contributor has the slug '{slug}'")))?
                .id,
        ),
        None => None,
    };
    let existing = write::user_by_email(conn, &email)?;
    if let Some((id, hash)) = &existing {
        let stored = transfer_read::user(conn, *id)?.map(|(u, c)| user_record(u, c, false));
        let same_fields = stored.is_some_and(|s| {
            UserRecord {
                password_hash: None,
                ..r.clone()
            } == s
        });
        if same_fields && r.password_hash.as_ref().is_none_or(|h| h == hash) {
            return Ok(Outcome::Unchanged);
        }
    }
    let kept_hash = existing.as_ref().map(|(_, hash)| hash.as_str());
    let hash = r
        .password_hash
        .as_deref()
        .or(kept_hash)
        .unwrap_or(&ctx.locked_hash);
    write::save_user(
        conn,
        existing.as_ref().map(|(id, _)| *id),
        &NewUser {
            email: &email,
            password_hash: hash,
            role: r.role.as_str(),
            display_name: r.display_name.as_deref(),
            contributor_id,
            disabled: r.disabled,
            created_at: naive(r.created_at),
            updated_at: naive(r.updated_at),
        },
    )?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}

pub fn topic(conn: &mut DbConnection, r: &TopicRecord) -> Result<Outcome, Refusal> {
    normal_slug(&r.slug)?;
    // The rules the API applies to a topic, then the one store function.
    let input = TopicInput {
        slug: Some(r.slug.clone()),
        kind: r.kind,
        name: r.name.clone(),
        localized_names: r.localized_names.clone(),
        description: r.description.clone(),
        parent: r.parent.clone(),
    }
    .checked()
    .map_err(fields)?;
    let parent_id = match &r.parent {
        Some(parent) if *parent == r.slug => return Err(invalid("parent: a topic cannot be its own parent")),
        Some(parent) => Some(
            catalog::topic_by_slug(conn, parent)?
                .ok_or_else(|| {
                    invalid(format!(
                        "parent: no topic has the slug '{parent}' (parents come first)"
                    ))
                })?
                .id,
        ),
        None => None,
    };
    let existing = catalog::topic_by_slug(conn, &r.slug)?;
    if let Some(existing) = &existing {
        let parent = match existing.parent_id {
            Some(id) => transfer_read::topic_slug(conn, id)?,
            None => None,
        };
        if topic_record(existing.clone(), parent)? == *r {
            return Ok(Outcome::Unchanged);
        }
    }
    catalog_write::save_topic(
        conn,
        existing.as_ref().map(|t| t.id),
        &input,
        &r.slug,
        parent_id,
        Stamp::as_recorded(naive(r.created_at), naive(r.updated_at)),
    )?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}

/// An uploaded original: checked as an upload is (type, size, a full decode), then stored.
pub fn file(ctx: &Context<'_>, r: &FileRecord) -> Result<Outcome, Refusal> {
    if !crate::uploads::is_stored_name(&r.name) {
        return Err(invalid(
            "name: not a stored file name (<32 hex digits>.<jpg|png|gif|webp>)",
        ));
    }
    let bytes = STANDARD
        .decode(r.data.as_bytes())
        .map_err(|e| invalid(format!("data: not base64: {e}")))?;
    let checked = ctx
        .media
        .check(&bytes)
        .map_err(|e| invalid(format!("data: {e}")))?;
    if checked.sha256 != r.sha256 {
        return Err(invalid("sha256: does not match the data"));
    }
    if checked.name != r.name {
        return Err(invalid(format!(
            "name: the data is stored as '{}', not '{}'",
            checked.name, r.name
        )));
    }
    let storage = ctx.media.storage.clone();
    let name = r.name.clone();
    let stored = storage
        .blocking({
            let storage = storage.clone();
            async move { storage.exists(&name).await }
        })
        .map_err(|e| DbError::Unexpected(anyhow::Error::new(e).context("the media store")))?;
    if stored {
        return Ok(Outcome::Unchanged);
    }
    let store = ctx.media.clone();
    storage
        .blocking(async move { store.keep(&checked, bytes.into()).await })
        .map_err(|e| DbError::Unexpected(anyhow::Error::new(e).context("the media store")))?;
    Ok(Outcome::Created)
}

pub fn media(conn: &mut DbConnection, ctx: &Context<'_>, r: &MediaRecord) -> Result<Outcome, Refusal> {
    uuid::Uuid::parse_str(&r.id).map_err(|_| invalid("id: not a UUID"))?;
    let mut input = MediaInput {
        kind: r.kind,
        url: r.url.clone().unwrap_or_default(),
        mime_type: r.mime_type.clone(),
        width: r.width,
        height: r.height,
        duration_ms: r.duration_ms,
        alt_text: r.alt_text.clone(),
        caption: r.caption.clone(),
        credit: r.credit.clone(),
        creator: r.creator.clone(),
        copyright_holder: r.copyright_holder.clone(),
        license: r.license.clone(),
        source: r.source.clone(),
        renditions: r.renditions.clone(),
        focal_point: r.focal_point,
        crops: r.crops.clone(),
        localized: r.localized.clone(),
    };
    match (&r.file, &r.url) {
        (Some(file), None) => {
            let (Some(width), Some(height)) = (r.width, r.height) else {
                return Err(invalid("width, height: an upload's size is required"));
            };
            let storage = ctx.media.storage.clone();
            let name = file.clone();
            let present = crate::uploads::is_stored_name(file)
                && storage
                    .blocking({
                        let storage = storage.clone();
                        async move { storage.exists(&name).await }
                    })
                    .map_err(|e| DbError::Unexpected(anyhow::Error::new(e).context("the media store")))?;
            if !present {
                return Err(invalid(format!(
                    "file: '{file}' is not in the media store (export with its files, or share the bucket)"
                )));
            }
            let original = Original {
                file: file.clone(),
                width: width.unsigned_abs(),
                height: height.unsigned_abs(),
                has_alpha: r.mime_type == "image/png",
            };
            input.url = ctx.links.full_size(&original).0;
            input.renditions = ctx.links.standard(&original, r.focal_point, &r.crops);
        }
        (None, Some(_)) => {}
        _ => return Err(invalid("file, url: exactly one of the two")),
    }
    let input = input.checked().map_err(fields)?;
    let existing = write::media_row_id(conn, &r.id)?;
    if let Some(id) = existing {
        let page = transfer_read::media_page(conn, id - 1, 1, None)?;
        if let Some((asset, renditions)) = page.into_iter().next() {
            if asset.file != r.file {
                return Err(invalid(format!(
                    "file: the asset exists with another file ({})",
                    asset.file.as_deref().unwrap_or("none")
                )));
            }
            if media_record(asset, renditions)? == *r {
                return Ok(Outcome::Unchanged);
            }
        }
    }
    let id = catalog_write::save_media(
        conn,
        existing,
        &r.id,
        &input,
        r.file.as_deref(),
        naive(r.updated_at),
    )?;
    write::set_media_times(conn, id, naive(r.created_at), naive(r.updated_at))?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}

pub fn redirect(conn: &mut DbConnection, r: &RedirectRecord) -> Result<Outcome, Refusal> {
    let from = SitePath::parse(&r.from).map_err(|e| invalid(format!("from: {e}")))?;
    if from.as_str() != r.from {
        return Err(invalid(format!("from: not in normal form ('{from}')")));
    }
    if ![301, 302, 307, 308].contains(&r.status) {
        return Err(invalid("status: one of 301, 302, 307, 308"));
    }
    let to = &r.to;
    let target = match (&to.article, &to.topic, &to.contributor, &to.url) {
        (Some(id), None, None, None) => Target::Article(
            write::article_by_public_id(conn, id)?
                .ok_or_else(|| invalid(format!("to.article: no article has the id '{id}'")))?
                .0,
        ),
        (None, Some(slug), None, None) => Target::Topic(
            catalog::topic_by_slug(conn, slug)?
                .ok_or_else(|| invalid(format!("to.topic: no topic has the slug '{slug}'")))?
                .id,
        ),
        (None, None, Some(slug), None) => Target::Contributor(
            catalog::contributor_by_slug(conn, slug)?
                .ok_or_else(|| invalid(format!("to.contributor: no contributor has the slug '{slug}'")))?
                .id,
        ),
        (None, None, None, Some(url)) => {
            let web = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !web && SitePath::parse(url).is_err() {
                return Err(invalid("to.url: an http(s) URL or a site path"));
            }
            Target::Url(url.clone())
        }
        _ => return Err(invalid("to: exactly one of article, topic, contributor or url")),
    };
    let existing = redirects::find(conn, from.as_str())?;
    if let Some(row) = &existing {
        let same = redirect_to(conn, &row.target()?)?.as_ref() == Some(to)
            && u16::try_from(row.status).ok() == Some(r.status)
            && row.source == r.source
            && crate::api::utc(row.created_at) == r.created_at;
        if same {
            return Ok(Outcome::Unchanged);
        }
    }
    redirects::put(
        conn,
        &NewRedirect {
            from_path: from.as_str(),
            target: &target,
            status: i32::from(r.status),
            source: r.source,
            created_at: naive(r.created_at),
        },
    )?;
    Ok(if existing.is_some() {
        Outcome::Updated
    } else {
        Outcome::Created
    })
}
