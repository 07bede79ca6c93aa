//! The reference lists reports choose from (`/api/reference/*`).

use super::{get, send, ApiError};
use gloo_net::http::Request;

/// The reference lists the caller receives (`GET /api/reference`), retired items included.
pub async fn reference(
    token: &str,
) -> Result<Vec<hoptac_core::reference::ReferenceItem>, ApiError> {
    get(token, "/api/reference").await
}

/// Adds an item to a reference list (administrators).
pub async fn add_reference(
    token: &str,
    item: &hoptac_core::reference::NewReferenceItem,
) -> Result<hoptac_core::reference::ReferenceItem, ApiError> {
    send(Request::post("/api/reference"), token, Some(item)).await
}

/// Renames, retires or restores an item of a reference list (administrators).
pub async fn update_reference(
    token: &str,
    item: &hoptac_core::reference::ReferenceItem,
    change: &hoptac_core::reference::ReferenceUpdate,
) -> Result<hoptac_core::reference::ReferenceItem, ApiError> {
    let path = format!(
        "/api/reference/{}/{}",
        hoptac_core::keyed::Keyed::key(item.list),
        item.key
    );
    send(Request::put(&path), token, Some(change)).await
}
