//! The area tree (`/api/areas/*`): its units, their codes, the official lists.

use super::{enc, get, send, upload, ApiError};
use gloo_net::http::Request;
use serde::Serialize;

/// The area tree inside (and above) the caller's areas.
pub async fn areas(token: &str) -> Result<Vec<hoptac_core::model::Area>, ApiError> {
    get(token, "/api/areas").await
}

/// Adds an area under `parent_id` (administrators); `code`: its national code.
pub async fn add_area(
    token: &str,
    id: &str,
    name: &str,
    level: hoptac_core::model::AreaLevel,
    parent_id: &str,
    code: Option<&str>,
) -> Result<hoptac_core::model::Area, ApiError> {
    #[derive(Serialize)]
    struct NewArea<'a> {
        id: &'a str,
        name: &'a str,
        level: hoptac_core::model::AreaLevel,
        parent_id: &'a str,
        code: Option<&'a str>,
    }
    let body = NewArea {
        id,
        name,
        level,
        parent_id,
        code,
    };
    send(Request::post("/api/areas"), token, Some(&body)).await
}

/// Renames area `id` and sets its national code (administrators).
pub async fn change_area(
    token: &str,
    id: &str,
    name: &str,
    code: &str,
) -> Result<hoptac_core::model::Area, ApiError> {
    #[derive(Serialize)]
    struct Change<'a> {
        name: &'a str,
        code: &'a str,
    }
    send(
        Request::put(&format!("/api/areas/{}", enc(id))),
        token,
        Some(&Change { name, code }),
    )
    .await
}

/// Imports the official list of administrative units (XLSX or CSV): a dry run unless
/// `apply` (administrators).
pub async fn import_areas(
    token: &str,
    file: &web_sys::File,
    apply: bool,
) -> Result<hoptac_core::area_list::AreaImportReport, ApiError> {
    let apply = if apply { "true" } else { "false" };
    upload(token, "/api/areas/import", file, &[("apply", apply)]).await
}

/// Loads the units before 1 July 2025 of the former provinces that make `province`
/// today, from the official lists bundled with the server: a dry run unless `apply`.
pub async fn load_units_before_2025(
    token: &str,
    province: &str,
    apply: bool,
) -> Result<hoptac_core::area_list::AreaImportReport, ApiError> {
    #[derive(Serialize)]
    struct Body<'a> {
        province: &'a str,
        list: &'a str,
        apply: bool,
    }
    let body = Body {
        province,
        list: "before-2025",
        apply,
    };
    send(Request::post("/api/areas/official"), token, Some(&body)).await
}
