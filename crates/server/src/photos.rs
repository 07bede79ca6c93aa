//! The photo store (issue 17): the bytes of photos behind one interface, the
//! `object_store` crate's [`ObjectStore`]: a directory on disk by default (next to the
//! SQLite file), or an S3-compatible bucket when configured, so several server instances
//! share the same photos. Names inside the store:
//!
//! - `photos/{hash}`: the photo as uploaded (JPEG, PNG or WebP; its SHA-256 is `hash`);
//! - `thumbs/{hash}`: a JPEG thumbnail, long side [`hoptac_core::photo::THUMB_PX`];
//! - `staging/{hash}/{user}/{offset}`: the pieces of an upload in progress.
//!
//! The facts about each photo (size, who sent it, which records name it) are in the
//! database (`storage::photos`).

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;

/// Photos decoded at once for thumbnails.
const DECODERS: usize = 2;
/// The most memory one decode may take, in bytes (a 12-megapixel photo takes 36 MB).
pub const MAX_DECODE_BYTES: u64 = 128 * 1024 * 1024;
/// The widest or tallest photo decoded, in pixels (a phone's 200-megapixel camera: 16,320).
pub const MAX_SIDE_PX: u32 = 16_384;

/// How an S3 request that failed is retried: at most twice, and not after 8 s
/// (object_store's default retries for up to 3 minutes, which would hold a tablet's
/// upload that long while the store is down); a tablet retries at its next sync anyway.
/// Each try connects within 3 s and ends within 20 s (unless AWS_CONNECT_TIMEOUT or
/// AWS_TIMEOUT say otherwise), so a store that accepts connections and never answers
/// fails an upload within about a minute.
fn s3_retry() -> object_store::RetryConfig {
    object_store::RetryConfig {
        max_retries: 2,
        retry_timeout: std::time::Duration::from_secs(8),
        ..Default::default()
    }
}

/// Where photos are kept.
#[derive(Clone)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
    /// Photos decoded at once (a thumbnail takes up to [`MAX_DECODE_BYTES`] of memory).
    pub decoding: Arc<tokio::sync::Semaphore>,
    /// "dir:/srv/hoptac/photos" or "s3://bucket", for the logs (never a secret).
    pub described: String,
    /// The directory of a store on disk (its free space is part of readiness).
    dir: Option<std::path::PathBuf>,
}

/// Free space below which the photo directory counts as full for `/api/ready`, in bytes:
/// less than one more photo of the largest kind the app sends (the app re-encodes to
/// about 1–3 MB).
pub const MIN_FREE_BYTES: u64 = 4 * 1024 * 1024;

/// A photo store that cannot be opened or used (a missing directory that cannot be made,
/// an unreachable bucket, a full disk): the request fails with 503, the officer's tablet
/// keeps the photo and retries.
#[derive(Debug, thiserror::Error)]
#[error("photo store: {message}")]
pub struct StoreError {
    pub message: String,
    /// The disk (or its quota) is full: an operator must make room.
    pub full: bool,
}

impl StoreError {
    fn new(message: String) -> StoreError {
        StoreError { message, full: false }
    }

    /// What a user or load balancer is told, without the store's internals.
    pub fn reason(&self) -> &'static str {
        if self.full {
            "the photo store is full"
        } else {
            "the photo store cannot be reached"
        }
    }
}

impl From<object_store::Error> for StoreError {
    fn from(e: object_store::Error) -> Self {
        // object_store wraps the file system's error (Generic → local error → io::Error).
        let mut full = false;
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                full |= is_full(io);
            }
            cause = c.source();
        }
        StoreError {
            message: e.to_string(),
            full,
        }
    }
}

