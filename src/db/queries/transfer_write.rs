//! Writing imported entities as they were: their own ids, slugs, statuses and times. The
//! importer checks them first (`crate::transfer::import`); these only store.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::article::{NewCorrection, RelatedArticle};
use crate::db::models::user::NewUser;
use crate::db::queries::article_rows::{self, NewRevision};
use crate::db::schema::{article_revisions, articles, corrections, media_assets, related_articles, users};
use crate::db::{DbConnection, DbError};

pub fn save_user(conn: &mut DbConnection, existing: Option<i64>, user: &NewUser<'_>) -> Result<i64, DbError> {
    Ok(match existing {
        Some(id) => {
            diesel::update(users::table.find(id))
                .set((
                    users::password_hash.eq(user.password_hash),
                    users::role.eq(user.role),
                    users::display_name.eq(user.display_name),
                    users::contributor_id.eq(user.contributor_id),
                    users::disabled.eq(user.disabled),
                    users::created_at.eq(user.created_at),
                    users::updated_at.eq(user.updated_at),
                ))
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(users::table)
            .values(user)
            .returning(users::id)
            .get_result(conn)?,
    })
}

/// (id, password hash) of the user with `email`.
pub fn user_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<(i64, String)>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select((users::id, users::password_hash))
        .first(conn)
        .optional()?)
}

/// Row ids of the users with these emails.
pub fn user_ids(conn: &mut DbConnection, emails: &[&str]) -> Result<HashMap<String, i64>, DbError> {
    Ok(users::table
        .filter(users::email.eq_any(emails))
        .select((users::email, users::id))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

pub fn set_media_times(
    conn: &mut DbConnection,
    id: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(media_assets::table.find(id))
        .set((
            media_assets::created_at.eq(created_at),
            media_assets::updated_at.eq(updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The row id of the media asset with `public_id`.
pub fn media_row_id(conn: &mut DbConnection, public_id: &str) -> Result<Option<i64>, DbError> {
    Ok(media_assets::table
        .filter(media_assets::public_id.eq(public_id))
        .select(media_assets::id)
        .first(conn)
        .optional()?)
}

/// The row id, translation group and language of the article with `public_id`.
pub fn article_by_public_id(
    conn: &mut DbConnection,
    public_id: &str,
) -> Result<Option<(i64, i64, String)>, DbError> {
    Ok(articles::table
        .filter(articles::public_id.eq(public_id))
        .select((articles::id, articles::translation_group_id, articles::language))
        .first(conn)
        .optional()?)
}

/// The article (other than `except`) that has `slug` in `language`: its public id.
pub fn slug_holder(
    conn: &mut DbConnection,
    language: &str,
    slug: &str,
    except: Option<i64>,
) -> Result<Option<String>, DbError> {
    Ok(articles::table
        .filter(articles::language.eq(language))
        .filter(articles::slug.eq(slug))
        .filter(articles::id.ne(except.unwrap_or(0)))
        .select(articles::public_id)
        .first(conn)
        .optional()?)
}

/// Replaces an article's corrections: (corrected at, note, created at).
pub fn replace_corrections(
    conn: &mut DbConnection,
    article_id: i64,
    rows: &[(NaiveDateTime, &str, NaiveDateTime)],
) -> Result<(), DbError> {
    diesel::delete(corrections::table.filter(corrections::article_id.eq(article_id))).execute(conn)?;
    let rows: Vec<NewCorrection<'_>> = rows
        .iter()
        .map(|(corrected_at, note, created_at)| NewCorrection {
            article_id,
            corrected_at: *corrected_at,
            note,
            created_at: *created_at,
        })
        .collect();
    article_rows::corrections(conn, &rows)?;
    Ok(())
}

/// Replaces an article's revisions with those imported.
pub fn replace_revisions(
    conn: &mut DbConnection,
    article_id: i64,
    rows: &[NewRevision],
) -> Result<(), DbError> {
    diesel::delete(article_revisions::table.filter(article_revisions::article_id.eq(article_id)))
        .execute(conn)?;
    article_rows::revisions(conn, rows)?;
    Ok(())
}

/// Replaces an article's curated related articles with `related` (row ids, in order).
pub fn replace_related(conn: &mut DbConnection, article_id: i64, related: &[i64]) -> Result<(), DbError> {
    diesel::delete(related_articles::table.filter(related_articles::article_id.eq(article_id)))
        .execute(conn)?;
    let rows: Vec<RelatedArticle> = related
        .iter()
        .enumerate()
        .map(|(position, related_article_id)| RelatedArticle {
            article_id,
            position: position as i32,
            related_article_id: *related_article_id,
        })
        .collect();
    article_rows::related(conn, &rows)?;
    Ok(())
}
