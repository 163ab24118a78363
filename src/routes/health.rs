use actix_web::{get, web::Json};

use super::State;
use crate::api::health::HealthStatus;
use crate::db::{self, migrate, Backend};
use crate::error::{ApiError, Problem};

fn status(database: Option<&str>) -> HealthStatus {
    HealthStatus {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: database.map(str::to_owned),
    }
}

/// Liveness: the process is up and serving HTTP. Touches nothing else.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The process is up", body = HealthStatus)))]
#[get("/healthz")]
pub async fn healthz() -> Json<HealthStatus> {
    Json(status(None))
}

/// Readiness: the database answers and every migration this build embeds has been applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, description = "Database unreachable or migrations pending", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: State) -> Result<Json<HealthStatus>, ApiError> {
    let (backend, up_to_date) = db::run(&state.pool, |conn| {
        Ok::<_, ApiError>((conn.backend(), migrate::is_up_to_date(conn)?))
    })
    .await
    .map_err(|e| ApiError::Unavailable(format!("database check failed: {e}")))?;
    if !up_to_date {
        return Err(ApiError::Unavailable("database migrations are pending".into()));
    }
    let name = match backend {
        Backend::Postgres => "postgres",
        Backend::Sqlite => "sqlite",
    };
    Ok(Json(status(Some(name))))
}
