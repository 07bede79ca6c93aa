//! The review of visit reports over HTTP: `POST /api/visits/{id}/decisions`, `GET
//! /api/visits/{id}` (a submission with its changes since the previous revision) and `GET
//! /api/audit/{entity}/{id}`. The rules are [`crate::rules::review`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Path};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::model::VisitReport;
use hoptac_core::queue::{AuditEntry, ReportDetail};
use hoptac_core::review::DecisionRequest;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits/{id}", get(detail))
        .route("/visits/{id}/decisions", post(decision))
        .route("/audit/{entity}/{id}", get(audit))
}

/// Approve, return for correction (comment required), reject (reason required), or comment.
#[utoipa::path(post, path = "/api/visits/{id}/decisions", tag = "review", security(("bearer" = [])), request_body = DecisionRequest,
    params(("id" = String, Path, description = "the visit report's id")),
    responses((status = 200, body = VisitReport), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 400, body = hoptac_core::error::ApiErrorBody), (status = 401, body = hoptac_core::error::ApiErrorBody),
              (status = 404, body = hoptac_core::error::ApiErrorBody), (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn decision(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<DecisionRequest>,
) -> ApiResult<axum::Json<VisitReport>> {
    Ok(axum::Json(
        rules::review::decision(&state.db, &user.0, &id, &req).await?,
    ))
}

/// A submission with the revision before it and the fields changed since.
#[utoipa::path(get, path = "/api/visits/{id}", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "the visit report's id")),
    responses((status = 200, body = ReportDetail), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody), (status = 404, body = hoptac_core::error::ApiErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ReportDetail>> {
    Ok(axum::Json(
        rules::review::detail(&state.db, &user.0, &id).await?,
    ))
}

/// Every change to a record: who, when, from which device, old value → new value.
/// Supervisors and administrators, within their areas.
#[utoipa::path(get, path = "/api/audit/{entity}/{id}", tag = "review", security(("bearer" = [])),
    params(("entity" = String, Path, description = "visit, cooperative, conflict, targets or user_areas"), ("id" = String, Path, description = "the record's id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody), (status = 404, body = hoptac_core::error::ApiErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    user: AuthUser,
    Path((entity, id)): Path<(String, String)>,
) -> ApiResult<axum::Json<Vec<AuditEntry>>> {
    Ok(axum::Json(
        rules::review::audit_trail(&state.db, &user.0, &entity, &id).await?,
    ))
}
