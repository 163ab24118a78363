//! Helpers for the data generator.

use diesel::prelude::*;

use crate::db::schema::{articles, contributors, topics};
use crate::db::{DbConnection, DbError};
use crate::domain::content_set::ContentSet;

pub fn article_count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(articles::table.count().get_result(conn)?)
}

/// The part of `catalog` not in the database yet (a second run, or the demo's shared slugs).
pub fn missing_catalog(conn: &mut DbConnection, mut catalog: ContentSet) -> Result<ContentSet, DbError> {
    let contributor_slugs: Vec<String> = catalog.contributors.iter().map(|c| c.slug.clone()).collect();
    let existing: Vec<String> = contributors::table
        .filter(contributors::slug.eq_any(contributor_slugs))
        .select(contributors::slug)
        .load(conn)?;
    catalog.contributors.retain(|c| !existing.contains(&c.slug));
    let topic_slugs: Vec<String> = catalog.topics.iter().map(|t| t.slug.clone()).collect();
    let existing: Vec<String> = topics::table
        .filter(topics::slug.eq_any(topic_slugs))
        .select(topics::slug)
        .load(conn)?;
    catalog.topics.retain(|t| !existing.contains(&t.slug));
    Ok(catalog)
}
