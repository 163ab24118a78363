//! Webhook subscriptions and their outbox of deliveries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{webhook_deliveries, webhooks};
use crate::db::{DbConnection, DbError};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub secret: String,
    /// JSON array of event names.
    pub events: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Webhook {
    pub fn event_names(&self) -> Vec<String> {
        serde_json::from_str(&self.events).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub ordering_key: String,
    pub payload: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

pub fn create(
    conn: &mut DbConnection,
    url: &str,
    secret: &str,
    events: &[String],
    now: NaiveDateTime,
) -> Result<Webhook, DbError> {
    Ok(diesel::insert_into(webhooks::table)
        .values((
            webhooks::url.eq(url),
            webhooks::secret.eq(secret),
            webhooks::events.eq(serde_json::to_string(events).unwrap_or_else(|_| "[]".into())),
            webhooks::active.eq(true),
            webhooks::created_at.eq(now),
            webhooks::updated_at.eq(now),
        ))
        .returning(webhooks::all_columns)
        .get_result(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: i64,
    url: &str,
    events: &[String],
    active: bool,
    now: NaiveDateTime,
) -> Result<Option<Webhook>, DbError> {
    Ok(diesel::update(webhooks::table.find(id))
        .set((
            webhooks::url.eq(url),
            webhooks::events.eq(serde_json::to_string(events).unwrap_or_else(|_| "[]".into())),
            webhooks::active.eq(active),
            webhooks::updated_at.eq(now),
        ))
        .returning(webhooks::all_columns)
        .get_result(conn)
        .optional()?)
}

pub fn find(conn: &mut DbConnection, id: i64) -> Result<Option<Webhook>, DbError> {
    Ok(webhooks::table
        .find(id)
        .select(Webhook::as_select())
        .first(conn)
        .optional()?)
}

pub fn all(conn: &mut DbConnection) -> Result<Vec<Webhook>, DbError> {
    Ok(webhooks::table
        .order(webhooks::id.asc())
        .select(Webhook::as_select())
        .load(conn)?)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::delete(webhooks::table.find(id)).execute(conn)? == 1)
}

/// The subscriptions that receive deliveries.
pub fn active(conn: &mut DbConnection) -> Result<Vec<Webhook>, DbError> {
    Ok(webhooks::table
        .filter(webhooks::active.eq(true))
        .select(Webhook::as_select())
        .load(conn)?)
}

/// Queues `event` for every active subscription to it; returns how many deliveries.
pub fn enqueue(
    conn: &mut DbConnection,
    event: &str,
    ordering_key: &str,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let subscribers = active(conn)?;
    enqueue_for(conn, &subscribers, event, ordering_key, payload, now)
}

/// Queues `event` for each of `subscribers` that subscribed to it.
pub fn enqueue_for(
    conn: &mut DbConnection,
    subscribers: &[Webhook],
    event: &str,
    ordering_key: &str,
    payload: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    let mut queued = 0;
    for hook in subscribers
        .iter()
        .filter(|h| h.event_names().iter().any(|e| e == event))
    {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::webhook_id.eq(hook.id),
                webhook_deliveries::event.eq(event),
                webhook_deliveries::ordering_key.eq(ordering_key),
                webhook_deliveries::payload.eq(payload.to_string()),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
        queued += 1;
    }
    Ok(queued)
}

/// The status and version of each article of `public_ids` that still exists.
pub fn article_states(
    conn: &mut DbConnection,
    public_ids: &[&str],
) -> Result<std::collections::HashMap<String, (String, i32)>, DbError> {
    use crate::db::schema::articles;
    let rows: Vec<(String, String, i32)> = articles::table
        .filter(articles::public_id.eq_any(public_ids))
        .select((articles::public_id, articles::status, articles::version))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, status, version)| (id, (status, version)))
        .collect())
}

/// The delivery log of one subscription, newest first.
pub fn deliveries(conn: &mut DbConnection, webhook_id: i64, limit: i64) -> Result<Vec<Delivery>, DbError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .order(webhook_deliveries::id.desc())
        .limit(limit)
        .select(Delivery::as_select())
        .load(conn)?)
}

/// Records a delivery as done, if `node` still holds its lease; `false` when it does not.
pub fn mark_delivered(
    conn: &mut DbConnection,
    id: i64,
    node: &str,
    status: i32,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let updated = diesel::update(leased(id, node))
        .set((
            webhook_deliveries::state.eq("delivered"),
            webhook_deliveries::last_status.eq(status),
            webhook_deliveries::last_error.eq(None::<String>),
            webhook_deliveries::delivered_at.eq(now),
            webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::locked_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(updated == 1)
}

/// The delivery `id` while `node` holds its lease.
fn leased(
    id: i64,
    node: &str,
) -> diesel::dsl::Filter<
    diesel::dsl::Find<webhook_deliveries::table, i64>,
    diesel::dsl::Eq<webhook_deliveries::locked_by, String>,
> {
    webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::locked_by.eq(node.to_owned()))
}

/// Records a failed attempt, if `node` still holds the lease: retried at `next` or, when
/// `None`, given up on.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    node: &str,
    status: Option<i32>,
    error: &str,
    next: Option<NaiveDateTime>,
) -> Result<bool, DbError> {
    let state = if next.is_some() { "pending" } else { "failed" };
    conn.transaction(|conn| {
        if let Some(next) = next {
            diesel::update(leased(id, node))
                .set(webhook_deliveries::next_attempt_at.eq(next))
                .execute(conn)?;
        }
        let updated = diesel::update(leased(id, node))
            .set((
                webhook_deliveries::state.eq(state),
                webhook_deliveries::last_status.eq(status),
                webhook_deliveries::last_error.eq(error),
                webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::locked_by.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(updated == 1)
    })
}

/// How many deliveries are in each state (`pending`, `delivered`, `failed`).
pub fn count_by_state(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, DbError> {
    Ok(webhook_deliveries::table
        .group_by(webhook_deliveries::state)
        .select((webhook_deliveries::state, diesel::dsl::count_star()))
        .load(conn)?)
}
