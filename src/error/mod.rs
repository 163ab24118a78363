//! The one place errors become HTTP: every failure leaves as an RFC 9457 problem document
//! (`application/problem+json`). Database errors that are the client's fault (a unique slug
//! taken, a reference to a missing row, a value the schema refuses) map to 4xx here; a database
//! that is down or full is a 503 or 507; anything else is logged with its causes and answered
//! with a 500 that reveals nothing internal.

mod code;
mod conversions;
mod database;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use code::ProblemCode;
use database::{database_problem, internal};

use crate::db::DbError;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:khabar:problem:not-found",
    "code": "not-found",
    "title": "Not Found",
    "status": 404,
    "detail": "no published article has the slug 'x'"
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, safe to switch on.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The kind of problem as a word (the last part of `type`).
    pub code: ProblemCode,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a human.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per invalid field or parameter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With 412: the version the resource is at now (send it in `If-Match` after re-reading).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// With a refused workflow move (409): the statuses the article can move to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The request's id (also in `X-Request-Id`), to find it in the server's logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub use crate::domain::validation::{FieldCode, FieldError};

/// Every error a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("{detail}")]
    Conflict { detail: String, errors: Vec<FieldError> },
    #[error("{detail}")]
    Unprocessable { detail: String, errors: Vec<FieldError> },
    /// A dependency is down or the node is draining: 503 with `Retry-After`. The text is for
    /// the client; causes belong in the log, never here.
    #[error("{0}")]
    Unavailable(String),
    /// Too busy for this now (e.g. the node holds as many streams as it may): 503 with
    /// `Retry-After: retry_after`.
    #[error("{detail}")]
    Busy { detail: String, retry_after: u64 },
    /// No longer kept: 410.
    #[error("{detail}")]
    Gone { detail: String, errors: Vec<FieldError> },
    /// No space left to store what was sent: 507.
    #[error("{0}")]
    InsufficientStorage(String),
    /// No credentials, or credentials that do not verify: 401 with `WWW-Authenticate`.
    #[error("{0}")]
    Unauthorized(Unauthorized),
    /// An `X-Api-Key` that is malformed, unknown or revoked, or whose partner is disabled.
    #[error("{0}")]
    InvalidApiKey(String),
    #[error("{0}")]
    Forbidden(String),
    /// A change to a versioned resource without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{detail}")]
    PreconditionFailed { detail: String, current_version: i32 },
    /// A read's `If-Match` or `If-Unmodified-Since` did not hold (no version to name).
    #[error("{0}")]
    ConditionFailed(String),
    /// No requested byte range lies within the representation (`length` bytes).
    #[error("no requested range lies within the {length} bytes of this file")]
    RangeNotSatisfiable { length: u64 },
    #[error("{detail}")]
    WorkflowConflict { detail: String, allowed: Vec<String> },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests; retry in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    /// The request body did not arrive within the body deadline.
    #[error("{0}")]
    RequestTimeout(String),
    /// The path exists but not for this method; `allow` lists the methods it has.
    #[error("{method} is not allowed here; use {}", allow.join(", "))]
    MethodNotAllowed { method: String, allow: Vec<String> },
    /// The resource lives at `location` now (an old slug): 308, not a problem.
    #[error("moved to {location}")]
    Moved { location: String },
    #[error(transparent)]
    Database(#[from] DbError),
    /// A failure that is nobody's input: a bug or the environment. Logged with its causes.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why a request was refused as unauthenticated (RFC 6750 §3 tells the two apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unauthorized {
    /// No credentials were sent: the challenge names the scheme only.
    Missing(String),
    /// Credentials were sent and refused: `error="invalid_token"` with the reason.
    Refused(String),
}

