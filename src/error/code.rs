//! The stable, documented kinds of problem that clients switch on.

use serde::Serialize;
use utoipa::ToSchema;

/// The kind of problem, stable and documented: clients switch on it (and translate it). The
/// `type` URI ends with the same word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemCode {
    /// No such resource, or none visible to the caller.
    NotFound,
    /// A malformed request: unreadable JSON, a bad parameter or cursor.
    BadRequest,
    /// The change clashes with what exists (a unique value taken, a key reused).
    Conflict,
    /// The body is well-formed but its fields break the content model; see `errors`.
    Unprocessable,
    /// A dependency is down, busy or draining; retry after `Retry-After`.
    Unavailable,
    /// No space left to store what was sent; nothing was written.
    InsufficientStorage,
    /// No credentials, or credentials that do not verify.
    Unauthorized,
    /// An `X-Api-Key` that is malformed, unknown or revoked.
    InvalidApiKey,
    /// The caller's role may not do this.
    Forbidden,
    /// The body is larger than the operation accepts.
    PayloadTooLarge,
    /// The body's media type is not one the operation reads.
    UnsupportedMediaType,
    /// A change to a versioned resource needs `If-Match`.
    PreconditionRequired,
    /// `If-Match` names a version that is no longer current (`current_version` says which is).
    PreconditionFailed,
    /// No requested byte range lies within the representation.
    RangeNotSatisfiable,
    /// The workflow does not allow this move from the current status (`allowed` lists those it does).
    InvalidTransition,
    /// Over the request budget; retry after `Retry-After`.
    TooManyRequests,
    /// The body did not arrive in time.
    RequestTimeout,
    /// The path exists but not for this method (`Allow` lists them).
    MethodNotAllowed,
    /// The resource is at another address now.
    Moved,
    /// What was asked for is no longer kept (a change-feed cursor older than the log's
    /// window); the detail says how to start over.
    Gone,
    /// The server failed; the request id finds it in the logs.
    Internal,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::NotFound => "not-found",
            ProblemCode::BadRequest => "bad-request",
            ProblemCode::Conflict => "conflict",
            ProblemCode::Unprocessable => "unprocessable",
            ProblemCode::Unavailable => "unavailable",
            ProblemCode::InsufficientStorage => "insufficient-storage",
            ProblemCode::Unauthorized => "unauthorized",
            ProblemCode::InvalidApiKey => "invalid-api-key",
            ProblemCode::Forbidden => "forbidden",
            ProblemCode::PayloadTooLarge => "payload-too-large",
            ProblemCode::UnsupportedMediaType => "unsupported-media-type",
            ProblemCode::PreconditionRequired => "precondition-required",
            ProblemCode::PreconditionFailed => "precondition-failed",
            ProblemCode::RangeNotSatisfiable => "range-not-satisfiable",
            ProblemCode::InvalidTransition => "invalid-transition",
            ProblemCode::TooManyRequests => "too-many-requests",
            ProblemCode::RequestTimeout => "request-timeout",
            ProblemCode::MethodNotAllowed => "method-not-allowed",
            ProblemCode::Moved => "moved",
            ProblemCode::Gone => "gone",
            ProblemCode::Internal => "internal",
        }
    }
}
