//! Photos uploaded and served (issue 17). An upload is named by the SHA-256 of its bytes
//! and checked against it, so a retried or re-imported photo is stored once and a photo
//! damaged on the way is refused (the tablet sends it again). A large photo goes in pieces
//! ([`hoptac_core::photo::CHUNK_BYTES`]); a lost connection resumes from the bytes the
//! server holds ([`status`]). Only officers upload; a photo is served to its uploader and
//! to whoever may see a record that names it (the same scope as the report), else it is
//! "not found" whether it exists or not.

use crate::error::{ApiError, ApiResult};
use crate::photos::PhotoStore;
use crate::storage::{self, photos::Photo, Db};
use bytes::Bytes;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Role, UserInfo};
use hoptac_core::photo::{check_upload, is_hash, MAX_BYTES};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How far an upload has come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UploadStatus {
    /// Bytes the server holds of it (all of them once complete).
    pub received: u64,
    /// The server holds the whole photo.
    pub complete: bool,
}

fn bad_name() -> ApiError {
    ApiError::field(
        "hash",
        Msg::new(
            "Định danh ảnh là mã SHA-256 của ảnh (64 chữ số hex viết thường).",
            "A photo's name is the SHA-256 of its bytes (64 lowercase hex digits).",
        ),
    )
}

fn refused(m: Msg) -> ApiError {
    ApiError::field("photo", m)
}

fn require_officer(user: &UserInfo) -> ApiResult<()> {
    if user.role == Role::Officer {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only field officers upload photos".into(),
        ))
    }
}

fn store_error(e: crate::photos::StoreError) -> ApiError {
    tracing::error!(error = %e, "photo store unavailable");
    ApiError::Unavailable(e.reason().into())
}

/// Stores `bytes` as photo `hash` (checked: an image, not empty, its SHA-256 is `hash`);
/// stored once however often it is sent.
async fn store_checked(
    db: &Db,
    store: &PhotoStore,
    user: &UserInfo,
    hash: &str,
    bytes: Bytes,
) -> ApiResult<UploadStatus> {
    let computed = hex::encode(Sha256::digest(&bytes));
    let mime = check_upload(hash, &bytes, &computed).map_err(refused)?;
    let size = bytes.len() as u64;
    // Its bytes, checked: this user holds the photo.
    if storage::photos::get(db, hash).await?.is_some() {
        hold(db, store, user, hash, None).await?;
        return Ok(UploadStatus {
            received: size,
            complete: true,
        });
    }
    let decoded = {
        let _permit = store
            .decoding
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let b = bytes.clone();
        tokio::task::spawn_blocking(move || crate::photos::thumbnail(&b))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let Some((thumb, width, height)) = decoded else {
        return Err(refused(Msg::new(
            "Không đọc được ảnh này (tệp hỏng?): hãy chụp lại.",
            "This photo cannot be read (a damaged file?): take it again.",
        )));
    };
    // The bytes first: a row never names a photo the store lacks.
    store
        .put(hash, bytes, Some(thumb))
        .await
        .map_err(store_error)?;
    let photo = Photo {
        hash: hash.to_string(),
        mime: mime.to_string(),
        bytes: size as i64,
        width: width.into(),
        height: height.into(),
        uploaded_by: user.id.clone(),
    };
    hold(db, store, user, hash, Some(&photo)).await?;
    tracing::info!(photo = %hash, by = %user.id, bytes = size, "photo stored");
    Ok(UploadStatus {
        received: size,
        complete: true,
    })
}

/// Records that `user` holds photo `hash`, whose bytes are in the store (with its row
/// `new` when it is new), and ends their upload of it: its progress and the pieces it was
/// sent in go (an error there only leaves garbage, never a wrong photo).
async fn hold(
    db: &Db,
    store: &PhotoStore,
    user: &UserInfo,
    hash: &str,
    new: Option<&Photo>,
) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    if let Some(photo) = new {
        storage::photos::insert(&mut tx, photo).await?;
    }
    storage::photos::add_uploader(&mut tx, hash, &user.id).await?;
    storage::photos::clear_progress(&mut tx, hash, &user.id).await?;
    tx.commit().await?;
    let _ = store.unstage(hash, &user.id).await;
    Ok(())
}

/// `PUT /api/photos/{hash}`: the whole photo at once.
pub async fn upload(
    db: &Db,
    store: &PhotoStore,
    user: &UserInfo,
    hash: &str,
    bytes: Bytes,
) -> ApiResult<UploadStatus> {
    require_officer(user)?;
    if !is_hash(hash) {
        return Err(bad_name());
    }
    store_checked(db, store, user, hash, bytes).await
}

