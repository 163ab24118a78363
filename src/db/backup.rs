//! Online backups of SQLite databases: `VACUUM INTO` writes a consistent, compacted copy of
//! the database as of one read transaction, while the server goes on reading and writing
//! (WAL mode), and the copy is checked with `PRAGMA integrity_check` before it is kept.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::{DbConnection, DbError};

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Pages {
    #[diesel(sql_type = BigInt)]
    page_count: i64,
}

/// Copies the SQLite database `conn` is on to `path` (which must not exist) and checks the
/// copy; returns its page count. A copy that fails the check is removed.
pub fn sqlite_copy(conn: &mut DbConnection, path: &Path) -> Result<i64, DbError> {
    let DbConnection::Sqlite(sqlite) = conn else {
        return Err(DbError::Unexpected(anyhow::anyhow!(
            "VACUUM INTO is SQLite's; PostgreSQL is backed up with pg_dump"
        )));
    };
    let target = path
        .to_str()
        .ok_or_else(|| DbError::Unexpected(anyhow::anyhow!("the backup path is not UTF-8")))?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(sqlite)?;
    let checked = check(target);
    if checked.is_err() {
        let _ = std::fs::remove_file(path);
    }
    checked
}

/// Opens a copy read-only and runs the full integrity check.
pub fn check(path: &str) -> Result<i64, DbError> {
    let uri = format!("file:{path}?mode=ro");
    let mut copy = SqliteConnection::establish(&uri).map_err(|e| DbError::Connect(e.to_string()))?;
    copy.batch_execute("PRAGMA query_only = 1")?;
    let results: Vec<Check> = diesel::sql_query("PRAGMA integrity_check").load(&mut copy)?;
    let problems: Vec<String> = results
        .into_iter()
        .map(|r| r.integrity_check)
        .filter(|r| r != "ok")
        .collect();
    if !problems.is_empty() {
        return Err(DbError::Corrupt(format!(
            "the copy fails its integrity check: {}",
            problems.join("; ")
        )));
    }
    let pages: Vec<Pages> = diesel::sql_query("PRAGMA page_count").load(&mut copy)?;
    Ok(pages.first().map_or(0, |p| p.page_count))
}
