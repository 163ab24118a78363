//! The options every subcommand shares, as given on the command line or in the environment
//! (clap reads both); `Settings::from_options` checks them.

use clap::{Args, ValueEnum};

use super::LogFormat;

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
    /// How often live blog readers are told to poll, in seconds (1 to 3600): raise it under
    /// load, and every page that polls slows down at its next read.
    #[arg(long, env = "KHABAR_LIVE_POLL_SECONDS", default_value = "10", global = true)]
    pub live_poll_seconds: String,
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
    /// Whether the demo includes its live blog (June 2020 around Tripoli): `true` or `false`.
    #[arg(long, env = "KHABAR_DEMO_LIVE_BLOG", default_value = "true", global = true)]
    pub demo_live_blog: String,
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
