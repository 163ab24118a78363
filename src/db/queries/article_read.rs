//! Reading one article with everything its page shows, to compile its delivery forms.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::article::{Article, ArticleLink, BlockRow, Byline, Correction};
use crate::db::models::contributor::Contributor;
use crate::db::models::media::{ArticleMedia, MediaAsset, Rendition};
use crate::db::models::topic::{ArticleTopic, Topic};
use crate::db::schema::{
    article_blocks, article_media, article_topics, articles, bylines, contributors, corrections,
    media_assets, media_renditions, related_articles, topics,
};
use crate::db::{DbConnection, DbError};
use crate::domain::kinds::ArticleStatus;

/// How a client named an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleKey {
    PublicId(String),
    Slug { slug: String, language: Option<String> },
}

/// A published article and the rows its representation is built from, each list in page order.
#[derive(Debug, Clone)]
pub struct ArticleRecord {
    pub article: Article,
    pub blocks: Vec<BlockRow>,
    pub bylines: Vec<(Byline, Contributor)>,
    pub media: Vec<MediaUse>,
    pub topics: Vec<(ArticleTopic, Topic)>,
    pub related: Vec<ArticleLink>,
    pub translations: Vec<ArticleLink>,
    pub corrections: Vec<Correction>,
    /// When the article is a live blog.
    pub live: Option<LiveRecord>,
    /// Until when it is breaking news, if it was flagged.
    pub breaking_until: Option<NaiveDateTime>,
}

/// What an article shows of its live blog.
#[derive(Debug, Clone)]
pub struct LiveRecord {
    pub blog: super::live::LiveBlog,
    /// (entries shown, newest change to one).
    pub activity: (i64, Option<NaiveDateTime>),
    /// The newest entries, newest first.
    pub recent: Vec<super::live::EntryRecord>,
    pub media: std::collections::HashMap<String, (MediaAsset, Vec<Rendition>)>,
    /// The change log's newest position about the blog: a stream started there misses nothing.
    pub position: i64,
}

/// How many of its newest entries a live blog's article carries (its page's first screen, and
/// the `liveBlogUpdate`s of its JSON-LD).
pub const RECENT_ENTRIES: i64 = 10;

/// The article's live blog, if it is one.
fn load_live(conn: &mut DbConnection, article: &Article) -> Result<Option<LiveRecord>, DbError> {
    let Some(blog) = super::live::blog(conn, article.id)? else {
        return Ok(None);
    };
    let activity = super::live::activity(conn, article.id)?;
    let recent = super::live::slice(conn, article.id, super::live::Slice::Latest(RECENT_ENTRIES))?;
    let media = super::live::media_of(conn, &recent)?;
    let position = super::change_log::newest_live(conn, &article.public_id)?;
    Ok(Some(LiveRecord {
        blog,
        activity,
        recent,
        media,
        position,
    }))
}

/// An asset as one article uses it.
#[derive(Debug, Clone)]
pub struct MediaUse {
    pub usage: ArticleMedia,
    pub asset: MediaAsset,
    pub renditions: Vec<Rendition>,
}

/// The columns that decide whether an article is public.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct Visibility {
    #[diesel(deserialize_as = String)]
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
    pub embargo_until: Option<NaiveDateTime>,
}

impl From<&Article> for Visibility {
    fn from(article: &Article) -> Self {
        Visibility {
            status: article.status,
            published_at: article.published_at,
            embargo_until: article.embargo_until,
        }
    }
}

impl Visibility {
    /// Published, publish time reached, embargo lifted.
    pub fn is_public(&self, now: NaiveDateTime) -> bool {
        self.status == ArticleStatus::Published
            && self.published_at.is_some_and(|p| p <= now)
            && self.embargo_until.is_none_or(|e| e <= now)
    }
}

