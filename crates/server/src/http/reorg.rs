//! `/api/reorganisations`: a dated change of the area tree (issue 16), previewed (the
//! default) or applied (`?apply=true`). The rules are [`crate::rules::reorg`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Query};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use hoptac_core::reorg::{ReorgPreview, Reorganisation};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/reorganisations", post(reorganise))
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
