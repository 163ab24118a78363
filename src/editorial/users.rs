//! User accounts, managed by admins. Disabling or deleting a user, or changing their role or
//! password, ends their sessions at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::utc;
use crate::db::claim::write_transaction;
use crate::db::models::user::User;
use crate::db::queries::users as users_store;
use crate::db::queries::{audit, sessions, users};
use crate::db::DbConnection;
use crate::domain::kinds::UserRole;
use crate::domain::password;
use crate::domain::permissions::Permission;
use crate::domain::validation::{Checks, FieldCode, FieldError};

use super::{Actor, EditContext, EditError};

pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub role: UserRole,
    pub display_name: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Only in the answer to a create without a password: shown once, never stored in clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

impl UserView {
    fn from_row(user: User) -> Result<Self, EditError> {
        Ok(UserView {
            id: user.id,
            role: user.role,
            email: user.email,
            display_name: user.display_name,
            disabled: user.disabled,
            created_at: utc(user.created_at),
            updated_at: utc(user.updated_at),
            generated_password: None,
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "writer@example.com", "role": "writer", "display_name": "Layla"}))]
pub struct NewUserRequest {
    pub email: String,
    pub role: UserRole,
    #[serde(default)]
    pub display_name: Option<String>,
    /// At least 12 characters; one is generated and returned once when absent.
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    #[serde(default)]
    pub role: Option<UserRole>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    pub password: Option<String>,
}

fn check_password(checks: &mut Checks, password: Option<&str>) {
    if password.is_some_and(|p| p.chars().count() < MIN_PASSWORD_CHARS) {
        checks.push(
            FieldError::coded(
                "/password",
                FieldCode::TooShort,
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            )
            .with_limit(MIN_PASSWORD_CHARS as u64),
        );
    }
}

fn hash(password: &str) -> Result<String, EditError> {
    Ok(anyhow::Context::context(
        password::hash(password),
        "cannot hash the password",
    )?)
}

pub(super) fn find(conn: &mut DbConnection, id: i64) -> Result<User, EditError> {
    users_store::find_by_id(conn, id)?.ok_or_else(|| EditError::NotFound(format!("no user has the id {id}")))
}

pub fn list(conn: &mut DbConnection, actor: &Actor) -> Result<Vec<UserView>, EditError> {
    actor.require(Permission::ManageUsers, "manage users")?;
    users_store::all(conn)?
        .into_iter()
        .map(UserView::from_row)
        .collect()
}

pub fn show(conn: &mut DbConnection, actor: &Actor, id: i64) -> Result<UserView, EditError> {
    if actor.user_id != id {
        actor.require(Permission::ManageUsers, "see other users")?;
    }
    UserView::from_row(find(conn, id)?)
}

pub fn create(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    request: NewUserRequest,
) -> Result<UserView, EditError> {
    actor.require(Permission::ManageUsers, "manage users")?;
    let email = request.email.trim().to_lowercase();
    let mut checks = Checks::default();
    let well_formed = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && email.len() <= 254
        && !email.contains(char::is_whitespace);
    if !well_formed {
        checks.fail_with("/email", FieldCode::Format, "must be an email address");
    }
    check_password(&mut checks, request.password.as_deref());
    checks.length("/display_name", request.display_name.as_deref(), 200);
    checks.finish().map_err(EditError::Invalid)?;
    let (password, generated) = match request.password {
        Some(p) => (p, None),
        None => {
            let p = anyhow::Context::context(password::generate(), "cannot generate a password")?;
            (p.clone(), Some(p))
        }
    };
    let password_hash = hash(&password)?;
    write_transaction(conn, |conn| {
        if users::find_by_email(conn, &email)?.is_some() {
            return Err(EditError::Conflict {
                detail: format!("a user with the email '{email}' exists"),
                errors: vec![FieldError::coded("/email", FieldCode::Taken, "already taken")],
            });
        }
        let id = users::create(
            conn,
            &email,
            &password_hash,
            request.role,
            request.display_name.as_deref(),
        )?;
        audit::record(
            conn,
            actor.audit_ref(),
            "user.create",
            "user",
            &id.to_string(),
            &json!({"role": request.role}),
            ctx.now,
        )?;
        let mut view = UserView::from_row(find(conn, id)?)?;
        view.generated_password = generated;
        Ok(view)
    })
}

pub fn update(
    conn: &mut DbConnection,
    ctx: &EditContext,
    actor: &Actor,
    id: i64,
    update: UserUpdate,
) -> Result<UserView, EditError> {
    actor.require(Permission::ManageUsers, "manage users")?;
    let mut checks = Checks::default();
    check_password(&mut checks, update.password.as_deref());
    checks.length("/display_name", update.display_name.as_deref(), 200);
    if id == actor.user_id
        && (update.disabled == Some(true) || update.role.is_some_and(|r| r != UserRole::Admin))
    {
        checks.fail_with(
            "/",
            FieldCode::Inconsistent,
            "admins cannot disable or demote themselves",
        );
    }
    checks.finish().map_err(EditError::Invalid)?;
    let password_hash = update.password.as_deref().map(hash).transpose()?;
    write_transaction(conn, |conn| {
        let user = find(conn, id)?;
        let role = update.role.unwrap_or(user.role);
        users_store::update(
            conn,
            id,
            &users_store::AccountChange {
                role,
                display_name: update.display_name.as_deref().or(user.display_name.as_deref()),
                disabled: update.disabled.unwrap_or(user.disabled),
                password_hash: password_hash.as_deref().unwrap_or(&user.password_hash),
                at: ctx.now,
            },
        )?;
        if update.disabled == Some(true) || password_hash.is_some() || role != user.role {
            sessions::revoke_all_of(conn, id, "account changed", ctx.now)?;
        }
        audit::record(
            conn,
            actor.audit_ref(),
            "user.update",
            "user",
            &id.to_string(),
            &json!({"role": role, "disabled": update.disabled, "password_changed": password_hash.is_some()}),
            ctx.now,
        )?;
        UserView::from_row(find(conn, id)?)
    })
}

pub fn delete(conn: &mut DbConnection, ctx: &EditContext, actor: &Actor, id: i64) -> Result<(), EditError> {
    actor.require(Permission::ManageUsers, "manage users")?;
    if id == actor.user_id {
        return Err(EditError::invalid(
            "/",
            FieldCode::Inconsistent,
            "admins cannot delete themselves",
        ));
    }
    write_transaction(conn, |conn| {
        find(conn, id)?;
        users_store::delete(conn, id)?;
        audit::record(
            conn,
            actor.audit_ref(),
            "user.delete",
            "user",
            &id.to_string(),
            &json!({}),
            ctx.now,
        )?;
        Ok(())
    })
}
