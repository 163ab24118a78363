//! Atom 1.0 (RFC 4287).

use super::xml::Xml;
use super::{content_html, featured_image, summary, FeedInfo, FEED_IMAGE_WIDTH};
use crate::api::article::ArticleView;

pub fn render(info: &FeedInfo, articles: &[ArticleView]) -> String {
    let mut xml = open(info);
    for article in articles {
        xml.open("entry", &[("xml:lang", &article.language)]);
        xml.text("id", &[], &format!("urn:uuid:{}", article.id));
        xml.text("title", &[], &article.headline);
        xml.text("updated", &[], &article.updated_at.to_rfc3339());
        if let Some(published) = article.published_at {
            xml.text("published", &[], &published.to_rfc3339());
        }
        xml.empty(
            "link",
            &[
                ("rel", "alternate"),
                ("type", "text/html"),
                ("href", &article.canonical_url),
            ],
        );
        for byline in &article.bylines {
            xml.open("author", &[]);
            xml.text("name", &[], &byline.contributor.name);
            if let Some(url) = &byline.contributor.url {
                xml.text("uri", &[], url);
            }
            xml.close("author");
        }
        for topic in &article.topics {
            xml.empty("category", &[("term", &topic.slug), ("label", &topic.name)]);
        }
        if super::is_breaking(article) {
            xml.empty(
                "category",
                &[("term", "breaking"), ("scheme", super::BREAKING_SCHEME)],
            );
        }
        if let Some(image) = featured_image(article) {
            // RFC 4287 §4.2.7.2: a related resource that may be large, here the lead photo.
            let file = image.at_least(FEED_IMAGE_WIDTH);
            xml.empty(
                "link",
                &[("rel", "enclosure"), ("type", file.mime_type), ("href", file.url)],
            );
        }
        xml.text("summary", &[], &summary(article));
        xml.text("content", &[("type", "html")], &content_html(article));
        xml.close("entry");
    }
    close(xml)
}

/// The document up to its entries: what the feed says of itself.
pub(super) fn open(info: &FeedInfo) -> Xml {
    let mut xml = Xml::new();
    xml.open(
        "feed",
        &[
            ("xmlns", "http://www.w3.org/2005/Atom"),
            ("xml:lang", &info.language),
        ],
    );
    xml.text("id", &[], &info.self_url);
    xml.text("title", &[], &info.title);
    xml.text("subtitle", &[], &info.description);
    xml.text("updated", &[], &info.updated.to_rfc3339());
    xml.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", "application/atom+xml"),
            ("href", &info.self_url),
        ],
    );
    xml.empty(
        "link",
        &[
            ("rel", "alternate"),
            ("type", "text/html"),
            ("href", &info.home_url),
        ],
    );
    if let Some(hub) = &info.hub_url {
        xml.empty("link", &[("rel", "hub"), ("href", hub)]);
    }
    // The feed-level author covers entries without a byline (RFC 4287 §4.1.1).
    xml.open("author", &[]);
    xml.text("name", &[], &info.publisher);
    xml.close("author");
    xml.text("generator", &[("version", env!("CARGO_PKG_VERSION"))], "Khabar");
    xml
}

pub(super) fn close(mut xml: Xml) -> String {
    xml.close("feed");
    xml.finish()
}
