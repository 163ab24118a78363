//! What every write handler shares: the edit context, typed bodies with field-level errors,
//! `If-Match`, `Idempotency-Key`, and evicting what a write changed from this node's cache.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::AppState;
use crate::db::{self, DbConnection};
use crate::editorial::idempotency::{self, Created};
use crate::editorial::{Actor, EditContext, EditError};
use crate::error::ApiError;

pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

impl AppState {
    /// The context of an edit made now, by the signed-in caller of this request.
    pub fn edit_context(&self) -> EditContext {
        self.pipeline.context(crate::domain::changes::Origin {
            actor: crate::telemetry::actor(),
            request_id: crate::telemetry::request_id(),
            quiet: false,
        })
    }

    /// Runs a change through the write pipeline on the blocking pool: one transaction, after
    /// which this node follows the change log past it (see [`crate::editorial::pipeline`]);
    /// other nodes are woken by the database's notification and read the same log.
    pub async fn write<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &EditContext) -> Result<T, EditError> + Send + 'static,
        T: Send + 'static,
    {
        self.through_pipeline(false, work).await
    }

    /// [`Self::write`] for a change that commits in batches of its own (an import).
    pub async fn write_batches<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &EditContext) -> Result<T, EditError> + Send + 'static,
        T: Send + 'static,
    {
        self.through_pipeline(true, work).await
    }

    async fn through_pipeline<T, F>(&self, batches: bool, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &EditContext) -> Result<T, EditError> + Send + 'static,
        T: Send + 'static,
    {
        let ctx = self.edit_context();
        let pipeline = self.pipeline.clone();
        let value = db::run(&self.pool, move |conn| {
            let done = if batches {
                pipeline.run_batches(conn, &ctx, work)
            } else {
                pipeline.run(conn, &ctx, work)
            };
            done.map_err(ApiError::from)
        })
        .await?;
        if self.edge_purge {
            // The edge is purged from the log: let the worker send it now, not at its next poll.
            self.lifecycle.wake_worker();
        }
        Ok(value)
    }

    /// Runs a read of the write side (editable forms, revisions, previews).
    pub async fn read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &EditContext) -> Result<T, EditError> + Send + 'static,
        T: Send + 'static,
    {
        let ctx = self.edit_context();
        db::run(&self.pool, move |conn| work(conn, &ctx).map_err(ApiError::from)).await
    }
}

/// Deserializes a JSON body into `T`; a wrong type or an unknown field is a 422 naming it.
pub fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    crate::editorial::from_json(value).map_err(ApiError::from)
}

/// The version `If-Match` names. Missing is a 428; a tag that is not one of ours (or `*`,
/// which would allow a blind overwrite) can match no version, so it fails with 412 later.
pub fn expected_version(request: &HttpRequest) -> Result<i32, ApiError> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the article's ETag (e.g. \"v3\") so that no edit is lost".into(),
        ));
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value == "*" {
        return Err(ApiError::PreconditionRequired(
            "If-Match: * would overwrite any version; send the ETag of the version you edited".into(),
        ));
    }
    Ok(value
        .split(',')
        // A compressed answer's tag names the same version (`"v3-gzip"`).
        .map(super::middleware::encoding::base_tag)
        .find_map(|tag| tag.strip_prefix("\"v")?.strip_suffix('"')?.parse::<i32>().ok())
        .unwrap_or(0))
}

/// A JSON answer with an optional `ETag`, never cached.
pub fn json_response<T: Serialize>(status: StatusCode, body: &T, etag: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(etag) = etag {
        response.insert_header((header::ETAG, etag));
    }
    response.json(body)
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// Identifies a request for `Idempotency-Key`: method, path and body.
fn fingerprint(request: &HttpRequest, body: &serde_json::Value) -> String {
    let mut digest = Sha256::new();
    digest.update(request.method().as_str());
    digest.update(b" ");
    digest.update(request.path());
    digest.update(b"\n");
    digest.update(body.to_string());
    digest.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs a create once per `Idempotency-Key` (when the client sent one) and answers 201 with
/// `Location`; a retry gets the stored answer with `Idempotent-Replayed: true`.
pub async fn create_once<F>(
    state: &AppState,
    request: &HttpRequest,
    actor: &Actor,
    body: &serde_json::Value,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut DbConnection, &EditContext) -> Result<Created, EditError> + Send + 'static,
{
    let key = match request.headers().get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ApiError::invalid_field(IDEMPOTENCY_KEY, "must be visible ASCII"))?
                .to_owned(),
        ),
    };
    let fingerprint = fingerprint(request, body);
    let user_id = actor.user_id;
    let created = state
        .write(move |conn, ctx| {
            let ctx = ctx.clone();
            idempotency::once(conn, user_id, key.as_deref(), &fingerprint, ctx.now, |conn| {
                create(conn, &ctx)
            })
        })
        .await?;
    let mut response =
        HttpResponse::build(StatusCode::from_u16(created.status).unwrap_or(StatusCode::CREATED));
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(location) = &created.location {
        response.insert_header((header::LOCATION, location.as_str()));
    }
    if let Some(version) = created.body.get("version").and_then(|v| v.as_i64()) {
        response.insert_header((header::ETAG, crate::api::editorial::version_etag(version as i32)));
    }
    if created.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.json(created.body))
}

/// Wraps a created resource for [`create_once`].
pub fn created<T: Serialize>(location: String, body: &T) -> Result<Created, EditError> {
    Ok(Created {
        status: 201,
        location: Some(location),
        body: serde_json::to_value(body).map_err(crate::db::DbError::unserializable)?,
        replayed: false,
    })
}

use crate::error::Problem;

/// The answers every protected operation can give besides its own.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Protected {
    /// No access token, or one that is malformed, tampered with, expired, revoked, or whose
    /// user is disabled or deleted. `WWW-Authenticate: Bearer` says which.
    #[response(status = 401, content_type = "application/problem+json", headers(("WWW-Authenticate" = String)))]
    Unauthorized(Problem),
    /// The token's role lacks the right (see the permission matrix in the README).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
}

/// The answers of an operation that takes a JSON body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum BodyProblems {
    /// Malformed JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
    /// The body is larger than 1 MiB.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    NotJson(Problem),
    /// A field is missing, unknown, of the wrong type or invalid, or names a missing resource;
    /// `errors` lists each as a JSON Pointer.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// The answers of a change to a versioned article.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum VersionProblems {
    /// No article has this id.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// `If-Match` names another version: re-read, merge, and retry with the current ETag
    /// (also in `current_version` and the `ETag` header).
    #[response(status = 412, content_type = "application/problem+json", headers(("ETag" = String)))]
    Stale(Problem),
    /// `If-Match` is missing.
    #[response(status = 428, content_type = "application/problem+json")]
    Required(Problem),
}

/// The answer to a path parameter that is not a number in range.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum BadPath {
    /// A path parameter is malformed (e.g. not a whole number in range).
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(Problem),
}

/// The answer to a create whose `Idempotency-Key` was already used for a different request.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum KeyReused {
    /// The `Idempotency-Key` was used before for another request; nothing was created.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
}
