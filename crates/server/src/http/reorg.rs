//! `/api/reorganisations`: a dated change of the area tree (issue 16), previewed (the
//! default) or applied (`?apply=true`). The rules are [`crate::rules::reorg`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Query};
use super::upload::Upload;
use crate::rules;
use crate::AppState;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::reorg::{ReorgPreview, Reorganisation};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reorganisations", post(reorganise))
        .route("/reorganisations/official-2025", get(official_2025))
        .route(
            "/reorganisations/from-table",
            post(from_table).layer(axum::extract::DefaultBodyLimit::max(
                crate::spreadsheets::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
}

type E = hoptac_core::error::ApiErrorBody;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ApplyQuery {
    /// true: apply it; false or absent: a dry run that changes nothing.
    pub apply: Option<bool>,
}

/// Preview or apply a reorganisation: every area created and closed, every cooperative,
/// assignment and target it moves, and what blocks it. Administrators of every area it
/// touches. 422 lists every problem of the request at once.
#[utoipa::path(post, path = "/api/reorganisations", tag = "areas", security(("bearer" = [])),
    params(ApplyQuery), request_body = Reorganisation,
    responses((status = 200, body = ReorgPreview), (status = 422, body = E), (status = 403, body = E),
              (status = 400, body = E), (status = 401, body = E)))]
pub async fn reorganise(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ApplyQuery>,
    Json(req): Json<Reorganisation>,
) -> ApiResult<axum::Json<ReorgPreview>> {
    let apply = q.apply.unwrap_or(false);
    Ok(axum::Json(
        rules::reorg::reorganise(&state.db, &user.0, &req, apply).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProvinceQuery {
    /// Today's province (its id in the tree).
    pub province: String,
}

/// The 2025 reform as published, for today's province: the bundled official
/// correspondence of the former provinces that make it, as a reorganisation of the
/// tree's old units (new units, merges, divided communes, districts dissolved), to
/// preview and apply with `POST /api/reorganisations`. Administrators of the province.
#[utoipa::path(get, path = "/api/reorganisations/official-2025", tag = "areas", security(("bearer" = [])),
    params(ProvinceQuery),
    responses((status = 200, body = Reorganisation), (status = 422, body = E), (status = 403, body = E),
              (status = 404, body = E), (status = 401, body = E)))]
pub async fn official_2025(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ProvinceQuery>,
) -> ApiResult<axum::Json<Reorganisation>> {
    Ok(axum::Json(
        rules::reorg::official_2025(&state.db, &user.0, &q.province).await?,
    ))
}

/// A reorganisation from the table a resolution publishes (XLSX or CSV: old code, old
/// name, new code, new name, optionally the main unit and the new province code; a row
/// per old unit and new unit), with the form's `effective_on` (YYYY-MM-DD) and `decision`:
/// to preview and apply with `POST /api/reorganisations`. Administrators.
#[utoipa::path(post, path = "/api/reorganisations/from-table", tag = "areas", security(("bearer" = [])),
    request_body(content = String, description = "multipart/form-data: file (XLSX or CSV), effective_on, decision", content_type = "multipart/form-data"),
    responses((status = 200, body = Reorganisation), (status = 422, body = E), (status = 403, body = E),
              (status = 413, body = E), (status = 401, body = E)))]
pub async fn from_table(
    State(state): State<AppState>,
    user: AuthUser,
    form: Result<Multipart, MultipartRejection>,
) -> ApiResult<axum::Json<Reorganisation>> {
    let up = Upload::read(form).await?;
    Ok(axum::Json(
        rules::reorg::from_table(
            &state.db,
            &user.0,
            &up.file,
            up.text("effective_on").unwrap_or(""),
            up.text("decision").unwrap_or(""),
        )
        .await?,
    ))
}
