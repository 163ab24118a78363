//! Embedded migrations, one folder per backend with the same version names.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConnection, DbError};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// An arbitrary constant shared by every Khabar node, so that nodes starting together on one
/// PostgreSQL database migrate one at a time.
const MIGRATION_LOCK_KEY: i64 = 0x6b68_6162_6172;

/// Applies pending migrations; returns the versions applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConnection::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE).map(versions),
        DbConnection::Pg(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = pg.run_pending_migrations(POSTGRES).map(versions);
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result
        }
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// True when every embedded migration has been applied (what `/readyz` checks).
pub fn is_up_to_date(conn: &mut DbConnection) -> Result<bool, DbError> {
    let pending = match conn {
        DbConnection::Sqlite(sqlite) => sqlite.has_pending_migration(SQLITE),
        DbConnection::Pg(pg) => pg.has_pending_migration(POSTGRES),
    };
    pending
        .map(|pending| !pending)
        .map_err(|e| DbError::Migration(e.to_string()))
}

fn versions(applied: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    applied.iter().map(ToString::to_string).collect()
}
