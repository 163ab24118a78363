//! Answering with bytes that never change under their name (renditions, keyed by content hash
//! and parameters): the RFC 9110 conditional and range rules of `ranges`, turned into a response
//! cached for a year.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use super::ranges::{self, Conditions, Outcome, Validators};
use crate::error::ApiError;

pub fn respond(
    request: &HttpRequest,
    bytes: bytes::Bytes,
    content_type: &str,
    validators: &Validators,
) -> Result<HttpResponse, ApiError> {
    let header_text = |name: header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
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
        Outcome::Full => HttpResponse::Ok().content_type(content_type).body(bytes),
        Outcome::Partial(parts) if parts.len() == 1 => {
            let range = &parts[0];
            HttpResponse::PartialContent()
                .content_type(content_type)
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
    let headers = response.headers_mut();
    for (name, value) in [
        (
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable".to_owned(),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::ACCEPT_RANGES, "bytes".to_owned()),
        (header::ETAG, validators.etag.clone()),
        (
            header::LAST_MODIFIED,
            validators
                .last_modified
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
        ),
    ] {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}