impl std::fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unauthorized::Missing(detail) | Unauthorized::Refused(detail) => f.write_str(detail),
        }
    }
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        ApiError::BadRequest {
            detail: format!("invalid {}: {}", error.field, error.message),
            errors: vec![error],
        }
    }

    /// A 422 listing every invalid field; the detail repeats them for humans.
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Unprocessable { detail, errors }
    }

    pub fn unprocessable_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::unprocessable(vec![FieldError::new(field, message)])
    }

    /// The problem document this error becomes.
    pub fn problem(&self) -> Problem {
        let (status, code, detail, errors) = self.parts();
        Problem {
            problem_type: format!("urn:khabar:problem:{}", code.as_str()),
            code,
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: Some(detail),
            errors,
            current_version: match self {
                ApiError::PreconditionFailed { current_version, .. } => Some(*current_version),
                _ => None,
            },
            allowed: match self {
                ApiError::WorkflowConflict { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
            request_id: crate::telemetry::request_id(),
        }
    }

    /// Status, code, detail and field errors: of what was asked for, who asks, and the server.
    fn parts(&self) -> Parts {
        match self {
            ApiError::NotFound(detail) => (
                StatusCode::NOT_FOUND,
                ProblemCode::NotFound,
                detail.clone(),
                vec![],
            ),
            ApiError::BadRequest { detail, errors } => (
                StatusCode::BAD_REQUEST,
                ProblemCode::BadRequest,
                detail.clone(),
                errors.clone(),
            ),
            ApiError::Conflict { detail, errors } => (
                StatusCode::CONFLICT,
                ProblemCode::Conflict,
                detail.clone(),
                errors.clone(),
            ),
            ApiError::Unprocessable { detail, errors } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ProblemCode::Unprocessable,
                detail.clone(),
                errors.clone(),
            ),
            ApiError::Unavailable(detail) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ProblemCode::Unavailable,
                detail.clone(),
                vec![],
            ),
            ApiError::Busy { detail, .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ProblemCode::Unavailable,
                detail.clone(),
                vec![],
            ),
            ApiError::Gone { detail, errors } => (
                StatusCode::GONE,
                ProblemCode::Gone,
                detail.clone(),
                errors.clone(),
            ),
            ApiError::InsufficientStorage(detail) => (
                StatusCode::INSUFFICIENT_STORAGE,
                ProblemCode::InsufficientStorage,
                detail.clone(),
                vec![],
            ),
            ApiError::Unauthorized(reason) => (
                StatusCode::UNAUTHORIZED,
                ProblemCode::Unauthorized,
                reason.to_string(),
                vec![],
            ),
            ApiError::InvalidApiKey(detail) => (
                StatusCode::UNAUTHORIZED,
                ProblemCode::InvalidApiKey,
                detail.clone(),
                vec![FieldError::new("X-Api-Key", "unknown or revoked")],
            ),
            ApiError::Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                ProblemCode::Forbidden,
                detail.clone(),
                vec![],
            ),
            ApiError::Database(error) => database_problem(error),
            ApiError::Internal(_) => internal(),
            _ => self.protocol_parts(),
        }
    }

    /// The same, for what HTTP itself says of a request: its size, type, conditions, range,
    /// method, pace and place.
    fn protocol_parts(&self) -> Parts {
        match self {
            ApiError::PayloadTooLarge(detail) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemCode::PayloadTooLarge,
                detail.clone(),
                vec![],
            ),
            ApiError::UnsupportedMediaType(detail) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemCode::UnsupportedMediaType,
                detail.clone(),
                vec![],
            ),
            ApiError::PreconditionRequired(detail) => (
                StatusCode::PRECONDITION_REQUIRED,
                ProblemCode::PreconditionRequired,
                detail.clone(),
                vec![FieldError::required("If-Match")],
            ),
            ApiError::PreconditionFailed { detail, .. } => (
                StatusCode::PRECONDITION_FAILED,
                ProblemCode::PreconditionFailed,
                detail.clone(),
                vec![],
            ),
            ApiError::ConditionFailed(detail) => (
                StatusCode::PRECONDITION_FAILED,
                ProblemCode::PreconditionFailed,
                detail.clone(),
                vec![],
            ),
            ApiError::RangeNotSatisfiable { .. } => (
                StatusCode::RANGE_NOT_SATISFIABLE,
                ProblemCode::RangeNotSatisfiable,
                self.to_string(),
                vec![FieldError::coded(
                    "Range",
                    FieldCode::OutOfRange,
                    "outside the file",
                )],
            ),
            ApiError::WorkflowConflict { detail, .. } => (
                StatusCode::CONFLICT,
                ProblemCode::InvalidTransition,
                detail.clone(),
                vec![],
            ),
            ApiError::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                ProblemCode::TooManyRequests,
                self.to_string(),
                vec![],
            ),
            ApiError::RequestTimeout(detail) => (
                StatusCode::REQUEST_TIMEOUT,
                ProblemCode::RequestTimeout,
                detail.clone(),
                vec![],
            ),
            ApiError::MethodNotAllowed { .. } => (
                StatusCode::METHOD_NOT_ALLOWED,
                ProblemCode::MethodNotAllowed,
                self.to_string(),
                vec![],
            ),
            ApiError::Moved { .. } => (
                StatusCode::PERMANENT_REDIRECT,
                ProblemCode::Moved,
                self.to_string(),
                vec![],
            ),
            _ => internal(),
        }
    }
}

