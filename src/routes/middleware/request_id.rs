//! Request ids: `X-Request-Id` from a trusted proxy (`KHABAR_TRUSTED_PROXIES`) is kept, else
//! one is made; it is returned, put on the request's log lines and problem documents, and
//! handed to the webhook deliveries and edge purges the request causes.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::Error;

use crate::routes::State;

pub const HEADER: &str = "x-request-id";

/// A new request id: 32 hex digits, unique to the process (a bijective mix of a counter) and,
/// with a random per-process prefix, across processes, made without a system call (a random id
/// per request costs a `getrandom` call, a tenth of a cached read's own time).
fn new_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::LazyLock;
    static SEED: LazyLock<(u64, u64)> = LazyLock::new(|| {
        let mut bytes = [0u8; 16];
        // A node without a random source has bigger problems (it signs tokens); its ids then
        // start from the clock.
        if getrandom::fill(&mut bytes).is_err() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes = now.to_le_bytes();
        }
        let prefix = u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default());
        let key = u64::from_le_bytes(bytes[8..].try_into().unwrap_or_default());
        (prefix, key)
    });
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let (prefix, key) = *SEED;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix:016x}{:016x}", mix(n ^ key))
}

/// SplitMix64's finalizer: a bijection of 64-bit values that scatters consecutive inputs.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An id a proxy may hand on: 1 to 200 visible ASCII characters.
fn acceptable(id: &str) -> bool {
    (1..=200).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn request_id(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let from_proxy = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable(id))
        .filter(|_| {
            let peer = request.peer_addr().map(|a| a.ip());
            let state = request.app_data::<State>();
            matches!((peer, state), (Some(peer), Some(state)) if state.rate_limits.trusted_proxies.trusts(peer))
        })
        .map(str::to_owned);
    let id = from_proxy.unwrap_or_else(new_id);
    let value = HeaderValue::from_str(&id).ok();
    // The request carries the id it is known by from here on (a client's own is replaced), so
    // that the access log, which runs inside and logs before the answer is named, shows it.
    match &value {
        Some(value) => {
            request
                .headers_mut()
                .insert(HeaderName::from_static(HEADER), value.clone());
        }
        None => {
            request.headers_mut().remove(HEADER);
        }
    }
    let mut response = crate::telemetry::with_request_id(id, next.call(request)).await?;
    if let Some(value) = value {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    #[test]
    fn made_ids_are_distinct_and_plain() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| super::new_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids
            .iter()
            .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn only_plain_ids_are_taken_from_proxies() {
        assert!(super::acceptable("req-0123_abc.XYZ"));
        for bad in ["", "has space", "tab\there", "ünicode", &"x".repeat(201)] {
            assert!(!super::acceptable(bad), "{bad:?}");
        }
    }
}
