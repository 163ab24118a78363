//! Claiming due work so that each item is done by one node: the only place where jobs and
//! webhook deliveries need each backend's own locking.
//!
//! PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` inside the claiming transaction, so nodes
//! polling together each get different rows and never wait on each other. SQLite: one node
//! owns the file and its write transactions are serialized (see [`write_transaction`]), so a
//! plain select-then-lease in one transaction is already exclusive.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::queries::jobs::Job;
use crate::db::queries::webhooks::Delivery;
use crate::db::schema::{jobs, webhook_deliveries};
use crate::db::{DbConnection, DbError};

/// Runs `work` in a transaction that holds the write lock from its first statement.
///
/// SQLite's default deferred transaction takes a read snapshot first; if another connection
/// commits a write before it upgrades to writing, the upgrade fails at once with
/// `SQLITE_BUSY_SNAPSHOT`, which `busy_timeout` does not retry. Starting with a write (one
/// that changes nothing) makes the transaction wait for the lock instead. PostgreSQL needs
/// nothing: its row locks and the version guards in the writes serialize conflicting edits.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError> + From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let DbConnection::Sqlite(sqlite) = conn {
            diesel::sql_query("UPDATE instance_secrets SET name = name WHERE 0 = 1")
                .execute(sqlite)
                .map_err(DbError::from)?;
        }
        work(conn)
    })
}

/// Runs `work` on one consistent view of the database, while others keep writing (exports,
/// backups): PostgreSQL takes a repeatable-read snapshot; SQLite's read transaction sees the
/// file as of its first read (WAL mode lets writers go on meanwhile).
pub fn snapshot<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError> + From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let DbConnection::Pg(pg) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(pg)
                .map_err(DbError::from)?;
        }
        work(conn)
    })
}

/// Runs `work` while no other node runs its own setup: migrating, settling the secret and
/// loading the demo on a fresh database each look before they write, which is only safe
/// one node at a time. PostgreSQL: a session advisory lock, held on this connection for the
/// duration (released even when `work` fails). SQLite has one node per file.
pub fn exclusively<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    /// "khabar" in ASCII: one key for every Khabar database on a server.
    const SETUP_LOCK: i64 = 0x6b68_6162_6172;
    let DbConnection::Pg(pg) = conn else {
        return work(conn);
    };
    diesel::sql_query(format!("SELECT pg_advisory_lock({SETUP_LOCK})"))
        .execute(pg)
        .map_err(DbError::from)?;
    let result = work(conn);
    if let DbConnection::Pg(pg) = conn {
        if let Err(error) = diesel::sql_query(format!("SELECT pg_advisory_unlock({SETUP_LOCK})")).execute(pg)
        {
            // The lock ends with the session; a pooled session lives on, so say so.
            tracing::warn!(%error, "could not release the setup lock");
        }
    }
    result
}

/// Leases up to `limit` due jobs to `node` until `lease_until` and counts the attempt.
pub fn due_jobs(
    conn: &mut DbConnection,
    node: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Job>, DbError> {
    write_transaction(conn, |conn| {
        let due = jobs::table
            .filter(jobs::done_at.is_null())
            .filter(jobs::run_at.le(now))
            .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(now)))
            .order((jobs::run_at.asc(), jobs::id.asc()))
            .limit(limit)
            .select((jobs::id, jobs::kind, jobs::payload, jobs::run_at, jobs::attempts));
        let claimed: Vec<Job> = match conn {
            DbConnection::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(sqlite) => due.load(sqlite)?,
        };
        let ids: Vec<i64> = claimed.iter().map(|j| j.id).collect();
        diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
            .set((
                jobs::locked_until.eq(lease_until),
                jobs::locked_by.eq(node),
                jobs::attempts.eq(jobs::attempts + 1),
            ))
            .execute(conn)?;
        Ok(claimed)
    })
}

/// Leases up to `limit` due deliveries, each the oldest undelivered one of its (webhook,
/// article): a later event for an article waits until the earlier one is delivered or given up.
pub fn due_deliveries(
    conn: &mut DbConnection,
    node: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Delivery>, DbError> {
    let earlier = diesel::alias!(webhook_deliveries as earlier);
    write_transaction(conn, |conn| {
        let due = webhook_deliveries::table
            .filter(webhook_deliveries::state.eq("pending"))
            .filter(webhook_deliveries::next_attempt_at.le(now))
            .filter(
                webhook_deliveries::locked_until
                    .is_null()
                    .or(webhook_deliveries::locked_until.lt(now)),
            )
            .filter(diesel::dsl::not(diesel::dsl::exists(
                earlier
                    .filter(
                        earlier
                            .field(webhook_deliveries::webhook_id)
                            .eq(webhook_deliveries::webhook_id),
                    )
                    .filter(
                        earlier
                            .field(webhook_deliveries::ordering_key)
                            .eq(webhook_deliveries::ordering_key),
                    )
                    .filter(earlier.field(webhook_deliveries::id).lt(webhook_deliveries::id))
                    .filter(earlier.field(webhook_deliveries::state).eq("pending")),
            )))
            .order(webhook_deliveries::id.asc())
            .limit(limit)
            .select((
                webhook_deliveries::id,
                webhook_deliveries::webhook_id,
                webhook_deliveries::event,
                webhook_deliveries::ordering_key,
                webhook_deliveries::payload,
                webhook_deliveries::state,
                webhook_deliveries::attempts,
                webhook_deliveries::next_attempt_at,
                webhook_deliveries::last_status,
                webhook_deliveries::last_error,
                webhook_deliveries::created_at,
                webhook_deliveries::delivered_at,
            ));
        let claimed: Vec<Delivery> = match conn {
            DbConnection::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(sqlite) => due.load(sqlite)?,
        };
        let ids: Vec<i64> = claimed.iter().map(|d| d.id).collect();
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set((
                webhook_deliveries::locked_until.eq(lease_until),
                webhook_deliveries::locked_by.eq(node),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            ))
            .execute(conn)?;
        Ok(claimed)
    })
}
