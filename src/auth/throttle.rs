//! Sign-in throttling, per account and per client address (GCRA buckets).
//!
//! Counted per node (`governor`) unless `KHABAR_RATE_LIMIT_STORE` names a Redis that every node
//! counts in ([`crate::budgets`]). Per node, behind a load balancer with N nodes an attacker
//! gets at most N times the budget, which still turns a password-guessing run of days into one
//! of years; shared, one budget. Accounts are counted in the store under a digest of their
//! email address, never the address itself.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::DefaultKeyedRateLimiter;
use sha2::{Digest, Sha256};

use crate::budgets::{Budget, SharedBudgets, StoreError};

/// Attempts an account may take in a burst, then one more every 12 s.
const ACCOUNT: Budget = Budget {
    interval: Duration::from_secs(12),
    burst: 5,
};
/// Attempts one client address may take in a burst (across accounts), then one every 3 s.
const ADDRESS: Budget = Budget {
    interval: Duration::from_secs(3),
    burst: 20,
};
/// Above this many tracked keys, forget the ones whose buckets are full again.
const RETAIN_ABOVE: usize = 10_000;

pub struct LoginThrottle {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    shared: Option<Arc<SharedBudgets>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self::new(None)
    }
}

impl LoginThrottle {
    pub fn new(shared: Option<Arc<SharedBudgets>>) -> Self {
        LoginThrottle {
            accounts: DefaultKeyedRateLimiter::keyed(ACCOUNT.quota()),
            addresses: DefaultKeyedRateLimiter::keyed(ADDRESS.quota()),
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
            if let Err(wait) = shared.take("signin-address", &key, ADDRESS).await? {
                return Ok(Err(wait));
            }
        }
        let digest = Sha256::digest(email.to_lowercase().as_bytes());
        let key: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        shared.take("signin-account", &key, ACCOUNT).await
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
        for _ in 0..ACCOUNT.burst {
            assert!(throttle.check_here("a@example.com", address).is_ok());
        }
        let wait = throttle.check_here("A@example.com", address).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= ACCOUNT.interval);
        assert!(throttle.check_here("b@example.com", address).is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_accounts() {
        let throttle = LoginThrottle::default();
        let address = Some("192.0.2.2".parse().unwrap());
        for n in 0..ADDRESS.burst {
            assert!(throttle.check_here(&format!("u{n}@example.com"), address).is_ok());
        }
        assert!(throttle.check_here("fresh@example.com", address).is_err());
        assert!(throttle
            .check_here("fresh@example.com", Some("192.0.2.3".parse().unwrap()))
            .is_ok());
    }
}