/// Loads everything an article's representation shows; linked articles only while public at `now`.
pub fn load_record(
    conn: &mut DbConnection,
    article: Article,
    now: NaiveDateTime,
) -> Result<ArticleRecord, DbError> {
    let id = article.id;
    let blocks = article_blocks::table
        .filter(article_blocks::article_id.eq(id))
        .order(article_blocks::position.asc())
        .select(BlockRow::as_select())
        .load(conn)?;
    let bylines = bylines::table
        .inner_join(contributors::table)
        .filter(bylines::article_id.eq(id))
        .order(bylines::position.asc())
        .select((Byline::as_select(), Contributor::as_select()))
        .load(conn)?;
    let topics = article_topics::table
        .inner_join(topics::table)
        .filter(article_topics::article_id.eq(id))
        .order((article_topics::is_primary.desc(), article_topics::position.asc()))
        .select((ArticleTopic::as_select(), Topic::as_select()))
        .load(conn)?;
    // Both lists are read through their own narrow index and filtered for visibility here:
    // with the public filter in SQL, SQLite's planner prefers the status index and scans every
    // published article.
    let related: Vec<(ArticleLink, Visibility)> = related_articles::table
        .inner_join(articles::table.on(related_articles::related_article_id.eq(articles::id)))
        .filter(related_articles::article_id.eq(id))
        .order(related_articles::position.asc())
        .select((ArticleLink::as_select(), Visibility::as_select()))
        .load(conn)?;
    let translations: Vec<(ArticleLink, Visibility)> = articles::table
        .filter(articles::translation_group_id.eq(article.translation_group_id))
        .filter(articles::id.ne(id))
        .order(articles::language.asc())
        .select((ArticleLink::as_select(), Visibility::as_select()))
        .load(conn)?;
    let public = |rows: Vec<(ArticleLink, Visibility)>| -> Vec<ArticleLink> {
        rows.into_iter()
            .filter(|(_, v)| v.is_public(now))
            .map(|(link, _)| link)
            .collect()
    };
    let (related, translations) = (public(related), public(translations));
    let corrections = corrections::table
        .filter(corrections::article_id.eq(id))
        .order((corrections::corrected_at.asc(), corrections::id.asc()))
        .select(Correction::as_select())
        .load(conn)?;
    let media = load_media(conn, id)?;
    let live = load_live(conn, &article)?;
    let breaking_until = super::breaking::until(conn, id)?;
    let mut article = article;
    if let Some(newest) = live
        .as_ref()
        .and_then(|l| l.activity.1.max(Some(l.blog.updated_at)))
    {
        // A live blog changes with its entries: its times, feeds and sitemaps follow them.
        article.updated_at = article.updated_at.max(newest);
    }
    Ok(ArticleRecord {
        article,
        blocks,
        bylines,
        media,
        topics,
        related,
        translations,
        corrections,
        live,
        breaking_until,
    })
}

fn load_media(conn: &mut DbConnection, article_id: i64) -> Result<Vec<MediaUse>, DbError> {
    let uses: Vec<(ArticleMedia, MediaAsset)> = article_media::table
        .inner_join(media_assets::table)
        .filter(article_media::article_id.eq(article_id))
        .order((article_media::is_featured.desc(), article_media::position.asc()))
        .select((ArticleMedia::as_select(), MediaAsset::as_select()))
        .load(conn)?;
    let ids: Vec<i64> = uses.iter().map(|(_, asset)| asset.id).collect();
    let mut renditions: Vec<Rendition> = media_renditions::table
        .filter(media_renditions::media_id.eq_any(ids))
        // Unknown widths first (SQLite and PostgreSQL place NULLs at opposite ends unless told),
        // and ties (a JPEG and a WebP of one width) in the order they were made.
        .order((
            media_renditions::media_id.asc(),
            media_renditions::width.is_not_null().asc(),
            media_renditions::width.asc(),
            media_renditions::id.asc(),
        ))
        .select(Rendition::as_select())
        .load(conn)?;
    Ok(uses
        .into_iter()
        .map(|(usage, asset)| {
            let (own, rest): (Vec<_>, Vec<_>) = renditions.drain(..).partition(|r| r.media_id == asset.id);
            renditions = rest;
            MediaUse {
                usage,
                asset,
                renditions: own,
            }
        })
        .collect())
}
