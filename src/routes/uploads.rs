//! Media upload (multipart) and the stored files.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::principal::Signed;
use super::writes::{body, create_once, created, KeyReused, Protected};
use super::State;
use crate::domain::catalog::MediaInput;
use crate::domain::kinds::MediaKind;
use crate::domain::permissions::Permission;
use crate::editorial::catalog::{self, MediaDocument};
use crate::error::{ApiError, Problem};
use crate::uploads::UploadError;

/// What an upload says about the image besides its bytes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"caption": "فائز السراج وخلوصي أكار في طرابلس", "credit": "أ ف ب", "copyright_holder": "AFP"}))]
pub struct UploadMetadata {
    #[serde(default)]
    pub alt_text: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub copyright_holder: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The image: JPEG, PNG, GIF or WebP (sniffed from the bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `UploadMetadata` as JSON.
    #[schema(value_type = Option<String>)]
    metadata: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FilePath {
    /// `<hash>.<extension>` as in the asset's `url`.
    pub name: String,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("uploads are limited to {} MiB", limit / (1024 * 1024)))
}

/// Uploads an image (`multipart/form-data` with `file` and optional `metadata`) and registers
/// it as a media asset. The type is sniffed from the bytes; width and height are read from the
/// image; the file is stored under its content hash and served at `/media-files/…`.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried upload return the first result")),
    responses(
        (status = 201, description = "Stored and registered", body = MediaDocument, headers(("Location" = String))),
        (status = 400, description = "Not a multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than KHABAR_MEDIA_MAX_MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG, GIF or WebP image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, an unknown part, bad metadata, unreadable dimensions, or more pixels than KHABAR_MEDIA_MAX_PIXELS", body = Problem, content_type = "application/problem+json"),
        (status = 507, description = "The disk holding the media is full; nothing was stored", body = Problem, content_type = "application/problem+json"),
        Protected, KeyReused
    )
)]
#[post("/media/upload")]
pub async fn upload_media(
    state: State,
    request: HttpRequest,
    signed: Signed,
    mut form: Multipart,
) -> Result<HttpResponse, ApiError> {
    // Refused before a byte of the body is read.
    signed
        .actor
        .require(Permission::RegisterMedia, "upload media")
        .map_err(ApiError::from)?;
    let limit = state.media.max_bytes;
    let (mut file, mut metadata) = (None, UploadMetadata::default());
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|e| ApiError::bad_request(format!("malformed multipart body: {e}")))?;
        let name = part.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| ApiError::bad_request(format!("malformed multipart body: {e}")))?;
            if bytes.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => file = Some(bytes),
            "metadata" => {
                let value: serde_json::Value = serde_json::from_slice(&bytes)
                    .map_err(|e| ApiError::unprocessable_field("metadata", format!("not JSON: {e}")))?;
                metadata = body(value)?;
            }
            other => {
                return Err(ApiError::unprocessable_field(
                    other,
                    "unknown part; send `file` and optionally `metadata`",
                ))
            }
        }
    }
    let bytes = file.ok_or_else(|| ApiError::unprocessable_field("file", "required"))?;
    let store = state.media.clone();
    let stored = web::block(move || store.store(&bytes))
        .await
        .map_err(|_| ApiError::Unavailable("the upload could not be processed".into()))?
        .map_err(|error| match error {
            UploadError::UnsupportedType => ApiError::UnsupportedMediaType(error.to_string()),
            UploadError::StorageFull => ApiError::InsufficientStorage(error.to_string()),
            UploadError::Io(e) => ApiError::Internal(anyhow::Error::new(e).context("media store")),
            other => ApiError::unprocessable_field("file", other.to_string()),
        })?;
    let url = state
        .reads
        .public_url
        .join(&format!("media-files/{}", stored.name))
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("the media file URL")))?;
    let input = MediaInput {
        kind: MediaKind::Image,
        url: url.to_string(),
        mime_type: stored.mime_type.to_owned(),
        width: Some(stored.width),
        height: Some(stored.height),
        duration_ms: None,
        alt_text: metadata.alt_text,
        caption: metadata.caption,
        credit: metadata.credit,
        copyright_holder: metadata.copyright_holder,
        license: metadata.license,
        source: metadata.source,
        renditions: Vec::new(),
        localized: Default::default(),
    };
    let fingerprint = json!({"sha256": stored.sha256, "fields": &input});
    let actor = signed.actor.clone();
    create_once(&state, &request, &signed.actor, &fingerprint, move |conn, ctx| {
        let saved = catalog::create_media(conn, ctx, &actor, input)?;
        created(format!("/v1/media/{}", saved.id), &saved)
    })
    .await
}

/// An uploaded file. Its name is its content hash, so it never changes: cached for a year.
/// Conditional and range requests follow RFC 9110 §13–14 (`If-Range`, several ranges as
/// `multipart/byteranges`).
#[utoipa::path(
    tag = "media",
    params(
        FilePath,
        ("Range" = Option<String>, Header, description = "`bytes=` ranges (RFC 9110 §14.1.2); more than 16 are answered with the whole file"),
        ("If-Range" = Option<String>, Header, description = "The ETag or Last-Modified the client holds; otherwise the whole file is sent"),
        ("If-None-Match" = Option<String>, Header, description = "304 when one of these tags is current"),
        ("If-Match" = Option<String>, Header, description = "412 unless one of these tags is current"),
    ),
    responses(
        (status = 200, description = "The image", content_type = "image/*", body = String, headers(("ETag" = String), ("Cache-Control" = String), ("Accept-Ranges" = String))),
        (status = 206, description = "The requested range (`Content-Range`), or several as `multipart/byteranges`", content_type = "image/*", body = String, headers(("Content-Range" = String))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match or If-Unmodified-Since did not hold", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "No range lies within the file; `Content-Range: bytes */length`", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/media-files/{name}")]
pub async fn media_file(
    state: State,
    request: HttpRequest,
    path: web::Path<FilePath>,
) -> Result<HttpResponse, ApiError> {
    use super::ranges::{self, Conditions, Outcome, Validators};
    let not_found = || ApiError::NotFound(format!("no media file is named '{}'", path.name));
    let file_path = state.media.path_of(&path.name).ok_or_else(not_found)?;
    let read = web::block(move || {
        use std::io::Read;
        // One open: the bytes and their modification time come from the same file.
        let mut file = std::fs::File::open(&file_path)?;
        let metadata = file.metadata()?;
        let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)?;
        Ok::<_, std::io::Error>((bytes, chrono::DateTime::<chrono::Utc>::from(metadata.modified()?)))
    })
    .await
    .map_err(|_| ApiError::Unavailable("the file could not be read".into()))?;
    let (bytes, modified) = match read {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
        Err(e) => {
            return Err(ApiError::Internal(
                anyhow::Error::new(e).context("reading a media file"),
            ))
        }
    };
    // `path_of` accepted the name, so its extension is one of the stored types.
    let content_type = crate::uploads::mime_type_of(&path.name).unwrap_or("application/octet-stream");
    let stem = path.name.split('.').next().unwrap_or_default();
    let validators = Validators {
        etag: format!("\"{stem}\""),
        last_modified: modified,
    };
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
    let mut response = match ranges::evaluate(&conditions, &validators, length) {
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
                .body(bytes[range.start as usize..range.end as usize].to_vec())
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
            modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
    ] {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}
