//! Request bodies, read when the handler asks for them: after it has checked who is asking,
//! so that a caller without the right learns nothing from how its body was judged, and a
//! body is never read for a request that will be refused anyway.
//!
//! One reader for every JSON operation: the media type (415), the size (413), the syntax
//! (400), then the fields of the operation's type (422, from [`super::writes::body`]).

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;

use crate::error::ApiError;

/// Largest JSON request body accepted (larger ones get 413).
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A JSON body not read yet.
pub struct JsonBody {
    request: HttpRequest,
    payload: Payload,
}

impl FromRequest for JsonBody {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        std::future::ready(Ok(JsonBody {
            request: request.clone(),
            payload: payload.take(),
        }))
    }
}

/// `application/json`, `application/merge-patch+json` and any other `+json` type.
fn is_json(request: &HttpRequest) -> Result<(), ApiError> {
    let refuse = || ApiError::UnsupportedMediaType("send the body as application/json".into());
    let value = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(refuse)?;
    let mime: mime::Mime = value.parse().map_err(|_| refuse())?;
    let json = mime.type_() == mime::APPLICATION
        && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON));
    let charset_ok = mime
        .get_param(mime::CHARSET)
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    if json && charset_ok {
        Ok(())
    } else {
        Err(refuse())
    }
}

impl JsonBody {
    /// The body as JSON; never larger than [`MAX_JSON_BYTES`].
    pub async fn value(mut self) -> Result<serde_json::Value, ApiError> {
        is_json(&self.request)?;
        let too_large =
            || ApiError::PayloadTooLarge(format!("the body is larger than {MAX_JSON_BYTES} bytes"));
        let declared = self
            .request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|length| length > MAX_JSON_BYTES) {
            return Err(too_large());
        }
        let mut bytes = bytes::BytesMut::with_capacity(declared.unwrap_or(1024).min(MAX_JSON_BYTES));
        while let Some(chunk) = self.payload.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::bad_request(format!("the body could not be read: {e}")))?;
            if bytes.len() + chunk.len() > MAX_JSON_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("the body is empty; send a JSON object"));
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON body: {e}")))?;
        // Every string of every body, whatever the operation does with it next.
        if let Some((pointer, found)) = crate::domain::text::forbidden_in_json(&value) {
            return Err(crate::editorial::EditError::Invalid(vec![
                crate::domain::validation::FieldError::coded(
                    pointer,
                    crate::domain::validation::FieldCode::ForbiddenCharacter,
                    found.to_string(),
                ),
            ])
            .into());
        }
        Ok(value)
    }

    /// The body as JSON Lines (`application/x-ndjson` or `application/jsonl`), at most `max`
    /// bytes.
    pub async fn json_lines(mut self, max: usize) -> Result<bytes::Bytes, ApiError> {
        let refuse =
            || ApiError::UnsupportedMediaType("send the body as application/x-ndjson (JSON Lines)".into());
        let media_type = self
            .request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .ok_or_else(refuse)?;
        let lines = media_type.type_() == mime::APPLICATION
            && matches!(
                media_type.subtype().as_str(),
                "x-ndjson" | "jsonl" | "x-jsonlines"
            );
        if !lines {
            return Err(refuse());
        }
        let too_large = || {
            ApiError::PayloadTooLarge(format!(
                "imports over the API are limited to {} MiB; use khabar import for larger files",
                max >> 20
            ))
        };
        let declared = self
            .request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|length| length > max) {
            return Err(too_large());
        }
        let mut bytes = bytes::BytesMut::with_capacity(declared.unwrap_or(4096).min(max));
        while let Some(chunk) = self.payload.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::bad_request(format!("the body could not be read: {e}")))?;
            if bytes.len() + chunk.len() > max {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes.freeze())
    }

    /// The body as the operation's input type: fields are checked and named (422).
    pub async fn parse<T: serde::de::DeserializeOwned>(self) -> Result<T, ApiError> {
        super::writes::body(self.value().await?)
    }
}
