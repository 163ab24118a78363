//! Content described as plain data, ready to insert: the demo set built from the reference page,
//! and the shapes the data generator fills in. Insertion lives in `crate::db::queries::seed`.

mod demo;

pub use demo::{demo_article_slug, demo_content};

use chrono::NaiveDateTime;

use crate::domain::blocks::Block;
use crate::domain::kinds::{BylineRole, ContributorKind, MediaKind, TopicKind};

/// A whole set of content whose parts refer to each other by slug (or media key).
#[derive(Debug, Clone, Default)]
pub struct ContentSet {
    pub contributors: Vec<ContributorSpec>,
    /// Parents come before their children.
    pub topics: Vec<TopicSpec>,
    pub media: Vec<MediaSpec>,
    /// Articles in insertion order; `related` and `translation_of` refer to earlier or later
    /// articles by (language, slug) and are linked once all are inserted.
    pub articles: Vec<ArticleSpec>,
}

#[derive(Debug, Clone)]
pub struct ContributorSpec {
    pub slug: &'static str,
    pub kind: ContributorKind,
    pub name: &'static str,
    pub localized_names: &'static [(&'static str, &'static str)],
    pub bio: Option<&'static str>,
    pub url: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct TopicSpec {
    pub slug: &'static str,
    pub kind: TopicKind,
    pub name: &'static str,
    pub localized_names: &'static [(&'static str, &'static str)],
    pub parent: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct MediaSpec {
    /// How articles in this set refer to the asset; its public id is generated on insert.
    pub key: &'static str,
    pub kind: MediaKind,
    pub url: &'static str,
    pub mime_type: &'static str,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt_text: Option<&'static str>,
    pub caption: Option<&'static str>,
    pub credit: Option<&'static str>,
    pub copyright_holder: Option<&'static str>,
    pub license: Option<&'static str>,
    pub source: Option<&'static str>,
    /// (name, url, width, height)
    pub renditions: Vec<(&'static str, &'static str, i32, i32)>,
}

#[derive(Debug, Clone)]
pub struct ArticleSpec {
    pub slug: String,
    pub language: &'static str,
    /// (language, slug) of the article this one translates.
    pub translation_of: Option<(&'static str, String)>,
    pub headline: &'static str,
    pub lead: Option<&'static str>,
    pub dateline: Option<&'static str>,
    pub published_at: NaiveDateTime,
    pub body: Vec<Block>,
    pub bylines: Vec<(&'static str, BylineRole)>,
    /// Media key, caption override.
    pub featured_media: Option<(&'static str, Option<&'static str>)>,
    /// Topic slugs; the first is the primary topic.
    pub topics: Vec<&'static str>,
    /// (language, slug) of curated related articles, in order.
    pub related: Vec<(&'static str, String)>,
}