/// `PUT /api/photos/{hash}/pieces?offset=&total=`: one piece of a photo of `total` bytes,
/// starting at `offset`. A piece that does not start where the server's copy stops is not
/// kept: the answer says where to go on from (offset 0 starts again). The last piece
/// completes the photo, checked as a whole.
pub async fn upload_piece(
    db: &Db,
    store: &PhotoStore,
    user: &UserInfo,
    hash: &str,
    offset: u64,
    total: u64,
    piece: Bytes,
) -> ApiResult<UploadStatus> {
    require_officer(user)?;
    if !is_hash(hash) {
        return Err(bad_name());
    }
    let end = offset.checked_add(piece.len() as u64);
    if total == 0
        || total > MAX_BYTES
        || piece.is_empty()
        || piece.len() as u64 > hoptac_core::photo::CHUNK_BYTES
        || end.is_none_or(|e| e > total)
    {
        return Err(refused(Msg::new(
            "Phần ảnh gửi lên không hợp lệ (rỗng, quá 256 KB, vượt quá kích thước ảnh, hoặc ảnh quá 12 MB).",
            "The piece is not valid (empty, over 256 KB, past the photo's size, or a photo over 12 MB).",
        )));
    }
    // Already here, and this user holds it: nothing to send. (One who does not sends it
    // all: the bytes prove they hold it.)
    if let Some(done) = held(db, user, hash).await? {
        return Ok(done);
    }
    let received = match storage::photos::progress(db, hash, &user.id).await? {
        Some((t, r)) if t as u64 == total => r as u64,
        _ => 0,
    };
    if offset != received && offset != 0 {
        return Ok(UploadStatus {
            received,
            complete: false,
        });
    }
    if offset == 0 {
        store.unstage(hash, &user.id).await.map_err(store_error)?;
    }
    let len = piece.len() as u64;
    store
        .stage(hash, &user.id, offset, piece)
        .await
        .map_err(store_error)?;
    let received = offset + len;
    if received < total {
        let mut tx = db.begin_write().await?;
        storage::photos::set_progress(&mut tx, hash, &user.id, total as i64, received as i64)
            .await?;
        tx.commit().await?;
        return Ok(UploadStatus {
            received,
            complete: false,
        });
    }
    let whole = store.staged(hash, &user.id).await.map_err(store_error)?;
    store.unstage(hash, &user.id).await.map_err(store_error)?;
    let forget = || async {
        let mut tx = db.begin_write().await?;
        storage::photos::clear_progress(&mut tx, hash, &user.id).await?;
        tx.commit().await?;
        Ok::<(), ApiError>(())
    };
    match whole {
        Some(bytes) if bytes.len() as u64 == total => {
            match store_checked(db, store, user, hash, Bytes::from(bytes)).await {
                Ok(s) => Ok(s),
                Err(e) => {
                    forget().await?;
                    Err(e)
                }
            }
        }
        _ => {
            forget().await?;
            Ok(UploadStatus {
                received: 0,
                complete: false,
            })
        }
    }
}

/// The status of a photo stored whole, for a `user` who may see it ([`may_see`]); None
/// when it is not stored or they may not see it (to them, whether it exists stays unsaid).
async fn held(db: &Db, user: &UserInfo, hash: &str) -> ApiResult<Option<UploadStatus>> {
    if let Some(p) = storage::photos::get(db, hash).await? {
        if may_see(db, user, hash).await? {
            return Ok(Some(UploadStatus {
                received: p.bytes as u64,
                complete: true,
            }));
        }
    }
    Ok(None)
}

/// `GET /api/photos/{hash}/status`: how much of the photo the server holds for `user`.
pub async fn status(db: &Db, user: &UserInfo, hash: &str) -> ApiResult<UploadStatus> {
    if !is_hash(hash) {
        return Err(bad_name());
    }
    // Complete only to one who may see it: to others, whether it exists stays unsaid.
    if let Some(done) = held(db, user, hash).await? {
        return Ok(done);
    }
    Ok(UploadStatus {
        received: storage::photos::progress(db, hash, &user.id)
            .await?
            .map_or(0, |(_, r)| r as u64),
        complete: false,
    })
}

/// Whether `user` may see photo `hash`: they sent its bytes, or they may see a record
/// that names it, named there by someone who sent its bytes.
async fn may_see(db: &Db, user: &UserInfo, hash: &str) -> ApiResult<bool> {
    if storage::photos::is_uploader(db, hash, &user.id).await? {
        return Ok(true);
    }
    Ok(storage::photos::linked_paths(db, hash)
        .await?
        .iter()
        .any(|p| in_scope(p, &user.scopes)))
}

/// A photo to send: its bytes and type.
pub struct Served {
    pub bytes: Bytes,
    pub mime: String,
}

/// `GET /api/photos/{hash}`: the photo (or its thumbnail) for a user who may see it; 404
/// otherwise, saying nothing of whether it exists. A photo a visible record names that
/// has not arrived is a 404 saying it is still on the officer's tablet.
pub async fn fetch(
    db: &Db,
    store: &PhotoStore,
    user: &UserInfo,
    hash: &str,
    thumb: bool,
) -> ApiResult<Served> {
    let not_found = || ApiError::NotFound("no such photo in your areas".into());
    if !is_hash(hash) {
        return Err(not_found());
    }
    let still_on_tablet = || {
        ApiError::NotFound(
            "the photo is still on the officer's tablet: it has not reached the server yet".into(),
        )
    };
    let Some(p) = storage::photos::get(db, hash).await? else {
        // Not here: a record the caller may see waits for it, or nothing to say.
        let waited_for = storage::photos::named_paths(db, hash)
            .await?
            .iter()
            .any(|p| in_scope(p, &user.scopes));
        return Err(if waited_for {
            still_on_tablet()
        } else {
            not_found()
        });
    };
    if !may_see(db, user, hash).await? {
        return Err(not_found());
    }
    let Some(bytes) = store.get(hash, thumb).await.map_err(store_error)? else {
        // Recorded but gone from the store (restored from an older copy?): forgotten, so
        // the tablet that holds it sends it again.
        tracing::error!(photo = %hash, "photo recorded but missing from the store: forgotten");
        storage::photos::forget(db, hash).await?;
        return Err(still_on_tablet());
    };
    Ok(Served {
        bytes,
        mime: if thumb { "image/jpeg".into() } else { p.mime },
    })
}
