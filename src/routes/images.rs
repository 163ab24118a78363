//! Renditions of uploaded images, by signed URL.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::ranges::Validators;
use super::stored_file;
use super::uploads::FilePath;
use super::State;
use crate::error::{ApiError, Problem};

/// A rendition of an uploaded image. Only the URLs the API gives work: their parameters are
/// signed (`s`), so nobody can make the server render sizes it did not offer. Made once, then
/// served like a file, cached for a year. Without `fm` the format follows `Accept` (WebP when
/// accepted, else JPEG) and the answer says `Vary: Accept`.
#[utoipa::path(
    tag = "media",
    params(
        FilePath,
        ("w" = Option<u32>, Query, minimum = 1, maximum = 4096, description = "Width in pixels; one of KHABAR_IMAGE_WIDTHS or 1200, never larger than the source"),
        ("h" = Option<u32>, Query, minimum = 1, maximum = 4096, description = "Height in pixels"),
        ("fit" = Option<String>, Query, pattern = "^(cover|contain)$", description = "`cover` (fills w×h, cropping around the focal point; needs w and h) or `contain`"),
        ("crop" = Option<String>, Query, pattern = "^[0-9]+,[0-9]+,[0-9]+,[0-9]+$", description = "`x,y,width,height` of the source to take, in pixels"),
        ("fp" = Option<String>, Query, pattern = "^[0-9]+,[0-9]+$", description = "Focal point `x,y` in thousandths, for `cover`"),
        ("fm" = Option<String>, Query, pattern = "^(jpeg|webp|png)$", description = "`jpeg`, `webp` or `png`"),
        ("q" = Option<u8>, Query, minimum = 1, maximum = 100, description = "Encoder quality"),
        ("s" = String, Query, description = "The signature the API gave with these parameters"),
        ("Range" = Option<String>, Header, description = "`bytes=` ranges (RFC 9110 §14.1.2); more than 16 are answered with the whole rendition"),
        ("If-Range" = Option<String>, Header, description = "The ETag or Last-Modified the client holds; otherwise the whole rendition is sent"),
        ("If-None-Match" = Option<String>, Header, description = "304 when one of these tags is current"),
        ("If-Match" = Option<String>, Header, description = "412 unless one of these tags is current"),
    ),
    responses(
        (status = 200, description = "The rendition, without the source's EXIF, XMP or IPTC metadata", content_type = "image/*", body = String,
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String), ("Vary" = String, description = "`Accept`, only when `fm` is not given"))),
        (status = 206, description = "The requested range (`Content-Range`), or several as `multipart/byteranges`", content_type = "image/*", body = String, headers(("Content-Range" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A parameter out of range, unknown or repeated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Unsigned, or the parameters or signature altered", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such image (or it was deleted)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match or If-Unmodified-Since did not hold", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "No range lies within the rendition; `Content-Range: bytes */length`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The stored original cannot be decoded", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many new renditions are being made; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/images/{name}")]
pub async fn rendition(
    state: State,
    request: HttpRequest,
    path: web::Path<FilePath>,
) -> Result<HttpResponse, ApiError> {
    let accept = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let negotiated = !request.query_string().split('&').any(|p| p.starts_with("fm="));
    let served = state
        .images
        .serve(&path.name, request.query_string(), accept.contains("image/webp"))
        .await?;
    let rendition = &served.rendition;
    let validators = Validators {
        etag: &rendition.etag,
        last_modified: rendition.stored_at,
    };
    let headers = rendition.wire_headers.get_or_init(|| {
        let stem = path.name.split('.').next().unwrap_or_default();
        stored_file::file_headers(
            rendition.format.mime_type(),
            &validators,
            &format!("image-{stem}"),
        )
    });
    let mut response = stored_file::respond(&request, served.bytes.clone(), &validators, headers)?;
    let headers = response.headers_mut();
    if negotiated {
        headers.insert(header::VARY, header::HeaderValue::from_static("Accept"));
    }
    Ok(response)
}
