//! Uploaded media files: the type is sniffed from the bytes (never trusted from the client),
//! width and height are read from the image header, and the file is stored under its content
//! hash, so that an upload retried or repeated stores one file and its URL never changes. The
//! whole image is decoded before it is kept, so that a corrupt or truncated file, or a bomb, is
//! refused at upload rather than when a reader first asks for a rendition.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The image types accepted: (what imagesize calls it, media type, file extension).
const TYPES: &[(imagesize::ImageType, &str, &str)] = &[
    (imagesize::ImageType::Jpeg, "image/jpeg", "jpg"),
    (imagesize::ImageType::Png, "image/png", "png"),
    (imagesize::ImageType::Gif, "image/gif", "gif"),
    (imagesize::ImageType::Webp, "image/webp", "webp"),
];

/// The type of `bytes`, as (media type, file extension), if it is one accepted.
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let sniffed = imagesize::image_type(bytes).ok()?;
    TYPES
        .iter()
        .find(|(kind, _, _)| *kind == sniffed)
        .map(|(_, mime_type, extension)| (*mime_type, *extension))
}

/// The media type of a stored file, from the extension its name was given when stored.
pub fn mime_type_of(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1;
    TYPES
        .iter()
        .find(|(_, _, known)| *known == extension)
        .map(|(_, mime_type, _)| *mime_type)
}

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
    #[error("the disk holding the media is full")]
    StorageFull,
    #[error("cannot store the file: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for UploadError {
    fn from(error: std::io::Error) -> Self {
        // ENOSPC and EDQUOT: the operator's problem, not the client's, and not a bug.
        if matches!(
            error.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        ) || matches!(error.raw_os_error(), Some(28) | Some(122))
        {
            UploadError::StorageFull
        } else {
            UploadError::Io(error)
        }
    }
}

/// Removes a half-written file unless it was renamed into place.
struct PartialFile<'a>(&'a Path);

impl Drop for PartialFile<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

/// Where uploads live.
#[derive(Debug, Clone)]
pub struct MediaStore {
    pub dir: PathBuf,
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
        crate::images::ImageLinks {
            signer: crate::images::UrlSigner::new(secret),
            public_url,
            widths: self.widths.clone(),
        }
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
            self.dir.clone(),
            self.max_pixels,
            cores,
            std::time::Duration::from_secs(20),
        )
    }

    /// Checks and stores `bytes`; an identical file already stored is kept as it is.
    pub fn store(&self, bytes: &[u8]) -> Result<StoredFile, UploadError> {
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
        let name = format!("{}.{extension}", &sha256[..32]);
        if !self.dir.join(&name).exists() {
            write_atomically(&self.dir, &name, bytes)?;
        }
        Ok(StoredFile {
            name,
            mime_type,
            width,
            height,
            sha256,
            probe,
        })
    }

    /// The stored file a public name refers to, if the name is one this store could have made.
    pub fn path_of(&self, name: &str) -> Option<PathBuf> {
        path_in(&self.dir, name)
    }
}

/// `dir/name` if `name` is one a store of content-hashed files could have made.
pub fn path_in(dir: &Path, name: &str) -> Option<PathBuf> {
    let (hash, _) = name.split_once('.')?;
    let well_formed = hash.len() == 32
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && mime_type_of(name).is_some();
    well_formed.then(|| dir.join(Path::new(name)))
}

/// Writes `dir/name` aside and renames it into place, so that a reader never sees half a file
/// and a full disk leaves nothing behind.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let partial = dir.join(format!(".{name}.{}", uuid::Uuid::new_v4().simple()));
    let _cleanup = PartialFile(&partial);
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, dir.join(name))?;
    Ok(())
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

    #[test]
    fn a_full_disk_is_not_an_io_bug() {
        let full = std::io::Error::from_raw_os_error(28);
        assert!(matches!(UploadError::from(full), UploadError::StorageFull));
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(matches!(UploadError::from(denied), UploadError::Io(_)));
    }

    #[test]
    fn a_failed_write_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let partial = dir.path().join(".partial");
        std::fs::write(&partial, b"half").unwrap();
        drop(PartialFile(&partial));
        assert!(!partial.exists());
    }

    #[test]
    fn stores_an_image_under_its_hash_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore {
            dir: dir.path().to_owned(),
            max_bytes: 1024,
            max_pixels: 1_000,
            widths: vec![320],
            featured_min_width: 1200,
        };
        let stored = store.store(&png()).unwrap();
        assert_eq!(
            (stored.mime_type, stored.width, stored.height),
            ("image/png", 3, 2)
        );
        assert!(stored.name.ends_with(".png"));
        assert_eq!(store.store(&png()).unwrap(), stored);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(store.path_of(&stored.name), Some(dir.path().join(&stored.name)));
    }

    #[test]
    fn refuses_what_is_not_an_image_and_names_it_could_not_make() {
        let store = MediaStore {
            dir: PathBuf::from("/nonexistent"),
            max_bytes: 1024,
            max_pixels: 5,
            widths: vec![320],
            featured_min_width: 1200,
        };
        assert!(matches!(
            store.store(&png()),
            Err(UploadError::TooManyPixels {
                width: 3,
                height: 2,
                max: 5
            })
        ));
        assert!(matches!(
            store.store(b"<svg onload=alert(1)>"),
            Err(UploadError::UnsupportedType)
        ));
        assert!(store.store(b"GIF89a").is_err(), "a truncated header");
        for name in [
            "../etc/passwd",
            "abc.png",
            "0123456789abcdef0123456789abcdef.svg",
            "0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(store.path_of(name), None, "{name}");
        }
    }
}
