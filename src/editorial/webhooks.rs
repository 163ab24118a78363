//! Webhook subscriptions, managed by admins.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::utc;
use crate::db::claim::write_transaction;
use crate::db::queries::audit;
use crate::db::queries::webhooks::{self, Delivery, Webhook};
use crate::db::DbConnection;
use crate::domain::permissions::Permission;
use crate::domain::validation::{Checks, FieldCode};

use super::events::EVENTS;
use super::{Actor, EditContext, EditError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://partner.example.com/khabar-hook", "events": ["article.published", "article.updated"]}))]
pub struct WebhookRequest {
    /// An http(s) URL on a public address: loopback, private and link-local hosts are refused
    /// unless the server runs with `KHABAR_WEBHOOK_ALLOW_PRIVATE=true`.
    pub url: String,
    /// Any of `article.published`, `article.updated`, `article.unpublished`, `article.deleted`.
    pub events: Vec<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// The HMAC-SHA256 signing secret: in the answer to the create only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub event: String,
    /// The article's public id: deliveries with the same key arrive in order.
    pub ordering_key: String,
    /// pending, delivered or failed (given up after the last attempt).
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

fn view(hook: &Webhook, secret: Option<String>) -> WebhookView {
    WebhookView {
        id: hook.id,
        url: hook.url.clone(),
        events: hook.event_names(),
        active: hook.active,
        created_at: utc(hook.created_at),
        secret,
    }
}

fn delivery_view(d: Delivery) -> DeliveryView {
    DeliveryView {
        id: d.id,
        event: d.event,
        ordering_key: d.ordering_key,
        state: d.state,
        attempts: d.attempts,
        next_attempt_at: utc(d.next_attempt_at),
        last_status: d.last_status,
        last_error: d.last_error,
        created_at: utc(d.created_at),
        delivered_at: d.delivered_at.map(utc),
    }
}

fn checked(request: &WebhookRequest, ctx: &EditContext) -> Result<(), EditError> {
    let mut checks = Checks::default();
    checks.web_url("/url", Some(&request.url));
    if !ctx.allow_private_webhooks {
        if let Some(reason) = url::Url::parse(&request.url)
            .ok()
            .and_then(|url| crate::domain::outbound::refused_host(&url))
        {
            checks.fail_with(
                "/url",
                FieldCode::Format,
                format!("must reach a public address ({reason}; KHABAR_WEBHOOK_ALLOW_PRIVATE allows it)"),
            );
        }
    }
    if request.events.is_empty() {
        checks.fail_with("/events", FieldCode::Required, "subscribe to at least one event");
    }
    for (index, event) in request.events.iter().enumerate() {
        if !EVENTS.contains(&event.as_str()) {
            checks.fail_with(
                format!("/events/{index}"),
                FieldCode::WrongType,
                format!("unknown event; expected one of: {}", EVENTS.join(", ")),
            );
        }
    }
    checks.finish().map_err(EditError::Invalid)
}

fn find(conn: &mut DbConnection, id: i64) -> Result<Webhook, EditError> {
    webhooks::find(conn, id)?.ok_or_else(|| EditError::NotFound(format!("no webhook has the id {id}")))
}

pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    request: WebhookRequest,
) -> Result<WebhookView, EditError> {
    actor.require(Permission::ManageWebhooks, "manage webhooks")?;
    checked(&request, ctx)?;
    let secret = anyhow::Context::context(
        crate::domain::password::random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", 40),
        "cannot generate a webhook secret",
    )?;
    write_transaction(conn, |conn| {
        let hook = webhooks::create(conn, &request.url, &secret, &request.events, ctx.now)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "webhook.create",
            "webhook",
            &hook.id.to_string(),
            &json!({"url": hook.url}),
            ctx.now,
        )?;
        Ok(view(&hook, Some(secret)))
    })
}

pub fn list(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<WebhookView>, EditError> {
    actor.require(Permission::ManageWebhooks, "manage webhooks")?;
    Ok(webhooks::all(conn)?.iter().map(|h| view(h, None)).collect())
}

pub fn update(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    id: i64,
    request: WebhookRequest,
) -> Result<WebhookView, EditError> {
    actor.require(Permission::ManageWebhooks, "manage webhooks")?;
    checked(&request, ctx)?;
    write_transaction(conn, |conn| {
        let current = find(conn, id)?;
        let hook = webhooks::update(
            conn,
            id,
            &request.url,
            &request.events,
            request.active.unwrap_or(current.active),
            ctx.now,
        )?
        .ok_or_else(|| EditError::NotFound(format!("no webhook has the id {id}")))?;
        audit::record(
            conn,
            actor.audit_ref(),
            "webhook.update",
            "webhook",
            &id.to_string(),
            &json!({"url": hook.url}),
            ctx.now,
        )?;
        Ok(view(&hook, None))
    })
}

pub fn delete(conn: &mut DbConnection, ctx: &EditContext, actor: &Actor, id: i64) -> Result<(), EditError> {
    actor.require(Permission::ManageWebhooks, "manage webhooks")?;
    write_transaction(conn, |conn| {
        find(conn, id)?;
        webhooks::delete(conn, id)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "webhook.delete",
            "webhook",
            &id.to_string(),
            &json!({}),
            ctx.now,
        )?;
        Ok(())
    })
}

pub fn deliveries(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    limit: i64,
) -> Result<Vec<DeliveryView>, EditError> {
    actor.require(Permission::ManageWebhooks, "manage webhooks")?;
    find(conn, id)?;
    Ok(webhooks::deliveries(conn, id, limit)?
        .into_iter()
        .map(delivery_view)
        .collect())
}
