//! Reading whole entities for an export, a page at a time: each page of articles is read with
//! one query per table (not one per article), so that exports stream at a steady pace.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::article::{Article, Correction};
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::models::topic::Topic;
use crate::db::models::user::User;
use crate::db::queries::editorial::Revision;
use crate::db::schema::{
    article_blocks, article_deliveries, article_media, article_revisions, article_topics, articles,
    audit_log, bylines, contributors, corrections, media_assets, media_renditions, related_articles, topics,
    users,
};
use crate::db::{DbConnection, DbError};
use crate::domain::blocks::Block;
use crate::domain::editorial::{BylineInput, FeaturedMediaInput, TopicLinkInput};
use crate::domain::kinds::BylineRole;

pub fn contributors(
    conn: &mut DbConnection,
    since: Option<NaiveDateTime>,
) -> Result<Vec<Contributor>, DbError> {
    let mut query = contributors::table
        .select(Contributor::as_select())
        .order(contributors::id.asc())
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(contributors::updated_at.ge(since));
    }
    Ok(query.load(conn)?)
}

/// Users with the slug of the contributor each writes as.
pub fn users(
    conn: &mut DbConnection,
    since: Option<NaiveDateTime>,
) -> Result<Vec<(User, Option<String>)>, DbError> {
    let mut query = users::table
        .left_join(contributors::table)
        .select((User::as_select(), contributors::slug.nullable()))
        .order(users::id.asc())
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(users::updated_at.ge(since));
    }
    Ok(query.load(conn)?)
}

/// One user with the slug of the contributor they write as.
pub fn user(conn: &mut DbConnection, id: i64) -> Result<Option<(User, Option<String>)>, DbError> {
    Ok(users::table
        .left_join(contributors::table)
        .filter(users::id.eq(id))
        .select((User::as_select(), contributors::slug.nullable()))
        .first(conn)
        .optional()?)
}

pub fn topic_slug(conn: &mut DbConnection, id: i64) -> Result<Option<String>, DbError> {
    Ok(topics::table
        .find(id)
        .select(topics::slug)
        .first(conn)
        .optional()?)
}

/// Topics with their parent's slug, in id order (the exporter puts parents first).
pub fn topics(
    conn: &mut DbConnection,
    since: Option<NaiveDateTime>,
) -> Result<Vec<(Topic, Option<String>)>, DbError> {
    let all: Vec<Topic> = topics::table
        .select(Topic::as_select())
        .order(topics::id.asc())
        .load(conn)?;
    let slugs: HashMap<i64, String> = all.iter().map(|t| (t.id, t.slug.clone())).collect();
    Ok(all
        .into_iter()
        .filter(|t| since.is_none_or(|since| t.updated_at >= since))
        .map(|t| {
            let parent = t.parent_id.and_then(|id| slugs.get(&id).cloned());
            (t, parent)
        })
        .collect())
}

/// A page of media assets after row `after`, with their renditions.
pub fn media_page(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
    since: Option<NaiveDateTime>,
) -> Result<Vec<(MediaAsset, Vec<Rendition>)>, DbError> {
    let mut query = media_assets::table
        .filter(media_assets::id.gt(after))
        .select(MediaAsset::as_select())
        .order(media_assets::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(media_assets::updated_at.ge(since));
    }
    let assets: Vec<MediaAsset> = query.load(conn)?;
    let ids: Vec<i64> = assets.iter().map(|a| a.id).collect();
    let mut renditions: HashMap<i64, Vec<Rendition>> = HashMap::new();
    for rendition in media_renditions::table
        .filter(media_renditions::media_id.eq_any(ids))
        .order(media_renditions::id.asc())
        .select(Rendition::as_select())
        .load::<Rendition>(conn)?
    {
        renditions.entry(rendition.media_id).or_default().push(rendition);
    }
    Ok(assets
        .into_iter()
        .map(|asset| {
            let own = renditions.remove(&asset.id).unwrap_or_default();
            (asset, own)
        })
        .collect())
}

/// An article and everything it owns, with references by public id, slug or email.
#[derive(Debug, Clone)]
pub struct ArticleRows {
    pub article: Article,
    pub body: Vec<Block>,
    pub bylines: Vec<BylineInput>,
    pub topics: Vec<TopicLinkInput>,
    pub featured_media: Option<FeaturedMediaInput>,
    pub related: Vec<String>,
    pub corrections: Vec<Correction>,
    /// Revisions, oldest first, with their actor's email.
    pub revisions: Vec<RevisionBy>,
    /// The public id of the first article (by row id) of its translation group.
    pub group_key: String,
    pub author: Option<String>,
    /// When its delivery form last changed, if it has one.
    pub delivered_at: Option<NaiveDateTime>,
}

