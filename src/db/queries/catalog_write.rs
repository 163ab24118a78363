//! Writing contributors, topics and media assets, and reading back their editable forms.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, NewRendition, Rendition};
use crate::db::models::topic::Topic;
use crate::db::schema::{contributors, media_assets, media_renditions, topics};
use crate::db::{DbConnection, DbError};
use crate::domain::catalog::{ContributorInput, MediaInput, RenditionInput, TopicInput};
use crate::domain::framing::Framing;
use crate::domain::match_key;

fn names_json(names: &BTreeMap<String, String>) -> String {
    serde_json::to_string(names).unwrap_or_else(|_| "{}".into())
}

fn names(json: &str) -> Result<BTreeMap<String, String>, DbError> {
    serde_json::from_str(json).map_err(DbError::corrupt)
}

/// When a row was made and last changed: by a write made now ([`Stamp::now`]: made now when
/// it is new), or as an imported record says ([`Stamp::as_recorded`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    created_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
}

impl Stamp {
    pub fn now(now: NaiveDateTime) -> Stamp {
        Stamp {
            created_at: None,
            updated_at: now,
        }
    }

    pub fn as_recorded(created_at: NaiveDateTime, updated_at: NaiveDateTime) -> Stamp {
        Stamp {
            created_at: Some(created_at),
            updated_at,
        }
    }

    fn created(self) -> NaiveDateTime {
        self.created_at.unwrap_or(self.updated_at)
    }
}

pub fn contributor(conn: &mut DbConnection, slug: &str) -> Result<Option<(i64, ContributorInput)>, DbError> {
    let row: Option<Contributor> = contributors::table
        .filter(contributors::slug.eq(slug))
        .select(Contributor::as_select())
        .first(conn)
        .optional()?;
    row.map(|c| {
        Ok((
            c.id,
            ContributorInput {
                slug: Some(c.slug),
                kind: c.kind,
                name: c.name,
                localized_names: names(&c.localized_names)?,
                bio: c.bio,
                avatar_url: c.avatar_url,
                url: c.url,
            },
        ))
    })
    .transpose()
}

/// Inserts (`id` None) or updates a contributor whose slug is settled; returns its id. The
/// one writer of contributors: the API, imports and the demo all save through it.
pub fn save_contributor(
    conn: &mut DbConnection,
    id: Option<i64>,
    input: &ContributorInput,
    slug: &str,
    stamp: Stamp,
) -> Result<i64, DbError> {
    let values = (
        contributors::slug.eq(slug),
        contributors::kind.eq(input.kind.as_str()),
        contributors::name.eq(&input.name),
        contributors::localized_names.eq(names_json(&input.localized_names)),
        contributors::bio.eq(&input.bio),
        contributors::avatar_url.eq(&input.avatar_url),
        contributors::url.eq(&input.url),
        contributors::updated_at.eq(stamp.updated_at),
        contributors::search_key.eq(match_key::catalog_key(
            slug,
            &input.name,
            input.localized_names.values().map(String::as_str),
        )),
    );
    Ok(match id {
        Some(id) => {
            diesel::update(contributors::table.find(id))
                .set(values)
                .execute(conn)?;
            if let Some(created_at) = stamp.created_at {
                diesel::update(contributors::table.find(id))
                    .set(contributors::created_at.eq(created_at))
                    .execute(conn)?;
            }
            id
        }
        None => diesel::insert_into(contributors::table)
            .values((values, contributors::created_at.eq(stamp.created())))
            .returning(contributors::id)
            .get_result(conn)?,
    })
}

pub fn contributor_slug_taken(
    conn: &mut DbConnection,
    slug: &str,
    except: Option<i64>,
) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        contributors::table
            .filter(contributors::slug.eq(slug))
            .filter(contributors::id.ne(except.unwrap_or(0))),
    ))
    .get_result(conn)?)
}

pub fn delete_contributor(conn: &mut DbConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(contributors::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn topic(conn: &mut DbConnection, slug: &str) -> Result<Option<(i64, TopicInput)>, DbError> {
    let row: Option<Topic> = topics::table
        .filter(topics::slug.eq(slug))
        .select(Topic::as_select())
        .first(conn)
        .optional()?;
    let Some(t) = row else { return Ok(None) };
    let parent = match t.parent_id {
        Some(parent) => Some(topics::table.find(parent).select(topics::slug).first(conn)?),
        None => None,
    };
    Ok(Some((
        t.id,
        TopicInput {
            slug: Some(t.slug),
            kind: t.kind,
            name: t.name,
            localized_names: names(&t.localized_names)?,
            description: t.description,
            parent,
        },
    )))
}

pub fn topic_id(conn: &mut DbConnection, slug: &str) -> Result<Option<i64>, DbError> {
    Ok(topics::table
        .filter(topics::slug.eq(slug))
        .select(topics::id)
        .first(conn)
        .optional()?)
}

/// The topic and its ancestors, nearest first (to refuse a parent that would make a cycle).
pub fn ancestors(conn: &mut DbConnection, id: i64) -> Result<Vec<i64>, DbError> {
    let mut chain = vec![id];
    let mut current = id;
    while let Some(parent) = topics::table
        .find(current)
        .select(topics::parent_id)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten()
    {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    Ok(chain)
}

/// Inserts (`id` None) or updates a topic whose slug and parent are settled; returns its id.
/// The one writer of topics: the API, imports and the demo all save through it.
pub fn save_topic(
    conn: &mut DbConnection,
    id: Option<i64>,
    input: &TopicInput,
    slug: &str,
    parent_id: Option<i64>,
    stamp: Stamp,
) -> Result<i64, DbError> {
    let values = (
        topics::slug.eq(slug),
        topics::kind.eq(input.kind.as_str()),
        topics::name.eq(&input.name),
        topics::localized_names.eq(names_json(&input.localized_names)),
        topics::description.eq(&input.description),
        topics::parent_id.eq(parent_id),
        topics::updated_at.eq(stamp.updated_at),
        topics::search_key.eq(match_key::catalog_key(
            slug,
            &input.name,
            input.localized_names.values().map(String::as_str),
        )),
    );
    Ok(match id {
        Some(id) => {
            diesel::update(topics::table.find(id)).set(values).execute(conn)?;
            if let Some(created_at) = stamp.created_at {
                diesel::update(topics::table.find(id))
                    .set(topics::created_at.eq(created_at))
                    .execute(conn)?;
            }
            id
        }
        None => diesel::insert_into(topics::table)
            .values((values, topics::created_at.eq(stamp.created())))
            .returning(topics::id)
            .get_result(conn)?,
    })
}

pub fn topic_slug_taken(conn: &mut DbConnection, slug: &str, except: Option<i64>) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        topics::table
            .filter(topics::slug.eq(slug))
            .filter(topics::id.ne(except.unwrap_or(0))),
    ))
    .get_result(conn)?)
}

