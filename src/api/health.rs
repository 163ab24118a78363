use serde::Serialize;
use utoipa::ToSchema;

/// Liveness or readiness.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok", "version": "0.1.0"}))]
pub struct HealthStatus {
    /// `ok` when the check passed; `degraded` when the node serves but a read replica is
    /// skipped (its reads go to the primary).
    pub status: HealthState,
    pub version: String,
    /// The database backend, on readiness checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// Each read replica (`DATABASE_READ_URL`), on readiness checks of a node that has some.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Vec<ReplicaHealth>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    Ok,
    Degraded,
}

/// A read replica as the node last saw it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplicaHealth {
    /// `replica-1`, `replica-2`, … in the order of `DATABASE_READ_URL`.
    pub name: String,
    /// `streaming` (used for reads), `lagging` (further behind than `KHABAR_REPLICA_MAX_LAG_MS`),
    /// `down` (did not answer), `not_a_replica` (not in recovery), `starting` (not checked yet).
    pub state: crate::db::replicas::ReplicaState,
    /// How far behind the primary it was at the last check, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_ms: Option<u64>,
}
