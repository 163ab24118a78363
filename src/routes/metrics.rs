//! `/metrics`: Prometheus metrics in the OpenMetrics text format. Request counts and latencies
//! are recorded by a middleware around every route; the gauges (response cache, connection
//! pool, job and webhook backlogs, memory) are read when scraped.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{get, web, HttpRequest, HttpResponse};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sha2::{Digest, Sha256};

use super::{AppState, State};
use crate::db::{self, utc_now, DbError};
use crate::error::{ApiError, Problem, Unauthorized};

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    /// The route's pattern (`/v1/articles/{key}`), never the raw path: one series per route.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

type DurationFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    /// One histogram per method, route and status: its `_count` is the request counter, so a
    /// request costs one series lookup, not two (this runs on every request).
    durations: DurationFamily,
    cache_entries: Gauge,
    cache_bytes: Gauge,
    pool_connections: Family<StateLabels, Gauge>,
    database_up: Gauge,
    jobs_overdue: Gauge,
    deliveries: Family<StateLabels, Gauge>,
    resident_bytes: Gauge,
    /// SHA-256 of `KHABAR_METRICS_TOKEN`, when scrapes must present it.
    token_digest: Option<[u8; 32]>,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ])
}

impl Metrics {
    pub fn new(token: Option<&str>, routing: &crate::db::replicas::ReadRouting) -> Self {
        let mut registry = Registry::with_prefix("khabar");
        routing.register(&mut registry);
        let durations = DurationFamily::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Requests answered (_count) and the time to answer them, until the body starts",
            durations.clone(),
        );
        let cache_entries = Gauge::default();
        registry.register(
            "response_cache_entries",
            "Responses held in memory",
            cache_entries.clone(),
        );
        let cache_bytes = Gauge::default();
        registry.register(
            "response_cache_bytes",
            "Bytes of responses held in memory (approximate)",
            cache_bytes.clone(),
        );
        let pool_connections = Family::<StateLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database connections of this node, idle or in use",
            pool_connections.clone(),
        );
        let database_up = Gauge::default();
        registry.register(
            "database_up",
            "1 when the database answered this scrape's queries",
            database_up.clone(),
        );
        let jobs_overdue = Gauge::default();
        registry.register(
            "jobs_overdue",
            "Jobs due and not done (all nodes): growth means no worker runs them",
            jobs_overdue.clone(),
        );
        let deliveries = Family::<StateLabels, Gauge>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries by state (all nodes)",
            deliveries.clone(),
        );
        let resident_bytes = Gauge::default();
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of this process",
            resident_bytes.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").into(),
            })
            .set(1);
        registry.register("build_info", "The running version", build);
        Metrics {
            registry,
            durations,
            cache_entries,
            cache_bytes,
            pool_connections,
            database_up,
            jobs_overdue,
            deliveries,
            resident_bytes,
            token_digest: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    fn observe(&self, method: &'static str, route: String, status: u16, seconds: f64) {
        self.durations
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .observe(seconds);
    }

    /// Whether a scrape may read: always without a configured token, else with it as a bearer.
    fn admits(&self, request: &HttpRequest) -> bool {
        let Some(expected) = self.token_digest else {
            return true;
        };
        super::principal::bearer_token(request)
            .is_ok_and(|token| <[u8; 32]>::from(Sha256::digest(token.as_bytes())) == expected)
    }
}

/// Middleware: counts every answer by method, route pattern and status, and times it.
pub async fn record(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let method = method_name(request.method());
    let response = next.call(request).await?;
    if let Some(state) = state {
        // An answer from the fast read path names the route it was first made by.
        let route = match response
            .response()
            .extensions()
            .get::<super::middleware::fast_read::RoutePattern>()
        {
            Some(pattern) => pattern.0.to_string(),
            None => response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned()),
        };
        state.metrics.observe(
            method,
            route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

/// The method as a label without an allocation; the rare others share one label.
fn method_name(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::PUT => "PUT",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "other",
    }
}

/// This process's resident memory, from `/proc` (Linux); `None` elsewhere.
fn resident_memory_bytes() -> Option<i64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: i64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Metrics for Prometheus (OpenMetrics text). With `KHABAR_METRICS_TOKEN` set, a scrape must
/// send it as `Authorization: Bearer <token>`. Job and webhook figures are the database's, the
/// same on every node; the rest are this node's. Not rate-limited.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Metrics in the OpenMetrics text format", body = String,
            content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"),
        (status = 401, description = "KHABAR_METRICS_TOKEN is set and the request did not send it", body = Problem,
            content_type = "application/problem+json", headers(("WWW-Authenticate" = String)))
    )
)]
#[get("/metrics")]
pub async fn scrape(state: State, request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let metrics = &state.metrics;
    if !metrics.admits(&request) {
        return Err(ApiError::Unauthorized(Unauthorized::Missing(
            "send the metrics token as Authorization: Bearer <KHABAR_METRICS_TOKEN>".into(),
        )));
    }
    let (entries, bytes) = state.reads.cache.size();
    metrics
        .cache_entries
        .set(i64::try_from(entries).unwrap_or(i64::MAX));
    metrics.cache_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
    let pool = state.pool.state();
    let idle = i64::from(pool.idle_connections);
    let set_state = |family: &Family<StateLabels, Gauge>, state: &str, value: i64| {
        family
            .get_or_create(&StateLabels { state: state.into() })
            .set(value);
    };
    set_state(&metrics.pool_connections, "idle", idle);
    set_state(
        &metrics.pool_connections,
        "busy",
        i64::from(pool.connections) - idle,
    );
    let backlog = db::run(&state.pool, |conn| {
        let overdue = crate::db::queries::jobs::overdue_count(conn, utc_now())?;
        let by_state = crate::db::queries::webhooks::count_by_state(conn)?;
        Ok::<_, DbError>((overdue, by_state))
    })
    .await;
    match backlog {
        Ok((overdue, by_state)) => {
            metrics.database_up.set(1);
            metrics.jobs_overdue.set(overdue);
            for name in ["pending", "delivered", "failed"] {
                let count = by_state.iter().find(|(s, _)| s == name).map_or(0, |(_, n)| *n);
                set_state(&metrics.deliveries, name, count);
            }
        }
        Err(error) => {
            tracing::warn!(%error, "metrics: the database did not answer");
            metrics.database_up.set(0);
        }
    }
    if let Some(resident) = resident_memory_bytes() {
        metrics.resident_bytes.set(resident);
    }
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &metrics.registry)
        .map_err(|e| anyhow::anyhow!("cannot encode the metrics: {e}"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, CONTENT_TYPE))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_per_route_pattern() {
        let pool = diesel::r2d2::Pool::builder().min_idle(Some(0)).build_unchecked(
            crate::db::ConnectionManager::new(crate::db::DatabaseUrl::Sqlite(":memory:".into())),
        );
        let recorded = Metrics::new(None, &crate::db::replicas::ReadRouting::primary_only(pool));
        let route = || "/v1/articles/{key}".to_owned();
        recorded.observe("GET", route(), 200, 0.0003);
        recorded.observe("GET", route(), 200, 0.002);
        recorded.observe("GET", route(), 404, 0.0001);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &recorded.registry).unwrap();
        let series = "khabar_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/articles/{key}\"";
        assert!(text.contains(&format!("{series},status=\"200\"}} 2")), "{text}");
        assert!(text.contains(&format!("{series},status=\"404\"}} 1")));
        assert!(text.contains("khabar_build_info{version=\""));
        assert!(text.ends_with("# EOF\n"));
    }
}
