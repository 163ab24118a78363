//! The public representation of a live blog and its entries.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::article::BylineView;
use super::utc;
use crate::db::models::media::{MediaAsset, Rendition};
use crate::db::queries::article_read::LiveRecord;
use crate::db::queries::live::{EntryRecord, LiveBlog};
use crate::domain::blocks::{self, Block, MediaView};
use crate::domain::kinds::LiveState;
use crate::domain::live::LiveChange;

/// What makes an article a live blog, as the article and the live reads show it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveBlogView {
    pub state: LiveState,
    pub coverage_start: DateTime<Utc>,
    /// Set once the blog ended.
    pub coverage_end: Option<DateTime<Utc>>,
    /// Entries shown (deleted ones are not).
    pub entries: i64,
    /// The newest change to an entry or to the blog.
    pub updated_at: DateTime<Utc>,
}

impl LiveBlogView {
    /// The blog with its `(entries shown, newest entry change)`.
    pub fn build(blog: &LiveBlog, activity: (i64, Option<NaiveDateTime>)) -> LiveBlogView {
        let (entries, newest) = activity;
        LiveBlogView {
            state: blog.state,
            coverage_start: utc(blog.coverage_start),
            coverage_end: blog.coverage_end.map(utc),
            entries,
            updated_at: utc(newest.map_or(blog.updated_at, |n| n.max(blog.updated_at))),
        }
    }
}

/// One entry of a live blog, as readers see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveEntryView {
    /// Public id (UUID): a page's anchor and the `around=` of a shared link.
    pub id: String,
    pub title: Option<String>,
    /// The body as typed blocks.
    pub body: Vec<Block>,
    /// The body rendered as sanitized HTML.
    pub body_html: String,
    /// The credits as displayed, in the blog's language.
    pub byline: Option<String>,
    pub bylines: Vec<BylineView>,
    pub key_event: bool,
    pub pinned: bool,
    pub summary: bool,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The entry's place on the blog's page (`#entry-{id}`).
    pub url: String,
}

/// Media an entry shows, by public id.
pub type EntryMedia = HashMap<String, (MediaAsset, Vec<Rendition>)>;

impl LiveEntryView {
    /// The view of a stored entry of the blog at `page_url`, in `language`.
    pub fn build(record: &EntryRecord, media: &EntryMedia, language: &str, page_url: &str) -> LiveEntryView {
        let entry = &record.entry;
        let body: Vec<Block> = serde_json::from_str(&entry.body).unwrap_or_default();
        let body_html = blocks::render_html(&body, |id| {
            media.get(id).map(|(asset, renditions)| MediaView {
                url: &asset.url,
                alt: asset.alt_text.as_deref(),
                caption: asset.caption.as_deref(),
                credit: asset.credit.as_deref(),
                sources: renditions
                    .iter()
                    .filter(|r| r.name.starts_with("original-"))
                    .filter_map(|r| Some((r.url.as_str(), r.width?, r.mime_type == "image/webp")))
                    .collect(),
                width: asset.width,
                height: asset.height,
            })
        });
        let (bylines, byline) =
            super::article::credited(language, record.bylines.iter().map(|(r, c)| (*r, c)));
        LiveEntryView {
            id: entry.public_id.clone(),
            title: entry.title.clone(),
            byline,
            body,
            body_html,
            bylines,
            key_event: entry.key_event,
            pinned: entry.pinned,
            summary: entry.summary,
            published_at: utc(entry.published_at),
            updated_at: utc(entry.updated_at),
            url: format!("{page_url}#entry-{}", entry.public_id),
        }
    }
}

/// One event of a live blog: what happened, at which place in the change log, and what a
/// page needs to show it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveEvent {
    /// The change log's position: `Last-Event-ID`, or `after=` of the live read.
    pub cursor: String,
    pub kind: LiveChange,
    /// The entry as it is now (for `entry_*` kinds but `entry_deleted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<LiveEntryView>,
    /// The entry's id, for every `entry_*` kind (a tombstone has no more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<String>,
    /// The blog as it is now, for `state_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blog: Option<LiveBlogView>,
    pub at: DateTime<Utc>,
}

/// What an article shows of its live blog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleLive {
    #[serde(flatten)]
    pub blog: LiveBlogView,
    /// Where this form of the article stands in the blog's events: a page rendered from it
    /// opens the stream (`after=`, or as `Last-Event-ID`) here and misses nothing.
    pub cursor: String,
    /// The newest entries, newest first (at most 10).
    pub recent: Vec<LiveEntryView>,
}

impl ArticleLive {
    pub fn build(live: &LiveRecord, language: &str, page_url: &str) -> ArticleLive {
        ArticleLive {
            blog: LiveBlogView::build(&live.blog, live.activity),
            cursor: crate::domain::changes::cursor(live.position),
            recent: live
                .recent
                .iter()
                .map(|r| LiveEntryView::build(r, &live.media, language, page_url))
                .collect(),
        }
    }
}

/// The article a live blog belongs to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveArticleRef {
    pub id: String,
    pub slug: String,
    pub language: String,
    pub headline: String,
    pub url: String,
}
