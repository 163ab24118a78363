//! Many rows at once, for imports: one read a table for every reference of a batch, and the
//! delivery forms of new articles with one multi-row `INSERT` a table and chunk (the article's
//! own rows are written by [`super::article_rows`]). diesel's `MultiConnection` cannot batch
//! inserts, so each batch insert is dispatched to the backend's own connection.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::article::ArticleLink;
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::models::topic::Topic;
use crate::db::queries::article_read::Visibility;
use crate::db::queries::delivery::Delivery;
use crate::db::schema::{
    article_deliveries, articles, contributors, delivery_contributors, delivery_topics, media_assets,
    media_renditions, related_articles, topics,
};
use crate::db::{DbConnection, DbError};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = delivery_topics)]
struct DeliveryTopic {
    topic_id: i64,
    article_id: i64,
    published_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = delivery_contributors)]
struct DeliveryContributor {
    contributor_id: i64,
    article_id: i64,
    role: String,
    published_at: NaiveDateTime,
}

/// A delivery form to store, with what its list index rows are made of.
pub struct NewDelivery<'a> {
    pub delivery: &'a Delivery,
    /// Its topics with their ancestors.
    pub topic_ids: &'a [i64],
    pub contributors: &'a [(i64, crate::domain::kinds::BylineRole)],
}

/// Stores the delivery forms of articles that have none yet, with their list index rows.
pub fn new_deliveries(conn: &mut DbConnection, compiled: &[NewDelivery<'_>]) -> Result<(), DbError> {
    let deliveries: Vec<&Delivery> = compiled.iter().map(|c| c.delivery).collect();
    for chunk in deliveries.chunks(super::CHUNK / 4) {
        let rows: Vec<Delivery> = chunk.iter().map(|d| (*d).clone()).collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(article_deliveries::table)
                .values(&rows)
                .execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(article_deliveries::table)
                .values(&rows)
                .execute(c)?,
        };
    }
    let topic_rows: Vec<DeliveryTopic> = compiled
        .iter()
        .flat_map(|c| {
            c.topic_ids.iter().map(|topic_id| DeliveryTopic {
                topic_id: *topic_id,
                article_id: c.delivery.article_id,
                published_at: c.delivery.published_at,
            })
        })
        .collect();
    insert_rows!(conn, delivery_topics::table, topic_rows)?;
    let contributor_rows: Vec<DeliveryContributor> = compiled
        .iter()
        .flat_map(|c| {
            c.contributors
                .iter()
                .map(|(contributor_id, role)| DeliveryContributor {
                    contributor_id: *contributor_id,
                    article_id: c.delivery.article_id,
                    role: role.as_str().to_owned(),
                    published_at: c.delivery.published_at,
                })
        })
        .collect();
    insert_rows!(conn, delivery_contributors::table, contributor_rows)?;
    Ok(())
}

