//! HTTP caching for public reads (RFC 9110 conditional requests, RFC 9111 caching): strong
//! `ETag`, `Last-Modified`, `304 Not Modified`, `Cache-Control`, and `Surrogate-Key` so a CDN
//! can purge exactly what a publish changed.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};

use crate::delivery::cache::Representation;

/// `Cache-Control` for public responses.
#[derive(Debug, Clone)]
pub struct CachePolicy {
    header: String,
}

impl CachePolicy {
    pub fn new(max_age_seconds: u32, stale_while_revalidate_seconds: u32) -> Self {
        CachePolicy {
            header: format!(
                "public, max-age={max_age_seconds}, stale-while-revalidate={stale_while_revalidate_seconds}"
            ),
        }
    }
}

/// True when an `If-None-Match` list matches `etag` (weak comparison, RFC 9110 §13.1.2). A
/// compressed form's tag (`"abc-gzip"`) names the same content as `"abc"`.
fn none_match(if_none_match: &str, etag: &str) -> bool {
    let bare =
        |tag: &str| super::middleware::encoding::base_tag(tag.trim().trim_start_matches("W/")).into_owned();
    let etag = bare(etag);
    if_none_match.split(',').any(|candidate| {
        let candidate = candidate.trim();
        candidate == "*" || bare(candidate) == etag
    })
}

/// True when the representation has not changed since the `If-Modified-Since` date.
fn not_modified_since(if_modified_since: &str, last_modified: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc2822(if_modified_since)
        .map(|since| last_modified.timestamp() <= since.timestamp())
        .unwrap_or(false)
}

/// Answers a GET with `representation`, or with 304 when the client's copy is current.
/// `If-None-Match` takes precedence over `If-Modified-Since`, as RFC 9110 §13.2.2 orders.
pub fn respond(request: &HttpRequest, representation: &Representation, policy: &CachePolicy) -> HttpResponse {
    let header_text = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let fresh = match header_text(header::IF_NONE_MATCH) {
        Some(if_none_match) => none_match(if_none_match, &representation.etag),
        None => header_text(header::IF_MODIFIED_SINCE)
            .is_some_and(|since| not_modified_since(since, representation.last_modified)),
    };
    let mut response = if fresh {
        HttpResponse::build(StatusCode::NOT_MODIFIED)
    } else {
        HttpResponse::build(StatusCode::OK)
    };
    with_validators(&mut response, representation, policy);
    if fresh {
        response.finish()
    } else {
        response
            .insert_header((header::CONTENT_TYPE, representation.content_type))
            .body(representation.body.clone())
    }
}

fn with_validators(
    response: &mut HttpResponseBuilder,
    representation: &Representation,
    policy: &CachePolicy,
) {
    response
        .insert_header((header::ETAG, representation.etag.as_str()))
        .insert_header((header::LAST_MODIFIED, representation.last_modified_http.as_str()))
        .insert_header((header::CACHE_CONTROL, policy.header.as_str()))
        .insert_header((header::VARY, "Accept-Encoding"));
    if !representation.surrogate_keys.is_empty() {
        response.insert_header(("Surrogate-Key", representation.surrogate_keys.as_str()));
    }
    for (name, value) in &representation.headers {
        response.insert_header((*name, value.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_and_weak_forms() {
        assert!(none_match("\"abc\"", "\"abc\""));
        assert!(none_match("\"x\", W/\"abc\"", "\"abc\""));
        assert!(none_match("*", "\"abc\""));
        assert!(!none_match("\"abd\"", "\"abc\""));
        assert!(!none_match("abc", "\"abc\""));
    }

    #[test]
    fn if_modified_since_compares_whole_seconds() {
        let last = DateTime::parse_from_rfc3339("2020-07-03T18:37:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let representation = Representation::new(bytes::Bytes::new(), "\"x\"".into(), last, String::new());
        assert_eq!(representation.last_modified_http, "Fri, 03 Jul 2020 18:37:00 GMT");
        assert!(not_modified_since("Fri, 03 Jul 2020 18:37:00 GMT", last));
        assert!(!not_modified_since("Fri, 03 Jul 2020 18:36:59 GMT", last));
        assert!(!not_modified_since("yesterday", last));
    }
}
