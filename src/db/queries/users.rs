//! User accounts.

use diesel::prelude::*;

use crate::db::models::user::{NewUser, User};
use crate::db::schema::users;
use crate::db::{utc_now, DbConnection, DbError};
use crate::domain::kinds::UserRole;

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts a user whose password is already hashed; returns its id.
pub fn create(
    conn: &mut DbConnection,
    email: &str,
    password_hash: &str,
    role: UserRole,
    display_name: Option<&str>,
) -> Result<i64, DbError> {
    let now = utc_now();
    Ok(diesel::insert_into(users::table)
        .values(NewUser {
            email,
            password_hash,
            role: role.as_str(),
            display_name,
            contributor_id: None,
            disabled: false,
            created_at: now,
            updated_at: now,
        })
        .returning(users::id)
        .get_result(conn)?)
}

/// What the desk calls each of these users: their display name, else their email.
pub fn names(
    conn: &mut DbConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbError> {
    let rows: Vec<(i64, Option<String>, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name, users::email))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email)| (id, name.filter(|n| !n.trim().is_empty()).unwrap_or(email)))
        .collect())
}
