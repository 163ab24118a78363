//! HTTP caching for public reads (RFC 9110 conditional requests, RFC 9111 caching): strong
//! `ETag`, `Last-Modified`, `304 Not Modified`, `Cache-Control`, and `Surrogate-Key` so a CDN
//! can purge exactly what a publish changed.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use crate::delivery::cache::Representation;

/// `Cache-Control` for public responses, as a header value made once.
#[derive(Debug, Clone)]
pub struct CachePolicy {
    header: HeaderValue,
}

impl CachePolicy {
    pub fn new(max_age_seconds: u32, stale_while_revalidate_seconds: u32) -> Self {
        let text = format!(
            "public, max-age={max_age_seconds}, stale-while-revalidate={stale_while_revalidate_seconds}"
        );
        CachePolicy {
            header: HeaderValue::from_str(&text).expect("digits and ASCII make a header value"),
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
        HttpResponse::new(StatusCode::NOT_MODIFIED)
    } else {
        HttpResponse::with_body(StatusCode::OK, representation.body.clone()).map_into_boxed_body()
    };
    let headers = response.headers_mut();
    for (name, value) in wire_headers(representation) {
        // A 304 carries the validators and caching headers, not the body's type (§15.4.5).
        if !(fresh && name == header::CONTENT_TYPE) {
            headers.insert(name.clone(), value.clone());
        }
    }
    headers.insert(header::CACHE_CONTROL, policy.header.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// The representation's own headers as sent, built once per cached entry. A value that is
/// not a valid header (it cannot be: tags, dates, keys and URLs are ASCII) is left out.
fn wire_headers(representation: &Representation) -> &[(HeaderName, HeaderValue)] {
    representation.wire_headers.get_or_init(|| {
        let mut headers = vec![(
            header::CONTENT_TYPE,
            HeaderValue::from_static(representation.content_type),
        )];
        let mut add = |name: HeaderName, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.push((name, value));
            }
        };
        add(header::ETAG, &representation.etag);
        add(header::LAST_MODIFIED, &representation.last_modified_http);
        add(
            HeaderName::from_static("surrogate-key"),
            &representation.surrogate_key_header(),
        );
        for (name, value) in &representation.headers {
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                add(name, value);
            }
        }
        headers
    })
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

    #[test]
    fn headers_are_built_once_per_entry_and_a_304_keeps_the_validators_only() {
        let mut representation = Representation::new(
            bytes::Bytes::from_static(b"{}"),
            "\"abc\"".into(),
            Utc::now(),
            "article-1 topic-libya".into(),
        );
        representation.headers.push((
            "Link",
            "<https://x.test/v1/articles?cursor=c>; rel=\"next\"".into(),
        ));
        let policy = CachePolicy::new(60, 300);
        let plain = actix_web::test::TestRequest::get().to_http_request();
        let first = respond(&plain, &representation, &policy);
        let built = representation
            .wire_headers
            .get()
            .expect("built on the first answer")
            .as_ptr();
        let second = respond(&plain, &representation, &policy);
        assert_eq!(
            representation.wire_headers.get().unwrap().as_ptr(),
            built,
            "reused, not rebuilt"
        );
        for response in [&first, &second] {
            assert_eq!(response.status(), StatusCode::OK);
            let headers = response.headers();
            assert_eq!(headers.get(header::ETAG).unwrap(), "\"abc\"");
            assert_eq!(
                headers.get("surrogate-key").unwrap(),
                "article-1 topic-libya lists all"
            );
            assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "application/json");
            assert!(headers.get(header::LINK).is_some());
            assert_eq!(
                headers.get(header::CACHE_CONTROL).unwrap(),
                "public, max-age=60, stale-while-revalidate=300"
            );
        }
        let conditional = actix_web::test::TestRequest::get()
            .insert_header((header::IF_NONE_MATCH, "\"abc\""))
            .to_http_request();
        let not_modified = respond(&conditional, &representation, &policy);
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
        assert!(not_modified.headers().get(header::CONTENT_TYPE).is_none());
        assert_eq!(not_modified.headers().get(header::ETAG).unwrap(), "\"abc\"");
        assert!(not_modified.headers().get(header::CACHE_CONTROL).is_some());
    }
}
