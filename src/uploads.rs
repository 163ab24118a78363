//! Uploaded media files: the type is sniffed from the bytes (never trusted from the client),
//! width and height are read from the image header, and the file is stored under its content
//! hash, so that an upload retried or repeated stores one file and its URL never changes. The
//! whole image is decoded before it is kept, so that a corrupt or truncated file, or a bomb, is
//! refused at upload rather than when a reader first asks for a rendition.

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::storage::{Storage, StorageError};

use crate::images::stored::sniff;
pub use crate::images::stored::{is_stored_name, mime_type_of};

/// A stored upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// `<first 32 hex digits of the SHA-256>.<extension>`.
    pub name: String,
    pub mime_type: &'static str,
    pub width: i32,
    pub height: i32,
    pub sha256: String,
    /// What decoding found: the size as displayed (after the EXIF orientation), alpha, frames.
    pub probe: crate::images::render::Probe,
}

impl StoredFile {
    pub fn original(&self) -> crate::images::Original {
        crate::images::Original {
            file: self.name.clone(),
            width: self.probe.width,
            height: self.probe.height,
            has_alpha: self.probe.has_alpha,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is not a JPEG, PNG, GIF or WebP image")]
    UnsupportedType,
    #[error("the image's dimensions cannot be read: {0}")]
    Unreadable(String),
    #[error("the image is larger than 100000 pixels on a side")]
    TooLarge,
    #[error("the image is {width}×{height} pixels; at most {max} pixels in all are accepted")]
    TooManyPixels { width: u64, height: u64, max: u64 },
    #[error("{0}")]
    Undecodable(String),
    #[error("cannot store the file: {0}")]
    Storage(#[from] StorageError),
}

/// Where uploads live, and what is accepted.
#[derive(Debug, Clone)]
pub struct MediaStore {
    pub storage: Storage,
    pub max_bytes: usize,
    /// Largest width × height accepted: a small file can declare a huge canvas, and every
    /// decoder must then hold it in memory.
    pub max_pixels: u64,
    /// The srcset widths of renditions (KHABAR_IMAGE_WIDTHS).
    pub widths: Vec<u32>,
    /// A featured image narrower than this is warned of (KHABAR_FEATURED_IMAGE_MIN_WIDTH).
    pub featured_min_width: u32,
}

impl MediaStore {
    /// Signed rendition URLs for this store's files.
    pub fn links(&self, secret: &[u8], public_url: url::Url) -> crate::images::ImageLinks {
        crate::images::ImageLinks::new(secret, public_url, self.widths.clone())
    }

    /// The image service over this store, signing with a key derived from `secret`.
    pub fn images(
        &self,
        secret: &[u8],
        public_url: url::Url,
    ) -> std::io::Result<crate::images::ImageService> {
        let links = self.links(secret, public_url);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        crate::images::ImageService::new(
            links,
            self.storage.clone(),
            self.max_pixels,
            cores,
            std::time::Duration::from_secs(20),
        )
    }

    /// Checks `bytes` as an upload (type, size, a full decode) and names it by content. CPU
    /// work: run it off the async workers.
    pub fn check(&self, bytes: &[u8]) -> Result<StoredFile, UploadError> {
        let (mime_type, extension) = sniff(bytes).ok_or(UploadError::UnsupportedType)?;
        let size = imagesize::blob_size(bytes).map_err(|e| UploadError::Unreadable(e.to_string()))?;
        let (width, height) = (
            i32::try_from(size.width).map_err(|_| UploadError::TooLarge)?,
            i32::try_from(size.height).map_err(|_| UploadError::TooLarge)?,
        );
        if width == 0 || height == 0 {
            return Err(UploadError::Unreadable("zero width or height".into()));
        }
        if width > 100_000 || height > 100_000 {
            return Err(UploadError::TooLarge);
        }
        let pixels = u64::from(width.unsigned_abs()) * u64::from(height.unsigned_abs());
        if pixels > self.max_pixels {
            return Err(UploadError::TooManyPixels {
                width: width.unsigned_abs().into(),
                height: height.unsigned_abs().into(),
                max: self.max_pixels,
            });
        }
        let probe = crate::images::render::probe(bytes, self.max_pixels)
            .map_err(|e| UploadError::Undecodable(e.to_string()))?;
        let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        Ok(StoredFile {
            name: format!("{}.{extension}", &sha256[..32]),
            mime_type,
            width,
            height,
            sha256,
            probe,
        })
    }

    /// Keeps the bytes of a checked file; an identical file already stored is left as it is.
    pub async fn keep(&self, file: &StoredFile, bytes: Bytes) -> Result<(), UploadError> {
        if !self.storage.exists(&file.name).await? {
            self.storage.put(&file.name, bytes).await?;
        }
        Ok(())
    }

    /// Checks and keeps `bytes`, blocking this thread: for startup and the command line.
    pub fn store_blocking(&self, bytes: &[u8]) -> Result<StoredFile, UploadError> {
        let file = self.check(bytes)?;
        let store = self.clone();
        let (kept, bytes) = (file.clone(), Bytes::copy_from_slice(bytes));
        self.storage
            .blocking(async move { store.keep(&kept, bytes).await })?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 PNG.
    fn png() -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::new_rgb8(3, 2)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn store_in(dir: &std::path::Path, max_pixels: u64) -> MediaStore {
        MediaStore {
            storage: Storage::local(dir).unwrap(),
            max_bytes: 1024,
            max_pixels,
            widths: vec![320],
            featured_min_width: 1200,
        }
    }

    #[test]
    fn stores_an_image_under_its_hash_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path(), 1_000);
        let stored = store.store_blocking(&png()).unwrap();
        assert_eq!(
            (stored.mime_type, stored.width, stored.height),
            ("image/png", 3, 2)
        );
        assert!(stored.name.ends_with(".png"));
        assert_eq!(store.store_blocking(&png()).unwrap(), stored);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(dir.path().join(&stored.name).is_file());
        assert!(is_stored_name(&stored.name));
    }

    #[test]
    fn refuses_what_is_not_an_image_and_names_it_could_not_make() {
        let store = store_in(std::path::Path::new("/nonexistent"), 5);
        assert!(matches!(
            store.check(&png()),
            Err(UploadError::TooManyPixels {
                width: 3,
                height: 2,
                max: 5
            })
        ));
        assert!(matches!(
            store.check(b"<svg onload=alert(1)>"),
            Err(UploadError::UnsupportedType)
        ));
        assert!(store.check(b"GIF89a").is_err(), "a truncated header");
        for name in [
            "../etc/passwd",
            "abc.png",
            "0123456789abcdef0123456789abcdef.svg",
            "0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef.png/../x.png",
        ] {
            assert!(!is_stored_name(name), "{name}");
        }
    }
}
