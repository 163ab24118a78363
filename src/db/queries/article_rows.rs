//! The one writer of each table an article owns: its row (when new), translation groups, body
//! blocks, bylines, topics, media uses, related links, corrections and revisions. Every caller
//! (an editor's change, an import record by record or a run of new articles at once, the demo)
//! writes these rows through these functions, one multi-row `INSERT` a table and chunk.
//! diesel's `MultiConnection` cannot batch inserts, so each is dispatched to the backend's own
//! connection (the same statement).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::article::{BlockRow, Byline, NewArticle, NewCorrection, RelatedArticle};
use crate::db::models::media::ArticleMedia;
use crate::db::models::topic::ArticleTopic;
use crate::db::schema::{
    article_blocks, article_media, article_revisions, article_topics, articles, bylines, corrections,
    related_articles, translation_groups,
};
use crate::db::{DbConnection, DbError};

pub fn blocks(conn: &mut DbConnection, rows: &[BlockRow]) -> Result<usize, DbError> {
    insert_rows!(conn, article_blocks::table, rows)
}

pub fn bylines(conn: &mut DbConnection, rows: &[Byline]) -> Result<usize, DbError> {
    // Owned: the role is written through `serialize_as`, which takes the row by value.
    let mut written = 0;
    for chunk in rows.chunks(super::CHUNK) {
        written += match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(bylines::table)
                .values(chunk.to_vec())
                .execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(bylines::table)
                .values(chunk.to_vec())
                .execute(c)?,
        };
    }
    Ok(written)
}

pub fn article_topics(conn: &mut DbConnection, rows: &[ArticleTopic]) -> Result<usize, DbError> {
    insert_rows!(conn, article_topics::table, rows)
}

pub fn article_media(conn: &mut DbConnection, rows: &[ArticleMedia]) -> Result<usize, DbError> {
    insert_rows!(conn, article_media::table, rows)
}

/// New translation groups, one per creation time, their ids in the same order.
pub fn translation_groups(conn: &mut DbConnection, created: &[NaiveDateTime]) -> Result<Vec<i64>, DbError> {
    let mut ids = Vec::with_capacity(created.len());
    for chunk in created.chunks(super::CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|at| translation_groups::created_at.eq(*at))
            .collect();
        let mut made: Vec<i64> = match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(translation_groups::table)
                .values(&rows)
                .returning(translation_groups::id)
                .get_results(c)?,
            DbConnection::Pg(c) => diesel::insert_into(translation_groups::table)
                .values(&rows)
                .returning(translation_groups::id)
                .get_results(c)?,
        };
        // One statement numbers its rows in the order of its VALUES; RETURNING need not say
        // them in that order, so they are put back in it.
        made.sort_unstable();
        ids.extend(made);
    }
    Ok(ids)
}

/// New articles, each at its version: public id → row id. (An existing article's row is
/// written by `editorial::save_article`.)
pub fn articles(
    conn: &mut DbConnection,
    rows: &[(NewArticle<'_>, i32)],
) -> Result<HashMap<String, i64>, DbError> {
    let mut ids = HashMap::with_capacity(rows.len());
    for chunk in rows.chunks(super::CHUNK / 10) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(row, version)| (row.clone(), articles::version.eq(*version)))
            .collect();
        let made: Vec<(String, i64)> = match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(articles::table)
                .values(&values)
                .returning((articles::public_id, articles::id))
                .get_results(c)?,
            DbConnection::Pg(c) => diesel::insert_into(articles::table)
                .values(&values)
                .returning((articles::public_id, articles::id))
                .get_results(c)?,
        };
        ids.extend(made);
    }
    Ok(ids)
}

pub fn related(conn: &mut DbConnection, rows: &[RelatedArticle]) -> Result<usize, DbError> {
    insert_rows!(conn, related_articles::table, rows)
}

pub fn corrections(conn: &mut DbConnection, rows: &[NewCorrection<'_>]) -> Result<usize, DbError> {
    insert_rows!(conn, corrections::table, rows)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = article_revisions)]
pub struct NewRevision {
    pub article_id: i64,
    pub version: i32,
    pub action: String,
    pub actor_user_id: Option<i64>,
    pub snapshot: String,
    pub created_at: NaiveDateTime,
}

pub fn revisions(conn: &mut DbConnection, rows: &[NewRevision]) -> Result<usize, DbError> {
    insert_rows!(conn, article_revisions::table, rows)
}
