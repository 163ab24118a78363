//! The settings that come in groups (addresses, the token keys and issuer, the worker's, rate
//! limits, connection limits, draining, read replicas, change streams, media), each read from
//! its options in one function.

use super::values::{
    config_error, flag, image_widths, media_storage, number, parse_url, rate_limit_store, read_replica_urls,
};
use super::{limits, ConfigError, JwtAlgorithm, Options, WorkerSettings, MIN_JWT_SECRET_BYTES};
use std::net::SocketAddr;

use crate::db::DatabaseUrl;

/// A number of milliseconds from `min` to `max`, as a duration.
fn millis(setting: &'static str, raw: &str, min: u64, max: u64) -> Result<std::time::Duration, ConfigError> {
    number(setting, raw, min, max).map(std::time::Duration::from_millis)
}

/// The background worker's settings.
pub(super) fn worker(options: &Options) -> Result<WorkerSettings, ConfigError> {
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
                        crate::purge::PurgeTarget::parse(t).map_err(|e| config_error("KHABAR_PURGE_URL", e))
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
    Ok(worker)
}

/// Request rates per address and per partner, and whom to trust for the address.
pub(super) fn rate_limits(options: &Options) -> Result<limits::RateLimitSettings, ConfigError> {
    Ok(limits::RateLimitSettings {
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
    })
}

/// Connection caps and deadlines.
pub(super) fn client_limits(options: &Options) -> Result<limits::ClientLimits, ConfigError> {
    Ok(limits::ClientLimits {
        connections_per_address: number(
            "KHABAR_MAX_CONNECTIONS_PER_ADDRESS",
            &options.max_connections_per_address,
            0,
            1_000_000,
        )? as u32,
        max_connections: number("KHABAR_MAX_CONNECTIONS", &options.max_connections, 16, 1_000_000)? as u32,
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
    })
}

/// How a node drains on SIGTERM.
pub(super) fn shutdown(options: &Options) -> Result<crate::lifecycle::ShutdownSettings, ConfigError> {
    Ok(crate::lifecycle::ShutdownSettings {
        drain_delay: millis("KHABAR_SHUTDOWN_DRAIN_MS", &options.shutdown_drain_ms, 0, 600_000)?,
        grace: std::time::Duration::from_secs(number(
            "KHABAR_SHUTDOWN_TIMEOUT",
            &options.shutdown_timeout,
            1,
            3600,
        )?),
    })
}

/// The read replicas and how far behind one may be.
pub(super) fn read_replicas(
    options: &Options,
    database_url: &DatabaseUrl,
) -> Result<crate::db::replicas::ReplicaSettings, ConfigError> {
    Ok(crate::db::replicas::ReplicaSettings {
        urls: read_replica_urls(database_url, options.database_read_url.as_deref())?,
        max_lag: millis(
            "KHABAR_REPLICA_MAX_LAG_MS",
            &options.replica_max_lag_ms,
            100,
            3_600_000,
        )?,
    })
}

/// The key files of EdDSA tokens (none for HS256); both are required with EdDSA.
pub(super) fn jwt_key_files(
    options: &Options,
) -> Result<Option<(std::path::PathBuf, std::path::PathBuf)>, ConfigError> {
    Ok(
        match (
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
        },
    )
}

/// The `iss` of the tokens this installation signs: not empty, short, printable.
pub(super) fn jwt_issuer(options: &Options) -> Result<String, ConfigError> {
    Ok(match options.jwt_issuer.trim() {
        "" => return Err(config_error("KHABAR_JWT_ISSUER", "must not be empty")),
        issuer if issuer.len() > 200 || issuer.chars().any(char::is_control) => {
            return Err(config_error(
                "KHABAR_JWT_ISSUER",
                "must be at most 200 characters, without control characters",
            ))
        }
        issuer => issuer.to_owned(),
    })
}

/// How many change streams a node holds, per address, the `retry:` it sets, and how often live
/// blog readers poll.
pub(super) fn streams(options: &Options) -> Result<limits::StreamSettings, ConfigError> {
    Ok(limits::StreamSettings {
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
        live_poll: std::time::Duration::from_secs(number(
            "KHABAR_LIVE_POLL_SECONDS",
            &options.live_poll_seconds,
            1,
            3600,
        )?),
        ..Default::default()
    })
}

/// Where uploads are kept and what they may be.
pub(super) fn media(options: &Options) -> Result<crate::uploads::MediaStore, ConfigError> {
    Ok(crate::uploads::MediaStore {
        storage: media_storage(options)?,
        max_bytes: number("KHABAR_MEDIA_MAX_MB", &options.media_max_mb, 1, 1024)? as usize * 1024 * 1024,
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
    })
}

/// The HS256 secret, when given: long enough.
pub(super) fn jwt_secret(options: &Options) -> Result<Option<String>, ConfigError> {
    let jwt_secret = options.jwt_secret.clone().filter(|s| !s.is_empty());
    if let Some(secret) = &jwt_secret {
        if secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(config_error(
                "KHABAR_JWT_SECRET",
                format!("must be at least {MIN_JWT_SECRET_BYTES} bytes long"),
            ));
        }
    }
    Ok(jwt_secret)
}

/// Where the server listens, the address the public reaches it at, and the site's own address
/// (each defaulting to the one before).
pub(super) fn addresses(options: &Options) -> Result<(SocketAddr, url::Url, url::Url), ConfigError> {
    let bind: SocketAddr = options.bind.trim().parse().map_err(|_| {
        config_error(
            "KHABAR_BIND",
            format!(
                "'{}' is not a socket address such as 127.0.0.1:8080",
                options.bind
            ),
        )
    })?;
    let public_url = match &options.public_url {
        Some(raw) => parse_url("KHABAR_PUBLIC_URL", raw)?,
        None => parse_url("KHABAR_BIND", &format!("http://{bind}/"))?,
    };
    let site_url = match &options.site_url {
        Some(raw) => parse_url("KHABAR_SITE_URL", raw)?,
        None => public_url.clone(),
    };
    Ok((bind, public_url, site_url))
}
