//! Jobs on the database: rows due at a time, claimed by one node at a time (see `db::claim`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::jobs;
use crate::db::{DbConnection, DbError};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Publish a scheduled article when its time comes.
    PublishScheduled,
    /// Announce an embargoed article when its embargo lifts.
    LiftEmbargo,
    /// Tell the WebSub hub that feeds changed.
    WebSubPing,
    /// Purge an edge cache (`KHABAR_PURGE_URL`) of the surrogate keys a write changed.
    EdgePurge,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::PublishScheduled => "publish_scheduled",
            JobKind::LiftEmbargo => "lift_embargo",
            JobKind::WebSubPing => "websub_ping",
            JobKind::EdgePurge => "edge_purge",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            JobKind::PublishScheduled,
            JobKind::LiftEmbargo,
            JobKind::WebSubPing,
            JobKind::EdgePurge,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
}

pub fn enqueue(
    conn: &mut DbConnection,
    kind: JobKind,
    payload: &serde_json::Value,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq(kind.as_str()),
            jobs::payload.eq(payload.to_string()),
            jobs::run_at.eq(run_at),
            jobs::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks a job done, unless another node already did (`false` then).
pub fn complete(conn: &mut DbConnection, id: i64, node: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let done = diesel::update(
        jobs::table
            .find(id)
            .filter(jobs::done_at.is_null())
            .filter(jobs::locked_by.eq(node)),
    )
    .set((
        jobs::done_at.eq(now),
        jobs::done_by.eq(node),
        jobs::locked_until.eq(None::<NaiveDateTime>),
        jobs::locked_by.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(done == 1)
}

/// Ends a job that failed too often, keeping its last error, if `node` still holds its lease.
pub fn give_up(
    conn: &mut DbConnection,
    id: i64,
    node: &str,
    error: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(jobs::table.find(id).filter(jobs::locked_by.eq(node)))
        .set((
            jobs::last_error.eq(error),
            jobs::done_at.eq(now),
            jobs::done_by.eq(node),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::locked_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failure and when to try again, if `node` still holds the job's lease.
pub fn retry_later(
    conn: &mut DbConnection,
    id: i64,
    node: &str,
    error: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(jobs::table.find(id).filter(jobs::locked_by.eq(node)))
        .set((
            jobs::last_error.eq(error),
            jobs::run_at.eq(at),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::locked_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Who finished each job of a kind, for operators and tests.
pub fn done_by(conn: &mut DbConnection, kind: JobKind) -> Result<Vec<(i64, Option<String>)>, DbError> {
    Ok(jobs::table
        .filter(jobs::kind.eq(kind.as_str()))
        .order(jobs::id.asc())
        .select((jobs::id, jobs::done_by))
        .load(conn)?)
}

/// Jobs whose time has come and that are not done: a number that keeps growing means no
/// worker is running them.
pub fn overdue_count(conn: &mut DbConnection, now: NaiveDateTime) -> Result<i64, DbError> {
    Ok(jobs::table
        .filter(jobs::done_at.is_null())
        .filter(jobs::run_at.le(now))
        .count()
        .get_result(conn)?)
}
