//! Push and pull (`/api/sync/*`): the tablet's mutations up, the changes in its areas down.

use super::{post, post_js, ApiError};
use hoptac_core::sync::{PullRequest, PushRequest, PushResponse};

pub async fn push(token: &str, req: &PushRequest) -> Result<PushResponse, ApiError> {
    post("/api/sync/push", Some(token), req).await
}

/// A pulled page: its control fields decoded, its changes left as the parsed JSON array
/// (the store writes the records into IndexedDB as they came; see Store::apply_pull_js).
pub struct PullPage {
    pub header: PullHeader,
    pub changes: wasm_bindgen::JsValue,
}

/// [`PullResponse`] without its changes.
#[derive(serde::Deserialize)]
pub struct PullHeader {
    pub cursor: i64,
    pub has_more: bool,
    pub last_mutation_id: u64,
    #[serde(default)]
    pub remaining: u64,
}

pub async fn pull(token: &str, req: &PullRequest) -> Result<PullPage, ApiError> {
    let js = post_js("/api/sync/pull", Some(token), req).await?;
    let header: PullHeader =
        serde_wasm_bindgen::from_value(js.clone()).map_err(|_| ApiError::Network)?;
    let changes = js_sys::Reflect::get(&js, &"changes".into()).map_err(|_| ApiError::Network)?;
    if !js_sys::Array::is_array(&changes) {
        return Err(ApiError::Network);
    }
    Ok(PullPage { header, changes })
}
