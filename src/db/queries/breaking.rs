//! Breaking news: the one writer of `breaking_news`, an article flagged until a time.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::breaking_news;
use crate::db::{DbConnection, DbError};

/// Until when the article is breaking news, if it was flagged (the time may have passed).
pub fn until(conn: &mut DbConnection, article_id: i64) -> Result<Option<NaiveDateTime>, DbError> {
    Ok(breaking_news::table
        .find(article_id)
        .select(breaking_news::until)
        .first(conn)
        .optional()?)
}

/// Flags the article as breaking until `until`, replacing an earlier flag.
pub fn set(
    conn: &mut DbConnection,
    article_id: i64,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let updated = diesel::update(breaking_news::table.find(article_id))
        .set((breaking_news::until.eq(until), breaking_news::set_at.eq(now)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(breaking_news::table)
            .values((
                breaking_news::article_id.eq(article_id),
                breaking_news::until.eq(until),
                breaking_news::set_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes the flag away; false when there was none.
pub fn clear(conn: &mut DbConnection, article_id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(breaking_news::table.find(article_id)).execute(conn)? > 0)
}
