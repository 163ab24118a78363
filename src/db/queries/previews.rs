//! Preview links: signed, expiring, revocable read access to one unpublished article.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::preview_links;
use crate::db::{DbConnection, DbError};

pub fn create(
    conn: &mut DbConnection,
    id: &str,
    article_id: i64,
    created_by: i64,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(preview_links::table)
        .values((
            preview_links::id.eq(id),
            preview_links::article_id.eq(article_id),
            preview_links::created_by.eq(created_by),
            preview_links::created_at.eq(now),
            preview_links::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The article a live (unrevoked, unexpired) link shows.
pub fn live_article(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> Result<Option<i64>, DbError> {
    Ok(preview_links::table
        .find(id)
        .filter(preview_links::revoked_at.is_null())
        .filter(preview_links::expires_at.gt(now))
        .select(preview_links::article_id)
        .first(conn)
        .optional()?)
}

/// The article a link belongs to, live or not.
pub fn article_of(conn: &mut DbConnection, id: &str) -> Result<Option<i64>, DbError> {
    Ok(preview_links::table
        .find(id)
        .select(preview_links::article_id)
        .first(conn)
        .optional()?)
}

pub fn revoke(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(
        preview_links::table
            .find(id)
            .filter(preview_links::revoked_at.is_null()),
    )
    .set(preview_links::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}
