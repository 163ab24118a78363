//! `Idempotency-Key` on creates: the first result is stored with the key in the create's own
//! transaction, and a retry with the same key and request gets it back instead of a duplicate.

use crate::db::claim::write_transaction;
use crate::db::queries::idempotency::{self, StoredResponse};
use crate::db::{violation_kind, DbConnection, DbError};

use super::EditError;

/// A create's result, as sent (or as first sent, when `replayed`).
#[derive(Debug, Clone)]
pub struct Created {
    pub status: u16,
    pub location: Option<String>,
    pub body: serde_json::Value,
    pub replayed: bool,
}

/// Longest key accepted.
pub const MAX_KEY_CHARS: usize = 200;

/// Runs `create` once per (user, key); `fingerprint` identifies the request, so that a key
/// reused for a different request is refused instead of answered with the wrong result.
pub fn once(
    conn: &mut DbConnection,
    user_id: i64,
    key: Option<&str>,
    fingerprint: &str,
    now: chrono::NaiveDateTime,
    create: impl FnOnce(&mut DbConnection) -> Result<Created, EditError>,
) -> Result<Created, EditError> {
    let Some(key) = key else {
        return create(conn);
    };
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(EditError::invalid(
            "Idempotency-Key",
            crate::domain::validation::FieldCode::TooLong,
            format!("must be 1 to {MAX_KEY_CHARS} characters"),
        ));
    }
    if let Some(stored) = idempotency::find(conn, user_id, key)? {
        return replay(stored, fingerprint);
    }
    let outcome = write_transaction(conn, |conn| {
        let created = create(conn)?;
        let stored = StoredResponse {
            fingerprint: fingerprint.to_owned(),
            status: i32::from(created.status),
            location: created.location.clone(),
            body: created.body.to_string(),
        };
        idempotency::store(conn, user_id, key, &stored, now)?;
        Ok(created)
    });
    match outcome {
        Err(EditError::Database(DbError::Query(error)))
            if violation_kind(&error) == Some(diesel::result::DatabaseErrorKind::UniqueViolation) =>
        {
            // A concurrent retry stored its result first; this attempt was rolled back whole.
            let stored =
                idempotency::find(conn, user_id, key)?.ok_or(EditError::Database(DbError::Query(error)))?;
            replay(stored, fingerprint)
        }
        other => other,
    }
}

fn replay(stored: StoredResponse, fingerprint: &str) -> Result<Created, EditError> {
    if stored.fingerprint != fingerprint {
        return Err(EditError::Conflict {
            detail: "this Idempotency-Key was used for a different request".into(),
            errors: vec![crate::domain::validation::FieldError::coded(
                "Idempotency-Key",
                crate::domain::validation::FieldCode::Taken,
                "already used for another request",
            )],
        });
    }
    Ok(Created {
        status: u16::try_from(stored.status).unwrap_or(201),
        location: stored.location,
        body: serde_json::from_str(&stored.body).map_err(DbError::corrupt)?,
        replayed: true,
    })
}
