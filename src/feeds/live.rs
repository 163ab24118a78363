//! A live blog's entries as RSS 2.0 and Atom 1.0 (RFC 4287), newest first, for readers and
//! aggregators that follow one story as it unfolds. Each entry is an item with its own id,
//! times, credits and full text.

use super::FeedInfo;
use crate::api::live::LiveEntryView;
use crate::domain::blocks::{escape, render_text};

/// An entry's title: its own, or its first words (feeds want one on every item).
pub fn title_of(entry: &LiveEntryView) -> String {
    entry
        .title
        .clone()
        .unwrap_or_else(|| crate::domain::text::first_words(&render_text(&entry.body), 110))
}

fn names(entry: &LiveEntryView) -> impl Iterator<Item = &str> {
    entry.bylines.iter().map(|b| b.contributor.name.as_str())
}

pub fn rss(info: &FeedInfo, entries: &[LiveEntryView]) -> String {
    let mut xml = super::rss::open(info);
    for entry in entries {
        xml.open("item", &[]);
        xml.plain("title", &[], &title_of(entry));
        xml.text("link", &[], &entry.url);
        xml.text(
            "guid",
            &[("isPermaLink", "false")],
            &format!("urn:uuid:{}", entry.id),
        );
        xml.text("pubDate", &[], &entry.published_at.to_rfc2822());
        xml.text("description", &[], &escape(&render_text(&entry.body)));
        xml.text("content:encoded", &[], &entry.body_html);
        for name in names(entry) {
            xml.plain("dc:creator", &[], name);
        }
        if entry.key_event {
            xml.plain("category", &[("domain", "khabar:live")], "key_event");
        }
        xml.close("item");
    }
    super::rss::close(xml)
}

pub fn atom(info: &FeedInfo, entries: &[LiveEntryView]) -> String {
    let mut xml = super::atom::open(info);
    for entry in entries {
        xml.open("entry", &[]);
        xml.text("id", &[], &format!("urn:uuid:{}", entry.id));
        xml.text("title", &[], &title_of(entry));
        xml.text("updated", &[], &entry.updated_at.to_rfc3339());
        xml.text("published", &[], &entry.published_at.to_rfc3339());
        xml.empty(
            "link",
            &[("rel", "alternate"), ("type", "text/html"), ("href", &entry.url)],
        );
        for name in names(entry) {
            xml.open("author", &[]);
            xml.text("name", &[], name);
            xml.close("author");
        }
        if entry.key_event {
            xml.empty("category", &[("term", "key_event"), ("scheme", "khabar:live")]);
        }
        xml.text("content", &[("type", "html")], &entry.body_html);
        xml.close("entry");
    }
    super::atom::close(xml)
}
