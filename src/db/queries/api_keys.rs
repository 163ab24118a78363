//! Partner API keys, kept as SHA-256 digests.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{api_keys, users};
use crate::db::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub key_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn create(
    conn: &mut DbConnection,
    user_id: i64,
    name: &str,
    prefix: &str,
    key_hash: &str,
    now: NaiveDateTime,
) -> Result<ApiKey, DbError> {
    Ok(diesel::insert_into(api_keys::table)
        .values((
            api_keys::user_id.eq(user_id),
            api_keys::name.eq(name),
            api_keys::prefix.eq(prefix),
            api_keys::key_hash.eq(key_hash),
            api_keys::created_at.eq(now),
        ))
        .returning(api_keys::all_columns)
        .get_result(conn)?)
}

/// A user's keys, revoked ones included, newest first.
pub fn of_user(conn: &mut DbConnection, user_id: i64) -> Result<Vec<ApiKey>, DbError> {
    Ok(api_keys::table
        .filter(api_keys::user_id.eq(user_id))
        .order(api_keys::id.desc())
        .select(ApiKey::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConnection, user_id: i64, id: i64) -> Result<Option<ApiKey>, DbError> {
    Ok(api_keys::table
        .filter(api_keys::user_id.eq(user_id))
        .filter(api_keys::id.eq(id))
        .select(ApiKey::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a live key revoked; `false` when it already was.
pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<bool, DbError> {
    let changed = diesel::update(api_keys::table.find(id).filter(api_keys::revoked_at.is_null()))
        .set(api_keys::revoked_at.eq(now))
        .execute(conn)?;
    Ok(changed == 1)
}

/// The id of the live key with this digest whose owner is enabled.
pub fn live_key_id(conn: &mut DbConnection, key_hash: &str) -> Result<Option<i64>, DbError> {
    Ok(api_keys::table
        .inner_join(users::table)
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select(api_keys::id)
        .first(conn)
        .optional()?)
}
