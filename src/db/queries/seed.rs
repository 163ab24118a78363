//! Inserting a [`ContentSet`] in one transaction (demo data, generated data). Contributors and
//! topics an article names that the set does not define are looked up among existing rows, so
//! that large sets can be inserted in chunks.

use std::collections::HashMap;

use diesel::prelude::*;

use super::catalog_write::{save_contributor, save_topic, Stamp};
use crate::db::models::article::{BlockRow, Byline, NewArticle, RelatedArticle};
use crate::db::models::media::{ArticleMedia, NewMediaAsset, NewRendition};
use crate::db::models::topic::ArticleTopic;
use crate::db::schema::{
    article_blocks, article_media, article_topics, articles, bylines, contributors, media_assets,
    media_renditions, related_articles, topics, translation_groups,
};
use crate::db::{utc_now, DbConnection, DbError};
use crate::domain::blocks::Block;
use crate::domain::catalog::{ContributorInput, TopicInput};
use crate::domain::content_set::{ArticleSpec, ContentSet};
use crate::domain::kinds::ArticleStatus;

/// What an insert created, for the caller to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inserted {
    pub articles: usize,
    /// Row ids of the inserted articles, in insertion order.
    pub article_ids: Vec<i64>,
    pub contributors: usize,
    pub topics: usize,
    pub media: usize,
}

fn unknown(what: &str, key: &str) -> DbError {
    DbError::Unexpected(anyhow::anyhow!(
        "the content set refers to an unknown {what} '{key}'"
    ))
}

/// Row ids by slug (contributors, topics) or key (media: row id and public id).
#[derive(Default)]
struct Ids {
    contributors: HashMap<String, i64>,
    topics: HashMap<String, i64>,
    media: HashMap<String, (i64, String)>,
}

/// Inserts every part of `set`, all or nothing. Articles are inserted as published.
pub fn insert_content(conn: &mut DbConnection, set: &ContentSet) -> Result<Inserted, DbError> {
    // It looks rows up before it writes: on SQLite, only a transaction that takes the write
    // lock first is safe beside a running server's worker (see `write_transaction`).
    crate::db::claim::write_transaction(conn, |conn| {
        let now = utc_now();
        let mut ids = Ids::default();
        let stamp = Stamp::now(now);
        for c in &set.contributors {
            let input = ContributorInput {
                slug: Some(c.slug.clone()),
                kind: c.kind,
                name: c.name.clone(),
                localized_names: c.localized_names.iter().cloned().collect(),
                bio: c.bio.clone(),
                avatar_url: None,
                url: c.url.clone(),
            };
            let id = save_contributor(conn, None, &input, &c.slug, stamp)?;
            ids.contributors.insert(c.slug.clone(), id);
        }
        for t in &set.topics {
            let parent_id = match &t.parent {
                Some(parent) => Some(topic_id(conn, &mut ids, parent)?),
                None => None,
            };
            let input = TopicInput {
                slug: Some(t.slug.clone()),
                kind: t.kind,
                name: t.name.clone(),
                localized_names: t.localized_names.iter().cloned().collect(),
                description: None,
                parent: t.parent.clone(),
            };
            let id = save_topic(conn, None, &input, &t.slug, parent_id, stamp)?;
            ids.topics.insert(t.slug.clone(), id);
        }
        for m in &set.media {
            let public_id = uuid::Uuid::now_v7().to_string();
            let id: i64 = diesel::insert_into(media_assets::table)
                .values(NewMediaAsset {
                    public_id: public_id.clone(),
                    kind: m.kind.as_str(),
                    url: &m.url,
                    mime_type: &m.mime_type,
                    width: m.width,
                    height: m.height,
                    duration_ms: None,
                    alt_text: m.alt_text.as_deref(),
                    caption: m.caption.as_deref(),
                    credit: m.credit.as_deref(),
                    copyright_holder: m.copyright_holder.as_deref(),
                    license: m.license.as_deref(),
                    source: m.source.as_deref(),
                    created_at: now,
                    updated_at: now,
                    localized: serde_json::to_string(&m.localized).map_err(DbError::unserializable)?,
                    file: m.file.as_deref(),
                    creator: None,
                })
                .returning(media_assets::id)
                .get_result(conn)?;
            for rendition in &m.renditions {
                diesel::insert_into(media_renditions::table)
                    .values(NewRendition {
                        media_id: id,
                        name: &rendition.name,
                        url: &rendition.url,
                        mime_type: &rendition.mime_type,
                        width: rendition.width,
                        height: rendition.height,
                    })
                    .execute(conn)?;
            }
            ids.media.insert(m.key.clone(), (id, public_id));
        }
        // (language, slug) -> (article id, translation group id)
        let mut article_ids: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
        let mut inserted_ids = Vec::with_capacity(set.articles.len());
        for spec in &set.articles {
            let group = match &spec.translation_of {
                Some((language, slug)) => {
                    article_ids
                        .get(&(language.as_str(), slug.as_str()))
                        .ok_or_else(|| unknown("article", slug))?
                        .1
                }
                None => diesel::insert_into(translation_groups::table)
                    .values(translation_groups::created_at.eq(now))
                    .returning(translation_groups::id)
                    .get_result(conn)?,
            };
            let id = insert_article(conn, spec, group, &mut ids)?;
            article_ids.insert((spec.language.as_str(), spec.slug.as_str()), (id, group));
            inserted_ids.push(id);
        }
        for spec in &set.articles {
            let (id, _) = article_ids[&(spec.language.as_str(), spec.slug.as_str())];
            for (position, (language, slug)) in spec.related.iter().enumerate() {
                let (related_id, _) = *article_ids
                    .get(&(language.as_str(), slug.as_str()))
                    .ok_or_else(|| unknown("related article", slug))?;
                diesel::insert_into(related_articles::table)
                    .values(RelatedArticle {
                        article_id: id,
                        position: position as i32,
                        related_article_id: related_id,
                    })
                    .execute(conn)?;
            }
        }
        Ok(Inserted {
            articles: set.articles.len(),
            article_ids: inserted_ids,
            contributors: set.contributors.len(),
            topics: set.topics.len(),
            media: set.media.len(),
        })
    })
}

