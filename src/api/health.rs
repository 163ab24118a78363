use serde::Serialize;
use utoipa::ToSchema;

/// Liveness or readiness.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "version": "0.1.0"}))]
pub struct HealthStatus {
    /// `ok` when the check passed.
    pub status: String,
    pub version: String,
    /// The database backend, on readiness checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}
