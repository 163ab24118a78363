//! Stored results of creates made with an `Idempotency-Key`, so that a retry gets the first
//! result instead of a second resource.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: i32,
    pub location: Option<String>,
    pub body: String,
}

pub fn find(conn: &mut DbConnection, user_id: i64, key: &str) -> Result<Option<StoredResponse>, DbError> {
    Ok(idempotency_keys::table
        .find((user_id, key))
        .select(StoredResponse::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a result. A concurrent retry with the same key fails here on the primary key, which
/// rolls its transaction (and its duplicate create) back.
pub fn store(
    conn: &mut DbConnection,
    user_id: i64,
    key: &str,
    response: &StoredResponse,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::fingerprint.eq(&response.fingerprint),
            idempotency_keys::status.eq(response.status),
            idempotency_keys::location.eq(&response.location),
            idempotency_keys::body.eq(&response.body),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets keys older than `cutoff`.
pub fn expire(conn: &mut DbConnection, cutoff: NaiveDateTime) -> Result<usize, DbError> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
            .execute(conn)?,
    )
}
