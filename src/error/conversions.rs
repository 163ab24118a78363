//! Each lower layer's error as an [`ApiError`]: the one place a service's, a reader's, the
//! image pipeline's or storage's failures get their HTTP meaning.

use super::{ApiError, Unauthorized};

impl From<crate::editorial::EditError> for ApiError {
    fn from(error: crate::editorial::EditError) -> Self {
        use crate::editorial::EditError;
        match error {
            EditError::Forbidden(detail) => ApiError::Forbidden(detail),
            EditError::NotFound(detail) => ApiError::NotFound(detail),
            EditError::Invalid(errors) => ApiError::unprocessable(errors),
            EditError::Conflict { detail, errors } => ApiError::Conflict { detail, errors },
            EditError::Transition(refused) => ApiError::WorkflowConflict {
                detail: refused.to_string(),
                allowed: refused.allowed.iter().map(|s| s.as_str().to_owned()).collect(),
            },
            stale @ EditError::Stale { current, .. } => ApiError::PreconditionFailed {
                detail: stale.to_string(),
                current_version: current,
            },
            EditError::Database(error) => ApiError::Database(error),
            EditError::Unexpected(error) => ApiError::Internal(error),
        }
    }
}

impl From<crate::reads::ReadError> for ApiError {
    fn from(error: crate::reads::ReadError) -> Self {
        use crate::reads::ReadError;
        match error {
            ReadError::NotFound(detail) => ApiError::NotFound(detail),
            ReadError::Gone { detail, errors } => ApiError::Gone { detail, errors },
            ReadError::BadRequest { detail, errors } => ApiError::BadRequest { detail, errors },
            ReadError::Database(error) => ApiError::Database(error),
            // Routes that can answer with a redirect build its location from the request.
            ReadError::Moved { slug, language } => ApiError::Moved {
                location: format!("{slug}?language={language}"),
            },
        }
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(error: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError;
        match error {
            AuthError::BadCredentials => ApiError::Unauthorized(Unauthorized::Refused(error.to_string())),
            AuthError::BadToken(detail) => ApiError::Unauthorized(Unauthorized::Refused(detail.to_owned())),
            AuthError::Database(error) => ApiError::Database(error),
            AuthError::Unexpected(error) => ApiError::Internal(error),
        }
    }
}

impl From<crate::images::ImageError> for ApiError {
    fn from(error: crate::images::ImageError) -> Self {
        use crate::images::{render::RenderError, ImageError};
        match error {
            ImageError::BadParameter(e) => ApiError::invalid_field(e.field, e.detail),
            ImageError::BadSignature => ApiError::Forbidden(
                "this image URL is not signed by this server for these parameters; use the URLs the API gives".into(),
            ),
            ImageError::NotFound(detail) => ApiError::NotFound(detail),
            ImageError::Busy => ApiError::Unavailable(error.to_string()),
            ImageError::Render(RenderError::Encode(detail)) => {
                ApiError::Internal(anyhow::anyhow!("encoding a rendition: {detail}"))
            }
            ImageError::Render(other) => ApiError::unprocessable_field("file", other.to_string()),
            ImageError::Storage(e) => e.into(),
            ImageError::RenderThread(detail) => {
                ApiError::Internal(anyhow::anyhow!("a render thread failed: {detail}"))
            }
        }
    }
}

impl From<crate::storage::StorageError> for ApiError {
    fn from(error: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError;
        match error {
            StorageError::Full => ApiError::InsufficientStorage(error.to_string()),
            StorageError::Unavailable(_) => {
                tracing::warn!(error = %error, "the media store cannot be reached");
                ApiError::Unavailable("the media store cannot be reached; retry shortly".into())
            }
            StorageError::Failed(_) | StorageError::Config(_) => {
                ApiError::Internal(anyhow::Error::new(error).context("the media store"))
            }
        }
    }
}
