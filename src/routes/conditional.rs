//! HTTP caching for public reads (RFC 9110 conditional requests, RFC 9111 caching): strong
//! `ETag`, `Last-Modified`, `304 Not Modified`, `Cache-Control`, and `Surrogate-Key` so a CDN
//! can purge exactly what a publish changed.

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use super::ranges::{self, Conditions, Outcome, Validators};
use crate::delivery::cache::Representation;
use crate::delivery::codings::{negotiate, Coding};

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
/// coded form's tag (`"abc-gzip"`) names the same content as `"abc"`: a client holding any
/// coding of the current representation is answered 304.
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

/// Tells the content-coding middleware that this answer's coding was chosen already.
#[derive(Debug, Clone, Copy)]
pub struct Negotiated;

/// The public representation an answer was made from: the fast read path
/// (`middleware::fast_read`) remembers it under the request's address.
#[derive(Clone)]
pub struct Served(pub std::sync::Arc<Representation>);

/// The index of a coding in a representation's header sets.
fn slot(coding: Coding) -> usize {
    match coding {
        Coding::Identity => 0,
        Coding::Gzip => 1,
        Coding::Brotli => 2,
    }
}

/// Answers a GET with `representation` in the coding the client accepts (the bytes were made
/// when the representation was), or with 304 when the client's copy is current, or with the
/// part a `Range` asks for. `If-None-Match` takes precedence over `If-Modified-Since`, as RFC
/// 9110 §13.2.2 orders; a range is of the coded bytes sent (§14.1.2).
pub fn respond(
    request: &HttpRequest,
    representation: &std::sync::Arc<Representation>,
    policy: &CachePolicy,
) -> HttpResponse {
    let mut response = answer(request, representation, policy);
    response
        .extensions_mut()
        .insert(Served(std::sync::Arc::clone(representation)));
    response
}

/// The answer itself (see [`respond`]).
pub fn answer(request: &HttpRequest, representation: &Representation, policy: &CachePolicy) -> HttpResponse {
    let headers_in = request.headers();
    let header_text = |name| headers_in.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let wanted = negotiate(
        headers_in
            .get_all(header::ACCEPT_ENCODING)
            .filter_map(|v| v.to_str().ok()),
    );
    let (coding, bytes) = representation.bodies.for_coding(wanted);
    let fresh = match header_text(header::IF_NONE_MATCH) {
        Some(if_none_match) => none_match(if_none_match, &representation.etag),
        None => header_text(header::IF_MODIFIED_SINCE)
            .is_some_and(|since| not_modified_since(since, representation.last_modified)),
    };
    let wire = wire_headers(representation, coding);
    let mut response = if fresh {
        HttpResponse::new(StatusCode::NOT_MODIFIED)
    } else {
        match header_text(header::RANGE) {
            Some(range) => partial(request, representation, coding, bytes, range),
            None => HttpResponse::with_body(StatusCode::OK, bytes.clone()).map_into_boxed_body(),
        }
    };
    let headers = response.headers_mut();
    for (name, value) in wire {
        // A 304 carries the validators and caching headers, not the body's type or coding
        // (§15.4.5); a multipart 206 has a type of its own.
        let skip = (fresh && (name == header::CONTENT_TYPE || name == header::CONTENT_ENCODING))
            || headers.contains_key(name);
        if !skip {
            headers.insert(name.clone(), value.clone());
        }
    }
    headers.insert(header::CACHE_CONTROL, policy.header.clone());
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    response.extensions_mut().insert(Negotiated);
    response
}

/// The answer to a `Range` request of the `coding` form's bytes: 206 with the part (or a
/// `multipart/byteranges` of several), 416 when no range is within them, the whole 200 when
/// `If-Range` names another version or the header is not a byte range we read.
fn partial(
    request: &HttpRequest,
    representation: &Representation,
    coding: Coding,
    bytes: &bytes::Bytes,
    range: &str,
) -> HttpResponse {
    let etag = coded_etag(&representation.etag, coding);
    let conditions = Conditions {
        range: Some(range),
        if_range: request
            .headers()
            .get(header::IF_RANGE)
            .and_then(|v| v.to_str().ok()),
        ..Conditions::default()
    };
    let validators = Validators {
        etag: &etag,
        last_modified: representation.last_modified,
    };
    let length = bytes.len() as u64;
    match ranges::evaluate(&conditions, &validators, length) {
        Outcome::Partial(parts) if parts.len() == 1 => {
            let part = &parts[0];
            HttpResponse::build(StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, ranges::content_range(part, length)))
                .body(bytes.slice(part.start as usize..part.end as usize))
        }
        Outcome::Partial(parts) => {
            let boundary = format!("khabar-{}", etag.trim_matches('"'));
            let body = ranges::multipart(bytes, &parts, representation.content_type, &boundary);
            HttpResponse::build(StatusCode::PARTIAL_CONTENT)
                .insert_header((
                    header::CONTENT_TYPE,
                    format!("multipart/byteranges; boundary={boundary}"),
                ))
                .body(body)
        }
        Outcome::Unsatisfiable => HttpResponse::build(StatusCode::RANGE_NOT_SATISFIABLE)
            .insert_header((header::CONTENT_RANGE, format!("bytes */{length}")))
            .finish(),
        _ => HttpResponse::with_body(StatusCode::OK, bytes.clone()).map_into_boxed_body(),
    }
}

/// The strong tag of one coding of a representation: `"abc"` → `"abc-br"` (RFC 9110 §8.8.3:
/// each coding is a representation of its own).
pub fn coded_etag(etag: &str, coding: Coding) -> String {
    match coding.header() {
        None => etag.to_owned(),
        Some(suffix) => match etag.strip_suffix('"') {
            Some(stem) => format!("{stem}-{suffix}\""),
            None => etag.to_owned(),
        },
    }
}

/// The representation's own headers in one coding, as sent, built once per cached entry and
/// coding. A value that is not a valid header (it cannot be: tags, dates, keys and URLs are
/// ASCII) is left out.
fn wire_headers(representation: &Representation, coding: Coding) -> &[(HeaderName, HeaderValue)] {
    representation.wire_headers[slot(coding)].get_or_init(|| {
        let mut headers = vec![(
            header::CONTENT_TYPE,
            HeaderValue::from_static(representation.content_type),
        )];
        if let Some(encoding) = coding.header() {
            headers.push((header::CONTENT_ENCODING, HeaderValue::from_static(encoding)));
        }
        let mut add = |name: HeaderName, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.push((name, value));
            }
        };
        add(header::ETAG, &coded_etag(&representation.etag, coding));
        add(header::LAST_MODIFIED, &representation.last_modified_http);
        add(
            HeaderName::from_static("surrogate-key"),
            &representation.surrogate_key_header(),
        );
        add(header::ACCEPT_RANGES, "bytes");
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
        let first = answer(&plain, &representation, &policy);
        let built = representation.wire_headers[0]
            .get()
            .expect("built on the first answer")
            .as_ptr();
        let second = answer(&plain, &representation, &policy);
        assert_eq!(
            representation.wire_headers[0].get().unwrap().as_ptr(),
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
        let not_modified = answer(&conditional, &representation, &policy);
        assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
        assert!(not_modified.headers().get(header::CONTENT_TYPE).is_none());
        assert_eq!(not_modified.headers().get(header::ETAG).unwrap(), "\"abc\"");
        assert!(not_modified.headers().get(header::CACHE_CONTROL).is_some());
    }
}
