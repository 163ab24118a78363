//! The write side: every change is one transaction that checks permissions and versions, writes
//! the rows, stores a revision, records the audit entry, queues webhook deliveries and jobs,
//! and recompiles what the public sees. No HTTP here; `routes` maps [`EditError`] to problems.

pub mod api_keys;
pub mod articles;
pub mod catalog;
pub mod content_sets;
pub mod events;
pub mod idempotency;
pub mod imports;
pub mod pipeline;
pub mod redirects;
pub mod users;
pub mod webhooks;

use chrono::NaiveDateTime;

use crate::api::article::UrlBuilder;
use crate::db::queries::audit::ActorRef;
use crate::db::DbError;
use crate::domain::kinds::UserRole;
use crate::domain::permissions::{self, Permission};
use crate::domain::validation::{FieldCode, FieldError};
use crate::domain::workflow::InvalidTransition;

/// The signed-in user making a change.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub role: UserRole,
}

impl Actor {
    pub fn may(&self, permission: Permission) -> bool {
        permissions::allows(self.role, permission)
    }

    pub fn require(&self, permission: Permission, what: &str) -> Result<(), EditError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(EditError::Forbidden(format!("a {} may not {what}", self.role)))
        }
    }

    pub fn audit_ref(&self) -> ActorRef<'_> {
        ActorRef {
            user_id: Some(self.user_id),
            email: Some(&self.email),
        }
    }
}

/// What every write needs besides the connection.
#[derive(Clone)]
pub struct EditContext {
    pub urls: UrlBuilder,
    pub now: NaiveDateTime,
    /// Feeds to announce to the WebSub hub on publish, if a hub is configured.
    pub websub: Option<events::WebSub>,
    /// Whether webhook URLs may name loopback, private or link-local hosts.
    pub allow_private_webhooks: bool,
    /// A featured image narrower than this is a warning in the editorial answer.
    pub featured_image_min_width: u32,
    /// Signs the rendition URLs of uploads; `None` where no editor is answered (the worker).
    pub images: Option<crate::images::ImageLinks>,
    /// Who makes this change and in answer to which request (`X-Request-Id`): written into the
    /// change log and handed to the webhook deliveries and edge purges it causes.
    pub origin: crate::domain::changes::Origin,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("{detail}")]
    Conflict { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Transition(InvalidTransition),
    #[error("the article has changed since version {expected}; it is now at version {current}")]
    Stale { expected: i32, current: i32 },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for EditError {
    fn from(error: diesel::result::Error) -> Self {
        EditError::Database(DbError::Query(error))
    }
}

impl EditError {
    pub fn invalid(field: &str, code: FieldCode, message: impl Into<String>) -> Self {
        EditError::Invalid(vec![FieldError::coded(field, code, message)])
    }
}

/// Deserializes a JSON body into `T`, naming the offending field as a JSON Pointer. Fields `T`
/// does not know are refused too, at any depth: types that are flattened into responses
/// cannot say `deny_unknown_fields` without their documented schema refusing the response's
/// own fields, so unknown fields are caught here instead.
pub fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, EditError> {
    // One check of every string for what text may not hold, so that no field is forgotten.
    if let Some((pointer, found)) = crate::domain::text::forbidden_in_json(&value) {
        return Err(EditError::Invalid(vec![FieldError::coded(
            pointer,
            FieldCode::ForbiddenCharacter,
            found.to_string(),
        )]));
    }
    let mut unknown = Vec::new();
    let parsed: Result<T, _> =
        serde_path_to_error::deserialize(serde_ignored::Deserializer::new(value, &mut |path| {
            unknown.push(pointer(&path.to_string()))
        }));
    let value = parsed.map_err(|error| {
        let message = error.inner().to_string();
        let message = match message.split(" at line ").next() {
            Some(head) => head.to_owned(),
            None => message,
        };
        EditError::Invalid(vec![FieldError::coded(
            pointer(&error.path().to_string()),
            serde_code(&message),
            message,
        )])
    })?;
    if !unknown.is_empty() {
        return Err(EditError::Invalid(
            unknown
                .into_iter()
                .map(|field| FieldError::coded(field, FieldCode::UnknownField, "unknown field"))
                .collect(),
        ));
    }
    Ok(value)
}

/// The code of a serde error by its message: serde's errors are not typed, but their wording
/// is fixed by serde itself ("missing field", "invalid type", "unknown variant", …).
fn serde_code(message: &str) -> FieldCode {
    if message.starts_with("missing field") {
        FieldCode::Required
    } else if message.starts_with("invalid type") || message.starts_with("unknown variant") {
        FieldCode::WrongType
    } else if message.starts_with("unknown field") {
        FieldCode::UnknownField
    } else if message.starts_with("invalid length") {
        FieldCode::TooMany
    } else if message.starts_with("invalid value") {
        FieldCode::Format
    } else {
        FieldCode::Invalid
    }
}

/// `bylines[0].role` or `bylines.0.role` as the JSON Pointer `/bylines/0/role`.
fn pointer(path: &str) -> String {
    if path.is_empty() || path == "." || path == "?" {
        return "/".to_owned();
    }
    format!("/{}", path.replace(['.', '['], "/").replace(']', ""))
}
