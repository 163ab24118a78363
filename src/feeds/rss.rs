//! RSS 2.0 with `content:encoded` (full text), Dublin Core creators and Media RSS, as partner
//! aggregators such as Flipboard read it.

use super::xml::Xml;
use super::{byline_names, content_html, featured_image, summary, FeedInfo, FEED_IMAGE_WIDTH};
use crate::api::article::ArticleView;
use crate::domain::blocks::escape;

const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

pub fn render(info: &FeedInfo, articles: &[ArticleView]) -> String {
    let mut xml = open(info);
    for article in articles {
        item(&mut xml, article);
    }
    close(xml)
}

/// The document up to the channel's items: namespaces and what the channel says of itself.
pub(super) fn open(info: &FeedInfo) -> Xml {
    let mut xml = Xml::new();
    xml.open(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
            ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
            ("xmlns:media", MEDIA_NS),
        ],
    );
    xml.open("channel", &[]);
    xml.plain("title", &[], &info.title);
    xml.text("link", &[], &info.home_url);
    xml.plain("description", &[], &info.description);
    xml.text("language", &[], &info.language);
    xml.text("lastBuildDate", &[], &info.updated.to_rfc2822());
    xml.text("generator", &[], concat!("Khabar ", env!("CARGO_PKG_VERSION")));
    xml.empty(
        "atom:link",
        &[
            ("rel", "self"),
            ("href", &info.self_url),
            ("type", "application/rss+xml"),
        ],
    );
    if let Some(hub) = &info.hub_url {
        xml.empty("atom:link", &[("rel", "hub"), ("href", hub)]);
    }
    xml
}

pub(super) fn close(mut xml: Xml) -> String {
    xml.close("channel");
    xml.close("rss");
    xml.finish()
}

fn item(xml: &mut Xml, article: &ArticleView) {
    xml.open("item", &[]);
    // Plain text: a headline about `<b>` is about the tag, it does not contain one.
    xml.plain("title", &[], &article.headline);
    xml.text("link", &[], &article.canonical_url);
    xml.text(
        "guid",
        &[("isPermaLink", "false")],
        &format!("urn:uuid:{}", article.id),
    );
    if let Some(published) = article.published_at {
        xml.text("pubDate", &[], &published.to_rfc2822());
    }
    // An item's description is entity-encoded HTML (RSS 2.0): the plain-text lead is made
    // HTML first, so that readers decoding it as HTML show its text.
    xml.text("description", &[], &escape(&summary(article)));
    xml.text("content:encoded", &[], &content_html(article));
    for name in byline_names(article) {
        xml.plain("dc:creator", &[], name);
    }
    for topic in &article.topics {
        xml.plain("category", &[("domain", topic.kind.as_str())], &topic.name);
    }
    if super::is_breaking(article) {
        xml.plain("category", &[("domain", super::BREAKING_SCHEME)], "breaking");
    }
    if let Some(image) = featured_image(article) {
        // Aggregators ask for a large image (Google Discover 1200 px, Flipboard 500 px) in a
        // format every reader decodes, with a small one beside it.
        let large = image.at_least(FEED_IMAGE_WIDTH);
        let (width, height) = (
            large.width.map(|w| w.to_string()),
            large.height.map(|h| h.to_string()),
        );
        let mut attributes = vec![("url", large.url), ("medium", "image"), ("type", large.mime_type)];
        if let (Some(w), Some(h)) = (&width, &height) {
            attributes.push(("width", w));
            attributes.push(("height", h));
        }
        xml.open("media:content", &attributes);
        if let Some(caption) = &image.caption {
            xml.plain("media:description", &[("type", "plain")], caption);
        }
        if let Some(credit) = &image.credit {
            xml.plain(
                "media:credit",
                &[("role", "photographer"), ("scheme", "urn:ebu")],
                credit,
            );
        }
        if let Some(copyright) = &image.copyright_holder {
            xml.plain("media:copyright", &[], copyright);
        }
        if let Some(thumbnail) = image.thumbnail() {
            let (w, h) = (
                thumbnail.width.map(|v| v.to_string()),
                thumbnail.height.map(|v| v.to_string()),
            );
            let mut attributes = vec![("url", thumbnail.url)];
            if let (Some(w), Some(h)) = (&w, &h) {
                attributes.push(("width", w));
                attributes.push(("height", h));
            }
            xml.empty("media:thumbnail", &attributes);
        }
        xml.close("media:content");
        // RSS requires a length; it is unknown for remote images, and 0 is the accepted convention.
        xml.empty(
            "enclosure",
            &[("url", large.url), ("length", "0"), ("type", large.mime_type)],
        );
    }
    xml.close("item");
}
