//! Answering with bytes that never change under their name (renditions, keyed by content hash
//! and parameters): the RFC 9110 conditional and range rules of `ranges`, turned into a response
//! cached for a year.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::ranges::{self, Conditions, Outcome, Validators};
use crate::error::ApiError;

/// The headers every answer with the file carries, built once per stored file.
pub fn file_headers(
    content_type: &'static str,
    validators: &Validators<'_>,
    surrogate_key: &str,
) -> Vec<(header::HeaderName, header::HeaderValue)> {
    let mut headers = vec![
        (
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        ),
        (header::ACCEPT_RANGES, header::HeaderValue::from_static("bytes")),
    ];
    let last_modified = validators
        .last_modified
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    for (name, value) in [
        (header::ETAG, validators.etag),
        (header::LAST_MODIFIED, last_modified.as_str()),
        (header::HeaderName::from_static("surrogate-key"), surrogate_key),
    ] {
        // Tags, dates and keys are ASCII; a value that were not would be left out.
        if let Ok(value) = header::HeaderValue::from_str(value) {
            headers.push((name, value));
        }
    }
    headers.push((
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    ));
    headers
}

/// Answers with `bytes`, or 304/206/412/416 as the request's conditions and ranges ask.
/// `headers` are the file's own (see [`file_headers`]); a 304 leaves out its type.
pub fn respond(
    request: &HttpRequest,
    bytes: bytes::Bytes,
    validators: &Validators<'_>,
    headers: &[(header::HeaderName, header::HeaderValue)],
) -> Result<HttpResponse, ApiError> {
    let request_headers = request.headers();
    let conditional = [
        header::IF_MATCH,
        header::IF_UNMODIFIED_SINCE,
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
        header::RANGE,
    ]
    .iter()
    .any(|name| request_headers.contains_key(name));
    // The common case, a plain GET, skips the evaluation below.
    if !conditional {
        let mut response = HttpResponse::Ok().body(bytes);
        let out = response.headers_mut();
        for (name, value) in headers {
            out.insert(name.clone(), value.clone());
        }
        return Ok(response);
    }
    let content_type = headers
        .iter()
        .find(|(name, _)| name == header::CONTENT_TYPE)
        .and_then(|(_, value)| value.to_str().ok())
        .unwrap_or("application/octet-stream");
    let header_text = |name: header::HeaderName| request_headers.get(name).and_then(|v| v.to_str().ok());
    let conditions = Conditions {
        if_match: header_text(header::IF_MATCH),
        if_unmodified_since: header_text(header::IF_UNMODIFIED_SINCE),
        if_none_match: header_text(header::IF_NONE_MATCH),
        if_modified_since: header_text(header::IF_MODIFIED_SINCE),
        if_range: header_text(header::IF_RANGE),
        range: header_text(header::RANGE),
    };
    let length = bytes.len() as u64;
    let mut response = match ranges::evaluate(&conditions, validators, length) {
        Outcome::PreconditionFailed => {
            return Err(ApiError::ConditionFailed(format!(
                "this file's ETag is {}; the condition sent does not hold",
                validators.etag
            )))
        }
        Outcome::Unsatisfiable => return Err(ApiError::RangeNotSatisfiable { length }),
        Outcome::NotModified => HttpResponse::NotModified().finish(),
        Outcome::Full => HttpResponse::Ok().body(bytes),
        Outcome::Partial(parts) if parts.len() == 1 => {
            let range = &parts[0];
            HttpResponse::PartialContent()
                .insert_header((header::CONTENT_RANGE, ranges::content_range(range, length)))
                .body(bytes.slice(range.start as usize..range.end as usize))
        }
        Outcome::Partial(parts) => {
            let boundary = uuid::Uuid::new_v4().simple().to_string();
            HttpResponse::PartialContent()
                .content_type(format!("multipart/byteranges; boundary={boundary}"))
                .body(ranges::multipart(&bytes, &parts, content_type, &boundary))
        }
    };
    let status = response.status();
    let multipart = response.headers().contains_key(header::CONTENT_TYPE);
    let out = response.headers_mut();
    for (name, value) in headers {
        let is_type = name == header::CONTENT_TYPE;
        // A 304 carries validators, not the body's type (RFC 9110 §15.4.5); a multipart answer
        // has its own.
        if is_type && (status == actix_web::http::StatusCode::NOT_MODIFIED || multipart) {
            continue;
        }
        out.insert(name.clone(), value.clone());
    }
    Ok(response)
}
