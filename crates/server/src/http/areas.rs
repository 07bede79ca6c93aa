//! `/api/areas…`: the area tree inside the caller's areas (for names, choosing an
//! account's areas, history), an area added or renamed, the official list of units
//! imported from a file, and the bundled official units loaded
//! (`/api/areas/official`). The rules are [`crate::rules::areas`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Path, Query};
use super::upload::Upload;
use crate::rules;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::routing::{get, post, put};
use axum::Router;
use hoptac_core::area_list::AreaImportReport;
use hoptac_core::model::Area;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/areas", get(areas).post(add_area))
        .route("/areas/{id}", put(change_area))
        .route(
            "/areas/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                crate::spreadsheets::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/areas/official", post(load_official))
}

type E = hoptac_core::error::ApiErrorBody;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AreasQuery {
    /// true: the areas a reorganisation closed too (history); default: today's only.
    pub closed: Option<bool>,
}

/// The areas inside the caller's own (and the ones above them, for names), by path:
/// those that exist today, or with `closed=true` those a reorganisation closed too.
#[utoipa::path(get, path = "/api/areas", tag = "users", security(("bearer" = [])), params(AreasQuery),
    responses((status = 200, body = Vec<Area>), (status = 401, body = E)))]
pub async fn areas(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<AreasQuery>,
) -> ApiResult<axum::Json<Vec<Area>>> {
    let all = crate::storage::areas::all(&state.db).await?;
    let closed_too = q.closed.unwrap_or(false);
    let visible = all
        .iter()
        .filter(|a| closed_too || a.is_open())
        .filter(|a| {
            user.0.scopes.iter().any(|s| s.starts_with(&a.path))
                || hoptac_core::reorg::covers_history(a, &all, &user.0.scopes)
        })
        .cloned()
        .collect();
    Ok(axum::Json(visible))
}

/// Add an area under one of the administrator's (audited as entity "area").
#[utoipa::path(post, path = "/api/areas", tag = "areas", security(("bearer" = [])), request_body = rules::areas::NewAreaRequest,
    responses((status = 201, body = Area), (status = 422, body = E), (status = 403, body = E), (status = 400, body = E), (status = 401, body = E)))]
pub async fn add_area(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<rules::areas::NewAreaRequest>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<Area>)> {
    let a = rules::areas::add(&state.db, &user.0, &req).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(a)))
}

/// Rename an area or set its national code (what is left out stays).
#[utoipa::path(put, path = "/api/areas/{id}", tag = "areas", security(("bearer" = [])), request_body = rules::areas::AreaChange,
    params(("id" = String, Path, description = "the area's id")),
    responses((status = 200, body = Area), (status = 422, body = E), (status = 403, body = E), (status = 404, body = E), (status = 401, body = E)))]
pub async fn change_area(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<rules::areas::AreaChange>,
) -> ApiResult<axum::Json<Area>> {
    Ok(axum::Json(
        rules::areas::change(&state.db, &user.0, &id, &req).await?,
    ))
}

/// Import the official list of administrative units (columns Mã, Tên, Cấp, Mã cấp trên)
/// from XLSX or CSV: a dry run unless `apply` is "true". Administrators, inside their
/// areas; a new unit takes its code as id when no area has it.
#[utoipa::path(post, path = "/api/areas/import", tag = "areas", security(("bearer" = [])),
    request_body(content = String, description = "multipart/form-data: file (XLSX or CSV), apply (\"true\" to write)", content_type = "multipart/form-data"),
    responses((status = 200, body = AreaImportReport), (status = 422, body = E), (status = 403, body = E),
              (status = 413, body = E), (status = 401, body = E)))]
pub async fn import(
    State(state): State<AppState>,
    user: AuthUser,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<axum::Json<AreaImportReport>> {
    let up = Upload::read(form).await?;
    Ok(axum::Json(
        rules::areas::import(&state.db, &user.0, &up.file, up.flag("apply")).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OfficialRequest {
    /// The province (its id in the tree) whose former units to load.
    pub province: String,
    /// "before-2025": the districts and communes of the former provinces that make it
    /// today (as they stood before 1 July 2025; the 2025 reform then closes them).
    pub list: String,
    /// true: write; false or absent: a dry run.
    #[serde(default)]
    pub apply: bool,
}

/// Load units from the official lists bundled with the server: the districts and communes
/// before 1 July 2025 of the former provinces that make today's province, for a tree that
/// keeps the history (then "Áp dụng sắp xếp ĐVHC 1/7/2025" applies the reform to them).
/// Administrators of the province. Units already in the tree are left as they are.
#[utoipa::path(post, path = "/api/areas/official", tag = "areas", security(("bearer" = [])),
    request_body = OfficialRequest,
    responses((status = 200, body = AreaImportReport), (status = 422, body = E), (status = 403, body = E),
              (status = 404, body = E), (status = 401, body = E)))]
pub async fn load_official(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<OfficialRequest>,
) -> ApiResult<axum::Json<AreaImportReport>> {
    Ok(axum::Json(
        rules::areas::load_official(&state.db, &user.0, &req.province, &req.list, req.apply)
            .await?,
    ))
}
