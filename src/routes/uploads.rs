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
    /// The photographer; read from the file's IPTC By-line when not given.
    #[serde(default)]
    pub creator: Option<String>,
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
/// image; the file is stored under its content hash, and the asset links signed renditions
/// (`/images/…`) at every srcset width, each named crop and Open Graph's 1200×630.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 200, description = "Makes a retried upload return the first result")),
    responses(
        (status = 201, description = "Stored and registered; `from_file` names the fields read from the photo's IPTC/XMP/EXIF", body = UploadDocument, headers(("Location" = String))),
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
    let (stored, bytes) =
        crate::telemetry::spawn_blocking(move || store.check(&bytes).map(|stored| (stored, bytes)))
            .await
            .map_err(|_| ApiError::Unavailable("the upload could not be processed".into()))?
            .map_err(upload_error)?;
    state
        .media
        .keep(&stored, bytes.into())
        .await
        .map_err(upload_error)?;
    // The asset is linked by its renditions only: they are encoded afresh, so the original's
    // EXIF (GPS positions), XMP and IPTC never reach a reader.
    let original = stored.original();
    let (url, format) = state.images.links.full_size(&original);
    let mut input = MediaInput {
        kind: MediaKind::Image,
        url,
        mime_type: format.mime_type().to_owned(),
        width: i32::try_from(original.width).ok(),
        height: i32::try_from(original.height).ok(),
        duration_ms: None,
        alt_text: metadata.alt_text,
        caption: metadata.caption,
        credit: metadata.credit,
        creator: metadata.creator,
        copyright_holder: metadata.copyright_holder,
        license: metadata.license,
        source: metadata.source,
        // Made by `create_media` from the file and its framing.
        renditions: Vec::new(),
        focal_point: None,
        crops: Default::default(),
        localized: Default::default(),
    };
    let embedded = stored.probe.embedded.clone();
    let from_file = crate::images::embedded::fill_empty(&mut input, &embedded);
    let fingerprint = json!({"sha256": stored.sha256, "fields": &input});
    let actor = signed.actor.clone();
    let animated = stored.probe.animated;
    let file = original.file.clone();
    create_once(&state, &request, &signed.actor, &fingerprint, move |conn, ctx| {
        let media = catalog::create_media(conn, ctx, &actor, input, Some(&file))?;
        let location = format!("/v1/media/{}", media.id);
        let document = UploadDocument {
            media,
            embedded,
            from_file: from_file.into_iter().map(str::to_owned).collect(),
            animated,
        };
        created(location, &document)
    })
    .await
}

fn upload_error(error: UploadError) -> ApiError {
    match error {
        UploadError::UnsupportedType => ApiError::UnsupportedMediaType(error.to_string()),
        UploadError::Storage(e) => e.into(),
        other => ApiError::unprocessable_field("file", other.to_string()),
    }
}

/// An uploaded asset, and what was read from the file itself.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct UploadDocument {
    #[serde(flatten)]
    pub media: MediaDocument,
    /// The credits, caption and date embedded in the file (IPTC, then XMP, then EXIF).
    pub embedded: crate::images::embedded::Embedded,
    /// The asset's fields that were empty in the upload's metadata and filled from the file.
    #[schema(example = json!(["copyright_holder", "source"]))]
    pub from_file: Vec<String>,
    /// The file has several frames (an animated GIF or WebP): renditions show the first.
    pub animated: bool,
}

/// The address uploads were once served at. Originals are never served (their EXIF may hold
/// the GPS position of a source), so this redirects permanently to the whole picture re-encoded,
/// which keeps links made before the image service working.
#[utoipa::path(
    tag = "media",
    params(FilePath),
    responses(
        (status = 308, description = "To the signed full-size rendition (`/images/…`)", headers(("Location" = String))),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media-files/{name}")]
pub async fn media_file(state: State, path: web::Path<FilePath>) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound(format!("no media file is named '{}'", path.name));
    if !crate::uploads::is_stored_name(&path.name) || !state.media.storage.exists(&path.name).await? {
        return Err(not_found());
    }
    let location = state.images.links.same_format(&path.name);
    Ok(HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .finish())
}
