//! Secrets an instance generates for itself and keeps with its data (the SQLite default's JWT
//! key), and the little state it records about itself (the site URL its articles were compiled for).

use diesel::prelude::*;

use crate::db::schema::instance_secrets;
use crate::db::{utc_now, DbConnection, DbError};

pub fn get(conn: &mut DbConnection, name: &str) -> Result<Option<String>, DbError> {
    Ok(instance_secrets::table
        .filter(instance_secrets::name.eq(name))
        .select(instance_secrets::value)
        .first(conn)
        .optional()?)
}

/// Returns the stored secret, or stores and returns `generate()`'s; `true` when it was new.
pub fn get_or_create(
    conn: &mut DbConnection,
    name: &str,
    generate: impl FnOnce() -> String,
) -> Result<(String, bool), DbError> {
    conn.transaction(|conn| {
        if let Some(existing) = get(conn, name)? {
            return Ok((existing, false));
        }
        let value = generate();
        diesel::insert_into(instance_secrets::table)
            .values((
                instance_secrets::name.eq(name),
                instance_secrets::value.eq(&value),
                instance_secrets::created_at.eq(utc_now()),
            ))
            .execute(conn)?;
        Ok((value, true))
    })
}

/// Stores `value` under `name`, replacing what was there.
pub fn put(conn: &mut DbConnection, name: &str, value: &str) -> Result<(), DbError> {
    conn.transaction(|conn| {
        diesel::delete(instance_secrets::table.filter(instance_secrets::name.eq(name))).execute(conn)?;
        diesel::insert_into(instance_secrets::table)
            .values((
                instance_secrets::name.eq(name),
                instance_secrets::value.eq(value),
                instance_secrets::created_at.eq(utc_now()),
            ))
            .execute(conn)?;
        Ok(())
    })
}
