//! The summary shape used in lists and feeds: enough for a card or a headline list.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::article::{ArticleView, TopicRef};
use crate::domain::language::TextDirection;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: String,
    pub slug: String,
    pub language: String,
    pub dir: TextDirection,
    pub headline: String,
    pub lead: Option<String>,
    pub dateline: Option<String>,
    /// The display byline in the article's language.
    pub byline: Option<String>,
    pub image: Option<SummaryImage>,
    pub primary_topic: Option<TopicRef>,
    pub canonical_url: String,
    pub word_count: usize,
    pub reading_time_minutes: usize,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// Breaking news until this time (show it as breaking while it is in the future).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaking_until: Option<DateTime<Utc>>,
    /// The state of its live blog, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<crate::domain::kinds::LiveState>,
}

/// The featured image, compact, with its credit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryImage {
    pub url: String,
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl ArticleSummary {
    pub fn from_full(article: &ArticleView) -> Self {
        ArticleSummary {
            id: article.id.clone(),
            slug: article.slug.clone(),
            language: article.language.clone(),
            dir: article.dir,
            headline: article.headline.clone(),
            lead: article.lead.clone(),
            dateline: article.dateline.clone(),
            byline: article.byline.clone(),
            image: article.featured_media.as_ref().map(|m| SummaryImage {
                url: m.url.clone(),
                alt_text: m.alt_text.clone(),
                caption: m.caption.clone(),
                credit: m.credit.clone(),
                width: m.width,
                height: m.height,
            }),
            primary_topic: article.topics.iter().find(|t| t.primary).cloned(),
            canonical_url: article.canonical_url.clone(),
            word_count: article.word_count,
            reading_time_minutes: article.reading_time_minutes,
            published_at: article.published_at,
            updated_at: article.updated_at,
            breaking_until: article.breaking_until,
            live: article.live.as_ref().map(|l| l.blog.state),
        }
    }
}
