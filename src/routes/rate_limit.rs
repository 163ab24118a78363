//! Request budgets: each client address gets `KHABAR_RATE_LIMIT` requests a minute; each
//! partner API key, and each signed-in user, `KHABAR_PARTNER_RATE_LIMIT` (GCRA buckets, a
//! minute's worth of burst). Staff count per user so that a newsroom behind one NAT address
//! does not throttle itself. Counted per node (`governor`), so N nodes allow N times the
//! budget, unless `KHABAR_RATE_LIMIT_STORE` names a Redis all nodes count in
//! ([`crate::budgets`]); the node's own buckets stand in while that store does not answer.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::DefaultKeyedRateLimiter;

use super::AppState;
use crate::budgets::{Budget, SharedBudgets};
use crate::domain::client_address::{counting_key, TrustedProxies};
use crate::error::ApiError;

/// Header partners send their key in.
pub const API_KEY_HEADER: &str = "x-api-key";
/// Every this many checks, forget the clients whose buckets are full again. Counting the tracked
/// clients takes every shard's lock, too much to do on each request.
const HOUSEKEEPING_EVERY: u64 = 4096;

pub use crate::config::limits::RateLimitSettings;

/// One kind of budget: how much, and this node's own buckets of it.
struct Buckets<K: std::hash::Hash + Eq + Clone> {
    budget: Budget,
    here: DefaultKeyedRateLimiter<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Buckets<K> {
    /// `limit` a minute; none for 0 (no limit).
    fn per_minute(limit: u32) -> Option<Self> {
        Budget::per_minute(limit).map(|budget| Buckets {
            budget,
            here: DefaultKeyedRateLimiter::keyed(budget.quota()),
        })
    }
}

pub struct RateLimits {
    addresses: Option<Buckets<IpAddr>>,
    partners: Option<Buckets<i64>>,
    users: Option<Buckets<i64>>,
    pub trusted_proxies: TrustedProxies,
    shared: Option<Arc<SharedBudgets>>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings, shared: Option<Arc<SharedBudgets>>) -> Self {
        RateLimits {
            addresses: Buckets::per_minute(settings.per_address),
            partners: Buckets::per_minute(settings.per_partner),
            users: Buckets::per_minute(settings.per_partner),
            trusted_proxies: settings.trusted_proxies.clone(),
            shared,
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// The client a request came from, through the trusted proxies.
    pub fn client(&self, request: &actix_web::HttpRequest) -> Option<IpAddr> {
        let peer = request.peer_addr()?.ip();
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Some(self.trusted_proxies.client(peer, forwarded))
    }

    /// Takes one request from `key`'s bucket: in the shared store when there is one and it
    /// answers, else in this node's.
    async fn check<K>(&self, buckets: Option<&Buckets<K>>, kind: &str, key: K) -> Result<(), ApiError>
    where
        K: std::hash::Hash + Eq + Clone + std::fmt::Display,
    {
        let Some(Buckets {
            budget,
            here: limiter,
        }) = buckets
        else {
            return Ok(());
        };
        if let Some(shared) = &self.shared {
            match shared.take(kind, &key.to_string(), *budget).await {
                Ok(verdict) => {
                    return verdict.map_err(|wait| ApiError::TooManyRequests {
                        retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
                    })
                }
                Err(error) => shared.warn(&error),
            }
        }
        if self.checks.fetch_add(1, Ordering::Relaxed) % HOUSEKEEPING_EVERY == HOUSEKEEPING_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&key)
            .map_err(|until| ApiError::TooManyRequests {
                retry_after: until.wait_time_from(self.clock.now()).as_secs().max(1),
            })
    }

    pub async fn check_address(&self, address: IpAddr) -> Result<(), ApiError> {
        self.check(self.addresses.as_ref(), "address", counting_key(address))
            .await
    }

    pub async fn check_partner(&self, key_id: i64) -> Result<(), ApiError> {
        self.check(self.partners.as_ref(), "key", key_id).await
    }

    pub async fn check_user(&self, user_id: i64) -> Result<(), ApiError> {
        self.check(self.users.as_ref(), "user", user_id).await
    }
}

/// Paths outside every budget: probes and scrapes must answer even when a client floods the
/// node, and the reference page loads a dozen assets at once.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics") || path.starts_with("/docs")
}