fn topic_id(conn: &mut DbConnection, ids: &mut Ids, slug: &str) -> Result<i64, DbError> {
    if let Some(id) = ids.topics.get(slug) {
        return Ok(*id);
    }
    let id: i64 = topics::table
        .filter(topics::slug.eq(slug))
        .select(topics::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| unknown("topic", slug))?;
    ids.topics.insert(slug.to_owned(), id);
    Ok(id)
}

fn contributor_id(conn: &mut DbConnection, ids: &mut Ids, slug: &str) -> Result<i64, DbError> {
    if let Some(id) = ids.contributors.get(slug) {
        return Ok(*id);
    }
    let id: i64 = contributors::table
        .filter(contributors::slug.eq(slug))
        .select(contributors::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| unknown("contributor", slug))?;
    ids.contributors.insert(slug.to_owned(), id);
    Ok(id)
}

fn insert_article(
    conn: &mut DbConnection,
    spec: &ArticleSpec,
    translation_group_id: i64,
    ids: &mut Ids,
) -> Result<i64, DbError> {
    let id: i64 = diesel::insert_into(articles::table)
        .values(NewArticle {
            public_id: uuid::Uuid::now_v7().to_string(),
            slug: &spec.slug,
            language: &spec.language,
            translation_group_id,
            headline: &spec.headline,
            lead: spec.lead.as_deref(),
            dateline: spec.dateline.as_deref(),
            status: ArticleStatus::Published.as_str(),
            canonical_url: None,
            author_user_id: None,
            // Seeded and generated articles were last changed when they were published, not
            // when they were loaded: feeds and JSON-LD show this as their modification date.
            created_at: spec.published_at,
            updated_at: spec.published_at,
            first_published_at: Some(spec.published_at),
            published_at: Some(spec.published_at),
            scheduled_at: None,
            embargo_until: None,
            search_key: crate::domain::match_key::key([spec.headline.as_str()]),
        })
        .returning(articles::id)
        .get_result(conn)?;
    for (position, block) in spec.body.iter().enumerate() {
        let media = match block.media_id() {
            Some(key) => Some(ids.media.get(key).ok_or_else(|| unknown("media", key))?.clone()),
            None => None,
        };
        let mut stored = block.clone();
        if let (Block::Image { media_id: public, .. }, Some((_, public_id))) = (&mut stored, &media) {
            public.clone_from(public_id);
        }
        diesel::insert_into(article_blocks::table)
            .values(BlockRow {
                article_id: id,
                position: position as i32,
                kind: stored.kind().to_owned(),
                data: serde_json::to_string(&stored).map_err(crate::db::DbError::unserializable)?,
                media_id: media.map(|(row_id, _)| row_id),
            })
            .execute(conn)?;
    }
    for (position, (slug, role)) in spec.bylines.iter().enumerate() {
        let contributor_id = contributor_id(conn, ids, slug)?;
        diesel::insert_into(bylines::table)
            .values(Byline {
                article_id: id,
                position: position as i32,
                contributor_id,
                role: *role,
            })
            .execute(conn)?;
    }
    if let Some((key, caption_override)) = &spec.featured_media {
        let (media_id, _) = ids.media.get(key).ok_or_else(|| unknown("media", key))?;
        diesel::insert_into(article_media::table)
            .values(ArticleMedia {
                article_id: id,
                media_id: *media_id,
                is_featured: true,
                caption_override: caption_override.clone(),
                position: 0,
            })
            .execute(conn)?;
    }
    for (position, slug) in spec.topics.iter().enumerate() {
        let topic_id = topic_id(conn, ids, slug)?;
        diesel::insert_into(article_topics::table)
            .values(ArticleTopic {
                article_id: id,
                topic_id,
                is_primary: position == 0,
                position: position as i32,
            })
            .execute(conn)?;
    }
    Ok(id)
}