/// A problem's status, code, detail and field errors.
type Parts = (StatusCode, ProblemCode, String, Vec<FieldError>);

/// Renders a problem with its media type.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(problem)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Moved { location } = self {
            // Not an error: an old address that leads on, as cacheable as the answer would be.
            return HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, location.as_str()))
                .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
                .finish();
        }
        let problem = self.problem();
        self.log(problem.status);
        let mut response = problem_response(&problem);
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized(reason) => {
                // RFC 6750 §3: the scheme, and why the token was refused when one was sent.
                let value = match reason {
                    Unauthorized::Missing(_) => "Bearer realm=\"khabar\"".to_owned(),
                    Unauthorized::Refused(detail) => format!(
                        "Bearer realm=\"khabar\", error=\"invalid_token\", error_description=\"{}\"",
                        detail.replace(['"', '\\'], "'")
                    ),
                };
                if let Ok(value) = header::HeaderValue::from_str(&value) {
                    headers.insert(header::WWW_AUTHENTICATE, value);
                }
            }
            ApiError::InvalidApiKey(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("ApiKey realm=\"khabar\", header=\"X-Api-Key\""),
                );
            }
            ApiError::TooManyRequests { retry_after } => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after));
            }
            ApiError::PreconditionFailed { current_version, .. } => {
                if let Ok(value) =
                    header::HeaderValue::from_str(&crate::api::editorial::version_etag(*current_version))
                {
                    headers.insert(header::ETAG, value);
                }
            }
            ApiError::RangeNotSatisfiable { length } => {
                // RFC 9110 §14.4: the length, so the client can ask again within it.
                if let Ok(value) = header::HeaderValue::from_str(&format!("bytes */{length}")) {
                    headers.insert(header::CONTENT_RANGE, value);
                }
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                if let Ok(value) = header::HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            ApiError::RequestTimeout(_) => {
                // The rest of the body may still be on its way: this connection is done.
                response
                    .head_mut()
                    .set_connection_type(actix_web::http::ConnectionType::Close);
            }
            _ => {}
        }
        if let ApiError::Busy { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(*retry_after));
        } else if problem.status == 503 {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}

impl ApiError {
    /// Logs what the client is not told: server faults with their whole cause chain, as what
    /// they are (a bug is an error, an outage a warning).
    fn log(&self, status: u16) {
        match self {
            ApiError::Internal(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    status,
                    "request failed: internal error"
                );
            }
            ApiError::Database(error) if status >= 500 => {
                let cause = crate::chain::error_chain(error);
                match error.fault() {
                    Some(fault) => {
                        tracing::warn!(error = cause, ?fault, status, "request failed: database fault")
                    }
                    None => tracing::error!(error = cause, status, "request failed: database error"),
                }
            }
            _ if status >= 500 => tracing::warn!(error = %self, status, "request refused"),
            _ => {}
        }
    }
}
