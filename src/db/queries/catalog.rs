//! Topics, contributors and media as the public reads them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::models::topic::Topic;
use crate::db::schema::{
    article_blocks, article_deliveries, article_media, contributors, media_assets, media_renditions, topics,
};
use crate::db::{DbConnection, DbError};
use crate::domain::kinds::{ContributorKind, TopicKind};

pub fn topic_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Option<Topic>, DbError> {
    Ok(topics::table
        .filter(topics::slug.eq(slug))
        .select(Topic::as_select())
        .first(conn)
        .optional()?)
}

/// A topic with its parent and children.
pub fn topic_tree(conn: &mut DbConnection, topic: &Topic) -> Result<(Option<Topic>, Vec<Topic>), DbError> {
    let parent = match topic.parent_id {
        Some(parent_id) => topics::table
            .find(parent_id)
            .select(Topic::as_select())
            .first(conn)
            .optional()?,
        None => None,
    };
    let children = topics::table
        .filter(topics::parent_id.eq(topic.id))
        .order(topics::slug.asc())
        .select(Topic::as_select())
        .load(conn)?;
    Ok((parent, children))
}

/// Topics in id order after `after_id`, optionally of one kind.
/// `typed`: the patterns of what a picker's user typed (`domain::match_key::patterns`).
pub fn topics_page(
    conn: &mut DbConnection,
    kind: Option<TopicKind>,
    typed: &[Vec<String>],
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Topic>, DbError> {
    let query = topics::table
        .select(Topic::as_select())
        .order(topics::id.asc())
        .limit(limit)
        .into_boxed();
    let mut query = super::filter_by_key!(query, topics::table, topics::search_key, typed);
    if let Some(kind) = kind {
        query = query.filter(topics::kind.eq(kind.as_str()));
    }
    if let Some(after) = after_id {
        query = query.filter(topics::id.gt(after));
    }
    Ok(query.load(conn)?)
}

pub fn contributor_by_slug(conn: &mut DbConnection, slug: &str) -> Result<Option<Contributor>, DbError> {
    Ok(contributors::table
        .filter(contributors::slug.eq(slug))
        .select(Contributor::as_select())
        .first(conn)
        .optional()?)
}

/// Contributors in id order after `after_id`, optionally of one kind.
pub fn contributors_page(
    conn: &mut DbConnection,
    kind: Option<ContributorKind>,
    typed: &[Vec<String>],
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Contributor>, DbError> {
    let query = contributors::table
        .select(Contributor::as_select())
        .order(contributors::id.asc())
        .limit(limit)
        .into_boxed();
    let mut query = super::filter_by_key!(query, contributors::table, contributors::search_key, typed);
    if let Some(kind) = kind {
        query = query.filter(contributors::kind.eq(kind.as_str()));
    }
    if let Some(after) = after_id {
        query = query.filter(contributors::id.gt(after));
    }
    Ok(query.load(conn)?)
}

/// A media asset by public id, with its renditions (smallest first), if a public article
/// shows it: an asset only a draft or an embargoed article uses is not public yet.
pub fn public_media(
    conn: &mut DbConnection,
    public_id: &str,
    now: NaiveDateTime,
) -> Result<Option<(MediaAsset, Vec<Rendition>)>, DbError> {
    let public_articles = article_deliveries::table
        .filter(article_deliveries::visible_from.le(now))
        .select(article_deliveries::article_id);
    let featured_or_attached = article_media::table
        .filter(article_media::article_id.eq_any(public_articles))
        .select(article_media::media_id);
    let in_body = article_blocks::table
        .filter(article_blocks::article_id.eq_any(public_articles))
        .filter(article_blocks::media_id.is_not_null())
        .select(article_blocks::media_id.assume_not_null());
    let asset: Option<MediaAsset> = media_assets::table
        .filter(media_assets::public_id.eq(public_id))
        .filter(
            media_assets::id
                .eq_any(featured_or_attached)
                .or(media_assets::id.eq_any(in_body)),
        )
        .select(MediaAsset::as_select())
        .first(conn)
        .optional()?;
    let Some(asset) = asset else {
        return Ok(None);
    };
    let renditions = media_renditions::table
        .filter(media_renditions::media_id.eq(asset.id))
        .order((
            media_renditions::width.is_not_null().asc(),
            media_renditions::width.asc(),
            media_renditions::id.asc(),
        ))
        .select(Rendition::as_select())
        .load(conn)?;
    Ok(Some((asset, renditions)))
}
