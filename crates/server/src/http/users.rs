//! `/api/users/{id}/areas`: an administrator assigns areas to a user (the rules are
//! [`crate::rules::assignments`]).

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Path};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::put;
use axum::Router;
use hoptac_core::model::Role;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new().route("/users/{id}/areas", put(set_areas))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AreasRequest {
    /// Area ids (districts or communes for an officer; the province for a supervisor).
    pub areas: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AreasResponse {
    /// The user's area paths after the change.
    pub scopes: Vec<String>,
}

/// Replace a user's assigned areas (administrators, inside their own areas; audited as
/// entity "user_areas").
#[utoipa::path(put, path = "/api/users/{id}/areas", tag = "users", security(("bearer" = [])), request_body = AreasRequest,
    params(("id" = String, Path, description = "the user's id")),
    responses((status = 200, body = AreasResponse), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 404, body = hoptac_core::error::ApiErrorBody), (status = 400, body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn set_areas(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<AreasRequest>,
) -> ApiResult<axum::Json<AreasResponse>> {
    user.require_role(&[Role::Admin])?;
    let scopes = rules::assignments::set_areas(&state.db, &user.0, &id, &req.areas).await?;
    Ok(axum::Json(AreasResponse { scopes }))
}
