//! Sitemaps: the Google News sitemap (recent articles) and the index over all articles.

use chrono::{DateTime, Utc};

use super::xml::Xml;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

/// Most URLs one sitemap file may list (sitemaps.org).
pub const MAX_URLS: usize = 50_000;
/// Most articles in a news sitemap (Google News).
pub const MAX_NEWS_URLS: usize = 1_000;

/// One article as a news sitemap lists it.
#[derive(Debug, Clone)]
pub struct NewsEntry {
    pub url: String,
    pub language: String,
    pub title: String,
    pub published_at: DateTime<Utc>,
}

pub fn news(publication: &str, entries: &[NewsEntry]) -> String {
    let mut xml = Xml::new();
    xml.open("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for entry in entries.iter().take(MAX_NEWS_URLS) {
        xml.open("url", &[]);
        xml.text("loc", &[], &entry.url);
        xml.open("news:news", &[]);
        xml.open("news:publication", &[]);
        xml.text("news:name", &[], publication);
        // Google News wants ISO 639 codes; Chinese keeps its script (zh-cn / zh-tw).
        let language = entry
            .language
            .split('-')
            .next()
            .unwrap_or(&entry.language)
            .to_lowercase();
        xml.text("news:language", &[], &language);
        xml.close("news:publication");
        xml.text("news:publication_date", &[], &entry.published_at.to_rfc3339());
        xml.text("news:title", &[], &entry.title);
        xml.close("news:news");
        xml.close("url");
    }
    xml.close("urlset");
    xml.finish()
}

/// `<urlset>` of article URLs with their last change.
pub fn urls(entries: &[(String, DateTime<Utc>)]) -> String {
    let mut xml = Xml::new();
    xml.open("urlset", &[("xmlns", SITEMAP_NS)]);
    for (url, modified) in entries.iter().take(MAX_URLS) {
        xml.open("url", &[]);
        xml.text("loc", &[], url);
        xml.text("lastmod", &[], &modified.to_rfc3339());
        xml.close("url");
    }
    xml.close("urlset");
    xml.finish()
}

/// `<sitemapindex>` over sitemap files.
pub fn index(files: &[(String, DateTime<Utc>)]) -> String {
    let mut xml = Xml::new();
    xml.open("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    for (url, modified) in files {
        xml.open("sitemap", &[]);
        xml.text("loc", &[], url);
        xml.text("lastmod", &[], &modified.to_rfc3339());
        xml.close("sitemap");
    }
    xml.close("sitemapindex");
    xml.finish()
}
