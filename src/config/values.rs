//! Reading one setting's value: URLs, numbers in a range, flags, lists; each failure names
//! the setting.

use super::{ConfigError, Options};
use crate::db::{Backend, DatabaseUrl};

pub(super) fn config_error(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        message: message.into(),
    }
}

pub(super) fn parse_url(setting: &'static str, raw: &str) -> Result<url::Url, ConfigError> {
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
pub(super) fn number(setting: &'static str, raw: &str, min: u64, max: u64) -> Result<u64, ConfigError> {
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| config_error(setting, format!("must be a whole number from {min} to {max}")))
}

pub(super) fn flag(setting: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(config_error(setting, "must be true or false")),
    }
}

/// `KHABAR_RATE_LIMIT_STORE`: `memory`, or a Redis URL the client accepts.
pub(super) fn rate_limit_store(raw: &str) -> Result<Option<String>, ConfigError> {
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
pub(super) fn read_replica_urls(
    primary: &DatabaseUrl,
    raw: Option<&str>,
) -> Result<Vec<DatabaseUrl>, ConfigError> {
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
pub(super) fn media_storage(options: &Options) -> Result<crate::storage::Storage, ConfigError> {
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

pub(super) fn image_widths(value: &str) -> Result<Vec<u32>, ConfigError> {
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
