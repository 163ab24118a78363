//! CORS for an API that any site may read (Fetch standard §3.2): every answer allows every
//! origin with `*`, and preflights get one fixed answer. Because nothing depends on the
//! request's `Origin`, nothing varies on it, so a CDN keeps one copy per URL, not one per
//! calling site. Credentials are never allowed cross-origin (the desk is same-origin).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

const ALLOW_METHODS: &str = "GET, HEAD, POST, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str =
    "Accept, Authorization, Content-Type, If-Match, If-None-Match, If-Modified-Since, If-Range, Range, Idempotency-Key, X-Api-Key, X-Request-Id";
const EXPOSE_HEADERS: &str =
    "ETag, Link, Last-Modified, Location, Retry-After, WWW-Authenticate, Content-Range, Accept-Ranges, Idempotent-Replayed, X-Request-Id";
/// How long a browser may reuse a preflight answer, in seconds.
const MAX_AGE: &str = "86400";

/// A CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. Other
/// `OPTIONS` requests are asked of the resource itself (and answered with `Allow`).
fn is_preflight(request: &ServiceRequest) -> bool {
    request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ORIGIN)
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

pub async fn cors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if is_preflight(&request) {
        let response = HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS))
            .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, MAX_AGE))
            .finish();
        return Ok(request.into_response(response).map_into_right_body());
    }
    let mut response = next.call(request).await?;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    Ok(response.map_into_left_body())
}
