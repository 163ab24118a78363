//! The image service: signed rendition URLs, the standard set of renditions every uploaded
//! photo is offered in, and rendering them once each, off the async workers, with a cap on how
//! many render at a time and for how long.

pub mod demo_photo;
pub mod embedded;
pub mod pool;
pub mod render;
pub mod spec;
pub mod stored;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::http::header::{HeaderName, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::domain::catalog::RenditionInput;
use crate::domain::framing::{CropRatio, FocalPoint};
use crate::domain::signing::DerivedKey;
use crate::storage::{Storage, StorageError};
use spec::{CropBox, Fit, Format, Spec};

/// Signature bytes kept in a URL: 128 bits.
const SIGNATURE_BYTES: usize = 16;

/// Signs and checks rendition URLs with a key derived from the server secret that every node
/// shares, so that any node serves what another one linked to.
#[derive(Debug, Clone)]
pub struct UrlSigner {
    key: DerivedKey,
}

impl UrlSigner {
    pub fn new(secret: &[u8]) -> Self {
        UrlSigner {
            key: DerivedKey::new(secret, "khabar image url key v1"),
        }
    }

    fn mac(&self, file: &str, canonical: &str) -> Hmac<Sha256> {
        let mut mac = self.key.mac();
        mac.update(file.as_bytes());
        mac.update(b"?");
        mac.update(canonical.as_bytes());
        mac
    }

    pub fn sign(&self, file: &str, spec: &Spec) -> String {
        let tag = self.mac(file, &spec.canonical()).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&tag[..SIGNATURE_BYTES])
    }

    /// In constant time.
    pub fn verify(&self, file: &str, spec: &Spec, signature: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        tag.len() == SIGNATURE_BYTES
            && self
                .mac(file, &spec.canonical())
                .verify_truncated_left(&tag)
                .is_ok()
    }
}

/// The width named crops are made at: what Google asks of article images.
pub const CROP_WIDTH: u32 = 1200;

/// An uploaded original as the image service knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// `<hash>.<extension>`, its name in the media store.
    pub file: String,
    /// As displayed (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub has_alpha: bool,
}

/// Builds the signed URLs of an original's renditions.
#[derive(Debug, Clone)]
pub struct ImageLinks {
    pub signer: UrlSigner,
    pub public_url: url::Url,
    /// The widths of the srcset renditions; a request for any other width is refused.
    pub widths: Vec<u32>,
}

impl ImageLinks {
    pub fn new(secret: &[u8], public_url: url::Url, widths: Vec<u32>) -> Self {
        ImageLinks {
            signer: UrlSigner::new(secret),
            public_url,
            widths,
        }
    }

    pub fn url(&self, file: &str, spec: &Spec) -> String {
        let canonical = spec.canonical();
        let signature = self.signer.sign(file, spec);
        let separator = if canonical.is_empty() { "" } else { "&" };
        format!(
            "{}images/{file}?{canonical}{separator}s={signature}",
            self.public_url
        )
    }

    /// The format of a rendition that names none when it is linked from the API.
    /// An original keeps its format (a PNG logo stays a PNG, with its transparency and sharp
    /// edges; GIFs become PNG, their still form); a client wanting another asks for it.
    fn linked_format(original: &Original) -> Format {
        match original.file.rsplit('.').next() {
            Some("png" | "gif") => Format::Png,
            Some("webp") => Format::Webp,
            _ if original.has_alpha => Format::Png,
            _ => Format::Jpeg,
        }
    }

    /// The URL the asset itself is given: the whole picture at its size, re-encoded (so without
    /// the original's metadata).
    pub fn full_size(&self, original: &Original) -> (String, Format) {
        let format = Self::linked_format(original);
        let spec = Spec {
            format: Some(format),
            ..Spec::default()
        };
        (self.url(&original.file, &spec), format)
    }

    /// The whole picture, re-encoded in the format its file name says (GIFs as PNG): what an
    /// old link to the original is sent to.
    pub fn same_format(&self, file: &str) -> String {
        let format = match file.rsplit('.').next() {
            Some("jpg") => Format::Jpeg,
            Some("webp") => Format::Webp,
            _ => Format::Png,
        };
        let spec = Spec {
            format: Some(format),
            ..Spec::default()
        };
        self.url(file, &spec)
    }

