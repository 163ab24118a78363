//! Settings, from flags and environment (clap reads both), checked once at start. Each problem
//! is reported as one line naming the setting.

pub mod limits;

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

use crate::db::{Backend, DatabaseUrl};

/// Shortest JWT signing secret accepted: HS256 wants at least its 256-bit output size.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The options every subcommand shares, as given.
#[derive(Debug, Clone, Args)]
pub struct Options {
    /// Database: `sqlite://<path>` (default, created if missing) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://khabar.db",
        global = true
    )]
    pub database_url: String,
    /// PostgreSQL streaming replicas for public reads, comma-separated `postgres://…` URLs.
    #[arg(long, env = "DATABASE_READ_URL", global = true, hide_env_values = true)]
    pub database_read_url: Option<String>,
    /// A replica further behind the primary than this is skipped, in milliseconds.
    #[arg(
        long,
        env = "KHABAR_REPLICA_MAX_LAG_MS",
        default_value = "5000",
        global = true
    )]
    pub replica_max_lag_ms: String,
    /// Address to listen on.
    #[arg(long, env = "KHABAR_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// HS256 secret for access tokens (at least 32 bytes). Required on PostgreSQL; on SQLite
    /// one is generated and kept in the database when unset.
    #[arg(long, env = "KHABAR_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,
    /// The URL clients use to reach this API (for links and startup hints).
    /// Default: http://<bind>.
    #[arg(long, env = "KHABAR_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The newsroom's website, for canonical article URLs (`<site>/<language>/<slug>`).
    /// Default: the public URL.
    #[arg(long, env = "KHABAR_SITE_URL", global = true)]
    pub site_url: Option<String>,
    /// Database connections per process.
    #[arg(long, env = "KHABAR_DB_POOL_SIZE", default_value = "8", global = true)]
    pub pool_size: String,
    /// HTTP worker threads. Default: one per core.
    #[arg(long, env = "KHABAR_WORKERS", global = true)]
    pub workers: Option<String>,
    /// `Cache-Control: max-age` of public responses, in seconds.
    #[arg(long, env = "KHABAR_CACHE_MAX_AGE", default_value = "60", global = true)]
    pub cache_max_age: String,
    /// `Cache-Control: stale-while-revalidate` of public responses, in seconds.
    #[arg(
        long,
        env = "KHABAR_CACHE_STALE_WHILE_REVALIDATE",
        default_value = "300",
        global = true
    )]
    pub cache_stale_while_revalidate: String,
    /// Memory for the in-process response cache, in MiB (0 turns it off).
    #[arg(long, env = "KHABAR_CACHE_MB", default_value = "32", global = true)]
    pub cache_mb: String,
    /// The publication's name, in feed titles and authorship, ninjs rights and the news sitemap.
    #[arg(
        long,
        env = "KHABAR_PUBLICATION_NAME",
        default_value = "Khabar",
        global = true
    )]
    pub publication_name: String,
    /// Articles per feed (30 to 100).
    #[arg(long, env = "KHABAR_FEED_ITEMS", default_value = "50", global = true)]
    pub feed_items: String,
    /// Change streams (`/v1/changes/stream`) one node holds at once (1 to 1000000).
    #[arg(long, env = "KHABAR_MAX_STREAMS", default_value = "10000", global = true)]
    pub max_streams: String,
    /// Change streams one client address may hold on a node (1 to 100000).
    #[arg(
        long,
        env = "KHABAR_MAX_STREAMS_PER_ADDRESS",
        default_value = "32",
        global = true
    )]
    pub max_streams_per_address: String,
    /// What a change stream's `retry:` tells clients to wait before reconnecting, in
    /// milliseconds (100 to 600000).
    #[arg(long, env = "KHABAR_STREAM_RETRY_MS", default_value = "3000", global = true)]
    pub stream_retry_ms: String,
    /// Days the change log keeps changes that a newer change of the same subject superseded
    /// (1 to 3650); the newest of each is kept for ever.
    #[arg(long, env = "KHABAR_CHANGE_LOG_DAYS", default_value = "30", global = true)]
    pub change_log_days: String,
    /// A WebSub hub that feeds advertise (`rel="hub"`).
    #[arg(long, env = "KHABAR_WEBSUB_HUB", global = true)]
    pub websub_hub: Option<String>,
    /// Edge caches to purge by surrogate key after each write, comma-separated:
    /// `varnish+http://host:port`, `fastly:SERVICE_ID`, `cloudflare:ZONE_ID`.
    #[arg(long, env = "KHABAR_PURGE_URL", global = true)]
    pub purge_url: Option<String>,
    /// The API token for Fastly or Cloudflare purges.
    #[arg(long, env = "KHABAR_PURGE_TOKEN", global = true, hide_env_values = true)]
    pub purge_token: Option<String>,
    /// Access token signature: `hs256` with KHABAR_JWT_SECRET, or `eddsa` with an Ed25519 key
    /// pair from files (the public key is then published at `/.well-known/jwks.json`).
    #[arg(
        long,
        env = "KHABAR_JWT_ALGORITHM",
        value_enum,
        default_value = "hs256",
        global = true
    )]
    pub jwt_algorithm: JwtAlgorithm,
    /// `iss` of the tokens this installation signs and accepts. The same on every node (not
    /// each node's own URL), so that a token from one node works on all of them.
    #[arg(long, env = "KHABAR_JWT_ISSUER", default_value = "khabar", global = true)]
    pub jwt_issuer: String,
    /// PKCS#8 PEM file of the Ed25519 private key (with `eddsa`).
    #[arg(long, env = "KHABAR_JWT_PRIVATE_KEY_FILE", global = true)]
    pub jwt_private_key_file: Option<std::path::PathBuf>,
    /// SPKI PEM file of the Ed25519 public key (with `eddsa`).
    #[arg(long, env = "KHABAR_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<std::path::PathBuf>,
    /// Access token lifetime, in seconds.
    #[arg(long, env = "KHABAR_ACCESS_TOKEN_TTL", default_value = "900", global = true)]
    pub access_token_ttl: String,
    /// How long a sign-in lasts through refreshes, in seconds (default 30 days).
    #[arg(long, env = "KHABAR_SESSION_TTL", default_value = "2592000", global = true)]
    pub session_ttl: String,
    /// Run scheduled publishing, embargo lifts, webhook deliveries and WebSub pings on this node.
    #[arg(long, env = "KHABAR_WORKER", default_value = "true", global = true)]
    pub worker: String,
    /// How often the worker looks for due work, in milliseconds.
    #[arg(
        long,
        env = "KHABAR_WORKER_INTERVAL_MS",
        default_value = "1000",
        global = true
    )]
    pub worker_interval_ms: String,
    /// Attempts per webhook delivery before it is given up.
    #[arg(
        long,
        env = "KHABAR_WEBHOOK_MAX_ATTEMPTS",
        default_value = "12",
        global = true
    )]
    pub webhook_max_attempts: String,
    /// First retry delay of a failed webhook delivery, in milliseconds; doubled per attempt,
    /// capped at an hour.
    #[arg(
        long,
        env = "KHABAR_WEBHOOK_RETRY_BASE_MS",
        default_value = "5000",
        global = true
    )]
    pub webhook_retry_base_ms: String,
    /// How long a webhook receiver or the WebSub hub gets to answer, in milliseconds. A
    /// worker's lease on what it claimed is four times this plus a margin.
    #[arg(
        long,
        env = "KHABAR_WEBHOOK_TIMEOUT_MS",
        default_value = "10000",
        global = true
    )]
    pub webhook_timeout_ms: String,
    /// Let webhooks reach loopback, private and link-local addresses (receivers on the same
    /// network). Off by default: a subscription could otherwise probe the internal network.
    #[arg(
        long,
        env = "KHABAR_WEBHOOK_ALLOW_PRIVATE",
        default_value = "false",
        global = true
    )]
    pub webhook_allow_private: String,
    /// Directory for uploaded originals and their renditions, when KHABAR_MEDIA_STORE is unset.
    #[arg(long, env = "KHABAR_MEDIA_DIR", default_value = "media", global = true)]
    pub media_dir: std::path::PathBuf,
    /// Where media are stored: a directory (`file:///var/lib/khabar/media`) or an S3-compatible
    /// bucket (`s3://bucket/prefix`, credentials and endpoint from the `AWS_*` variables).
    #[arg(long, env = "KHABAR_MEDIA_STORE", global = true)]
    pub media_store: Option<String>,
    /// Largest media upload, in MiB.
    #[arg(long, env = "KHABAR_MEDIA_MAX_MB", default_value = "20", global = true)]
    pub media_max_mb: String,
    /// Requests a minute one client address may make (0: no limit). A minute's worth may come at
    /// once. Behind a proxy or CDN, set KHABAR_TRUSTED_PROXIES so that clients are told apart.
    #[arg(long, env = "KHABAR_RATE_LIMIT", default_value = "1200", global = true)]
    pub rate_limit: String,
    /// Requests a minute per partner API key (sent as `X-Api-Key`; 0: no limit).
    #[arg(
        long,
        env = "KHABAR_PARTNER_RATE_LIMIT",
        default_value = "12000",
        global = true
    )]
    pub partner_rate_limit: String,
    /// Where request budgets and sign-in throttling are counted: `memory` (each node its own)
    /// or `redis://host:6379/0` (one budget across every node).
    #[arg(
        long,
        env = "KHABAR_RATE_LIMIT_STORE",
        default_value = "memory",
        global = true,
        hide_env_values = true
    )]
    pub rate_limit_store: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed: comma-separated addresses and CIDR
    /// networks (`10.0.0.0/8, 192.0.2.7`). Empty: the peer address is the client.
    #[arg(long, env = "KHABAR_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: String,
    /// A token Prometheus must send (`Authorization: Bearer …`) to read `/metrics`. Unset:
    /// anyone who reaches the port may read it.
    #[arg(long, env = "KHABAR_METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,
    /// Connections open at once, in all (lowered to fit the process's file limit).
    #[arg(long, env = "KHABAR_MAX_CONNECTIONS", default_value = "10000", global = true)]
    pub max_connections: String,
    /// Connections open at once from one client address (IPv6: one /64); 0: no cap. Trusted
    /// proxies are not capped.
    #[arg(
        long,
        env = "KHABAR_MAX_CONNECTIONS_PER_ADDRESS",
        default_value = "256",
        global = true
    )]
    pub max_connections_per_address: String,
    /// Time a client has to send the request line and headers, in milliseconds.
    #[arg(long, env = "KHABAR_HEADER_TIMEOUT_MS", default_value = "5000", global = true)]
    pub header_timeout_ms: String,
    /// Time a client has to send the whole body after its headers, in milliseconds.
    #[arg(long, env = "KHABAR_BODY_TIMEOUT_MS", default_value = "30000", global = true)]
    pub body_timeout_ms: String,
    /// Time the server has to answer a request, in milliseconds.
    #[arg(
        long,
        env = "KHABAR_REQUEST_TIMEOUT_MS",
        default_value = "60000",
        global = true
    )]
    pub request_timeout_ms: String,
    /// How long a database connection may be waited for before the request gets a 503, in
    /// milliseconds.
    #[arg(long, env = "KHABAR_DB_TIMEOUT_MS", default_value = "1000", global = true)]
    pub db_timeout_ms: String,
    /// On SIGTERM: keep accepting (with /readyz failing) this long first, in milliseconds.
    #[arg(long, env = "KHABAR_SHUTDOWN_DRAIN_MS", default_value = "2000", global = true)]
    pub shutdown_drain_ms: String,
    /// On SIGTERM: then at most this long for requests in flight and the worker, in seconds.
    #[arg(long, env = "KHABAR_SHUTDOWN_TIMEOUT", default_value = "30", global = true)]
    pub shutdown_timeout: String,
    /// /readyz fails when the disk holding the database or the media has less free space, in MiB.
    #[arg(long, env = "KHABAR_MIN_FREE_DISK_MB", default_value = "64", global = true)]
    pub min_free_disk_mb: String,
    /// Largest image accepted, in pixels (width × height).
    #[arg(
        long,
        env = "KHABAR_MEDIA_MAX_PIXELS",
        default_value = "50000000",
        global = true
    )]
    pub media_max_pixels: String,
    /// Widths of the renditions offered for every uploaded image (srcset), comma-separated;
    /// the image service refuses other widths (besides 1200, the named crops' width).
    #[arg(
        long,
        env = "KHABAR_IMAGE_WIDTHS",
        default_value = "320,640,1024,1600,2400",
        global = true
    )]
    pub image_widths: String,
    /// A featured image narrower than this is a warning in the editorial answer and in
    /// `khabar check-feeds` (Google Discover asks for 1200 px).
    #[arg(
        long,
        env = "KHABAR_FEATURED_IMAGE_MIN_WIDTH",
        default_value = "1200",
        global = true
    )]
    pub featured_image_min_width: String,
    /// Load the demo content into an empty database on `serve`: `auto` does so on SQLite only.
    #[arg(long, env = "KHABAR_DEMO", value_enum, default_value = "auto", global = true)]
    pub demo: DemoMode,
    /// Log filter, in tracing's `EnvFilter` syntax (`info`, `khabar=debug,actix_web=warn`).
    #[arg(long, env = "KHABAR_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format.
    #[arg(
        long,
        env = "KHABAR_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtAlgorithm {
    Hs256,
    Eddsa,
}

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

