//! Where media files live: one interface, two backends. Uploaded originals and their renditions
//! go to a local directory (the default, for one box) or to any S3-compatible bucket, so that
//! several nodes share media without a shared volume. Both are `object_store` stores; this module
//! names what Khabar keeps there and turns their failures into the three a client can be told
//! about: the disk is full (507), the store cannot be reached (503), or something is broken (500).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};

/// Where media are kept, as configured (`KHABAR_MEDIA_STORE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageLocation {
    /// A directory on this machine (several nodes need it on a shared volume).
    Local(PathBuf),
    S3(S3Settings),
}

/// An S3-compatible bucket. Unset fields fall back to the standard `AWS_*` environment
/// variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, …).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// Keys are stored under this prefix (`s3://bucket/prefix`), without slashes at the ends.
    pub prefix: String,
    /// For services other than AWS (MinIO, Ceph, R2, s3s-fs): `http://127.0.0.1:9000`.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// `https://bucket.endpoint/key` rather than `https://endpoint/bucket/key`.
    pub virtual_hosted: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| "…"))
            .finish()
    }
}

impl StorageLocation {
    /// `s3://bucket[/prefix]`, `file:///path`, or a plain directory path.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if let Some(rest) = raw.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid_bucket = (3..=63).contains(&bucket.len())
                && bucket
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
            if !valid_bucket {
                return Err(format!(
                    "'{bucket}' is not an S3 bucket name (3 to 63 lowercase letters, digits, '-' and '.')"
                ));
            }
            return Ok(StorageLocation::S3(S3Settings {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
                ..S3Settings::default()
            }));
        }
        if let Some(path) = raw.strip_prefix("file://") {
            return Ok(StorageLocation::Local(PathBuf::from(path)));
        }
        if raw.contains("://") {
            return Err(format!(
                "'{raw}' is neither a directory, file:///path nor s3://bucket/prefix"
            ));
        }
        Ok(StorageLocation::Local(PathBuf::from(raw)))
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the disk holding the media is full")]
    Full,
    #[error("the media store cannot be reached: {0}")]
    Unavailable(#[source] object_store::Error),
    #[error("the media store failed: {0}")]
    Failed(#[source] object_store::Error),
    #[error("the media store is misconfigured: {0}")]
    Config(String),
}

/// A stored object and when it was stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub bytes: Bytes,
    pub modified: chrono::DateTime<chrono::Utc>,
}

/// The media store: originals under their own name, renditions under `renditions/`.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// The directory of a local store (its free space is watched by `/readyz`).
    local_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({})", self.store)
    }
}

/// How long one S3 request may take, and how long failures are retried: a store that is down
/// must become a 503 within seconds, not hold a request for object_store's default 3 minutes.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const RETRY_FOR: Duration = Duration::from_secs(4);

impl Storage {
    /// Opens the store without touching it: a local directory is made by the first write, and
    /// a bucket's credentials are checked by the first request.
    pub fn open(location: &StorageLocation) -> Result<Self, StorageError> {
        match location {
            StorageLocation::Local(dir) => Self::local(dir),
            StorageLocation::S3(s3) => Self::s3(s3),
        }
    }

    pub fn local(dir: &Path) -> Result<Self, StorageError> {
        let absolute =
            std::path::absolute(dir).map_err(|e| StorageError::Config(format!("{}: {e}", dir.display())))?;
        let prefix = object_store::path::Path::from_absolute_path(&absolute)
            .map_err(|e| StorageError::Config(format!("{}: {e}", dir.display())))?;
        // Rooted at `/` so that the directory need not exist yet; writes make it.
        let store = PrefixStore::new(LocalFileSystem::new(), prefix);
        Ok(Storage {
            store: Arc::new(store),
            local_dir: Some(absolute),
        })
    }

    fn s3(settings: &S3Settings) -> Result<Self, StorageError> {
        crate::outbound::install_tls();
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            .with_client_options(
                ClientOptions::new()
                    .with_timeout(REQUEST_TIMEOUT)
                    .with_connect_timeout(CONNECT_TIMEOUT),
            )
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: RETRY_FOR,
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(region) = &settings.region {
            builder = builder.with_region(region);
        }
        if let Some(key) = &settings.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &settings.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        if settings.virtual_hosted {
            builder = builder.with_virtual_hosted_style_request(true);
        }
        let bucket = builder.build().map_err(|e| StorageError::Config(e.to_string()))?;
        let store: Arc<dyn ObjectStore> = if settings.prefix.is_empty() {
            Arc::new(bucket)
        } else {
            Arc::new(PrefixStore::new(bucket, settings.prefix.as_str()))
        };
        Ok(Storage {
            store,
            local_dir: None,
        })
    }

    pub fn local_dir(&self) -> Option<&Path> {
        self.local_dir.as_deref()
    }