/// The user an access token names, when its signature and claims verify. Whether its session
/// is still live is left to the handler (a database read): a revoked token keeps its own
/// budget for at most its remaining lifetime, and a forged one counts against its address.
fn signed_in_user(state: &AppState, request: &ServiceRequest) -> Option<i64> {
    let token = super::principal::bearer_token(request.request()).ok()?;
    let claims: crate::auth::tokens::AccessClaims = state
        .auth
        .keys
        .verify(&token, crate::auth::tokens::ACCESS_AUDIENCE)
        .ok()?;
    claims.sub.parse().ok()
}

/// Whether some route of the request's path answers its method (HEAD is GET's).
fn method_answered(state: &AppState, request: &ServiceRequest) -> bool {
    let method = request.method().as_str();
    method == "HEAD"
        || state
            .methods
            .allowed(request.path())
            .is_none_or(|allowed| allowed.iter().any(|m| m == method))
}

/// Middleware: counts the request against its partner key, its user or its client address, answering 429
/// with `Retry-After` when the budget is spent and 401 for a key that is not a live one.
pub async fn limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if exempt(request.path()) {
        return next.call(request).await.map(ServiceResponse::map_into_left_body);
    }
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(request).await.map(ServiceResponse::map_into_left_body);
    };
    let verdict = match request.headers().get(API_KEY_HEADER) {
        // The method is judged before the key (RFC 9110 §15.5.6): `TRACE` with a key gets its
        // 405, not a 401 that says something about the key. Only requests with a key pay for
        // the look-up (every route's pattern is tried).
        Some(_) if !method_answered(&state, &request) => {
            return next.call(request).await.map(ServiceResponse::map_into_left_body);
        }
        Some(value) => {
            let key = value.to_str().unwrap_or_default().trim().to_owned();
            match state.api_keys.verify(&key).await {
                Ok(Some(id)) => state.rate_limits.check_partner(id).await,
                Ok(None) => Err(ApiError::InvalidApiKey(
                    "the X-Api-Key is not a live key; ask the newsroom for a new one or leave the header out"
                        .into(),
                )),
                Err(error) => Err(ApiError::Database(error)),
            }
        }
        None => match signed_in_user(&state, &request) {
            Some(user_id) => state.rate_limits.check_user(user_id).await,
            None if state.rate_limits.addresses.is_none() => Ok(()),
            None => match state.rate_limits.client(request.request()) {
                Some(address) => state.rate_limits.check_address(address).await,
                None => Ok(()),
            },
        },
    };
    match verdict {
        Ok(()) => next.call(request).await.map(ServiceResponse::map_into_left_body),
        Err(error) => Ok(request
            .into_response(error.error_response())
            .map_into_right_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_spent_budget_names_the_wait_and_others_are_untouched() {
        let limits = RateLimits::new(
            &RateLimitSettings {
                per_address: 2,
                per_partner: 0,
                ..RateLimitSettings::default()
            },
            None,
        );
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.check_address(a).await.is_ok() && limits.check_address(a).await.is_ok());
        match limits.check_address(a).await {
            Err(ApiError::TooManyRequests { retry_after }) => assert!((1..=30).contains(&retry_after)),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limits.check_address("192.0.2.2".parse().unwrap()).await.is_ok());
        // 0 turns the partner limit off.
        for _ in 0..1000 {
            assert!(limits.check_partner(7).await.is_ok());
        }
    }

    #[test]
    fn probes_and_the_reference_page_are_exempt() {
        assert!(
            exempt("/healthz") && exempt("/readyz") && exempt("/metrics") && exempt("/docs/swagger-ui.css")
        );
        assert!(!exempt("/v1/articles") && !exempt("/feeds/ar/rss.xml") && !exempt("/openapi.json"));
    }
}
