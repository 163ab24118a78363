//! The change log: appended in the transaction of each change to what the public sees, read
//! in order after a position.
//!
//! Order is commit order on both backends. SQLite has one writer at a time. On PostgreSQL a
//! sequence hands numbers out before commit, and transactions commit in any order: a reader
//! that saw 8 committed while 7 was not would pass 7 for ever. So a writer first takes one
//! transaction-scoped advisory lock, held until it commits or rolls back: the next writer's
//! number is handed out only after this one's row is visible (or gone), and no number below a
//! committed one can still appear.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::change_log;
use crate::db::{DbConnection, DbError};
use crate::domain::changes::ChangeKind;

/// The advisory lock that orders appends on PostgreSQL ("khabar" in ASCII).
const APPEND_LOCK: i64 = 0x6b68_6162_6172;

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = change_log)]
pub struct Entry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub kind: String,
    pub public_id: String,
    pub language: String,
    pub slug: String,
}

/// What changed, for [`append`].
pub struct NewEntry<'a> {
    pub kind: ChangeKind,
    pub public_id: &'a str,
    pub language: &'a str,
    pub slug: &'a str,
    pub at: NaiveDateTime,
}

/// Appends `entry`; must run inside the change's transaction.
pub fn append(conn: &mut DbConnection, entry: &NewEntry<'_>) -> Result<(), DbError> {
    append_many(conn, std::slice::from_ref(entry))
}

/// Appends `entries` in their order (an import's batch); inside the change's transaction.
pub fn append_many(conn: &mut DbConnection, entries: &[NewEntry<'_>]) -> Result<(), DbError> {
    if entries.is_empty() {
        return Ok(());
    }
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock({APPEND_LOCK})")).execute(pg)?;
    }
    // Well under either backend's limit of bound parameters per statement.
    for chunk in entries.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|entry| {
                (
                    change_log::at.eq(entry.at),
                    change_log::kind.eq(entry.kind.as_str()),
                    change_log::public_id.eq(entry.public_id),
                    change_log::language.eq(entry.language),
                    change_log::slug.eq(entry.slug),
                )
            })
            .collect();
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(change_log::table).values(rows).execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(change_log::table).values(rows).execute(c)?,
        };
    }
    Ok(())
}

/// The kind of the newest entry about `public_id`: whether the log has it public now.
pub fn last_kind(conn: &mut DbConnection, public_id: &str) -> Result<Option<ChangeKind>, DbError> {
    let kind: Option<String> = change_log::table
        .filter(change_log::public_id.eq(public_id))
        .order(change_log::seq.desc())
        .select(change_log::kind)
        .first(conn)
        .optional()?;
    Ok(kind.as_deref().and_then(ChangeKind::parse))
}

/// Whether the log has `public_id` public now (its newest entry published or updated).
pub fn announced(conn: &mut DbConnection, public_id: &str) -> Result<bool, DbError> {
    Ok(matches!(
        last_kind(conn, public_id)?,
        Some(ChangeKind::Published | ChangeKind::Updated)
    ))
}

/// Up to `limit` entries after position `after`, oldest first.
pub fn after(conn: &mut DbConnection, after: i64, limit: i64) -> Result<Vec<Entry>, DbError> {
    Ok(change_log::table
        .filter(change_log::seq.gt(after))
        .order(change_log::seq.asc())
        .limit(limit)
        .select(Entry::as_select())
        .load(conn)?)
}

/// The newest position, 0 for an empty log.
pub fn newest(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(change_log::table
        .select(diesel::dsl::max(change_log::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}
