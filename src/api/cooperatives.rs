//! Actions on cooperatives beyond their records (`/api/cooperatives/*`): duplicates, merges, moves.

use super::{enc, get, send, send_js, ApiError};
use crate::util::to_json;
use gloo_net::http::Request;

pub async fn duplicates(token: &str) -> Result<Vec<hoptac_core::registry::Duplicate>, ApiError> {
    get(token, "/api/cooperatives/duplicates").await
}

pub async fn merge(
    token: &str,
    keep: &str,
    remove: &str,
) -> Result<hoptac_core::model::Cooperative, ApiError> {
    let body = hoptac_core::registry::MergeRequest {
        keep: keep.into(),
        remove: remove.into(),
    };
    send(Request::post("/api/cooperatives/merge"), token, Some(&body)).await
}

pub async fn dismiss_duplicate(token: &str, a: &str, b: &str) -> Result<(), ApiError> {
    #[derive(serde::Serialize)]
    struct D<'a> {
        a: &'a str,
        b: &'a str,
    }
    match send_js(
        Request::post("/api/cooperatives/duplicates/dismiss"),
        Some(token),
        to_json(&D { a, b }),
    )
    .await
    {
        // 204: no body to parse.
        Ok(_) | Err(ApiError::Network) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Moves cooperative `id` to another commune with its history: a dry run unless `apply`.
pub async fn move_cooperative(
    token: &str,
    id: &str,
    req: &hoptac_core::reorg::MoveRequest,
    apply: bool,
) -> Result<hoptac_core::reorg::MovePreview, ApiError> {
    let path = format!(
        "/api/cooperatives/{}/move{}",
        enc(id),
        if apply { "?apply=true" } else { "" }
    );
    send(Request::post(&path), token, Some(req)).await
}
