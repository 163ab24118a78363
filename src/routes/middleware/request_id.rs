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
    let id = from_proxy.unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
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
    fn only_plain_ids_are_taken_from_proxies() {
        assert!(super::acceptable("req-0123_abc.XYZ"));
        for bad in ["", "has space", "tab\there", "ünicode", &"x".repeat(201)] {
            assert!(!super::acceptable(bad), "{bad:?}");
        }
    }
}
