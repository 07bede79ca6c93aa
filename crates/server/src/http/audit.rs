//! `GET /api/audit/{entity}/{id}`: a record's audit trail, for supervisors and
//! administrators within their areas. The rules are [`crate::rules::audit::audit_trail`].

use super::auth::AuthUser;
use super::error::{ApiResult, Path};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use hoptac_core::queue::AuditEntry;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit/{entity}/{id}", get(audit))
}

/// Every change to a record: who, when, from which device, old value → new value.
/// Supervisors and administrators, within their areas.
#[utoipa::path(get, path = "/api/audit/{entity}/{id}", tag = "audit", security(("bearer" = [])),
    params(("entity" = String, Path, description = "visit, cooperative, conflict, targets or user_areas"), ("id" = String, Path, description = "the record's id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody), (status = 404, body = hoptac_core::error::ApiErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    user: AuthUser,
    Path((entity, id)): Path<(String, String)>,
) -> ApiResult<axum::Json<Vec<AuditEntry>>> {
    Ok(axum::Json(
        rules::audit::audit_trail(&state.db, &user.0, &entity, &id).await?,
    ))
}
