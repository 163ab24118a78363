//! The one place errors become HTTP: every failure leaves as an RFC 9457 problem document
//! (`application/problem+json`). Database errors that are the client's fault (a unique slug
//! taken, a reference to a missing row, a value the schema refuses) map to 4xx here; anything
//! else is logged and answered with a 500 that reveals nothing internal.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbError;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:khabar:problem:not-found",
    "title": "Not Found",
    "status": 404,
    "detail": "no published article has the slug 'x'"
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, safe to switch on.
    #[serde(rename = "type")]
    pub problem_type: String,
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
}

pub use crate::domain::validation::FieldError;

/// Every error a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Conflict(String),
    #[error("{detail}")]
    Unprocessable { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] DbError),
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

    /// The problem document this error becomes.
    pub fn problem(&self) -> Problem {
        let (status, code, detail, errors) = match self {
            ApiError::NotFound(detail) => (StatusCode::NOT_FOUND, "not-found", detail.clone(), vec![]),
            ApiError::BadRequest { detail, errors } => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                detail.clone(),
                errors.clone(),
            ),
            ApiError::Conflict(detail) => (StatusCode::CONFLICT, "conflict", detail.clone(), vec![]),
            ApiError::Unprocessable { detail, errors } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                detail.clone(),
                errors.clone(),
            ),
            ApiError::Unavailable(detail) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                detail.clone(),
                vec![],
            ),
            ApiError::Database(error) => database_problem(error),
        };
        Problem {
            problem_type: format!("urn:khabar:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: Some(detail),
            errors,
        }
    }
}

fn database_problem(error: &DbError) -> (StatusCode, &'static str, String, Vec<FieldError>) {
    match error {
        DbError::Query(DieselError::NotFound) => (
            StatusCode::NOT_FOUND,
            "not-found",
            "no such resource".into(),
            vec![],
        ),
        DbError::Query(query_error @ DieselError::DatabaseError(_, info)) => {
            match crate::db::violation_kind(query_error).unwrap_or(DatabaseErrorKind::Unknown) {
                DatabaseErrorKind::UniqueViolation => (
                    StatusCode::CONFLICT,
                    "conflict",
                    "a resource with the same unique value already exists".into(),
                    column_errors(info.column_name(), "already taken"),
                ),
                DatabaseErrorKind::ForeignKeyViolation => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unprocessable",
                    "a referenced resource does not exist, or is still referenced".into(),
                    column_errors(info.column_name(), "refers to a missing resource"),
                ),
                DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unprocessable",
                    "a value is outside what the content model allows".into(),
                    column_errors(info.column_name(), "not allowed"),
                ),
                _ => internal(error),
            }
        }
        DbError::Pool(_) | DbError::Connect(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database is not reachable; try again shortly".into(),
            vec![],
        ),
        _ => internal(error),
    }
}

fn column_errors(column: Option<&str>, message: &str) -> Vec<FieldError> {
    column
        .map(|column| vec![FieldError::new(column, message)])
        .unwrap_or_default()
}

fn internal(_error: &DbError) -> (StatusCode, &'static str, String, Vec<FieldError>) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the server failed to complete the request; it has been logged".into(),
        vec![],
    )
}

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
        let problem = self.problem();
        if problem.status >= 500 {
            // The client gets a generic message; the cause is only in the log.
            tracing::error!(error = %self, status = problem.status, "request failed");
        }
        problem_response(&problem)
    }
}
