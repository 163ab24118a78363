//! Partner API keys, issued and revoked by admins. A key grants no rights: it names the partner
//! so that their reads count against the partner rate limit instead of their address's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::utc;
use crate::db::claim::write_transaction;
use crate::db::queries::api_keys::{self, ApiKey};
use crate::db::queries::audit;
use crate::db::DbConnection;
use crate::domain::kinds::UserRole;
use crate::domain::permissions::Permission;
use crate::domain::validation::Checks;

use super::{users, Actor, EditContext, EditError};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Nabd feed poller"}))]
pub struct NewApiKeyRequest {
    /// What the key is for, to tell keys apart (1 to 200 characters).
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The key's first characters, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key itself, for the `X-Api-Key` header: in the answer to the create only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

fn view(key: ApiKey, secret: Option<String>) -> ApiKeyView {
    ApiKeyView {
        id: key.id,
        user_id: key.user_id,
        name: key.name,
        prefix: key.prefix,
        created_at: utc(key.created_at),
        revoked_at: key.revoked_at.map(utc),
        key: secret,
    }
}

/// Issues a key to a partner account.
pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    user_id: i64,
    request: NewApiKeyRequest,
) -> Result<ApiKeyView, EditError> {
    actor.require(Permission::ManageUsers, "manage API keys")?;
    let mut checks = Checks::default();
    checks.text("/name", &request.name, 200);
    checks.finish().map_err(EditError::Invalid)?;
    let (secret, prefix, digest) = crate::auth::api_keys::generate()?;
    write_transaction(conn, |conn| {
        let owner = users::find(conn, user_id)?;
        if owner.role != UserRole::Partner {
            return Err(EditError::Conflict {
                detail: format!(
                    "user {user_id} is a {}; API keys are issued to partner accounts only",
                    owner.role
                ),
                errors: vec![],
            });
        }
        let key = api_keys::create(conn, user_id, request.name.trim(), &prefix, &digest, ctx.now)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "api_key.create",
            "api_key",
            &key.id.to_string(),
            &json!({"user_id": user_id, "prefix": key.prefix}),
            ctx.now,
        )?;
        Ok(view(key, Some(secret)))
    })
}

pub fn list(conn: &mut DbConnection, actor: &Actor, user_id: i64) -> Result<Vec<ApiKeyView>, EditError> {
    actor.require(Permission::ManageUsers, "manage API keys")?;
    users::find(conn, user_id)?;
    Ok(api_keys::of_user(conn, user_id)?
        .into_iter()
        .map(|key| view(key, None))
        .collect())
}

/// Revokes a key; revoking a revoked key again changes nothing and is not an error.
pub fn revoke(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    user_id: i64,
    id: i64,
) -> Result<(), EditError> {
    actor.require(Permission::ManageUsers, "manage API keys")?;
    write_transaction(conn, |conn| {
        api_keys::find(conn, user_id, id)?
            .ok_or_else(|| EditError::NotFound(format!("user {user_id} has no API key with the id {id}")))?;
        if api_keys::revoke(conn, id, ctx.now)? {
            audit::record(
                conn,
                actor.audit_ref(),
                "api_key.revoke",
                "api_key",
                &id.to_string(),
                &json!({"user_id": user_id}),
                ctx.now,
            )?;
        }
        Ok(())
    })
}
