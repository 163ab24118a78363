//! Request budgets shared by every node, in Redis (`KHABAR_RATE_LIMIT_STORE=redis://…`).
//!
//! Each node keeps its own `governor` buckets by default, so N nodes allow N times a budget.
//! With a shared store, a budget is taken in one atomic round trip: a Lua script runs the same
//! GCRA as `governor` (the theoretical arrival time of the next request, kept under the key
//! with an expiry) on Redis's clock, so nodes with drifting clocks still agree. When the store
//! does not answer within its timeout, the node falls back to its own buckets for that request
//! and says so in the log (at most every ten seconds): a Redis outage weakens the limits to
//! per node, it never refuses or delays readers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How long a budget check may wait for Redis before the node counts on its own.
const STORE_TIMEOUT: Duration = Duration::from_millis(250);
const WARN_EVERY: Duration = Duration::from_secs(10);

/// GCRA: allow when the next arrival time is at most `tolerance` ahead of now; then push it
/// one `interval` further. Returns 0, or the milliseconds to wait.
const TAKE: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then
  return tat - tolerance - now
end
local next_tat = tat + interval
redis.call('SET', KEYS[1], next_tat, 'PX', next_tat - now)
return 0
";

/// A bucket: one request per `interval`, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub interval: Duration,
    pub burst: u32,
}

impl Budget {
    /// `limit` a minute, a minute's worth at once; `None` for 0 (no limit).
    pub fn per_minute(limit: u32) -> Option<Budget> {
        (limit > 0).then(|| Budget {
            interval: Duration::from_secs(60) / limit,
            burst: limit,
        })
    }

    /// The same bucket for a node's own `governor` limiter.
    pub fn quota(self) -> governor::Quota {
        governor::Quota::with_period(self.interval)
            .expect("a non-zero interval")
            .allow_burst(std::num::NonZeroU32::new(self.burst).expect("a non-zero burst"))
    }
}

/// Why the shared store could not decide.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the budget store did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the budget store failed: {0}")]
    Redis(#[from] redis::RedisError),
}

/// The Redis every node counts in.
pub struct SharedBudgets {
    connection: ConnectionManager,
    script: redis::Script,
    /// Keys are `<prefix><kind>:<key>`: several installations may share one Redis.
    prefix: String,
    started: Instant,
    last_warning_ms: AtomicU64,
}

impl SharedBudgets {
    /// A client for `url` that connects on first use and reconnects by itself.
    pub fn new(url: &str, prefix: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| e.to_string())?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(STORE_TIMEOUT))
            .set_response_timeout(Some(STORE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(2));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(|e| e.to_string())?;
        Ok(SharedBudgets {
            connection,
            script: redis::Script::new(TAKE),
            prefix: prefix.to_owned(),
            started: Instant::now(),
            last_warning_ms: AtomicU64::new(0),
        })
    }

    /// Takes one request from the bucket `kind:key`: `Ok(Ok(()))` when allowed, `Ok(Err(wait))`
    /// when spent.
    pub async fn take(
        &self,
        kind: &str,
        key: &str,
        budget: Budget,
    ) -> Result<Result<(), Duration>, StoreError> {
        let interval = budget.interval.as_millis().max(1) as u64;
        let tolerance = interval * u64::from(budget.burst.saturating_sub(1));
        let mut connection = self.connection.clone();
        let mut invocation = self.script.key(format!("{}{kind}:{key}", self.prefix));
        invocation.arg(interval).arg(tolerance);
        let wait_ms: u64 = tokio::time::timeout(STORE_TIMEOUT, invocation.invoke_async(&mut connection))
            .await
            .map_err(|_| StoreError::Timeout(STORE_TIMEOUT))??;
        Ok(match wait_ms {
            0 => Ok(()),
            ms => Err(Duration::from_millis(ms)),
        })
    }

    /// Logs a failed check, at most every [`WARN_EVERY`].
    pub fn warn(&self, error: &StoreError) {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_warning_ms.load(Ordering::Relaxed);
        if (last == 0 || now.saturating_sub(last) >= WARN_EVERY.as_millis() as u64)
            && self
                .last_warning_ms
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(%error, "shared rate limits unavailable: counting on this node until the store answers");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_budget_allows_its_limit_at_once() {
        let budget = Budget::per_minute(1200).unwrap();
        assert_eq!(budget.interval, Duration::from_millis(50));
        assert_eq!(budget.burst, 1200);
        assert_eq!(
            budget.quota(),
            governor::Quota::per_minute(std::num::NonZeroU32::new(1200).unwrap())
        );
        assert_eq!(Budget::per_minute(0), None);
    }
}
