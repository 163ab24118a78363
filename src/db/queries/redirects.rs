//! Redirects: old site paths and where they lead now. A redirect to an article, topic or
//! contributor follows it through later renames, since it names the row, not a path.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{articles, contributors, redirects, topics};
use crate::db::{DbConnection, DbError};
use crate::domain::kinds::{ArticleStatus, RedirectSource};

/// Where a redirect leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An article's row id.
    Article(i64),
    Topic(i64),
    Contributor(i64),
    Url(String),
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = redirects)]
pub struct RedirectRow {
    pub id: i64,
    pub from_path: String,
    pub article_id: Option<i64>,
    pub topic_id: Option<i64>,
    pub contributor_id: Option<i64>,
    pub to_url: Option<String>,
    pub status: i32,
    #[diesel(deserialize_as = String)]
    pub source: RedirectSource,
    pub created_at: NaiveDateTime,
}

impl RedirectRow {
    pub fn target(&self) -> Result<Target, DbError> {
        match (self.article_id, self.topic_id, self.contributor_id, &self.to_url) {
            (Some(id), None, None, None) => Ok(Target::Article(id)),
            (None, Some(id), None, None) => Ok(Target::Topic(id)),
            (None, None, Some(id), None) => Ok(Target::Contributor(id)),
            (None, None, None, Some(url)) => Ok(Target::Url(url.clone())),
            _ => Err(DbError::Corrupt(format!(
                "redirect {} has not exactly one target",
                self.id
            ))),
        }
    }
}

/// A target as the public sees it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    /// An article (public id, language, slug) in whatever status it is in now.
    Article {
        public_id: String,
        language: String,
        slug: String,
        status: ArticleStatus,
    },
    Topic(String),
    Contributor(String),
    Url(String),
}

/// The redirect from `path`, if any.
pub fn find(conn: &mut DbConnection, path: &str) -> Result<Option<RedirectRow>, DbError> {
    Ok(redirects::table
        .filter(redirects::from_path.eq(path))
        .select(RedirectRow::as_select())
        .first(conn)
        .optional()?)
}

/// Redirects to articles from paths that end in `/{slug}` (old slugs, in any language).
pub fn to_articles_ending_in(conn: &mut DbConnection, slug: &str) -> Result<Vec<RedirectRow>, DbError> {
    // Slugs are letters, digits and '-', none of which LIKE treats specially.
    Ok(redirects::table
        .filter(redirects::article_id.is_not_null())
        .filter(redirects::from_path.like(format!("%/{slug}")))
        .select(RedirectRow::as_select())
        .order(redirects::id.asc())
        .limit(20)
        .load(conn)?)
}

/// Where `target` is now; `None` when the row it named is gone.
pub fn current(conn: &mut DbConnection, target: &Target) -> Result<Option<Current>, DbError> {
    Ok(match target {
        Target::Article(id) => articles::table
            .find(id)
            .select((
                articles::public_id,
                articles::language,
                articles::slug,
                articles::status,
            ))
            .first::<(String, String, String, String)>(conn)
            .optional()?
            .map(|(public_id, language, slug, status)| {
                Ok::<_, DbError>(Current::Article {
                    public_id,
                    language,
                    slug,
                    status: status.parse().map_err(DbError::corrupt)?,
                })
            })
            .transpose()?,
        Target::Topic(id) => topics::table
            .find(id)
            .select(topics::slug)
            .first(conn)
            .optional()?
            .map(Current::Topic),
        Target::Contributor(id) => contributors::table
            .find(id)
            .select(contributors::slug)
            .first(conn)
            .optional()?
            .map(Current::Contributor),
        Target::Url(url) => Some(Current::Url(url.clone())),
    })
}

/// A redirect to store.
#[derive(Debug, Clone)]
pub struct NewRedirect<'a> {
    pub from_path: &'a str,
    pub target: &'a Target,
    pub status: i32,
    pub source: RedirectSource,
    pub created_at: NaiveDateTime,
}

/// Stores a redirect, replacing any other from the same path. Returns its id.
pub fn put(conn: &mut DbConnection, redirect: &NewRedirect<'_>) -> Result<i64, DbError> {
    diesel::delete(redirects::table.filter(redirects::from_path.eq(redirect.from_path))).execute(conn)?;
    insert(conn, redirect)
}

/// Stores a redirect; fails (unique violation) if one leaves from the same path.
pub fn insert(conn: &mut DbConnection, redirect: &NewRedirect<'_>) -> Result<i64, DbError> {
    let (article, topic, contributor, url) = match redirect.target {
        Target::Article(id) => (Some(*id), None, None, None),
        Target::Topic(id) => (None, Some(*id), None, None),
        Target::Contributor(id) => (None, None, Some(*id), None),
        Target::Url(url) => (None, None, None, Some(url.as_str())),
    };
    Ok(diesel::insert_into(redirects::table)
        .values((
            redirects::from_path.eq(redirect.from_path),
            redirects::article_id.eq(article),
            redirects::topic_id.eq(topic),
            redirects::contributor_id.eq(contributor),
            redirects::to_url.eq(url),
            redirects::status.eq(redirect.status),
            redirects::source.eq(redirect.source.as_str()),
            redirects::created_at.eq(redirect.created_at),
        ))
        .returning(redirects::id)
        .get_result(conn)?)
}

/// Removes the redirect from `path` if it leads to the article `article_id` (an article that
/// moves back to an old slug takes its path again).
pub fn remove_to_article(conn: &mut DbConnection, path: &str, article_id: i64) -> Result<(), DbError> {
    diesel::delete(
        redirects::table
            .filter(redirects::from_path.eq(path))
            .filter(redirects::article_id.eq(article_id)),
    )
    .execute(conn)?;
    Ok(())
}

pub fn by_id(conn: &mut DbConnection, id: i64) -> Result<Option<RedirectRow>, DbError> {
    Ok(redirects::table
        .find(id)
        .select(RedirectRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(redirects::table.find(id)).execute(conn)? == 1)
}

/// Redirects in id order after `after`, for listing and export.
pub fn page(conn: &mut DbConnection, after: i64, limit: i64) -> Result<Vec<RedirectRow>, DbError> {
    Ok(redirects::table
        .filter(redirects::id.gt(after))
        .order(redirects::id.asc())
        .limit(limit)
        .select(RedirectRow::as_select())
        .load(conn)?)
}
