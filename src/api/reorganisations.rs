//! Reorganisations of the area tree (`/api/reorganisations/*`): previewed, then applied.

use super::{enc, get, send, upload, ApiError};
use gloo_net::http::Request;

/// Previews (`apply` false) or applies a reorganisation of the area tree (administrators).
pub async fn reorganise(
    token: &str,
    r: &hoptac_core::reorg::Reorganisation,
    apply: bool,
) -> Result<hoptac_core::reorg::ReorgPreview, ApiError> {
    let path = if apply {
        "/api/reorganisations?apply=true"
    } else {
        "/api/reorganisations"
    };
    send(Request::post(path), token, Some(r)).await
}

/// The 2025 reform as published, for today's province `province`, as a reorganisation
/// of the tree to preview and apply with [`reorganise`].
pub async fn official_reform_2025(
    token: &str,
    province: &str,
) -> Result<hoptac_core::reorg::Reorganisation, ApiError> {
    get(
        token,
        &format!(
            "/api/reorganisations/official-2025?province={}",
            enc(province)
        ),
    )
    .await
}

/// A reorganisation from a resolution's table (XLSX or CSV: old code, old name, new code,
/// new name), from `effective_on` under `decision`.
pub async fn reorganisation_from_table(
    token: &str,
    file: &web_sys::File,
    effective_on: &str,
    decision: &str,
) -> Result<hoptac_core::reorg::Reorganisation, ApiError> {
    upload(
        token,
        "/api/reorganisations/from-table",
        file,
        &[("effective_on", effective_on), ("decision", decision)],
    )
    .await
}
