//! Sign-in throttling, per account and per client address (GCRA buckets).
//!
//! Counted per node (`governor`) unless `KHABAR_RATE_LIMIT_STORE` names a Redis that every node
//! counts in ([`crate::budgets`]). Per node, behind a load balancer with N nodes an attacker
//! gets at most N times the budget, which still turns a password-guessing run of days into one
//! of years; shared, one budget. Accounts are counted in the store under a digest of the
//! address, never the address itself.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use sha2::{Digest, Sha256};

use crate::budgets::{Budget, SharedBudgets, StoreError};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Attempts an account may take in a burst, then one more per `ACCOUNT_PERIOD`.
const ACCOUNT_BURST: u32 = 5;
const ACCOUNT_PERIOD: Duration = Duration::from_secs(12);
/// Attempts one address may take in a burst (across accounts), then one per `ADDRESS_PERIOD`.
const ADDRESS_BURST: u32 = 20;
const ADDRESS_PERIOD: Duration = Duration::from_secs(3);
/// Above this many tracked keys, forget the ones whose buckets are full again.
const RETAIN_ABOVE: usize = 10_000;

pub struct LoginThrottle {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    shared: Option<Arc<SharedBudgets>>,
}

fn quota(period: Duration, burst: u32) -> Quota {
    Quota::with_period(period)
        .expect("non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("non-zero burst"))
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(None)
    }
}

impl LoginThrottle {
    pub fn new(shared: Option<Arc<SharedBudgets>>) -> Self {
        LoginThrottle {
            accounts: DefaultKeyedRateLimiter::keyed(quota(ACCOUNT_PERIOD, ACCOUNT_BURST)),
            addresses: DefaultKeyedRateLimiter::keyed(quota(ADDRESS_PERIOD, ADDRESS_BURST)),
            clock: DefaultClock::default(),
            shared,
        }
    }

    /// Counts one attempt; `Err` holds how long to wait when either budget is spent.
    pub async fn check(&self, email: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            match self.check_shared(shared, email, address).await {
                Ok(verdict) => return verdict,
                Err(error) => shared.warn(&error),
            }
        }
        self.check_here(email, address)
    }

    async fn check_shared(
        &self,
        shared: &SharedBudgets,
        email: &str,
        address: Option<IpAddr>,
    ) -> Result<Result<(), Duration>, StoreError> {
        if let Some(address) = address {
            let key = crate::domain::client_address::counting_key(address).to_string();
            let budget = Budget {
                interval: ADDRESS_PERIOD,
                burst: ADDRESS_BURST,
            };
            if let Err(wait) = shared.take("signin-address", &key, budget).await? {
                return Ok(Err(wait));
            }
        }
        let digest = Sha256::digest(email.to_lowercase().as_bytes());
        let key: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        let budget = Budget {
            interval: ACCOUNT_PERIOD,
            burst: ACCOUNT_BURST,
        };
        shared.take("signin-account", &key, budget).await
    }

    fn check_here(&self, email: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        if self.accounts.len() > RETAIN_ABOVE {
            self.accounts.retain_recent();
        }
        if self.addresses.len() > RETAIN_ABOVE {
            self.addresses.retain_recent();
        }
        let now = self.clock.now();
        if let Some(address) = address {
            self.addresses
                .check_key(&crate::domain::client_address::counting_key(address))
                .map_err(|until| until.wait_time_from(now))?;
        }
        self.accounts
            .check_key(&email.to_lowercase())
            .map_err(|until| until.wait_time_from(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_throttled_after_its_burst_and_others_are_not() {
        let throttle = LoginThrottle::default();
        let address = Some("192.0.2.1".parse().unwrap());
        for _ in 0..ACCOUNT_BURST {
            assert!(throttle.check_here("a@example.com", address).is_ok());
        }
        let wait = throttle.check_here("A@example.com", address).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= ACCOUNT_PERIOD);
        assert!(throttle.check_here("b@example.com", address).is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_accounts() {
        let throttle = LoginThrottle::default();
        let address = Some("192.0.2.2".parse().unwrap());
        for n in 0..ADDRESS_BURST {
            assert!(throttle.check_here(&format!("u{n}@example.com"), address).is_ok());
        }
        assert!(throttle.check_here("fresh@example.com", address).is_err());
        assert!(throttle
            .check_here("fresh@example.com", Some("192.0.2.3".parse().unwrap()))
            .is_ok());
    }
}
