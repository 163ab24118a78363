use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::kinds::MediaKind;

use crate::db::schema::{article_media, media_assets, media_renditions};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media_assets)]
pub struct MediaAsset {
    pub id: i64,
    pub public_id: String,
    #[diesel(deserialize_as = String)]
    pub kind: MediaKind,
    pub url: String,
    pub mime_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub copyright_holder: Option<String>,
    pub license: Option<String>,
    pub source: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// JSON: language tag → `MediaText` (alt text, caption, credit in that language).
    pub localized: String,
    /// JSON: `domain::framing::Framing`.
    pub framing: String,
    /// The upload's name in the media store, when Khabar makes the renditions.
    pub file: Option<String>,
    /// The photographer or maker (IPTC By-line).
    pub creator: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = media_assets)]
pub struct NewMediaAsset<'a> {
    pub public_id: String,
    pub kind: &'a str,
    pub url: &'a str,
    pub mime_type: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i64>,
    pub alt_text: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub copyright_holder: Option<&'a str>,
    pub license: Option<&'a str>,
    pub source: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub localized: String,
    pub file: Option<&'a str>,
    pub creator: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media_renditions)]
pub struct Rendition {
    pub id: i64,
    pub media_id: i64,
    pub name: String,
    pub url: String,
    pub mime_type: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = media_renditions)]
pub struct NewRendition<'a> {
    pub media_id: i64,
    pub name: &'a str,
    pub url: &'a str,
    pub mime_type: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

/// An article's use of an asset: featured or not, with an optional caption for this article.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_media)]
pub struct ArticleMedia {
    pub article_id: i64,
    pub media_id: i64,
    pub is_featured: bool,
    pub caption_override: Option<String>,
    pub position: i32,
}