/// A page of articles after row `after`; with `since`, those changed (or recompiled) since.
pub fn articles_page(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
    since: Option<NaiveDateTime>,
) -> Result<Vec<ArticleRows>, DbError> {
    let mut query = articles::table
        .left_join(article_deliveries::table.on(article_deliveries::article_id.eq(articles::id)))
        .filter(articles::id.gt(after))
        .select((Article::as_select(), article_deliveries::updated_at.nullable()))
        .order(articles::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(
            articles::updated_at
                .ge(since)
                .or(article_deliveries::updated_at.nullable().ge(since)),
        );
    }
    let page: Vec<(Article, Option<NaiveDateTime>)> = query.load(conn)?;
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = page.iter().map(|(a, _)| a.id).collect();

    let mut body = bodies(conn, &ids)?;
    let mut byline_rows = bylines_by_article(conn, &ids)?;
    let mut topic_rows = topics_by_article(conn, &ids)?;
    let mut featured = featured_by_article(conn, &ids)?;
    let mut related = related_by_article(conn, &ids)?;
    let mut correction_rows = corrections_by_article(conn, &ids)?;
    let mut revision_rows = revisions_by_article(conn, &ids)?;
    let groups: Vec<i64> = page.iter().map(|(a, _)| a.translation_group_id).collect();
    let first_of_group = first_of_groups(conn, &groups)?;
    let authors: Vec<i64> = page.iter().filter_map(|(a, _)| a.author_user_id).collect();
    let emails = emails_of(conn, &authors)?;

    Ok(page
        .into_iter()
        .map(|(article, delivered_at)| {
            let id = article.id;
            ArticleRows {
                body: body.remove(&id).unwrap_or_default(),
                bylines: byline_rows.remove(&id).unwrap_or_default(),
                topics: topic_rows.remove(&id).unwrap_or_default(),
                featured_media: featured.remove(&id),
                related: related.remove(&id).unwrap_or_default(),
                corrections: correction_rows.remove(&id).unwrap_or_default(),
                revisions: revision_rows.remove(&id).unwrap_or_default(),
                group_key: first_of_group
                    .get(&article.translation_group_id)
                    .map(|(_, public_id)| public_id.clone())
                    .unwrap_or_else(|| article.public_id.clone()),
                author: article.author_user_id.and_then(|user| emails.get(&user).cloned()),
                delivered_at,
                article,
            }
        })
        .collect())
}

/// Each article's body blocks, in order.
fn bodies(conn: &mut DbConnection, ids: &[i64]) -> Result<HashMap<i64, Vec<Block>>, DbError> {
    let mut body: HashMap<i64, Vec<Block>> = HashMap::new();
    for (article_id, data) in article_blocks::table
        .filter(article_blocks::article_id.eq_any(ids))
        .order((article_blocks::article_id.asc(), article_blocks::position.asc()))
        .select((article_blocks::article_id, article_blocks::data))
        .load::<(i64, String)>(conn)?
    {
        let block = serde_json::from_str(&data).map_err(DbError::corrupt)?;
        body.entry(article_id).or_default().push(block);
    }
    Ok(body)
}