/// Which of these public ids are articles already.
pub fn existing_articles(conn: &mut DbConnection, public_ids: &[&str]) -> Result<HashSet<String>, DbError> {
    Ok(articles::table
        .filter(articles::public_id.eq_any(public_ids))
        .select(articles::public_id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// (language, slug) → public id of the articles holding any of these slugs in these languages.
pub fn slug_holders(
    conn: &mut DbConnection,
    languages: &[&str],
    slugs: &[&str],
) -> Result<HashMap<(String, String), String>, DbError> {
    // Both columns, so that the (language, slug) index answers: slug alone is a table scan.
    Ok(articles::table
        .filter(articles::language.eq_any(languages))
        .filter(articles::slug.eq_any(slugs))
        .select((articles::language, articles::slug, articles::public_id))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(language, slug, public_id)| ((language, slug), public_id))
        .collect())
}

pub fn contributors_by_slug(
    conn: &mut DbConnection,
    slugs: &[&str],
) -> Result<HashMap<String, Contributor>, DbError> {
    Ok(contributors::table
        .filter(contributors::slug.eq_any(slugs))
        .select(Contributor::as_select())
        .load::<Contributor>(conn)?
        .into_iter()
        .map(|c| (c.slug.clone(), c))
        .collect())
}

pub fn topics_by_slug(conn: &mut DbConnection, slugs: &[&str]) -> Result<HashMap<String, Topic>, DbError> {
    Ok(topics::table
        .filter(topics::slug.eq_any(slugs))
        .select(Topic::as_select())
        .load::<Topic>(conn)?
        .into_iter()
        .map(|t| (t.slug.clone(), t))
        .collect())
}

/// Every topic's parent, for ancestors.
pub fn topic_parents(conn: &mut DbConnection) -> Result<HashMap<i64, Option<i64>>, DbError> {
    Ok(topics::table
        .select((topics::id, topics::parent_id))
        .load::<(i64, Option<i64>)>(conn)?
        .into_iter()
        .collect())
}

/// Media assets by public id, with their renditions in the order articles show them.
pub fn media_by_public_id(
    conn: &mut DbConnection,
    public_ids: &[&str],
) -> Result<HashMap<String, (MediaAsset, Vec<Rendition>)>, DbError> {
    let assets: Vec<MediaAsset> = media_assets::table
        .filter(media_assets::public_id.eq_any(public_ids))
        .select(MediaAsset::as_select())
        .load(conn)?;
    let ids: Vec<i64> = assets.iter().map(|a| a.id).collect();
    let mut renditions: HashMap<i64, Vec<Rendition>> = HashMap::new();
    for rendition in media_renditions::table
        .filter(media_renditions::media_id.eq_any(&ids))
        .order((
            media_renditions::media_id.asc(),
            media_renditions::width.is_not_null().asc(),
            media_renditions::width.asc(),
            media_renditions::id.asc(),
        ))
        .select(Rendition::as_select())
        .load::<Rendition>(conn)?
    {
        renditions.entry(rendition.media_id).or_default().push(rendition);
    }
    Ok(assets
        .into_iter()
        .map(|asset| {
            let own = renditions.remove(&asset.id).unwrap_or_default();
            (asset.public_id.clone(), (asset, own))
        })
        .collect())
}

/// Articles by public id: (row id, translation group, language).
pub fn articles_by_public_id(
    conn: &mut DbConnection,
    public_ids: &[&str],
) -> Result<HashMap<String, (i64, i64, String)>, DbError> {
    Ok(articles::table
        .filter(articles::public_id.eq_any(public_ids))
        .select((
            articles::public_id,
            articles::id,
            articles::translation_group_id,
            articles::language,
        ))
        .load::<(String, i64, i64, String)>(conn)?
        .into_iter()
        .map(|(public_id, id, group, language)| (public_id, (id, group, language)))
        .collect())
}

/// The members of these translation groups: (group, row id, public id, language, link,
/// visibility).
pub type GroupMember = (i64, i64, String, ArticleLink, Visibility);

pub fn group_members(conn: &mut DbConnection, groups: &[i64]) -> Result<Vec<GroupMember>, DbError> {
    Ok(articles::table
        .filter(articles::translation_group_id.eq_any(groups))
        .order((articles::translation_group_id.asc(), articles::language.asc()))
        .select((
            articles::translation_group_id,
            articles::id,
            articles::public_id,
            ArticleLink::as_select(),
            Visibility::as_select(),
        ))
        .load(conn)?)
}

/// Links to these articles (row ids), with what decides whether they are public.
pub fn links(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, (ArticleLink, Visibility)>, DbError> {
    Ok(articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, ArticleLink::as_select(), Visibility::as_select()))
        .load::<(i64, ArticleLink, Visibility)>(conn)?
        .into_iter()
        .map(|(id, link, visibility)| (id, (link, visibility)))
        .collect())
}

/// Articles outside `ids` that list one of `ids` as related.
pub fn relating_to(conn: &mut DbConnection, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    let mut found: Vec<i64> = related_articles::table
        .filter(related_articles::related_article_id.eq_any(ids))
        .select(related_articles::article_id)
        .load(conn)?;
    found.sort_unstable();
    found.dedup();
    found.retain(|id| !ids.contains(id));
    Ok(found)
}
