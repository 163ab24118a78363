//! What sitemaps list.

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::prelude::*;

use crate::db::schema::article_deliveries;
use crate::db::{DbConnection, DbError};

/// A recently published article, for the news sitemap.
#[derive(Debug, Clone, Queryable)]
pub struct Recent {
    pub language: String,
    pub slug: String,
    pub headline: String,
    pub published_at: NaiveDateTime,
}

/// Public articles published in `[since, now]`, newest first. The headline is read from the
/// compiled summary so the sitemap shows exactly what readers see.
pub fn published_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Recent>, DbError> {
    let rows: Vec<(String, String, String, NaiveDateTime)> = article_deliveries::table
        .filter(article_deliveries::visible_from.le(now))
        .filter(article_deliveries::published_at.ge(since))
        .order((
            article_deliveries::published_at.desc(),
            article_deliveries::article_id.desc(),
        ))
        .limit(limit)
        .select((
            article_deliveries::language,
            article_deliveries::slug,
            article_deliveries::summary_json,
            article_deliveries::published_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(language, slug, summary, published_at)| {
            let headline = serde_json::from_str::<serde_json::Value>(&summary)
                .ok()
                .and_then(|s| s["headline"].as_str().map(str::to_owned))
                .unwrap_or_default();
            Recent {
                language,
                slug,
                headline,
                published_at,
            }
        })
        .collect())
}

/// Sitemap files (pages of `per_page` article ids) that have public articles, with the last
/// change in each.
pub fn pages(conn: &mut DbConnection, per_page: i64) -> Result<Vec<(i64, NaiveDateTime)>, DbError> {
    let highest: Option<i64> = article_deliveries::table
        .select(max(article_deliveries::article_id))
        .first(conn)?;
    let mut pages = Vec::new();
    for page in 0..=highest.unwrap_or(-1) / per_page {
        let modified: Option<NaiveDateTime> = article_deliveries::table
            .filter(article_deliveries::article_id.ge(page * per_page))
            .filter(article_deliveries::article_id.lt((page + 1) * per_page))
            .select(max(article_deliveries::updated_at))
            .first(conn)?;
        if let Some(modified) = modified {
            pages.push((page, modified));
        }
    }
    Ok(pages)
}

/// The public articles of one sitemap page: language, slug, last change.
pub fn page(
    conn: &mut DbConnection,
    page: i64,
    per_page: i64,
    now: NaiveDateTime,
) -> Result<Vec<(String, String, NaiveDateTime)>, DbError> {
    Ok(article_deliveries::table
        .filter(article_deliveries::article_id.ge(page.saturating_mul(per_page)))
        .filter(article_deliveries::article_id.lt(page.saturating_add(1).saturating_mul(per_page)))
        .filter(article_deliveries::visible_from.le(now))
        .order(article_deliveries::article_id.asc())
        .select((
            article_deliveries::language,
            article_deliveries::slug,
            article_deliveries::updated_at,
        ))
        .load(conn)?)
}