fn config_error(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        message: message.into(),
    }
}

fn parse_url(setting: &'static str, raw: &str) -> Result<url::Url, ConfigError> {
    let url =
        url::Url::parse(raw).map_err(|e| config_error(setting, format!("'{raw}' is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(config_error(
            setting,
            format!("'{raw}' must be an http or https URL"),
        ));
    }
    Ok(url)
}

/// A whole number from `min` to `max`.
fn number(setting: &'static str, raw: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| config_error(setting, format!("must be a whole number from {min} to {max}")))
}

fn flag(setting: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(config_error(setting, "must be true or false")),
    }
}

impl Settings {
    pub fn from_options(options: &Options) -> Result<Self, ConfigError> {
        let database_url = DatabaseUrl::parse(&options.database_url)
            .map_err(|e| config_error("DATABASE_URL", e.to_string().trim_start_matches("DATABASE_URL ")))?;
        let bind: SocketAddr = options.bind.trim().parse().map_err(|_| {
            config_error(
                "KHABAR_BIND",
                format!(
                    "'{}' is not a socket address such as 127.0.0.1:8080",
                    options.bind
                ),
            )
        })?;
        let jwt_secret = options.jwt_secret.clone().filter(|s| !s.is_empty());
        if let Some(secret) = &jwt_secret {
            if secret.len() < MIN_JWT_SECRET_BYTES {
                return Err(config_error(
                    "KHABAR_JWT_SECRET",
                    format!("must be at least {MIN_JWT_SECRET_BYTES} bytes long"),
                ));
            }
        }
        let public_url = match &options.public_url {
            Some(raw) => parse_url("KHABAR_PUBLIC_URL", raw)?,
            None => parse_url("KHABAR_BIND", &format!("http://{bind}/"))?,
        };
        let site_url = match &options.site_url {
            Some(raw) => parse_url("KHABAR_SITE_URL", raw)?,
            None => public_url.clone(),
        };
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
        let jwt_key_files = match (
            options.jwt_algorithm,
            &options.jwt_private_key_file,
            &options.jwt_public_key_file,
        ) {
            (JwtAlgorithm::Hs256, _, _) => None,
            (JwtAlgorithm::Eddsa, Some(private), Some(public)) => Some((private.clone(), public.clone())),
            (JwtAlgorithm::Eddsa, None, _) => {
                return Err(config_error(
                    "KHABAR_JWT_PRIVATE_KEY_FILE",
                    "is required with KHABAR_JWT_ALGORITHM=eddsa",
                ))
            }
            (JwtAlgorithm::Eddsa, _, None) => {
                return Err(config_error(
                    "KHABAR_JWT_PUBLIC_KEY_FILE",
                    "is required with KHABAR_JWT_ALGORITHM=eddsa",
                ))
            }
        };
        let millis = |setting, raw: &str, min, max| {
            number(setting, raw, min, max).map(std::time::Duration::from_millis)
        };
        let worker = WorkerSettings {
            enabled: flag("KHABAR_WORKER", &options.worker)?,
            interval_ms: number(
                "KHABAR_WORKER_INTERVAL_MS",
                &options.worker_interval_ms,
                10,
                3_600_000,
            )?,
            webhook_max_attempts: number(
                "KHABAR_WEBHOOK_MAX_ATTEMPTS",
                &options.webhook_max_attempts,
                1,
                100,
            )? as u32,
            webhook_retry_base_ms: number(
                "KHABAR_WEBHOOK_RETRY_BASE_MS",
                &options.webhook_retry_base_ms,
                10,
                3_600_000,
            )?,
            webhook_timeout: millis(
                "KHABAR_WEBHOOK_TIMEOUT_MS",
                &options.webhook_timeout_ms,
                100,
                120_000,
            )?,
            allow_private_webhooks: flag("KHABAR_WEBHOOK_ALLOW_PRIVATE", &options.webhook_allow_private)?,
            change_log_days: number("KHABAR_CHANGE_LOG_DAYS", &options.change_log_days, 1, 3650)? as u32,
            purge_targets: options
                .purge_url
                .as_deref()
                .map(|raw| {
                    raw.split(',')
                        .filter(|t| !t.trim().is_empty())
                        .map(|t| {
                            crate::purge::PurgeTarget::parse(t)
                                .map_err(|e| config_error("KHABAR_PURGE_URL", e))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default(),
            purge_token: options.purge_token.clone().filter(|t| !t.trim().is_empty()),
        };
        if worker.purge_token.is_none()
            && worker
                .purge_targets
                .iter()
                .any(|t| !matches!(t, crate::purge::PurgeTarget::Varnish(_)))
        {
            return Err(config_error(
                "KHABAR_PURGE_TOKEN",
                "is required for Fastly and Cloudflare purges",
            ));
        }
        let rate_limits = limits::RateLimitSettings {
            per_address: number("KHABAR_RATE_LIMIT", &options.rate_limit, 0, 1_000_000)? as u32,
            per_partner: number(
                "KHABAR_PARTNER_RATE_LIMIT",
                &options.partner_rate_limit,
                0,
                1_000_000,
            )? as u32,
            trusted_proxies: crate::domain::client_address::TrustedProxies::parse(&options.trusted_proxies)
                .map_err(|e| config_error("KHABAR_TRUSTED_PROXIES", e))?,
            store: rate_limit_store(&options.rate_limit_store)?,
        };
        let client_limits = limits::ClientLimits {
            connections_per_address: number(
                "KHABAR_MAX_CONNECTIONS_PER_ADDRESS",
                &options.max_connections_per_address,
                0,
                1_000_000,
            )? as u32,
            max_connections: number("KHABAR_MAX_CONNECTIONS", &options.max_connections, 16, 1_000_000)?
                as u32,
            header_timeout: millis(
                "KHABAR_HEADER_TIMEOUT_MS",
                &options.header_timeout_ms,
                100,
                600_000,
            )?,
            body_timeout: millis("KHABAR_BODY_TIMEOUT_MS", &options.body_timeout_ms, 100, 3_600_000)?,
            request_timeout: millis(
                "KHABAR_REQUEST_TIMEOUT_MS",
                &options.request_timeout_ms,
                100,
                3_600_000,
            )?,
        };
        let shutdown = crate::lifecycle::ShutdownSettings {
            drain_delay: millis("KHABAR_SHUTDOWN_DRAIN_MS", &options.shutdown_drain_ms, 0, 600_000)?,
            grace: std::time::Duration::from_secs(number(
                "KHABAR_SHUTDOWN_TIMEOUT",
                &options.shutdown_timeout,
                1,
                3600,
            )?),
        };
        let read_replicas = crate::db::replicas::ReplicaSettings {
            urls: read_replica_urls(&database_url, options.database_read_url.as_deref())?,
            max_lag: millis(
                "KHABAR_REPLICA_MAX_LAG_MS",
                &options.replica_max_lag_ms,
                100,
                3_600_000,
            )?,
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
            cache_max_age,
            cache_stale_while_revalidate,
            cache_mb,
            publication_name: options.publication_name.trim().to_owned(),
            feed_items: number("KHABAR_FEED_ITEMS", &options.feed_items, 30, 100)? as u32,
            streams: limits::StreamSettings {
                max_streams: number("KHABAR_MAX_STREAMS", &options.max_streams, 1, 1_000_000)? as usize,
                per_address: number(
                    "KHABAR_MAX_STREAMS_PER_ADDRESS",
                    &options.max_streams_per_address,
                    1,
                    100_000,
                )? as usize,
                retry: std::time::Duration::from_millis(number(
                    "KHABAR_STREAM_RETRY_MS",
                    &options.stream_retry_ms,
                    100,
                    600_000,
                )?),
                ..Default::default()
            },

            websub_hub: options
                .websub_hub
                .as_deref()
                .map(|raw| parse_url("KHABAR_WEBSUB_HUB", raw))
                .transpose()?,
            jwt_key_files,
            jwt_issuer: match options.jwt_issuer.trim() {
                "" => return Err(config_error("KHABAR_JWT_ISSUER", "must not be empty")),
                issuer if issuer.len() > 200 || issuer.chars().any(char::is_control) => {
                    return Err(config_error(
                        "KHABAR_JWT_ISSUER",
                        "must be at most 200 characters, without control characters",
                    ))
                }
                issuer => issuer.to_owned(),
            },
            access_token_ttl: number("KHABAR_ACCESS_TOKEN_TTL", &options.access_token_ttl, 60, 86_400)?
                as u32,
            session_ttl: number("KHABAR_SESSION_TTL", &options.session_ttl, 300, 31_536_000)? as u32,
            worker,
            media: crate::uploads::MediaStore {
                storage: media_storage(options)?,
                max_bytes: number("KHABAR_MEDIA_MAX_MB", &options.media_max_mb, 1, 1024)? as usize
                    * 1024
                    * 1024,
                max_pixels: number(
                    "KHABAR_MEDIA_MAX_PIXELS",
                    &options.media_max_pixels,
                    1,
                    1_000_000_000,
                )?,
                widths: image_widths(&options.image_widths)?,
                featured_min_width: number(
                    "KHABAR_FEATURED_IMAGE_MIN_WIDTH",
                    &options.featured_image_min_width,
                    1,
                    u64::from(crate::images::spec::MAX_SIDE),
                )? as u32,
            },
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

/// `KHABAR_RATE_LIMIT_STORE`: `memory`, or a Redis URL the client accepts.
fn rate_limit_store(raw: &str) -> Result<Option<String>, ConfigError> {
    match raw.trim() {
        "" | "memory" => Ok(None),
        url if url.starts_with("redis://") || url.starts_with("redis+unix://") => redis::Client::open(url)
            .map(|_| Some(url.to_owned()))
            .map_err(|e| config_error("KHABAR_RATE_LIMIT_STORE", format!("not a Redis URL: {e}"))),
        other => Err(config_error(
            "KHABAR_RATE_LIMIT_STORE",
            format!(
                "'{}' is neither `memory` nor a redis:// URL",
                other.split('@').next_back().unwrap_or(other)
            ),
        )),
    }
}

/// `DATABASE_READ_URL`: PostgreSQL URLs, and only beside a PostgreSQL primary (SQLite has no
/// replicas to read from).
fn read_replica_urls(primary: &DatabaseUrl, raw: Option<&str>) -> Result<Vec<DatabaseUrl>, ConfigError> {
    let raw = raw.unwrap_or_default();
    let urls = raw
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(|url| match DatabaseUrl::parse(url) {
            Ok(parsed @ DatabaseUrl::Postgres(_)) => Ok(parsed),
            Ok(DatabaseUrl::Sqlite(_)) => Err(config_error(
                "DATABASE_READ_URL",
                "read replicas are PostgreSQL servers: give postgres://… URLs",
            )),
            Err(e) => Err(config_error(
                "DATABASE_READ_URL",
                e.to_string().replace("DATABASE_URL", "a URL"),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !urls.is_empty() && primary.backend() != Backend::Postgres {
        return Err(config_error(
            "DATABASE_READ_URL",
            "read replicas need a PostgreSQL DATABASE_URL",
        ));
    }
    Ok(urls)
}

/// The media store: KHABAR_MEDIA_STORE when set, else the directory KHABAR_MEDIA_DIR.
fn media_storage(options: &Options) -> Result<crate::storage::Storage, ConfigError> {
    use crate::storage::{Storage, StorageLocation};
    let (setting, location) = match options.media_store.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => (
            "KHABAR_MEDIA_STORE",
            StorageLocation::parse(raw).map_err(|e| config_error("KHABAR_MEDIA_STORE", e))?,
        ),
        _ => (
            "KHABAR_MEDIA_DIR",
            StorageLocation::Local(options.media_dir.clone()),
        ),
    };
    Storage::open(&location).map_err(|e| config_error(setting, e.to_string()))
}

fn image_widths(value: &str) -> Result<Vec<u32>, ConfigError> {
    let mut widths = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let width: u32 = number(
            "KHABAR_IMAGE_WIDTHS",
            part,
            16,
            u64::from(crate::images::spec::MAX_SIDE),
        )? as u32;
        widths.push(width);
    }
    if widths.is_empty() {
        return Err(config_error("KHABAR_IMAGE_WIDTHS", "at least one width"));
    }
    widths.sort_unstable();
    widths.dedup();
    Ok(widths)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        options: Options,
    }

    fn settings(args: &[&str]) -> Result<Settings, ConfigError> {
        let probe = Probe::try_parse_from(std::iter::once("khabar").chain(args.iter().copied())).unwrap();
        Settings::from_options(&probe.options)
    }

    #[test]
    fn defaults_are_sqlite_on_loopback() {
        let s = settings(&["--database-url", "sqlite://khabar.db", "--bind", "127.0.0.1:8080"]).unwrap();
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("khabar.db".into()));
        assert_eq!(s.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(s.loads_demo());
        assert!(s.require_jwt_secret().is_ok());
    }

    #[test]
    fn edge_purge_targets_are_a_comma_list() {
        let s = settings(&[
            "--purge-url",
            "varnish+http://10.0.0.5:6081, varnish+http://10.0.0.6:6081,cloudflare:zone1",
            "--purge-token",
            "t0ken",
        ])
        .unwrap();
        assert_eq!(s.worker.purge_targets.len(), 3);
        assert_eq!(s.worker.purge_token.as_deref(), Some("t0ken"));
        assert!(settings(&[]).unwrap().worker.purge_targets.is_empty());
    }

    #[test]
    fn each_bad_setting_is_named() {
        let cases: &[(&[&str], &str)] = &[
            (&["--database-url", "mysql://x"], "DATABASE_URL"),
            (&["--bind", "localhost"], "KHABAR_BIND"),
            (&["--jwt-secret", "short"], "KHABAR_JWT_SECRET"),
            (&["--public-url", "ftp://x"], "KHABAR_PUBLIC_URL"),
            (&["--pool-size", "0"], "KHABAR_DB_POOL_SIZE"),
            (&["--workers", "many"], "KHABAR_WORKERS"),
            (&["--cache-max-age=-1"], "KHABAR_CACHE_MAX_AGE"),
            (&["--cache-mb", "lots"], "KHABAR_CACHE_MB"),
            (&["--feed-items", "10"], "KHABAR_FEED_ITEMS"),
            (&["--websub-hub", "not a url"], "KHABAR_WEBSUB_HUB"),
            (&["--purge-url", "varnish+ftp://x"], "KHABAR_PURGE_URL"),
            (&["--purge-url", "akamai:123"], "KHABAR_PURGE_URL"),
            (&["--purge-url", "fastly:svc"], "KHABAR_PURGE_TOKEN"),
            (&["--jwt-algorithm", "eddsa"], "KHABAR_JWT_PRIVATE_KEY_FILE"),
            (&["--access-token-ttl", "5"], "KHABAR_ACCESS_TOKEN_TTL"),
            (&["--worker", "maybe"], "KHABAR_WORKER"),
            (&["--webhook-max-attempts", "0"], "KHABAR_WEBHOOK_MAX_ATTEMPTS"),
            (&["--rate-limit", "lots"], "KHABAR_RATE_LIMIT"),
            (
                &["--webhook-allow-private", "sometimes"],
                "KHABAR_WEBHOOK_ALLOW_PRIVATE",
            ),
            (&["--partner-rate-limit=-5"], "KHABAR_PARTNER_RATE_LIMIT"),
            (&["--max-connections", "3"], "KHABAR_MAX_CONNECTIONS"),
            (
                &["--max-connections-per-address", "x"],
                "KHABAR_MAX_CONNECTIONS_PER_ADDRESS",
            ),
            (&["--header-timeout-ms", "0"], "KHABAR_HEADER_TIMEOUT_MS"),
            (&["--body-timeout-ms", "soon"], "KHABAR_BODY_TIMEOUT_MS"),
            (&["--request-timeout-ms", "1"], "KHABAR_REQUEST_TIMEOUT_MS"),
            (&["--db-timeout-ms", "5"], "KHABAR_DB_TIMEOUT_MS"),
            (&["--shutdown-drain-ms=-1"], "KHABAR_SHUTDOWN_DRAIN_MS"),
            (&["--shutdown-timeout", "0"], "KHABAR_SHUTDOWN_TIMEOUT"),
            (&["--min-free-disk-mb", "lots"], "KHABAR_MIN_FREE_DISK_MB"),
            (&["--media-max-pixels", "0"], "KHABAR_MEDIA_MAX_PIXELS"),
            (&["--media-store", "s3://No_Such"], "KHABAR_MEDIA_STORE"),
            (&["--media-store", "gs://bucket"], "KHABAR_MEDIA_STORE"),
            (
                &["--trusted-proxies", "10.0.0.0/8, lb.internal"],
                "KHABAR_TRUSTED_PROXIES",
            ),
            (&["--database-read-url", "postgres://r/db"], "DATABASE_READ_URL"),
            (
                &[
                    "--database-url",
                    "postgres://p/db",
                    "--database-read-url",
                    "sqlite://r.db",
                ],
                "DATABASE_READ_URL",
            ),
            (
                &[
                    "--database-url",
                    "postgres://p/db",
                    "--database-read-url",
                    "r:5432",
                ],
                "DATABASE_READ_URL",
            ),
            (&["--replica-max-lag-ms", "10"], "KHABAR_REPLICA_MAX_LAG_MS"),
            (&["--jwt-issuer", " "], "KHABAR_JWT_ISSUER"),
            (
                &["--rate-limit-store", "memcached://x"],
                "KHABAR_RATE_LIMIT_STORE",
            ),
            (
                &["--rate-limit-store", "redis://[oops"],
                "KHABAR_RATE_LIMIT_STORE",
            ),
        ];
        for (args, setting) in cases {
            let err = settings(args).unwrap_err();
            assert_eq!(err.setting, *setting, "{args:?}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    /// The README's table and the deployment example's environment name every setting there is.
    #[test]
    fn every_setting_is_documented_and_in_the_deployment_environment() {
        use clap::CommandFactory;
        let readme = include_str!("../../README.md");
        let environment = include_str!("../../deploy/systemd/khabar.env");
        let names: Vec<String> = Probe::command()
            .get_arguments()
            .filter_map(|arg| arg.get_env().map(|env| env.to_string_lossy().into_owned()))
            .collect();
        assert!(names.len() > 40, "{names:?}");
        for name in names {
            assert!(
                readme.contains(&format!("| `{name}` |")),
                "{name} is not in the README's table"
            );
            assert!(
                environment
                    .lines()
                    .any(|line| line.trim_start_matches('#').starts_with(&format!("{name}="))),
                "{name} is not in deploy/systemd/khabar.env"
            );
        }
    }

    #[test]
    fn read_replicas_are_a_comma_list_of_postgres_urls() {
        let s = settings(&[
            "--database-url",
            "postgres://primary/khabar",
            "--database-read-url",
            "postgres://replica-a/khabar, postgres://replica-b/khabar",
        ])
        .unwrap();
        assert_eq!(s.read_replicas.urls.len(), 2);
        assert_eq!(s.read_replicas.max_lag, std::time::Duration::from_secs(5));
        assert!(settings(&[]).unwrap().read_replicas.urls.is_empty());
        assert_eq!(settings(&[]).unwrap().jwt_issuer, "khabar");
    }

    #[test]
    fn postgres_needs_a_shared_secret() {
        let s = settings(&["--database-url", "postgres://localhost/khabar"]).unwrap();
        assert!(!s.loads_demo());
        assert_eq!(s.require_jwt_secret().unwrap_err().setting, "KHABAR_JWT_SECRET");
    }
}
