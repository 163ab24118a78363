//! Sign-in sessions and their rotating refresh tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::user::User;
use crate::db::schema::{auth_sessions, refresh_tokens, users};
use crate::db::{DbConnection, DbError};

pub fn start(
    conn: &mut DbConnection,
    session_id: &str,
    user_id: i64,
    first_token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(auth_sessions::table)
        .values((
            auth_sessions::id.eq(session_id),
            auth_sessions::user_id.eq(user_id),
            auth_sessions::created_at.eq(now),
            auth_sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    add_token(conn, session_id, first_token_hash, now)
}

pub fn add_token(
    conn: &mut DbConnection,
    session_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A refresh token's session id, when it was spent, and its session's revocation and expiry.
type PresentedRow = (
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

/// What a presented refresh token turned out to be.
pub enum Presented {
    Unknown,
    /// Live: marked spent now; the caller issues the next one.
    Fresh {
        session_id: String,
        user: User,
    },
    /// Already spent, or its session is over: a replay, so the whole session is revoked.
    Replayed {
        session_id: String,
    },
}

/// Spends a refresh token. The `used_at IS NULL` guard makes two concurrent uses of one token
/// end as one rotation and one replay.
pub fn spend(conn: &mut DbConnection, token_hash: &str, now: NaiveDateTime) -> Result<Presented, DbError> {
    let found: Option<(PresentedRow, User)> = refresh_tokens::table
        .inner_join(auth_sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            (
                auth_sessions::id,
                refresh_tokens::used_at,
                auth_sessions::revoked_at,
                auth_sessions::expires_at,
            ),
            User::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some(((session_id, used_at, revoked_at, expires_at), user)) = found else {
        return Ok(Presented::Unknown);
    };
    if revoked_at.is_some() || expires_at <= now {
        return Ok(Presented::Replayed { session_id });
    }
    if used_at.is_some() {
        revoke(conn, &session_id, "refresh token reused", now)?;
        return Ok(Presented::Replayed { session_id });
    }
    let spent = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now))
    .execute(conn)?;
    if spent == 0 {
        revoke(conn, &session_id, "refresh token reused", now)?;
        return Ok(Presented::Replayed { session_id });
    }
    Ok(Presented::Fresh { session_id, user })
}

pub fn revoke(
    conn: &mut DbConnection,
    session_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        auth_sessions::table
            .find(session_id)
            .filter(auth_sessions::revoked_at.is_null()),
    )
    .set((
        auth_sessions::revoked_at.eq(now),
        auth_sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends every session of a user (disabled, password changed, deleted).
pub fn revoke_all_of(
    conn: &mut DbConnection,
    user_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        auth_sessions::table
            .filter(auth_sessions::user_id.eq(user_id))
            .filter(auth_sessions::revoked_at.is_null()),
    )
    .set((
        auth_sessions::revoked_at.eq(now),
        auth_sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// The user behind an access token, if its session is live and the user enabled.
pub fn active_user(
    conn: &mut DbConnection,
    session_id: &str,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    Ok(auth_sessions::table
        .inner_join(users::table)
        .filter(auth_sessions::id.eq(session_id))
        .filter(auth_sessions::user_id.eq(user_id))
        .filter(auth_sessions::revoked_at.is_null())
        .filter(auth_sessions::expires_at.gt(now))
        .filter(users::disabled.eq(false))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}
