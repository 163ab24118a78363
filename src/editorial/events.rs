//! What a change tells the outside world: the change log, appended in the change's
//! transaction, which every node's cache, the edge purges, webhook deliveries and WebSub pings
//! follow (see `worker::log`).

use chrono::NaiveDateTime;

use crate::db::{DbConnection, DbError};
use crate::domain::changes::Origin;

pub use crate::delivery::outbox::{WebSub, EVENTS};

/// Recompiles `article_ids`: what became public, changed or stopped being public enters the
/// change log in the change's transaction, and every node's cache and the edge follow the log
/// (so a committed change is always purged, and a rolled-back one never is).
pub fn republish(
    conn: &mut DbConnection,
    ctx: &super::EditContext,
    article_ids: &[i64],
) -> Result<(), DbError> {
    republish_at(conn, ctx, article_ids, ctx.now)
}

/// [`republish`] with the time the articles' forms are compiled as of.
pub fn republish_at(
    conn: &mut DbConnection,
    ctx: &super::EditContext,
    article_ids: &[i64],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    crate::delivery::publish_changes(conn, article_ids, &ctx.urls, at, &ctx.origin)
}

/// After content changed around the API (`khabar import`, `khabar recompile`): the log says
/// that anything may have changed, so every running node empties its cache when it reads it
/// (on PostgreSQL at once; a SQLite server within its worker's poll) and, with an edge
/// cache, the edge is purged whole.
pub fn everything_changed(conn: &mut DbConnection, origin: &Origin) -> Result<(), DbError> {
    crate::db::claim::write_transaction(conn, |conn| crate::delivery::log_everything(conn, origin))
}