    /// Stores `bytes` under `key`, whole or not at all (a reader never sees half an object).
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        let store = self.store.clone();
        let key = object_key(key)?;
        let local = self.local_dir.is_some();
        on_runtime(async move { store.put(&key, PutPayload::from(bytes)).await.map(|_| ()) })
            .await
            .map_err(|e| classify(e, local))
    }

    /// The object under `key`, if there is one.
    pub async fn get(&self, key: &str) -> Result<Option<Stored>, StorageError> {
        let store = self.store.clone();
        let key = object_key(key)?;
        let local = self.local_dir.is_some();
        let found = on_runtime(async move {
            let result = store.get(&key).await?;
            let modified = result.meta.last_modified;
            let bytes = result.bytes().await?;
            Ok(Stored { bytes, modified })
        })
        .await;
        match found {
            Ok(stored) => Ok(Some(stored)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(classify(e, local)),
        }
    }

    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let store = self.store.clone();
        let key = object_key(key)?;
        let local = self.local_dir.is_some();
        match on_runtime(async move { store.head(&key).await }).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(classify(e, local)),
        }
    }

    /// Removes `key`; an object that is not there is no error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let store = self.store.clone();
        let key = object_key(key)?;
        let local = self.local_dir.is_some();
        match on_runtime(async move { store.delete(&key).await }).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(classify(e, local)),
        }
    }

    /// Removes every object whose key starts with `prefix` (a folder: ends with `/`).
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), StorageError> {
        use futures_util::StreamExt;
        let store = self.store.clone();
        let prefix = object_key(prefix.trim_end_matches('/'))?;
        let local = self.local_dir.is_some();
        on_runtime(async move {
            let mut listed = store.list(Some(&prefix));
            while let Some(meta) = listed.next().await {
                match store.delete(&meta?.location).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| classify(e, local))
    }

    /// Runs a store operation from code that is not async (startup, the command line),
    /// blocking this thread, never a runtime's: the work runs on the store's own threads.
    pub fn blocking<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        run_blocking(work)
    }
}

/// Runs `work` to its end on the storage runtime, blocking this thread (never a runtime's):
/// for synchronous code that needs an async client (an import fetching files).
pub fn run_blocking<T: Send + 'static>(work: impl std::future::Future<Output = T> + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = sender.send(work.await);
    });
    receiver
        .recv()
        .expect("the storage runtime runs every task it is given to the end")
}

fn object_key(key: &str) -> Result<object_store::path::Path, StorageError> {
    object_store::path::Path::parse(key).map_err(|e| StorageError::Config(format!("key '{key}': {e}")))
}

/// The runtime every store operation runs on, whichever runtime (or none) asks: the S3 client
/// needs a Tokio reactor, and the callers include actix's per-worker runtimes and plain threads.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("khabar-storage")
            .enable_all()
            .build()
            .expect("the storage runtime starts (threads and an epoll instance)")
    })
}

async fn on_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = object_store::Result<T>> + Send + 'static,
) -> object_store::Result<T> {
    match runtime().spawn(work).await {
        Ok(result) => result,
        Err(join) => Err(object_store::Error::JoinError { source: join }),
    }
}

/// A full disk is the operator's problem (507); a bucket that cannot be reached is passing
/// (503); anything else on a local disk is a fault to log (500).
fn classify(error: object_store::Error, local: bool) -> StorageError {
    if is_disk_full(&error) {
        StorageError::Full
    } else if local {
        StorageError::Failed(error)
    } else {
        StorageError::Unavailable(error)
    }
}

fn is_disk_full(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            ) || matches!(io.raw_os_error(), Some(28) | Some(122))
            {
                return true;
            }
        }
        cause = current.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_from_paths_and_urls() {
        assert_eq!(
            StorageLocation::parse("media").unwrap(),
            StorageLocation::Local("media".into())
        );
        assert_eq!(
            StorageLocation::parse("file:///var/lib/khabar/media").unwrap(),
            StorageLocation::Local("/var/lib/khabar/media".into())
        );
        let StorageLocation::S3(s3) = StorageLocation::parse("s3://news-media/khabar/prod/").unwrap() else {
            panic!("an S3 location");
        };
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str()),
            ("news-media", "khabar/prod")
        );
        for bad in ["", "s3://", "s3://UPPER", "s3://a", "http://example.com/x"] {
            assert!(StorageLocation::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_full_disk_is_found_behind_the_store_error() {
        let full = object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(std::io::Error::from_raw_os_error(28)),
        };
        assert!(matches!(classify(full, true), StorageError::Full));
        let denied = object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
        };
        assert!(matches!(classify(denied, true), StorageError::Failed(_)));
    }

    #[test]
    fn a_local_store_round_trips_and_makes_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::local(&dir.path().join("not-yet")).unwrap();
        storage.blocking({
            let storage = storage.clone();
            async move {
                assert!(storage.get("a.jpg").await.unwrap().is_none());
                assert!(!storage.exists("renditions/b.webp").await.unwrap());
                storage
                    .put("renditions/b.webp", Bytes::from_static(b"xyz"))
                    .await
                    .unwrap();
                let stored = storage.get("renditions/b.webp").await.unwrap().unwrap();
                assert_eq!(&stored.bytes[..], b"xyz");
                assert!(storage.exists("renditions/b.webp").await.unwrap());
                storage.delete("renditions/b.webp").await.unwrap();
                storage.delete("renditions/b.webp").await.unwrap();
                assert!(storage.get("renditions/b.webp").await.unwrap().is_none());
                for key in ["renditions/x/1.jpg", "renditions/x/2.webp", "renditions/y/1.jpg"] {
                    storage.put(key, Bytes::from_static(b"r")).await.unwrap();
                }
                storage.delete_prefix("renditions/x/").await.unwrap();
                assert!(!storage.exists("renditions/x/1.jpg").await.unwrap());
                assert!(!storage.exists("renditions/x/2.webp").await.unwrap());
                assert!(
                    storage.exists("renditions/y/1.jpg").await.unwrap(),
                    "only the prefix"
                );
                storage.delete_prefix("renditions/none/").await.unwrap();
            }
        });
        assert!(dir.path().join("not-yet/renditions").is_dir());
    }
}
