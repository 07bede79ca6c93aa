//! Photo uploads (`/api/photos/*`), whole or in pieces.

use super::{answer, send_js, ApiError};
use gloo_net::http::Request;

/// How far a photo's upload has come on the server (`GET /api/photos/{hash}/status`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
pub struct UploadStatus {
    /// Bytes the server holds.
    pub received: u64,
    /// It holds the whole photo.
    pub complete: bool,
}

/// Sends `body` (a photo or a piece of one) with PUT and reads the upload's status.
async fn put_blob(token: &str, path: &str, body: &web_sys::Blob) -> Result<UploadStatus, ApiError> {
    let req = Request::put(path)
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(body)
        .map_err(|_| ApiError::Network)?;
    answer(req.send().await.map_err(|_| ApiError::Network)?).await
}

/// `GET /api/photos/{hash}/status`: how much of photo `hash` the server holds.
pub async fn photo_status(token: &str, hash: &str) -> Result<UploadStatus, ApiError> {
    let js = send_js(
        Request::get(&format!("/api/photos/{hash}/status")),
        Some(token),
        None,
    )
    .await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// `PUT /api/photos/{hash}`: the whole photo.
pub async fn put_photo(
    token: &str,
    hash: &str,
    photo: &web_sys::Blob,
) -> Result<UploadStatus, ApiError> {
    put_blob(token, &format!("/api/photos/{hash}"), photo).await
}

/// `PUT /api/photos/{hash}/pieces?offset=&total=`: one piece (at most
/// hoptac_core::photo::CHUNK_BYTES) of a photo of `total` bytes.
pub async fn put_photo_piece(
    token: &str,
    hash: &str,
    offset: u64,
    total: u64,
    piece: &web_sys::Blob,
) -> Result<UploadStatus, ApiError> {
    put_blob(
        token,
        &format!("/api/photos/{hash}/pieces?offset={offset}&total={total}"),
        piece,
    )
    .await
}

/// The path of photo `hash` (`thumb`: its thumbnail), `GET /api/photos/{hash}`.
pub fn photo_path(hash: &str, thumb: bool) -> String {
    format!(
        "/api/photos/{hash}{}",
        if thumb { "?size=thumb" } else { "" }
    )
}

/// Why a photo could not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoMissing {
    /// Not on the server (still on the officer's tablet), or not the caller's to see.
    NotHere,
    /// No connection.
    Offline,
}

/// An object URL for photo `hash` (`thumb`: its thumbnail), fetched with the session's
/// token, to show in an `<img>` (revoked by the caller when the image goes).
pub async fn photo_url(token: &str, hash: &str, thumb: bool) -> Result<String, PhotoMissing> {
    let out = crate::pwa::object_url(&photo_path(hash, thumb), token).await;
    match out.as_str() {
        u if u.starts_with("blob:") => Ok(out),
        "network" | "" => Err(PhotoMissing::Offline),
        _ => Err(PhotoMissing::NotHere),
    }
}
