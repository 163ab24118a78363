//! What partners would reject, by their published rules: Flipboard for RSS feeds, Google News
//! for the news sitemap. Used by `khabar check-feeds`.

use chrono::{DateTime, Duration, Utc};

use super::{featured_image, summary};
use crate::api::article::ArticleView;

/// Flipboard asks for at least 20 items per feed.
pub const FLIPBOARD_MIN_ITEMS: usize = 20;
/// Flipboard asks for images at least 500 px on the short side.
pub const FLIPBOARD_MIN_IMAGE_PX: i32 = 500;
/// Flipboard shows descriptions; shorter ones than this look empty on a card.
pub const FLIPBOARD_MIN_DESCRIPTION_CHARS: usize = 300;

/// One problem a partner would have with a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub partner: &'static str,
    /// The article concerned, if the finding is about one.
    pub article: Option<String>,
    pub problem: String,
}

fn finding(partner: &'static str, article: Option<&ArticleView>, problem: String) -> Finding {
    Finding {
        partner,
        article: article.map(|a| a.headline.clone()),
        problem,
    }
}

/// Flipboard's rules applied to one feed's articles.
pub fn flipboard(articles: &[ArticleView]) -> Vec<Finding> {
    let mut findings = Vec::new();
    if articles.len() < FLIPBOARD_MIN_ITEMS {
        findings.push(finding(
            "flipboard",
            None,
            format!(
                "{} items; Flipboard wants at least {FLIPBOARD_MIN_ITEMS}",
                articles.len()
            ),
        ));
    }
    for article in articles {
        match featured_image(article) {
            None => findings.push(finding("flipboard", Some(article), "no image".into())),
            Some(image) => {
                let short_side = image.width.zip(image.height).map(|(w, h)| w.min(h));
                match short_side {
                    Some(px) if px >= FLIPBOARD_MIN_IMAGE_PX => {}
                    Some(px) => findings.push(finding(
                        "flipboard",
                        Some(article),
                        format!(
                            "image is {px} px on its short side; Flipboard wants {FLIPBOARD_MIN_IMAGE_PX}"
                        ),
                    )),
                    None => findings.push(finding("flipboard", Some(article), "image size unknown".into())),
                }
            }
        }
        let description = summary(article).chars().count();
        if description < FLIPBOARD_MIN_DESCRIPTION_CHARS {
            findings.push(finding(
                "flipboard",
                Some(article),
                format!("description has {description} characters; Flipboard wants {FLIPBOARD_MIN_DESCRIPTION_CHARS}"),
            ));
        }
        if article.body_html.trim().is_empty() {
            findings.push(finding("flipboard", Some(article), "no full text".into()));
        }
    }
    findings
}

/// Google Discover's rule for a feed's images: large ones, at least `min_width` px wide
/// (1200 by default, KHABAR_FEATURED_IMAGE_MIN_WIDTH). Articles without an image are
/// Flipboard's finding already.
pub fn discover(articles: &[ArticleView], min_width: u32) -> Vec<Finding> {
    let minimum = i32::try_from(min_width).unwrap_or(i32::MAX);
    articles
        .iter()
        .filter_map(|article| {
            let image = featured_image(article)?;
            let problem = match image.width {
                Some(width) if width >= minimum => return None,
                Some(width) => {
                    format!("the featured image is {width} px wide; Google Discover wants {minimum}")
                }
                None => "the featured image's width is unknown".to_owned(),
            };
            Some(finding("google-discover", Some(article), problem))
        })
        .collect()
}

/// Google News's rules for the news sitemap: entries from the last 48 hours, and some at all.
pub fn google_news(published: &[(String, DateTime<Utc>)], now: DateTime<Utc>) -> Vec<Finding> {
    let window = now - Duration::hours(48);
    let mut findings: Vec<Finding> = published
        .iter()
        .filter(|(_, at)| *at < window || *at > now)
        .map(|(title, at)| Finding {
            partner: "google-news",
            article: Some(title.clone()),
            problem: format!("published {at}, outside the 48-hour window"),
        })
        .collect();
    if published.is_empty() {
        findings.push(Finding {
            partner: "google-news",
            article: None,
            problem: "the news sitemap is empty: nothing published in the last 48 hours".into(),
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_sitemap_rules() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let fresh = ("fresh".to_owned(), now - Duration::hours(47));
        let stale = ("stale".to_owned(), now - Duration::hours(49));
        let findings = google_news(&[fresh.clone(), stale], now);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].article.as_deref(), Some("stale"));
        assert!(google_news(&[fresh], now).is_empty());
        assert_eq!(google_news(&[], now)[0].article, None);
    }
}
