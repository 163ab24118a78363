use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::kinds::{ArticleStatus, BylineRole};

use crate::db::schema::{article_blocks, articles, bylines, corrections, related_articles};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct Article {
    pub id: i64,
    pub public_id: String,
    pub slug: String,
    pub language: String,
    pub translation_group_id: i64,
    pub headline: String,
    pub lead: Option<String>,
    pub dateline: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: ArticleStatus,
    pub canonical_url: Option<String>,
    pub author_user_id: Option<i64>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub first_published_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub scheduled_at: Option<NaiveDateTime>,
    pub embargo_until: Option<NaiveDateTime>,
    /// The headline's words for the desk's search (`domain::match_key`).
    pub search_key: String,
}

impl NewArticle<'static> {
    /// A row with nothing in it yet, to be filled (`..NewArticle::blank()`).
    pub fn blank() -> NewArticle<'static> {
        let epoch = chrono::DateTime::UNIX_EPOCH.naive_utc();
        NewArticle {
            public_id: String::new(),
            slug: "",
            language: "",
            translation_group_id: 0,
            headline: "",
            lead: None,
            dateline: None,
            status: "draft",
            canonical_url: None,
            author_user_id: None,
            created_at: epoch,
            updated_at: epoch,
            first_published_at: None,
            published_at: None,
            scheduled_at: None,
            embargo_until: None,
            search_key: String::new(),
        }
    }
}

impl Article {
    /// Its own columns, to be changed and written back whole
    /// ([`crate::db::queries::editorial::save_article`]).
    pub fn columns(&self) -> NewArticle<'_> {
        NewArticle {
            public_id: self.public_id.clone(),
            slug: &self.slug,
            language: &self.language,
            translation_group_id: self.translation_group_id,
            headline: &self.headline,
            lead: self.lead.as_deref(),
            dateline: self.dateline.as_deref(),
            status: self.status.as_str(),
            canonical_url: self.canonical_url.as_deref(),
            author_user_id: self.author_user_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            first_published_at: self.first_published_at,
            published_at: self.published_at,
            scheduled_at: self.scheduled_at,
            embargo_until: self.embargo_until,
            search_key: self.search_key.clone(),
        }
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = articles)]
pub struct NewArticle<'a> {
    pub public_id: String,
    pub slug: &'a str,
    pub language: &'a str,
    pub translation_group_id: i64,
    pub headline: &'a str,
    pub lead: Option<&'a str>,
    pub dateline: Option<&'a str>,
    pub status: &'a str,
    pub canonical_url: Option<&'a str>,
    pub author_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub first_published_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub scheduled_at: Option<NaiveDateTime>,
    pub embargo_until: Option<NaiveDateTime>,
    pub search_key: String,
}

/// The few columns a link to another article needs (related articles, translations).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleLink {
    pub public_id: String,
    pub slug: String,
    pub language: String,
    pub headline: String,
    pub canonical_url: Option<String>,
    pub published_at: Option<NaiveDateTime>,
}

/// One stored body block: `data` is the block's JSON, `media_id` the asset it shows, if any.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_blocks)]
pub struct BlockRow {
    pub article_id: i64,
    pub position: i32,
    pub kind: String,
    pub data: String,
    pub media_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = bylines)]
pub struct Byline {
    pub article_id: i64,
    pub position: i32,
    pub contributor_id: i64,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: BylineRole,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = related_articles)]
pub struct RelatedArticle {
    pub article_id: i64,
    pub position: i32,
    pub related_article_id: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = corrections)]
pub struct Correction {
    pub id: i64,
    pub article_id: i64,
    pub corrected_at: NaiveDateTime,
    pub note: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = corrections)]
pub struct NewCorrection<'a> {
    pub article_id: i64,
    pub corrected_at: NaiveDateTime,
    pub note: &'a str,
    pub created_at: NaiveDateTime,
}
