//! The audit log: who did what to which resource, when. Written in each write's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: String,
    pub created_at: NaiveDateTime,
}

/// Who acted: a user, or the system (scheduled jobs).
#[derive(Debug, Clone, Copy)]
pub struct ActorRef<'a> {
    pub user_id: Option<i64>,
    pub email: Option<&'a str>,
}

pub fn record(
    conn: &mut DbConnection,
    actor: ActorRef<'_>,
    action: &str,
    target_type: &str,
    target_id: &str,
    detail: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_user_id.eq(actor.user_id),
            audit_log::actor_email.eq(actor.email),
            audit_log::action.eq(action),
            audit_log::target_type.eq(target_type),
            audit_log::target_id.eq(target_id),
            audit_log::detail.eq(detail.to_string()),
            audit_log::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Newest first, entries older than `before` (an id) when given.
pub fn page(conn: &mut DbConnection, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>, DbError> {
    Ok(audit_log::table
        .filter(audit_log::id.lt(before.unwrap_or(i64::MAX)))
        .order(audit_log::id.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)?)
}
