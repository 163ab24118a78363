//! Content described as plain data, ready to insert: the shapes the demo set and the data
//! generator (`crate::seed`) fill in and `crate::db::queries::seed` stores.

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
    /// Articles of the set that are live blogs, with their entries.
    pub live_blogs: Vec<LiveBlogSpec>,
}

/// A live blog of the set: its article by (language, slug), its final state and coverage,
/// and its entries in the order they were posted.
#[derive(Debug, Clone)]
pub struct LiveBlogSpec {
    pub language: String,
    pub slug: String,
    pub blog: crate::domain::live::LiveBlogInput,
    pub entries: Vec<(NaiveDateTime, crate::domain::live::LiveEntryInput)>,
}

#[derive(Debug, Clone)]
pub struct ContributorSpec {
    pub slug: String,
    pub kind: ContributorKind,
    pub name: String,
    pub localized_names: Vec<(String, String)>,
    pub bio: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TopicSpec {
    pub slug: String,
    pub kind: TopicKind,
    pub name: String,
    pub localized_names: Vec<(String, String)>,
    pub parent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MediaSpec {
    /// How articles in this set refer to the asset; its public id is generated on insert.
    pub key: String,
    pub kind: MediaKind,
    pub url: String,
    pub mime_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub copyright_holder: Option<String>,
    pub license: Option<String>,
    pub source: Option<String>,
    pub renditions: Vec<crate::domain::catalog::RenditionInput>,
    /// The upload's name in the media store, when Khabar stores the picture.
    pub file: Option<String>,
    /// Alt text, caption and credit in other languages.
    pub localized: std::collections::BTreeMap<String, crate::domain::catalog::MediaText>,
}

#[derive(Debug, Clone)]
pub struct ArticleSpec {
    pub slug: String,
    pub language: String,
    /// (language, slug) of the article this one translates.
    pub translation_of: Option<(String, String)>,
    pub headline: String,
    pub lead: Option<String>,
    pub dateline: Option<String>,
    pub published_at: NaiveDateTime,
    pub body: Vec<Block>,
    pub bylines: Vec<(String, BylineRole)>,
    /// Media key, caption override.
    pub featured_media: Option<(String, Option<String>)>,
    /// Topic slugs; the first is the primary topic.
    pub topics: Vec<String>,
    /// (language, slug) of curated related articles, in order.
    pub related: Vec<(String, String)>,
}
