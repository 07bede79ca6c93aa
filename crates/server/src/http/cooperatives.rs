//! `/api/cooperatives/…`: records flagged as one cooperative (duplicates, merged or
//! dismissed) and a cooperative moved to another commune with its history. The rules
//! are [`crate::rules::duplicates`] and [`crate::rules::moves`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Path, Query};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::model::Cooperative;
use hoptac_core::registry::{Duplicate, MergeRequest};
use hoptac_core::reorg::{MovePreview, MoveRequest};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cooperatives/duplicates", get(duplicates))
        .route("/cooperatives/duplicates/dismiss", post(dismiss))
        .route("/cooperatives/merge", post(merge))
        .route("/cooperatives/{id}/move", post(move_cooperative))
}

type E = hoptac_core::error::ApiErrorBody;

/// Records flagged as one cooperative (same tax code or registration number), inside the
/// caller's areas. Supervisors and administrators.
#[utoipa::path(get, path = "/api/cooperatives/duplicates", tag = "registry", security(("bearer" = [])),
    responses((status = 200, body = Vec<Duplicate>), (status = 403, body = E), (status = 401, body = E)))]
pub async fn duplicates(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<Vec<Duplicate>>> {
    Ok(axum::Json(
        rules::duplicates::list(&state.db, &user.0).await?,
    ))
}

/// Merge two records of one cooperative: `remove`'s visit reports move to `keep`, its
/// fields fill `keep`'s empty ones, and it leaves every tablet. Audited.
#[utoipa::path(post, path = "/api/cooperatives/merge", tag = "registry", security(("bearer" = [])), request_body = MergeRequest,
    responses((status = 200, body = Cooperative), (status = 400, body = E), (status = 403, body = E),
              (status = 404, body = E), (status = 422, body = E), (status = 401, body = E)))]
pub async fn merge(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<MergeRequest>,
) -> ApiResult<axum::Json<Cooperative>> {
    Ok(axum::Json(
        rules::duplicates::merge(&state.db, &user.0, &req.keep, &req.remove).await?,
    ))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DismissRequest {
    pub a: String,
    pub b: String,
}

/// Two flagged records are two cooperatives after all: the flag goes. Audited.
#[utoipa::path(post, path = "/api/cooperatives/duplicates/dismiss", tag = "registry", security(("bearer" = [])), request_body = DismissRequest,
    responses((status = 204), (status = 403, body = E), (status = 404, body = E), (status = 401, body = E)))]
pub async fn dismiss(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<DismissRequest>,
) -> ApiResult<axum::http::StatusCode> {
    rules::duplicates::dismiss(&state.db, &user.0, &req.a, &req.b).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ApplyQuery {
    /// true: move it; false or absent: a dry run that changes nothing.
    pub apply: Option<bool>,
}

/// Move a cooperative to another commune, ward or village with its history (reports,
/// conflicts): a dry run unless `apply=true`, saying who loses and who gains it.
/// Supervisors and administrators, inside their areas. Audited ("move").
#[utoipa::path(post, path = "/api/cooperatives/{id}/move", tag = "registry", security(("bearer" = [])),
    params(("id" = String, Path, description = "the cooperative's id"), ApplyQuery), request_body = MoveRequest,
    responses((status = 200, body = MovePreview), (status = 422, body = E), (status = 403, body = E),
              (status = 404, body = E), (status = 401, body = E)))]
pub async fn move_cooperative(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<ApplyQuery>,
    Json(req): Json<MoveRequest>,
) -> ApiResult<axum::Json<MovePreview>> {
    Ok(axum::Json(
        rules::moves::move_cooperative(&state.db, &user.0, &id, &req, q.apply.unwrap_or(false))
            .await?,
    ))
}