/// Each article's bylines, in order, by contributor slug.
fn bylines_by_article(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<BylineInput>>, DbError> {
    let mut byline_rows: HashMap<i64, Vec<BylineInput>> = HashMap::new();
    for (article_id, contributor, role) in bylines::table
        .inner_join(contributors::table)
        .filter(bylines::article_id.eq_any(ids))
        .order((bylines::article_id.asc(), bylines::position.asc()))
        .select((bylines::article_id, contributors::slug, bylines::role))
        .load::<(i64, String, String)>(conn)?
    {
        byline_rows.entry(article_id).or_default().push(BylineInput {
            contributor,
            role: role.parse::<BylineRole>().map_err(DbError::corrupt)?,
        });
    }
    Ok(byline_rows)
}

/// Each article's topics, in order, by slug.
fn topics_by_article(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<TopicLinkInput>>, DbError> {
    let mut topic_rows: HashMap<i64, Vec<TopicLinkInput>> = HashMap::new();
    for (article_id, topic, primary) in article_topics::table
        .inner_join(topics::table)
        .filter(article_topics::article_id.eq_any(ids))
        .order((article_topics::article_id.asc(), article_topics::position.asc()))
        .select((
            article_topics::article_id,
            topics::slug,
            article_topics::is_primary,
        ))
        .load::<(i64, String, bool)>(conn)?
    {
        topic_rows
            .entry(article_id)
            .or_default()
            .push(TopicLinkInput { topic, primary });
    }
    Ok(topic_rows)
}

/// Each article's featured media, by public id.
fn featured_by_article(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, FeaturedMediaInput>, DbError> {
    let featured: HashMap<i64, FeaturedMediaInput> = article_media::table
        .inner_join(media_assets::table)
        .filter(article_media::article_id.eq_any(ids))
        .filter(article_media::is_featured.eq(true))
        .select((
            article_media::article_id,
            media_assets::public_id,
            article_media::caption_override,
        ))
        .load::<(i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(article_id, media_id, caption)| (article_id, FeaturedMediaInput { media_id, caption }))
        .collect();
    Ok(featured)
}

/// Each article's related articles, in order, by public id.
fn related_by_article(conn: &mut DbConnection, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>, DbError> {
    let mut related: HashMap<i64, Vec<String>> = HashMap::new();
    for (article_id, public_id) in related_articles::table
        .inner_join(articles::table.on(related_articles::related_article_id.eq(articles::id)))
        .filter(related_articles::article_id.eq_any(ids))
        .order((
            related_articles::article_id.asc(),
            related_articles::position.asc(),
        ))
        .select((related_articles::article_id, articles::public_id))
        .load::<(i64, String)>(conn)?
    {
        related.entry(article_id).or_default().push(public_id);
    }
    Ok(related)
}

/// Each article's corrections, oldest first.
fn corrections_by_article(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Correction>>, DbError> {
    let mut correction_rows: HashMap<i64, Vec<Correction>> = HashMap::new();
    for correction in corrections::table
        .filter(corrections::article_id.eq_any(ids))
        .order((corrections::corrected_at.asc(), corrections::id.asc()))
        .select(Correction::as_select())
        .load::<Correction>(conn)?
    {
        correction_rows
            .entry(correction.article_id)
            .or_default()
            .push(correction);
    }
    Ok(correction_rows)
}

/// A revision and the email of who made it (none for the system, or a deleted user).
pub type RevisionBy = (Revision, Option<String>);

/// Each article's revisions, with the email of who made each.
fn revisions_by_article(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<RevisionBy>>, DbError> {
    let mut revision_rows: HashMap<i64, Vec<RevisionBy>> = HashMap::new();
    for (article_id, revision, email) in article_revisions::table
        .left_join(users::table.on(article_revisions::actor_user_id.eq(users::id.nullable())))
        .filter(article_revisions::article_id.eq_any(ids))
        .order((
            article_revisions::article_id.asc(),
            article_revisions::version.asc(),
        ))
        .select((
            article_revisions::article_id,
            Revision::as_select(),
            users::email.nullable(),
        ))
        .load::<(i64, Revision, Option<String>)>(conn)?
    {
        revision_rows
            .entry(article_id)
            .or_default()
            .push((revision, email));
    }
    Ok(revision_rows)
}

/// The first article (lowest row id) of each translation group: row id and public id.
fn first_of_groups(conn: &mut DbConnection, groups: &[i64]) -> Result<HashMap<i64, (i64, String)>, DbError> {
    let mut first_of_group: HashMap<i64, (i64, String)> = HashMap::new();
    for (group, id, public_id) in articles::table
        .filter(articles::translation_group_id.eq_any(groups))
        .select((articles::translation_group_id, articles::id, articles::public_id))
        .load::<(i64, i64, String)>(conn)?
    {
        let entry = first_of_group.entry(group).or_insert((id, public_id.clone()));
        if id < entry.0 {
            *entry = (id, public_id);
        }
    }
    Ok(first_of_group)
}

/// The emails of these users.
fn emails_of(conn: &mut DbConnection, authors: &[i64]) -> Result<HashMap<i64, String>, DbError> {
    Ok(users::table
        .filter(users::id.eq_any(authors))
        .select((users::id, users::email))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// The row id of the article with `public_id`, for a one-article export.
pub fn article_row_id(conn: &mut DbConnection, public_id: &str) -> Result<Option<i64>, DbError> {
    Ok(articles::table
        .filter(articles::public_id.eq(public_id))
        .select(articles::id)
        .first(conn)
        .optional()?)
}

/// Articles deleted at or after `since`, drafts included: (public id, when), from the audit
/// log, which every deletion writes in its own transaction.
pub fn deleted_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> Result<Vec<(String, NaiveDateTime)>, DbError> {
    Ok(audit_log::table
        .filter(audit_log::action.eq("article.delete"))
        .filter(audit_log::created_at.ge(since))
        .order(audit_log::id.asc())
        .select((audit_log::target_id, audit_log::created_at))
        .load(conn)?)
}
