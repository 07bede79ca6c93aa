//! The six-monthly review and its targets (`/api/review/*`, `/api/targets`), online.

use super::{enc, get, send_js, ApiError};
use crate::util::to_json;
use gloo_net::http::Request;

/// The six-monthly review of `period` for `area` ("" = all the user's areas).
pub async fn review(
    token: &str,
    period: &str,
    area: &str,
) -> Result<hoptac_core::six_month::ReviewResponse, ApiError> {
    get(
        token,
        &format!("/api/review?period={}&area={}", enc(period), enc(area)),
    )
    .await
}

/// The half-years with approved reports in the user's areas, newest first.
pub async fn review_periods(
    token: &str,
) -> Result<hoptac_core::six_month::ReviewPeriods, ApiError> {
    get(token, "/api/review/periods").await
}

/// One page of the records behind a figure of the review ([`review`]'s period and area):
/// `figure` is its key (hoptac_core::six_month::SixMonthReview::ids_of), `offset` where the
/// page starts.
pub async fn review_records(
    token: &str,
    period: &str,
    area: &str,
    figure: &str,
    last_year: bool,
    offset: u32,
) -> Result<hoptac_core::six_month::RecordsPage, ApiError> {
    get(
        token,
        &format!(
            "/api/review/records?period={}&area={}&figure={}&last_year={last_year}&offset={offset}&limit=100",
            enc(period),
            enc(area),
            enc(figure)
        ),
    )
    .await
}

/// Sets an area's targets for a period (supervisors, administrators).
pub async fn set_targets(
    token: &str,
    req: &hoptac_core::six_month::TargetsRequest,
) -> Result<hoptac_core::six_month::Targets, ApiError> {
    let js = send_js(Request::put("/api/targets"), Some(token), to_json(req)).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// `GET /api/review/export`: the review of `period` in `area` as a file the user keeps
/// (`format` "xlsx" or "csv").
pub async fn export(token: &str, period: &str, area: &str, format: &str) -> Result<(), ApiError> {
    let q = super::query(&[("period", period), ("area", area), ("format", format)]);
    super::download(token, &format!("/api/review/export?{q}")).await
}
