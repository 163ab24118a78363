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

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> Result<Option<User>, DbError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Every account, oldest first.
pub fn all(conn: &mut DbConnection) -> Result<Vec<User>, DbError> {
    Ok(users::table
        .order(users::id.asc())
        .select(User::as_select())
        .load(conn)?)
}

/// What an admin may change of an account.
pub struct AccountChange<'a> {
    pub role: UserRole,
    pub display_name: Option<&'a str>,
    pub disabled: bool,
    pub password_hash: &'a str,
    pub at: chrono::NaiveDateTime,
}

pub fn update(conn: &mut DbConnection, id: i64, change: &AccountChange<'_>) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(change.role.as_str()),
            users::display_name.eq(change.display_name),
            users::disabled.eq(change.disabled),
            users::password_hash.eq(change.password_hash),
            users::updated_at.eq(change.at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> Result<(), DbError> {
    diesel::delete(users::table.find(id)).execute(conn)?;
    Ok(())
}
