//! `/api/visits`: visit reports in the caller's scope, newest first (the supervisor's list).

use super::auth::AuthUser;
use super::error::ApiResult;
use crate::storage;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use hoptac_core::model::VisitReport;

pub fn router() -> Router<AppState> {
    Router::new().route("/visits", get(list))
}

/// Visit reports the caller may see (an officer: their areas; a supervisor: the province).
#[utoipa::path(get, path = "/api/visits", tag = "visits", security(("bearer" = [])),
    responses((status = 200, body = Vec<VisitReport>), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<Vec<VisitReport>>> {
    Ok(axum::Json(
        storage::visits::in_scopes(&state.db, &user.0.scopes).await?,
    ))
}