/// Whether an I/O error says the disk or the user's quota is full (ENOSPC, EDQUOT).
fn is_full(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// Bytes free for an unprivileged writer on the file system holding `dir`.
pub fn free_bytes(dir: &std::path::Path) -> std::io::Result<u64> {
    let st = rustix::fs::statvfs(dir)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

impl PhotoStore {
    /// Opens the store `spec`: `s3://BUCKET` or `s3://BUCKET/PREFIX` (endpoint, keys and region from the usual
    /// `AWS_*` environment variables: `AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`; `AWS_ALLOW_HTTP=true` for a local one), or a
    /// directory path (created if missing).
    pub fn open(spec: &str) -> Result<PhotoStore, StoreError> {
        if let Some(rest) = spec.strip_prefix("s3://") {
            return PhotoStore::open_s3(rest, object_store::aws::AmazonS3Builder::from_env());
        }
        let dir = std::path::Path::new(spec);
        std::fs::create_dir_all(dir).map_err(|e| StoreError::new(format!("{spec}: {e}")))?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(PhotoStore {
            store: Arc::new(local),
            decoding: Arc::new(tokio::sync::Semaphore::new(DECODERS)),
            described: format!("dir:{}", dir.display()),
            dir: Some(dir.to_path_buf()),
        })
    }

    /// The S3 store `rest` ("BUCKET" or "BUCKET/PREFIX") configured by `builder` (its
    /// endpoint and keys), with this server's timeouts and retries.
    pub fn open_s3(
        rest: &str,
        builder: object_store::aws::AmazonS3Builder,
    ) -> Result<PhotoStore, StoreError> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        use object_store::aws::AmazonS3ConfigKey::Client;
        use object_store::ClientConfigKey::{ConnectTimeout, Timeout};
        // Key by key, and only where the environment set none (AWS_CONNECT_TIMEOUT,
        // AWS_TIMEOUT): replacing the client options would drop those read from it.
        let mut builder = builder.with_bucket_name(bucket).with_retry(s3_retry());
        if builder.get_config_value(&Client(ConnectTimeout)).is_none() {
            builder = builder.with_config(Client(ConnectTimeout), "3s");
        }
        if builder.get_config_value(&Client(Timeout)).is_none() {
            builder = builder.with_config(Client(Timeout), "20s");
        }
        let s3 = builder.build()?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
        };
        Ok(PhotoStore {
            store,
            decoding: Arc::new(tokio::sync::Semaphore::new(DECODERS)),
            described: format!("s3://{rest}"),
            dir: None,
        })
    }

    fn photo(hash: &str) -> Path {
        Path::from(format!("photos/{hash}"))
    }
    fn thumb(hash: &str) -> Path {
        Path::from(format!("thumbs/{hash}"))
    }
    fn staging(hash: &str, user: &str) -> Path {
        Path::from(format!("staging/{hash}/{user}"))
    }

    /// Stores a whole photo and its thumbnail (`thumb`, when one could be made).
    pub async fn put(
        &self,
        hash: &str,
        bytes: Bytes,
        thumb: Option<Bytes>,
    ) -> Result<(), StoreError> {
        self.store
            .put(&Self::photo(hash), PutPayload::from_bytes(bytes))
            .await?;
        // A thumbnail that cannot be written fails the upload: the photo's bytes stay
        // without a row (never served; the retry writes both again). Not deleted: the
        // same photo may be arriving at the same time from another upload.
        if let Some(t) = thumb {
            self.store
                .put(&Self::thumb(hash), PutPayload::from_bytes(t))
                .await?;
        }
        Ok(())
    }

    /// The photo (`thumb` false) or its thumbnail; None when the store has none.
    pub async fn get(&self, hash: &str, thumb: bool) -> Result<Option<Bytes>, StoreError> {
        let path = if thumb {
            Self::thumb(hash)
        } else {
            Self::photo(hash)
        };
        match self.store.get(&path).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the store can take a photo (readiness): a look-up of an object that need
    /// not exist ("not found" is an answer, an unreachable bucket or bad keys are not);
    /// and, for a directory, at least [`MIN_FREE_BYTES`] free on its disk.
    pub async fn check(&self) -> Result<(), StoreError> {
        match self.store.head(&Path::from("ready-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(dir) = &self.dir {
            let free = free_bytes(dir).map_err(|e| StoreError::new(format!("{}: {e}", dir.display())))?;
            if free < MIN_FREE_BYTES {
                return Err(StoreError {
                    message: format!("{}: {free} bytes free", dir.display()),
                    full: true,
                });
            }
        }
        Ok(())
    }

    /// Keeps one piece of `user`'s upload of `hash`, starting at byte `offset`.
    pub async fn stage(
        &self,
        hash: &str,
        user: &str,
        offset: u64,
        piece: Bytes,
    ) -> Result<(), StoreError> {
        let path = Self::staging(hash, user).child(format!("{offset:012}"));
        self.store.put(&path, PutPayload::from_bytes(piece)).await?;
        Ok(())
    }

    /// The pieces of `user`'s upload of `hash` joined in order (their names are their
    /// offsets, zero-padded), each starting where the one before ended; None when a piece
    /// is missing or overlaps (the upload starts again).
    pub async fn staged(&self, hash: &str, user: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let prefix = Self::staging(hash, user);
        let mut metas: Vec<_> = self.store.list(Some(&prefix)).try_collect().await?;
        metas.sort_by(|a, b| a.location.cmp(&b.location));
        let mut out = Vec::new();
        for m in metas {
            let offset: u64 = m
                .location
                .filename()
                .and_then(|f| f.parse().ok())
                .unwrap_or(u64::MAX);
            if offset != out.len() as u64 {
                return Ok(None);
            }
            // A piece removed meanwhile (the upload started again): start again.
            match self.store.get(&m.location).await {
                Ok(r) => out.extend_from_slice(&r.bytes().await?),
                Err(object_store::Error::NotFound { .. }) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Some(out))
    }

    /// Forgets `user`'s pieces of `hash`.
    pub async fn unstage(&self, hash: &str, user: &str) -> Result<(), StoreError> {
        let prefix = Self::staging(hash, user);
        let metas: Vec<_> = self.store.list(Some(&prefix)).try_collect().await?;
        for m in metas {
            match self.store.delete(&m.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Whether a JPEG ends with its end-of-image marker (FF D9; zero bytes after it are
/// padding). The decoder fills a file cut short with grey and reports no error, so a
/// photo whose upload stopped half-way would be kept broken; the app's photos (the
/// browser's JPEG encoder) always end with the marker.
fn whole_jpeg(bytes: &[u8]) -> bool {
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xFF, 0xD9])
}

/// A JPEG thumbnail of `bytes` (long side `THUMB_PX`) and the photo's size in pixels;
/// None when the image cannot be decoded (the photo is refused: it would show broken).
/// CPU work: call it on a blocking thread.
pub fn thumbnail(bytes: &[u8]) -> Option<(Bytes, u32, u32)> {
    // Bounded: a file claiming a huge image (a decompression bomb) is refused, not decoded.
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    if reader.format() == Some(image::ImageFormat::Jpeg) && !whole_jpeg(bytes) {
        return None;
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PX);
    limits.max_image_height = Some(MAX_SIDE_PX);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let (w, h) = (img.width(), img.height());
    let px = hoptac_core::photo::THUMB_PX;
    let small = img.thumbnail(px, px).to_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&small)
        .ok()?;
    Some((Bytes::from(out.into_inner()), w, h))
}
