//! Partner formats, each rendered from the same compiled article (`ArticleView`), so that they
//! never disagree: RSS 2.0 with Media RSS, Atom 1.0, JSON Feed 1.1, IPTC ninjs 2.2, sitemaps.

pub mod atom;
pub mod check;
pub mod json_feed;
pub mod live;
pub mod ninjs;
pub mod rss;
pub mod sitemap;
mod xml;

pub use xml::xml_safe;

use chrono::{DateTime, Utc};

use crate::api::article::{ArticleMediaView, ArticleView};
use crate::domain::blocks::escape;

/// What a feed says about itself.
#[derive(Debug, Clone)]
pub struct FeedInfo {
    pub title: String,
    pub description: String,
    /// BCP 47 tag of the feed's articles.
    pub language: String,
    /// This feed's own URL.
    pub self_url: String,
    /// The page the feed mirrors on the website.
    pub home_url: String,
    /// The WebSub hub subscribers should use, if one is configured.
    pub hub_url: Option<String>,
    /// The publication, for feed-level authorship.
    pub publisher: String,
    pub updated: DateTime<Utc>,
    /// The next page, for formats that page (JSON Feed).
    pub next_url: Option<String>,
}

/// The width of the image feeds lead with: what Google Discover asks for, and more than
/// Flipboard's 500 px.
pub const FEED_IMAGE_WIDTH: i32 = 1200;

/// The body as feeds carry it: the featured image first (partners such as Flipboard expect an
/// image in the content), then the article's sanitized HTML.
pub fn content_html(article: &ArticleView) -> String {
    let mut html = String::new();
    if let Some(media) = featured_image(article) {
        let file = media.at_least(FEED_IMAGE_WIDTH);
        html.push_str(&format!(
            "<figure><img src=\"{}\" alt=\"{}\"",
            escape(file.url),
            escape(media.alt_text.as_deref().unwrap_or(""))
        ));
        if let (Some(w), Some(h)) = (file.width, file.height) {
            html.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
        }
        html.push('>');
        let caption: Vec<&str> = [media.caption.as_deref(), media.credit.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !caption.is_empty() {
            html.push_str(&format!(
                "<figcaption>{}</figcaption>",
                escape(&caption.join(" — "))
            ));
        }
        html.push_str("</figure>");
    }
    html.push_str(&article.body_html);
    html
}

/// The article's summary for feeds: its lead, or the start of its text.
pub fn summary(article: &ArticleView) -> String {
    article
        .lead
        .clone()
        .unwrap_or_else(|| article.body_text.chars().take(300).collect())
}

pub fn featured_image(article: &ArticleView) -> Option<&ArticleMediaView> {
    article
        .featured_media
        .as_ref()
        .filter(|m| m.kind == crate::domain::kinds::MediaKind::Image)
}

/// Names of the people and organisations in the byline, in order.
pub fn byline_names(article: &ArticleView) -> Vec<&str> {
    article
        .bylines
        .iter()
        .map(|b| b.contributor.name.as_str())
        .collect()
}

/// The category scheme of Khabar's own labels in feeds (`breaking`).
pub const BREAKING_SCHEME: &str = "urn:khabar:labels";

/// Whether the article is breaking news as the feed is made (feeds are made once per cache
/// fill, so the label leaves within the cache's lifetime after it expires).
pub fn is_breaking(article: &ArticleView) -> bool {
    article.breaking_until.is_some_and(|until| until > Utc::now())
}
