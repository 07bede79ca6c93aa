//! A supervisor's decision on a visit report, over HTTP: `POST /api/visits/{id}/decisions`
//! and `GET /api/visits/{id}` (a submission with its changes since the previous revision).
//! The rules are [`crate::rules::decisions`]; who may decide what,
//! [`hoptac_core::decisions::decide`].

use crate::http::auth::AuthUser;
use crate::http::error::{ApiResult, Json, Path};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use hoptac_core::decisions::DecisionRequest;
use hoptac_core::model::VisitReport;
use hoptac_core::queue::ReportDetail;

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
        rules::decisions::decision(&state.db, &user.0, &id, &req).await?,
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
        rules::decisions::detail(&state.db, &user.0, &id).await?,
    ))
}
