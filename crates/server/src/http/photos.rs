//! `/api/photos…`: photos uploaded by content hash (whole, or in pieces that resume after
//! a lost connection) and served to those who may see a record naming them. The rules
//! are [`crate::rules::photos`]; the bytes are in [`crate::photos::PhotoStore`].

use super::auth::AuthUser;
use super::error::{ApiResult, Path, Query};
use crate::rules::{self, photos::UploadStatus};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::Router;
use bytes::Bytes;
use serde::Deserialize;

/// Largest request body of the photo routes: a whole photo (hoptac_core::photo::MAX_BYTES).
const MAX_PHOTO_BODY: usize = hoptac_core::photo::MAX_BYTES as usize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/photos/{hash}", put(upload).get(fetch))
        .route("/photos/{hash}/pieces", put(upload_piece))
        .route("/photos/{hash}/status", get(status))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_PHOTO_BODY))
}

type E = hoptac_core::error::ApiErrorBody;

/// Upload a whole photo (JPEG, PNG or WebP; field officers). `hash`: the SHA-256 of the
/// body; the same photo again is stored once. 422 for an empty body, a file that is not
/// an image, or bytes that do not match `hash`.
#[utoipa::path(put, path = "/api/photos/{hash}", tag = "photos", security(("bearer" = [])),
    params(("hash" = String, Path, description = "SHA-256 of the photo, 64 lowercase hex digits")),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 200, body = UploadStatus), (status = 422, body = E), (status = 403, body = E),
              (status = 413, body = E), (status = 401, body = E)))]
pub async fn upload(
    State(state): State<AppState>,
    user: AuthUser,
    Path(hash): Path<String>,
    body: Bytes,
) -> ApiResult<axum::Json<UploadStatus>> {
    Ok(axum::Json(
        rules::photos::upload(&state.db, &state.photos, &user.0, &hash, body).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PieceQuery {
    /// Where this piece starts in the photo, in bytes.
    pub offset: u64,
    /// The whole photo's size in bytes.
    pub total: u64,
}

/// Upload one piece of a photo. When it does not start where the server's copy stops,
/// it is not kept and the answer's `received` says where to go on from.
#[utoipa::path(put, path = "/api/photos/{hash}/pieces", tag = "photos", security(("bearer" = [])),
    params(("hash" = String, Path, description = "SHA-256 of the whole photo"), PieceQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = UploadStatus), (status = 422, body = E), (status = 403, body = E),
              (status = 413, body = E), (status = 401, body = E)))]
pub async fn upload_piece(
    State(state): State<AppState>,
    user: AuthUser,
    Path(hash): Path<String>,
    Query(q): Query<PieceQuery>,
    body: Bytes,
) -> ApiResult<axum::Json<UploadStatus>> {
    Ok(axum::Json(
        rules::photos::upload_piece(
            &state.db,
            &state.photos,
            &user.0,
            &hash,
            q.offset,
            q.total,
            body,
        )
        .await?,
    ))
}

/// How much of a photo the server holds (for the caller's upload in pieces).
#[utoipa::path(get, path = "/api/photos/{hash}/status", tag = "photos", security(("bearer" = [])),
    params(("hash" = String, Path, description = "SHA-256 of the photo")),
    responses((status = 200, body = UploadStatus), (status = 422, body = E), (status = 401, body = E)))]
pub async fn status(
    State(state): State<AppState>,
    user: AuthUser,
    Path(hash): Path<String>,
) -> ApiResult<axum::Json<UploadStatus>> {
    Ok(axum::Json(
        rules::photos::status(&state.db, &user.0, &hash).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FetchQuery {
    /// "thumb": the thumbnail (long side 320 px); otherwise the photo.
    pub size: Option<String>,
}

/// A photo, to its uploader and to whoever may see a record naming it (404 otherwise,
/// and while it is still on the officer's tablet). Named by content, it never changes:
/// cached for a year, privately.
#[utoipa::path(get, path = "/api/photos/{hash}", tag = "photos", security(("bearer" = [])),
    params(("hash" = String, Path, description = "SHA-256 of the photo"), FetchQuery),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = E), (status = 401, body = E)))]
pub async fn fetch(
    State(state): State<AppState>,
    user: AuthUser,
    Path(hash): Path<String>,
    Query(q): Query<FetchQuery>,
) -> ApiResult<Response> {
    let thumb = q.size.as_deref() == Some("thumb");
    let served = rules::photos::fetch(&state.db, &state.photos, &user.0, &hash, thumb).await?;
    let mut resp = served.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&served.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{hash}\"")) {
        h.insert(header::ETAG, tag);
    }
    Ok(resp)
}