    /// The renditions the API lists for an original: every configured width below its own (and
    /// its own) in its format and in WebP, each named crop at 1200 px, and Open Graph's 1200×630.
    pub fn standard(
        &self,
        original: &Original,
        focal_point: Option<FocalPoint>,
        crops: &BTreeMap<CropRatio, CropBox>,
    ) -> Vec<RenditionInput> {
        let focus = focal_point.map(|p| (p.x, p.y));
        let mut out = Vec::new();
        let base = Self::linked_format(original);
        let mut add = |name: String, spec: Spec| {
            let plan = spec.plan(original.width, original.height);
            let format = spec.format.unwrap_or(base);
            out.push(RenditionInput {
                name: format!("{name}.{}", format.extension()),
                url: self.url(&original.file, &spec),
                mime_type: format.mime_type().to_owned(),
                width: i32::try_from(plan.width).ok(),
                height: i32::try_from(plan.height).ok(),
            });
        };
        let mut widths: Vec<u32> = self
            .widths
            .iter()
            .copied()
            .filter(|w| *w < original.width)
            .collect();
        widths.push(original.width);
        for width in widths {
            for format in [base, Format::Webp] {
                let spec = Spec {
                    width: (width < original.width).then_some(width),
                    format: Some(format),
                    ..Spec::default()
                };
                add(format!("original-{width}"), spec);
            }
        }
        let whole = CropBox {
            x: 0,
            y: 0,
            width: original.width,
            height: original.height,
        };
        for ratio in CropRatio::ALL {
            let (ratio_w, ratio_h) = ratio.sides();
            let name = ratio.name();
            // The editor's box where there is one (if it still fits the picture), else the
            // largest box of the ratio around the focal point.
            let chosen = crops
                .get(&ratio)
                .filter(|b| b.x + b.width <= original.width && b.y + b.height <= original.height);
            let region = chosen
                .copied()
                .unwrap_or_else(|| spec::region_around(whole, ratio_w, ratio_h, focus.unwrap_or((500, 500))));
            let width = CROP_WIDTH.min(region.width);
            for format in [base, Format::Webp] {
                let spec = Spec {
                    width: (width < region.width).then_some(width),
                    crop: Some(region),
                    format: Some(format),
                    ..Spec::default()
                };
                add(format!("{name}-{width}"), spec);
            }
        }
        add(
            "og-1200".into(),
            Spec {
                width: Some(1200),
                height: Some(630),
                fit: Some(Fit::Cover),
                focus,
                format: Some(Format::Jpeg),
                ..Spec::default()
            },
        );
        out
    }
}

/// Why a rendition cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error(transparent)]
    BadParameter(#[from] spec::SpecError),
    #[error("the signature is missing or does not match the parameters")]
    BadSignature,
    #[error("no image is named '{0}'")]
    NotFound(String),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error("too many renditions are being made; retry shortly")]
    Busy,
    #[error("cannot read or store a rendition: {0}")]
    Storage(#[from] StorageError),
    #[error("a render thread failed: {0}")]
    RenderThread(String),
}

/// Renditions kept in memory, in bytes: the hot ones (the card and srcset of today's stories)
/// are served without touching the disk.
const MEMORY_BYTES: u64 = 32 * 1024 * 1024;
/// How long a rendition is served from memory before the disk is asked again: bounds how long
/// another node keeps serving a rendition of an asset deleted through a different node.
const MEMORY_TTL: Duration = Duration::from_secs(60);

/// A rendition ready to send.
#[derive(Debug, Clone)]
pub struct Served {
    pub bytes: bytes::Bytes,
    /// Shared by every answer from the memory cache.
    pub rendition: Arc<Rendition>,
}

/// What is known of a stored rendition besides its bytes.
#[derive(Debug)]
pub struct Rendition {
    pub format: Format,
    /// The stored rendition's name (content hash and parameters).
    pub key: String,
    /// `"<key without extension>"`: strong, since the name is derived from the content.
    pub etag: String,
    pub stored_at: chrono::DateTime<chrono::Utc>,
    /// The original it was made from.
    pub file: Arc<str>,
    /// The answer's headers as sent, built by the HTTP layer on the first answer and reused by
    /// every answer from memory, so that a hot rendition costs no header formatting.
    pub wire_headers: OnceLock<Vec<(HeaderName, HeaderValue)>>,
}

/// Renders and stores renditions under a name derived from the original's content hash and
/// the canonical parameters: made once, then read like any file (the hot ones from memory).
/// Originals are stored under their own name, renditions under `renditions/<original's stem>/`,
/// so that deleting an original removes its renditions with it.
pub struct ImageService {
    pub links: ImageLinks,
    pub storage: Storage,
    pub max_pixels: u64,
    pub render_timeout: Duration,
    permits: Arc<tokio::sync::Semaphore>,
    pool: pool::RenderPool,
    memory: moka::sync::Cache<String, Served, foldhash::fast::RandomState>,
}

impl std::fmt::Debug for ImageService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageService")
            .field("storage", &self.storage)
            .field("in_memory", &self.memory.entry_count())
            .finish_non_exhaustive()
    }
}

impl ImageService {
    pub fn new(
        links: ImageLinks,
        storage: Storage,
        max_pixels: u64,
        concurrency: usize,
        render_timeout: Duration,
    ) -> std::io::Result<Self> {
        Ok(ImageService {
            links,
            storage,
            max_pixels,
            render_timeout,
            permits: Arc::new(tokio::sync::Semaphore::new(concurrency.max(1))),
            pool: pool::RenderPool::new(concurrency.max(1))?,
            memory: moka::sync::Cache::builder()
                .max_capacity(MEMORY_BYTES)
                .weigher(|key: &String, served: &Served| {
                    u32::try_from(key.len() + served.bytes.len() + 128).unwrap_or(u32::MAX)
                })
                .time_to_live(MEMORY_TTL)
                .support_invalidation_closures()
                .build_with_hasher(foldhash::fast::RandomState::default()),
        })
    }

