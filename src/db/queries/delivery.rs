//! The delivery store: compiled article forms, and the indexes lists are read from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::queries::article_read::ArticleKey;
use crate::db::schema::{article_deliveries, articles, delivery_contributors, delivery_topics, topics};
use crate::db::{DbConnection, DbError};

/// An article's compiled forms, as stored.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = article_deliveries)]
pub struct Delivery {
    pub article_id: i64,
    pub public_id: String,
    pub slug: String,
    pub language: String,
    pub published_at: NaiveDateTime,
    pub visible_from: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub summary_json: String,
    pub etag: String,
    pub surrogate_keys: String,
    /// The full form, brotli-coded: sent as it is to browsers; the identity and gzip forms
    /// are made from it when the response cache is filled.
    pub full_br: Vec<u8>,
}

/// What a public read of one article needs: ready bytes and their validators.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_deliveries)]
pub struct Delivered {
    pub article_id: i64,
    pub language: String,
    pub etag: String,
    pub updated_at: NaiveDateTime,
    pub surrogate_keys: String,
    pub full_br: Vec<u8>,
}

/// Stores `delivery` in place of any earlier one, with its list index rows.
/// `topic_ids` must already include every ancestor of the article's topics.
pub fn replace(
    conn: &mut DbConnection,
    delivery: &Delivery,
    topic_ids: &[i64],
    contributors: &[(i64, crate::domain::kinds::BylineRole)],
) -> Result<(), DbError> {
    diesel::delete(article_deliveries::table.find(delivery.article_id)).execute(conn)?;
    diesel::insert_into(article_deliveries::table)
        .values(delivery)
        .execute(conn)?;
    // One row at a time: diesel's MultiConnection cannot batch inserts across both backends,
    // and an article has only a handful of topics and contributors.
    for topic_id in topic_ids {
        diesel::insert_into(delivery_topics::table)
            .values((
                delivery_topics::topic_id.eq(*topic_id),
                delivery_topics::article_id.eq(delivery.article_id),
                delivery_topics::published_at.eq(delivery.published_at),
            ))
            .execute(conn)?;
    }
    for (contributor_id, role) in contributors {
        diesel::insert_into(delivery_contributors::table)
            .values((
                delivery_contributors::contributor_id.eq(*contributor_id),
                delivery_contributors::article_id.eq(delivery.article_id),
                delivery_contributors::role.eq(role.as_str()),
                delivery_contributors::published_at.eq(delivery.published_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The stored ETag and visibility time of an article's delivery, if it has one.
pub fn stored_version(conn: &mut DbConnection, article_id: i64) -> Result<Option<Stored>, DbError> {
    Ok(article_deliveries::table
        .find(article_id)
        .select((
            article_deliveries::etag,
            article_deliveries::visible_from,
            article_deliveries::language,
            article_deliveries::slug,
        ))
        .first::<(String, NaiveDateTime, String, String)>(conn)
        .optional()?
        .map(|(etag, visible_from, language, slug)| Stored {
            etag,
            visible_from,
            language,
            slug,
        }))
}

/// What a stored delivery form was: its tag, when it became public, and where it was.
#[derive(Debug, Clone)]
pub struct Stored {
    pub etag: String,
    pub visible_from: NaiveDateTime,
    pub language: String,
    pub slug: String,
}

/// When an article's delivery form last changed, if it has one.
pub fn delivered_at(conn: &mut DbConnection, article_id: i64) -> Result<Option<NaiveDateTime>, DbError> {
    Ok(article_deliveries::table
        .find(article_id)
        .select(article_deliveries::updated_at)
        .first(conn)
        .optional()?)
}

/// The topics (with ancestors) and contributors a delivered article is listed under.
pub fn facets_of(conn: &mut DbConnection, article_id: i64) -> Result<(Vec<i64>, Vec<i64>), DbError> {
    let topics = delivery_topics::table
        .filter(delivery_topics::article_id.eq(article_id))
        .select(delivery_topics::topic_id)
        .load(conn)?;
    let mut contributors: Vec<i64> = delivery_contributors::table
        .filter(delivery_contributors::article_id.eq(article_id))
        .select(delivery_contributors::contributor_id)
        .load(conn)?;
    contributors.dedup();
    Ok((topics, contributors))
}

/// Why an article left the public set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Unpublished,
    Deleted,
}

/// Removes an article's compiled forms, leaving a tombstone for incremental sync when it had
/// been public. Returns whether there was anything to remove.
/// Removes an article's delivery forms; returns its public id when it had any.
pub fn withdraw(
    conn: &mut DbConnection,
    article_id: i64,
    reason: Removal,
    now: NaiveDateTime,
    origin: &crate::domain::changes::Origin,
) -> Result<Option<String>, DbError> {
    let existing: Option<(String, String, String, NaiveDateTime)> = article_deliveries::table
        .find(article_id)
        .select((
            article_deliveries::public_id,
            article_deliveries::slug,
            article_deliveries::language,
            article_deliveries::visible_from,
        ))
        .first(conn)
        .optional()?;
    let Some((public_id, slug, language, visible_from)) = existing else {
        return Ok(None);
    };
    diesel::delete(article_deliveries::table.find(article_id)).execute(conn)?;
    crate::db::search::remove(conn, article_id)?;
    if visible_from > now {
        // Never seen by the public (still embargoed): nothing for sync clients to forget.
        return Ok(Some(public_id));
    }
    tombstone(conn, &public_id, &slug, &language, reason, origin)?;
    Ok(Some(public_id))
}

/// Records that a public article left the public set: an entry in the change log (which sync
/// clients and the public change feed read), if the log had announced it as public.
pub fn tombstone(
    conn: &mut DbConnection,
    public_id: &str,
    slug: &str,
    language: &str,
    reason: Removal,
    origin: &crate::domain::changes::Origin,
) -> Result<(), DbError> {
    // The log says so only of what it had announced as public.
    if super::change_log::announced(conn, public_id)? {
        super::change_log::append(
            conn,
            &super::change_log::NewEntry {
                item: "",
                kind: crate::domain::changes::LogKind::Article(match reason {
                    Removal::Unpublished => crate::domain::changes::ChangeKind::Withdrawn,
                    Removal::Deleted => crate::domain::changes::ChangeKind::Deleted,
                }),
                origin,
                public_id,
                language,
                slug,
            },
        )?;
    }
    Ok(())
}

/// Every topic in `topic_ids` plus all their ancestors.
pub fn with_ancestors(conn: &mut DbConnection, topic_ids: &[i64]) -> Result<Vec<i64>, DbError> {
    let mut all: Vec<i64> = topic_ids.to_vec();
    let mut frontier: Vec<i64> = topic_ids.to_vec();
    // Hierarchies are shallow; the bound guards against a cycle written around the schema.
    for _ in 0..32 {
        if frontier.is_empty() {
            break;
        }
        let parents: Vec<Option<i64>> = topics::table
            .filter(topics::id.eq_any(&frontier))
            .select(topics::parent_id)
            .load(conn)?;
        frontier = parents
            .into_iter()
            .flatten()
            .filter(|p| !all.contains(p))
            .collect();
        frontier.sort_unstable();
        frontier.dedup();
        all.extend(&frontier);
    }
    Ok(all)
}

/// What a lookup of one public article found.
#[derive(Debug)]
pub enum Found {
    One(Box<Delivered>),
    None,
    /// The slug is public in several languages.
    Ambiguous(Vec<String>),
}

/// The compiled article a public read asks for, if it is visible at `now`.
pub fn find(conn: &mut DbConnection, key: &ArticleKey, now: NaiveDateTime) -> Result<Found, DbError> {
    let mut query = article_deliveries::table
        .filter(article_deliveries::visible_from.le(now))
        .select(Delivered::as_select())
        .order(article_deliveries::language.asc())
        .limit(16)
        .into_boxed();
    query = match key {
        ArticleKey::PublicId(id) => query.filter(article_deliveries::public_id.eq(id.clone())),
        ArticleKey::Slug { slug, language } => {
            let query = query.filter(article_deliveries::slug.eq(slug.clone()));
            match language {
                Some(language) => query.filter(article_deliveries::language.eq(language.clone())),
                None => query,
            }
        }
    };
    let mut found = query.load(conn)?;
    Ok(match found.len() {
        0 => Found::None,
        1 => Found::One(Box::new(found.remove(0))),
        _ => Found::Ambiguous(found.into_iter().map(|d| d.language).collect()),
    })
}

/// Ids of every published article, for a full recompile.
pub fn published_article_ids(conn: &mut DbConnection) -> Result<Vec<i64>, DbError> {
    Ok(articles::table
        .filter(articles::status.eq("published"))
        .select(articles::id)
        .order(articles::id.asc())
        .load(conn)?)
}

/// Something a write changed, whose public articles must be recompiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// An article: itself, the articles listing it as related, and its translations.
    Article(i64),
    Contributor(i64),
    /// A topic: every article tagged with it or with one of its descendants.
    Topic(i64),
    Media(i64),
}

/// The published articles whose delivery forms show `changed`.
pub fn affected_by(conn: &mut DbConnection, changed: Changed) -> Result<Vec<i64>, DbError> {
    use crate::db::schema::{article_blocks, article_media, related_articles};
    let mut ids: Vec<i64> = match changed {
        Changed::Article(id) => {
            let mut ids = vec![id];
            ids.extend(
                related_articles::table
                    .filter(related_articles::related_article_id.eq(id))
                    .select(related_articles::article_id)
                    .load::<i64>(conn)?,
            );
            let group: Option<i64> = articles::table
                .find(id)
                .select(articles::translation_group_id)
                .first(conn)
                .optional()?;
            if let Some(group) = group {
                ids.extend(
                    articles::table
                        .filter(articles::translation_group_id.eq(group))
                        .select(articles::id)
                        .load::<i64>(conn)?,
                );
            }
            ids
        }
        Changed::Contributor(id) => delivery_contributors::table
            .filter(delivery_contributors::contributor_id.eq(id))
            .select(delivery_contributors::article_id)
            .load(conn)?,
        Changed::Topic(id) => delivery_topics::table
            .filter(delivery_topics::topic_id.eq(id))
            .select(delivery_topics::article_id)
            .load(conn)?,
        Changed::Media(id) => {
            let mut ids: Vec<i64> = article_media::table
                .filter(article_media::media_id.eq(id))
                .select(article_media::article_id)
                .load(conn)?;
            ids.extend(
                article_blocks::table
                    .filter(article_blocks::media_id.eq(id))
                    .select(article_blocks::article_id)
                    .load::<i64>(conn)?,
            );
            ids
        }
    };
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