pub fn delete_topic(conn: &mut DbConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(topics::table.find(id)).execute(conn)?;
    Ok(())
}

/// A stored asset: its row id, its writable fields, and the upload's file if Khabar stores it.
#[derive(Debug)]
pub struct StoredMedia {
    pub id: i64,
    pub input: MediaInput,
    pub file: Option<String>,
}

pub fn media(conn: &mut DbConnection, public_id: &str) -> Result<Option<StoredMedia>, DbError> {
    let row: Option<MediaAsset> = media_assets::table
        .filter(media_assets::public_id.eq(public_id))
        .select(MediaAsset::as_select())
        .first(conn)
        .optional()?;
    let Some(m) = row else { return Ok(None) };
    let renditions = media_renditions::table
        .filter(media_renditions::media_id.eq(m.id))
        .order(media_renditions::id.asc())
        .select(Rendition::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| RenditionInput {
            name: r.name,
            url: r.url,
            mime_type: r.mime_type,
            width: r.width,
            height: r.height,
        })
        .collect();
    let framing: Framing = serde_json::from_str(&m.framing).map_err(DbError::corrupt)?;
    Ok(Some(StoredMedia {
        id: m.id,
        file: m.file,
        input: MediaInput {
            kind: m.kind,
            url: m.url,
            mime_type: m.mime_type,
            width: m.width,
            height: m.height,
            duration_ms: m.duration_ms,
            alt_text: m.alt_text,
            caption: m.caption,
            credit: m.credit,
            creator: m.creator,
            copyright_holder: m.copyright_holder,
            license: m.license,
            source: m.source,
            renditions,
            focal_point: framing.focal_point,
            crops: framing.crops,
            localized: serde_json::from_str(&m.localized).map_err(DbError::corrupt)?,
        },
    }))
}

/// Inserts (`id` None, under `public_id`, with the upload's `file` if any) or updates an
/// asset with its renditions. An update never changes the file.
pub fn save_media(
    conn: &mut DbConnection,
    id: Option<i64>,
    public_id: &str,
    input: &MediaInput,
    file: Option<&str>,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    let framing = Framing {
        focal_point: input.focal_point,
        crops: input.crops.clone(),
    };
    let values = (
        media_assets::kind.eq(input.kind.as_str()),
        media_assets::url.eq(&input.url),
        media_assets::mime_type.eq(&input.mime_type),
        media_assets::width.eq(input.width),
        media_assets::height.eq(input.height),
        media_assets::duration_ms.eq(input.duration_ms),
        media_assets::alt_text.eq(&input.alt_text),
        media_assets::caption.eq(&input.caption),
        media_assets::credit.eq(&input.credit),
        media_assets::creator.eq(&input.creator),
        media_assets::copyright_holder.eq(&input.copyright_holder),
        media_assets::license.eq(&input.license),
        media_assets::source.eq(&input.source),
        media_assets::updated_at.eq(now),
        media_assets::localized.eq(serde_json::to_string(&input.localized).map_err(DbError::unserializable)?),
        media_assets::framing.eq(serde_json::to_string(&framing).map_err(DbError::unserializable)?),
    );
    let id = match id {
        Some(id) => {
            diesel::update(media_assets::table.find(id))
                .set(values)
                .execute(conn)?;
            diesel::delete(media_renditions::table.filter(media_renditions::media_id.eq(id)))
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(media_assets::table)
            .values((
                values,
                media_assets::public_id.eq(public_id),
                media_assets::created_at.eq(now),
                media_assets::file.eq(file),
            ))
            .returning(media_assets::id)
            .get_result(conn)?,
    };
    // One statement for all of an asset's renditions: an import writes thousands of assets.
    let renditions: Vec<NewRendition> = input
        .renditions
        .iter()
        .map(|r| NewRendition {
            media_id: id,
            name: &r.name,
            url: &r.url,
            mime_type: &r.mime_type,
            width: r.width,
            height: r.height,
        })
        .collect();
    if !renditions.is_empty() {
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(media_renditions::table)
                .values(&renditions)
                .execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(media_renditions::table)
                .values(&renditions)
                .execute(c)?,
        };
    }
    Ok(id)
}

/// Whether an asset still shows the uploaded `file` (the same bytes uploaded twice are one file).
pub fn file_in_use(conn: &mut DbConnection, file: &str) -> Result<bool, DbError> {
    let users: i64 = media_assets::table
        .filter(media_assets::file.eq(file))
        .count()
        .get_result(conn)?;
    Ok(users > 0)
}

pub fn delete_media(conn: &mut DbConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(media_assets::table.find(id)).execute(conn)?;
    Ok(())
}