    /// Removes an original no asset shows any more: its renditions then answer 404 (they stay
    /// stored, named by content, and are served again if the same bytes are uploaded again).
    pub async fn forget(&self, file: &str) {
        let forgotten: Arc<str> = Arc::from(file);
        // Fails only without closure support, which `new` turns on.
        let _ = self
            .memory
            .invalidate_entries_if(move |_, served| served.rendition.file == forgotten);
        if !stored::is_stored_name(file) {
            return;
        }
        if let Err(e) = self.storage.delete(file).await {
            tracing::warn!(file, error = %e, "could not remove a deleted asset's original");
        }
        // Renditions are named by content: if the same bytes are uploaded again they are simply
        // made again.
        if let Err(e) = self.storage.delete_prefix(&renditions_of(file)).await {
            tracing::warn!(file, error = %e, "could not remove a deleted asset's renditions");
        }
    }

    /// Checks a request and returns the rendition, rendering it first if it is new. `accepts_webp`
    /// decides the format when the URL names none.
    pub async fn serve(&self, file: &str, query: &str, accepts_webp: bool) -> Result<Served, ImageError> {
        // Keyed by the request itself: a hit is a URL whose signature was checked when it was
        // first answered, so neither parsing nor the HMAC is repeated for it.
        let request_key = format!("{file}?{query}#{}", u8::from(accepts_webp));
        if let Some(served) = self.memory.get(&request_key) {
            return Ok(served);
        }
        let (spec, signature) = Spec::parse(query)?;
        let signature = signature.ok_or(ImageError::BadSignature)?;
        if !self.links.signer.verify(file, &spec, &signature) {
            return Err(ImageError::BadSignature);
        }
        if let Some(width) = spec.width {
            let allowed = self.links.widths.contains(&width) || width == CROP_WIDTH || spec.crop.is_some();
            if !allowed {
                return Err(spec::SpecError {
                    field: "w".into(),
                    detail: format!("must be one of {:?}", self.links.widths),
                }
                .into());
            }
        }
        if !stored::is_stored_name(file) {
            return Err(ImageError::NotFound(file.into()));
        }
        let format = spec
            .format
            .unwrap_or(if accepts_webp { Format::Webp } else { Format::Jpeg });
        let key = rendition_key(file, &spec, format);
        let served = self.stored_or_rendered(file, spec, format, key).await?;
        self.memory.insert(request_key, served.clone());
        Ok(served)
    }

    /// The stored rendition, or a new one rendered and stored.
    async fn stored_or_rendered(
        &self,
        file: &str,
        spec: Spec,
        format: Format,
        key: String,
    ) -> Result<Served, ImageError> {
        // A rendition lives only as long as its original: a deleted asset's are gone at once.
        if !self.storage.exists(file).await? {
            return Err(ImageError::NotFound(file.into()));
        }
        let stored = |bytes: bytes::Bytes, stored_at, key: String| Served {
            bytes,
            rendition: Arc::new(Rendition {
                format,
                etag: format!("\"{}\"", key.split('.').next().unwrap_or_default()),
                key,
                stored_at,
                file: Arc::from(file),
                wire_headers: OnceLock::new(),
            }),
        };
        let path = format!("{}{key}", renditions_of(file));
        if let Some(found) = self.storage.get(&path).await? {
            return Ok(stored(found.bytes, found.modified, key));
        }
        // The permit travels with the work: a render that outlives its time limit still holds
        // it, so the cap is never exceeded by abandoned renders. It is taken before the original
        // is read, so that a burst of new sizes waits holding nothing.
        let permit = tokio::time::timeout(self.render_timeout, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| ImageError::Busy)?
            .map_err(|_| ImageError::Busy)?;
        // The same rendition asked for many times at once is made by the first asker only.
        if let Some(found) = self.storage.get(&path).await? {
            return Ok(stored(found.bytes, found.modified, key));
        }
        let original = self
            .storage
            .get(file)
            .await?
            .ok_or_else(|| ImageError::NotFound(file.into()))?;
        let max_pixels = self.max_pixels;
        let work = self.pool.run(move || {
            let _permit = permit;
            render::render(&original.bytes, &spec, format, max_pixels)
        });
        let rendered = tokio::time::timeout(self.render_timeout, work)
            .await
            .map_err(|_| ImageError::Busy)?
            .map_err(|e| ImageError::RenderThread(e.to_string()))??;
        let bytes = bytes::Bytes::from(rendered.bytes);
        self.storage.put(&path, bytes.clone()).await?;
        Ok(stored(bytes, chrono::Utc::now(), key))
    }
}

/// Where an original's renditions are stored.
fn renditions_of(file: &str) -> String {
    let stem = file.split('.').next().unwrap_or(file);
    format!("renditions/{stem}/")
}

/// The stored name of a rendition: the original's content hash and the canonical parameters.
fn rendition_key(file: &str, spec: &Spec, format: Format) -> String {
    let digest = Sha256::digest(format!("{file}?{}&as={}", spec.canonical(), format.extension()));
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{hex}.{}", format.extension())
}

#[cfg(test)]
mod tests;
