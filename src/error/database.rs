//! Database errors as problems: what is the client's fault (a unique value taken, a reference
//! to a missing row, a value the schema refuses) is a 4xx naming the field; a database that is
//! down or full is a 503 or 507; anything else a 500 that reveals nothing.

use actix_web::http::StatusCode;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::{FieldCode, FieldError, ProblemCode};
use crate::db::{DbError, Fault};

pub(super) fn database_problem(error: &DbError) -> (StatusCode, ProblemCode, String, Vec<FieldError>) {
    match error {
        DbError::Query(DieselError::NotFound) => (
            StatusCode::NOT_FOUND,
            ProblemCode::NotFound,
            "no such resource".into(),
            vec![],
        ),
        DbError::Query(query_error @ DieselError::DatabaseError(_, info)) => {
            match crate::db::violation_kind(query_error).unwrap_or(DatabaseErrorKind::Unknown) {
                DatabaseErrorKind::UniqueViolation => (
                    StatusCode::CONFLICT,
                    ProblemCode::Conflict,
                    "a resource with the same unique value already exists".into(),
                    column_errors(info.column_name(), FieldCode::Taken, "already taken"),
                ),
                DatabaseErrorKind::ForeignKeyViolation => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ProblemCode::Unprocessable,
                    "a referenced resource does not exist, or is still referenced".into(),
                    column_errors(
                        info.column_name(),
                        FieldCode::NotFound,
                        "refers to a missing resource",
                    ),
                ),
                DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ProblemCode::Unprocessable,
                    "a value is outside what the content model allows".into(),
                    column_errors(info.column_name(), FieldCode::Invalid, "not allowed"),
                ),
                _ => fault_or_internal(error),
            }
        }
        _ => fault_or_internal(error),
    }
}

fn fault_or_internal(error: &DbError) -> (StatusCode, ProblemCode, String, Vec<FieldError>) {
    match error.fault() {
        Some(Fault::Unavailable) => (
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::Unavailable,
            "the database is not reachable; try again shortly".into(),
            vec![],
        ),
        Some(Fault::StorageFull) => (
            StatusCode::INSUFFICIENT_STORAGE,
            ProblemCode::InsufficientStorage,
            "the server has no space left to store this; nothing was written".into(),
            vec![],
        ),
        None => internal(),
    }
}

fn column_errors(column: Option<&str>, code: FieldCode, message: &str) -> Vec<FieldError> {
    column
        .map(|column| vec![FieldError::coded(column, code, message)])
        .unwrap_or_default()
}

pub(super) fn internal() -> (StatusCode, ProblemCode, String, Vec<FieldError>) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        ProblemCode::Internal,
        "the server failed to complete the request; it has been logged".into(),
        vec![],
    )
}
