use std::path::PathBuf;

use actix_web::{get, web::Json};

use super::State;
use crate::api::health::{HealthState, HealthStatus, ReplicaHealth};
use crate::config::Settings;
use crate::db::replicas::{ReplicaState, ReplicaStatus};
use crate::db::{self, migrate, Backend, DatabaseUrl};
use crate::error::{ApiError, Problem};

/// What readiness looks at besides the database: the disks the node writes to.
pub struct HealthChecks {
    min_free_bytes: u64,
    /// (what the disk holds, for the answer; a directory on it).
    disks: Vec<(&'static str, PathBuf)>,
}

impl HealthChecks {
    pub fn new(settings: &Settings) -> Self {
        let mut disks = Vec::new();
        if let DatabaseUrl::Sqlite(path) = &settings.database_url {
            let file =
                std::path::Path::new(path.split('?').next().unwrap_or(path).trim_start_matches("file:"));
            let dir = file
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            disks.push(("database", dir.to_path_buf()));
        }
        // A bucket's free space is its operator's concern; only a local media disk is watched.
        if let Some(dir) = settings.media.storage.local_dir() {
            disks.push(("media", dir.to_path_buf()));
        }
        HealthChecks {
            min_free_bytes: settings.min_free_disk_bytes,
            disks,
        }
    }

    /// The first disk with less free space than the minimum, by what it holds.
    fn short_of_space(&self) -> Option<&'static str> {
        if self.min_free_bytes == 0 {
            return None;
        }
        self.disks.iter().find_map(|(what, dir)| {
            // The media directory may not exist before the first upload: check its parent.
            let existing = dir.ancestors().find(|d| d.exists())?;
            let stats = rustix::fs::statvfs(existing).ok()?;
            let free = stats.f_bavail.saturating_mul(stats.f_frsize);
            if free < self.min_free_bytes {
                tracing::warn!(disk = %existing.display(), free_bytes = free, "readiness: the disk is nearly full");
                Some(*what)
            } else {
                None
            }
        })
    }
}

fn status(database: Option<&str>) -> HealthStatus {
    HealthStatus {
        status: HealthState::Ok,
        version: env!("CARGO_PKG_VERSION").into(),
        database: database.map(str::to_owned),
        replicas: None,
    }
}

/// The replicas' states; any that is skipped makes the node `degraded` (it still serves, from
/// the primary).
fn with_replicas(mut health: HealthStatus, replicas: Vec<ReplicaStatus>) -> HealthStatus {
    if replicas.is_empty() {
        return health;
    }
    if replicas.iter().any(|r| r.state != ReplicaState::Streaming) {
        health.status = HealthState::Degraded;
    }
    health.replicas = Some(
        replicas
            .into_iter()
            .map(|replica| ReplicaHealth {
                name: replica.name,
                state: replica.state,
                lag_ms: replica.lag.map(|lag| lag.as_millis() as u64),
            })
            .collect(),
    );
    health
}

/// Liveness: the process is up and serving HTTP. Touches nothing else.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The process is up", body = HealthStatus)))]
#[get("/healthz")]
pub async fn healthz() -> Json<HealthStatus> {
    Json(status(None))
}

/// Readiness: the node is not shutting down, the database answers, every migration this build
/// embeds has been applied, and the disks it writes to have room.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve; `degraded` when a read replica is skipped and its reads go to the primary", body = HealthStatus),
        (status = 503, description = "Shutting down, the database is unreachable or not migrated, or a disk is full; `detail` says which", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
#[get("/readyz")]
pub async fn readyz(state: State) -> Result<Json<HealthStatus>, ApiError> {
    if state.lifecycle.is_draining() {
        return Err(ApiError::Unavailable("this node is shutting down".into()));
    }
    let checked = db::run(&state.pool, |conn| {
        Ok::<_, db::DbError>((conn.backend(), migrate::is_up_to_date(conn)?))
    })
    .await;
    let (backend, up_to_date) = checked.map_err(|error| {
        // The cause (host, port, the driver's words) is for the operator's log only.
        tracing::warn!(error = %crate::chain::error_chain(&error), "readiness: the database check failed");
        ApiError::Unavailable("the database is not reachable".into())
    })?;
    if !up_to_date {
        return Err(ApiError::Unavailable("database migrations are pending".into()));
    }
    let health = state.health.clone();
    if let Some(disk) = crate::telemetry::spawn_blocking(move || health.short_of_space())
        .await
        .ok()
        .flatten()
    {
        return Err(ApiError::Unavailable(format!(
            "the disk holding the {disk} is full"
        )));
    }
    let name = match backend {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    Ok(Json(with_replicas(
        status(Some(name)),
        state.reads.routing.status(),
    )))
}
