//! One connection type for both backends, and the pool that hands them out.
//!
//! diesel's derived `MultiConnection::establish` tries each backend in turn and hides why the
//! intended one failed (and a mistyped URL can silently create a SQLite file), so the backend is
//! chosen from the URL scheme here and the real connection error is kept.

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The two backends Khabar runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Pg(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// A database location, parsed from `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    /// A file path (or SQLite `file:` URI) handed to SQLite as is.
    Sqlite(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDatabaseUrl {
    #[error("DATABASE_URL is empty")]
    Empty,
    #[error("DATABASE_URL '{0}' is not a valid PostgreSQL URL: {1}")]
    Postgres(String, String),
    #[error("DATABASE_URL scheme '{0}' is not supported; use postgres://… or sqlite://<path>")]
    Scheme(String),
    #[error("DATABASE_URL '{0}' has no scheme; use sqlite://{0} or postgres://…")]
    NoScheme(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, InvalidDatabaseUrl> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(InvalidDatabaseUrl::Empty);
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let parsed =
                url::Url::parse(raw).map_err(|e| InvalidDatabaseUrl::Postgres(redact(raw), e.to_string()))?;
            if parsed.host_str().is_none_or(str::is_empty) && parsed.query().is_none() {
                return Err(InvalidDatabaseUrl::Postgres(redact(raw), "no host".into()));
            }
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(InvalidDatabaseUrl::NoScheme(raw.to_owned()));
            }
            return Ok(DatabaseUrl::Sqlite(path.to_owned()));
        }
        if raw.starts_with("file:") {
            return Ok(DatabaseUrl::Sqlite(raw.to_owned()));
        }
        match raw.split_once("://") {
            Some((scheme, _)) => Err(InvalidDatabaseUrl::Scheme(scheme.to_owned())),
            // A bare path is only taken when it plainly names a SQLite file, so that a typo
            // such as `pgdb` cannot quietly create an empty database.
            None if [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|ext| raw.ends_with(ext)) =>
            {
                Ok(DatabaseUrl::Sqlite(raw.to_owned()))
            }
            None => Err(InvalidDatabaseUrl::NoScheme(raw.to_owned())),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Postgres(_) => Backend::Postgres,
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The URL with any password replaced, for logs and error messages.
    pub fn display(&self) -> String {
        match self {
            DatabaseUrl::Postgres(url) => redact(url),
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
        }
    }
}

fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

/// Seconds libpq waits for a server that does not answer at all (a host that drops packets)
/// when the URL does not say: without it, a connection attempt can hang for minutes.
const PG_CONNECT_TIMEOUT_SECONDS: u32 = 2;

/// The URL with `connect_timeout` added unless it has one.
pub(super) fn with_connect_timeout(url: &str) -> std::borrow::Cow<'_, str> {
    if url.contains("connect_timeout=") {
        return url.into();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}connect_timeout={PG_CONNECT_TIMEOUT_SECONDS}").into()
}

/// Opens connections for the pool on the backend the URL names.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        ConnectionManager { url }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                PgConnection::establish(&with_connect_timeout(url)).map(DbConnection::Pg)
            }
            DatabaseUrl::Sqlite(path) => SqliteConnection::establish(path).map(DbConnection::Sqlite),
        }
        .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Sets each new SQLite connection up the way Khabar relies on.
#[derive(Debug, Clone, Copy)]
pub struct SqlitePragmas;

impl SqlitePragmas {
    /// Switches the database file to write-ahead logging. The mode is stored in the file, so
    /// this runs once, on the first connection, before the pool opens the others: switching
    /// needs an exclusive lock that parallel new connections would contend for.
    pub fn enable_wal(conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        if let DbConnection::Sqlite(sqlite) = conn {
            sqlite
                .batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

impl CustomizeConnection<DbConnection, r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        if let DbConnection::Sqlite(sqlite) = conn {
            // synchronous=FULL keeps acknowledged writes across power loss, not just process
            // crashes; writes are rare here. Foreign keys are off by default in SQLite.
            sqlite
                .batch_execute(
                    "PRAGMA busy_timeout = 5000;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// For a bulk import on SQLite: commits wait for the write-ahead log, not for the disk (a
/// power loss may lose the last batches, never corrupt the file); `false` where nothing was
/// relaxed (PostgreSQL keeps its own settings).
pub fn relax_durability(conn: &mut DbConnection) -> bool {
    match conn {
        DbConnection::Sqlite(sqlite) => sqlite.batch_execute("PRAGMA synchronous = NORMAL").is_ok(),
        DbConnection::Pg(_) => false,
    }
}

/// Undoes [`relax_durability`].
pub fn restore_durability(conn: &mut DbConnection) {
    if let DbConnection::Sqlite(sqlite) = conn {
        if let Err(error) = sqlite.batch_execute("PRAGMA synchronous = FULL") {
            tracing::warn!(%error, "could not restore synchronous=FULL after an import");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_the_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@localhost/db")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://khabar.db").unwrap(),
            DatabaseUrl::Sqlite("khabar.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("data/k.sqlite3").unwrap(),
            DatabaseUrl::Sqlite("data/k.sqlite3".into())
        );
        assert!(DatabaseUrl::parse("file:memdb?mode=memory").is_ok());
    }

    #[test]
    fn refuses_what_it_cannot_place() {
        assert_eq!(DatabaseUrl::parse(" "), Err(InvalidDatabaseUrl::Empty));
        assert_eq!(
            DatabaseUrl::parse("mysql://x/y"),
            Err(InvalidDatabaseUrl::Scheme("mysql".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("pgdb"),
            Err(InvalidDatabaseUrl::NoScheme(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgres://[oops"),
            Err(InvalidDatabaseUrl::Postgres(..))
        ));
    }

    #[test]
    fn postgres_urls_get_a_connect_timeout() {
        assert_eq!(
            with_connect_timeout("postgres://h/db"),
            "postgres://h/db?connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=require"),
            "postgres://h/db?sslmode=require&connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=9"),
            "postgres://h/db?connect_timeout=9"
        );
    }

    #[test]
    fn hides_passwords() {
        let url = DatabaseUrl::parse("postgres://khabar:secret@db:5432/khabar").unwrap();
        assert_eq!(url.display(), "postgres://khabar:***@db:5432/khabar");
    }
}
