//! Settings, from flags and environment (clap reads both), checked once at start. Each problem
//! is reported as one line naming the setting.

pub mod limits;
mod options;
mod sections;
mod values;

pub use options::{DemoMode, JwtAlgorithm, Options};
use values::{config_error, number, parse_url};

use std::net::SocketAddr;

use crate::db::{Backend, DatabaseUrl};

/// Shortest JWT signing secret accepted: HS256 wants at least its 256-bit output size.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The log's format is the telemetry's own type: telemetry sits below every layer.
pub use crate::telemetry::LogFormat;

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    /// Replicas for public reads (`DATABASE_READ_URL`), PostgreSQL only.
    pub read_replicas: crate::db::replicas::ReplicaSettings,
    pub bind: SocketAddr,
    pub jwt_secret: Option<String>,
    pub public_url: url::Url,
    pub site_url: url::Url,
    pub pool_size: u32,
    pub workers: usize,
    pub demo: DemoMode,
    /// The demo includes its live blog (`KHABAR_DEMO_LIVE_BLOG`).
    pub demo_live_blog: bool,
    pub cache_max_age: u32,
    pub cache_stale_while_revalidate: u32,
    pub cache_mb: u64,
    pub publication_name: String,
    pub feed_items: u32,
    pub streams: limits::StreamSettings,
    pub websub_hub: Option<url::Url>,
    /// `Some((private, public))` PEM files for EdDSA; `None` for HS256.
    pub jwt_key_files: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// `iss` of access tokens and preview links (`KHABAR_JWT_ISSUER`).
    pub jwt_issuer: String,
    pub access_token_ttl: u32,
    pub session_ttl: u32,
    pub worker: WorkerSettings,
    pub media: crate::uploads::MediaStore,
    pub rate_limits: limits::RateLimitSettings,
    pub metrics_token: Option<String>,
    pub client_limits: limits::ClientLimits,
    pub shutdown: crate::lifecycle::ShutdownSettings,
    /// How long a request waits for a database connection.
    pub db_timeout: std::time::Duration,
    pub min_free_disk_bytes: u64,
}

/// The background worker's pace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSettings {
    pub enabled: bool,
    pub interval_ms: u64,
    pub webhook_max_attempts: u32,
    pub webhook_retry_base_ms: u64,
    pub webhook_timeout: std::time::Duration,
    pub allow_private_webhooks: bool,
    /// Where edge purges go (`KHABAR_PURGE_URL`); none when empty.
    pub purge_targets: Vec<crate::purge::PurgeTarget>,
    pub purge_token: Option<String>,
    /// How long superseded change-log entries are kept (`KHABAR_CHANGE_LOG_DAYS`).
    pub change_log_days: u32,
}

impl WorkerSettings {
    /// Whether writes queue edge purges: an edge cache is configured.
    pub fn purges_edge(&self) -> bool {
        !self.purge_targets.is_empty()
    }
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            enabled: true,
            interval_ms: 1000,
            webhook_max_attempts: 12,
            webhook_retry_base_ms: 5000,
            webhook_timeout: std::time::Duration::from_secs(10),
            allow_private_webhooks: false,
            purge_targets: Vec::new(),
            purge_token: None,
            change_log_days: 30,
        }
    }
}

/// A setting that cannot be used, named as the operator would set it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

impl Settings {
    pub fn from_options(options: &Options) -> Result<Self, ConfigError> {
        let database_url = DatabaseUrl::parse(&options.database_url)
            .map_err(|e| config_error("DATABASE_URL", e.to_string().trim_start_matches("DATABASE_URL ")))?;
        let jwt_secret = sections::jwt_secret(options)?;
        let (bind, public_url, site_url) = sections::addresses(options)?;
        let pool_size = number("KHABAR_DB_POOL_SIZE", &options.pool_size, 1, 1000)? as u32;
        let workers = match &options.workers {
            Some(raw) => number("KHABAR_WORKERS", raw, 1, 512)? as usize,
            None => std::thread::available_parallelism().map_or(2, usize::from),
        };
        let cache_max_age = number("KHABAR_CACHE_MAX_AGE", &options.cache_max_age, 0, 31_536_000)? as u32;
        let cache_stale_while_revalidate = number(
            "KHABAR_CACHE_STALE_WHILE_REVALIDATE",
            &options.cache_stale_while_revalidate,
            0,
            31_536_000,
        )? as u32;
        let cache_mb = number("KHABAR_CACHE_MB", &options.cache_mb, 0, 1_048_576)?;
        let jwt_key_files = sections::jwt_key_files(options)?;
        let worker = sections::worker(options)?;
        let rate_limits = sections::rate_limits(options)?;
        let client_limits = sections::client_limits(options)?;
        let shutdown = sections::shutdown(options)?;
        let read_replicas = sections::read_replicas(options, &database_url)?;
        let millis = |setting, raw: &str, min, max| {
            number(setting, raw, min, max).map(std::time::Duration::from_millis)
        };
        Ok(Settings {
            database_url,
            read_replicas,
            bind,
            jwt_secret,
            public_url,
            site_url,
            pool_size,
            workers,
            demo: options.demo,
            demo_live_blog: match options.demo_live_blog.trim() {
                "true" => true,
                "false" => false,
                _ => return Err(config_error("KHABAR_DEMO_LIVE_BLOG", "must be true or false")),
            },
            cache_max_age,
            cache_stale_while_revalidate,
            cache_mb,
            publication_name: options.publication_name.trim().to_owned(),
            feed_items: number("KHABAR_FEED_ITEMS", &options.feed_items, 30, 100)? as u32,
            streams: sections::streams(options)?,
            websub_hub: options
                .websub_hub
                .as_deref()
                .map(|raw| parse_url("KHABAR_WEBSUB_HUB", raw))
                .transpose()?,
            jwt_key_files,
            jwt_issuer: sections::jwt_issuer(options)?,
            access_token_ttl: number("KHABAR_ACCESS_TOKEN_TTL", &options.access_token_ttl, 60, 86_400)?
                as u32,
            session_ttl: number("KHABAR_SESSION_TTL", &options.session_ttl, 300, 31_536_000)? as u32,
            worker,
            media: sections::media(options)?,
            rate_limits,
            metrics_token: options
                .metrics_token
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            client_limits,
            shutdown,
            db_timeout: millis("KHABAR_DB_TIMEOUT_MS", &options.db_timeout_ms, 50, 600_000)?,
            min_free_disk_bytes: number("KHABAR_MIN_FREE_DISK_MB", &options.min_free_disk_mb, 0, 1_048_576)?
                * 1024
                * 1024,
        })
    }

    /// Whether `serve` should load the demo content into an empty database.
    pub fn loads_demo(&self) -> bool {
        match self.demo {
            DemoMode::Always => true,
            DemoMode::Never => false,
            DemoMode::Auto => self.database_url.backend() == Backend::Sqlite,
        }
    }

    /// PostgreSQL deployments run several nodes that must share one signing secret, so it has to
    /// be configured; a generated one would differ per node.
    pub fn require_jwt_secret(&self) -> Result<(), ConfigError> {
        if self.database_url.backend() == Backend::Postgres && self.jwt_secret.is_none() {
            return Err(config_error(
                "KHABAR_JWT_SECRET",
                format!("is required with PostgreSQL (at least {MIN_JWT_SECRET_BYTES} bytes, the same on every node)"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
