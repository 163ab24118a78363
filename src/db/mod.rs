//! Persistence: one diesel code path for SQLite and PostgreSQL.
//!
//! Portable queries live in `queries`; the few places that must speak one backend's dialect
//! match on [`DbConnection`] and say why.

pub mod backup;
pub mod claim;
mod conn;
pub mod migrate;
pub mod models;
pub mod notify;
pub mod queries;
pub mod replicas;
pub mod schema;
pub mod search;

use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::r2d2::{ManageConnection, Pool, PoolError};
use diesel::result::DatabaseErrorKind;

pub use conn::{
    relax_durability, restore_durability, Backend, ConnectionManager, DatabaseUrl, DbConnection,
    InvalidDatabaseUrl, MultiBackend,
};

pub type DbPool = Pool<ConnectionManager>;

/// Everything the persistence layer can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("the database task did not finish")]
    Cancelled,
    /// A failure beside the database (serializing a value we built, a file, the random
    /// generator), with its cause chain.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl DbError {
    /// Stored data that does not parse as what it must be (JSON, a vocabulary value).
    pub fn corrupt(error: impl std::fmt::Display) -> Self {
        DbError::Corrupt(error.to_string())
    }

    /// A value of ours that could not be serialized: a bug, not bad data.
    pub fn unserializable(error: serde_json::Error) -> Self {
        DbError::Unexpected(anyhow::Error::new(error).context("cannot serialize a value to JSON"))
    }

    /// Whether this is the database being unreachable or out of space rather than a fault in
    /// the request or the code: such failures pass by themselves and are answered 503/507.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            DbError::Pool(_) | DbError::Connect(_) => Some(Fault::Unavailable),
            DbError::Query(error) => query_fault(error),
            _ => None,
        }
    }
}

/// Failures of the database's environment, not of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Down, restarting, unreachable, or busy past the lock timeout: retry shortly.
    Unavailable,
    /// The disk under the database is full.
    StorageFull,
}

/// Classifies a statement's failure. PostgreSQL reports a lost connection as
/// `ClosedConnection`; the rest is only in the message text, which both backends keep stable.
fn query_fault(error: &diesel::result::Error) -> Option<Fault> {
    use diesel::result::Error;
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => Some(Fault::Unavailable),
        Error::DatabaseError(_, info) => message_fault(info.message()),
        Error::BrokenTransactionManager => Some(Fault::Unavailable),
        _ => None,
    }
}

fn message_fault(message: &str) -> Option<Fault> {
    const FULL: &[&str] = &[
        // SQLite: SQLITE_FULL.
        "database or disk is full",
        // PostgreSQL: 53100 disk_full and failed writes of data or WAL files.
        "No space left on device",
        "could not extend file",
    ];
    const UNAVAILABLE: &[&str] = &[
        // SQLite: SQLITE_BUSY after busy_timeout.
        "database is locked",
        // PostgreSQL: 57P01..57P03, and libpq once the socket is gone.
        "terminating connection due to administrator command",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "server closed the connection unexpectedly",
        "no connection to the server",
        "connection to server",
        "could not receive data from server",
        "could not send data to server",
        "SSL connection has been closed unexpectedly",
    ];
    if FULL.iter().any(|m| message.contains(m)) {
        Some(Fault::StorageFull)
    } else if UNAVAILABLE.iter().any(|m| message.contains(m)) {
        Some(Fault::Unavailable)
    } else {
        None
    }
}

/// The kind of constraint a failed statement violated, the same on both backends.
///
/// SQLite reports a foreign key whose `ON DELETE RESTRICT` fired with a generic constraint
/// code, which diesel cannot classify; its fixed message identifies it.
pub fn violation_kind(error: &diesel::result::Error) -> Option<DatabaseErrorKind> {
    match error {
        diesel::result::Error::DatabaseError(DatabaseErrorKind::Unknown, info)
            if info.message() == "FOREIGN KEY constraint failed" =>
        {
            Some(DatabaseErrorKind::ForeignKeyViolation)
        }
        diesel::result::Error::DatabaseError(kind, _) => Some(*kind),
        _ => None,
    }
}

/// How long tools and tests wait for a pooled connection.
const TOOL_POOL_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens a pool of `size` connections for a command-line tool or a test.
pub fn connect(url: &DatabaseUrl, size: u32) -> Result<DbPool, DbError> {
    connect_with(url, size, TOOL_POOL_TIMEOUT)
}

/// Opens a pool of `size` connections, failing at once with the backend's own error when the
/// first connection cannot be made (rather than after the pool's connection timeout). Later, a
/// request waits at most `timeout` for a connection: during an outage every request is
/// answered (503) that quickly instead of queueing behind the dead database.
pub fn connect_with(url: &DatabaseUrl, size: u32, timeout: Duration) -> Result<DbPool, DbError> {
    let manager = ConnectionManager::new(url.clone());
    let cannot = |e: diesel::r2d2::Error| {
        DbError::Connect(format!("{}: {}", url.display(), first_line(&e.to_string())))
    };
    let mut first = manager.connect().map_err(cannot)?;
    conn::SqlitePragmas::enable_wal(&mut first).map_err(cannot)?;
    drop(first);
    Pool::builder()
        .max_size(size)
        .connection_timeout(timeout)
        .connection_customizer(Box::new(conn::SqlitePragmas))
        .build(manager)
        .map_err(DbError::Pool)
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Runs blocking database work on the blocking thread pool, off the async workers.
pub async fn run<T, E, F>(pool: &DbPool, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    let pool = pool.clone();
    crate::telemetry::spawn_blocking(move || {
        let mut conn = pool.get().map_err(DbError::Pool)?;
        work(&mut conn)
    })
    .await
    .map_err(|_| DbError::Cancelled)?
}

/// The current time as stored: naive UTC, truncated to microseconds because PostgreSQL keeps
/// no more and both backends must return the same values.
pub fn utc_now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A client-given time as stored: microseconds, like [`utc_now`].
pub fn truncate(timestamp: NaiveDateTime) -> NaiveDateTime {
    timestamp.trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_failures_are_faults_not_bugs() {
        assert_eq!(
            message_fault("database or disk is full"),
            Some(Fault::StorageFull)
        );
        assert_eq!(
            message_fault("could not extend file \"base/1/2\": No space left on device"),
            Some(Fault::StorageFull)
        );
        assert_eq!(message_fault("database is locked"), Some(Fault::Unavailable));
        assert_eq!(
            message_fault("terminating connection due to administrator command"),
            Some(Fault::Unavailable)
        );
        assert_eq!(
            message_fault("duplicate key value violates unique constraint"),
            None
        );
    }
}
