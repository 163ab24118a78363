//! The settings that come in groups (the worker's, rate limits, connection limits, draining,
//! read replicas), each read from its options in one function.

use super::values::{config_error, flag, number, rate_limit_store, read_replica_urls};
use super::{limits, ConfigError, Options, WorkerSettings};
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
