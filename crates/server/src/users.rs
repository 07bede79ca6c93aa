//! `/api/users/{id}/areas`: an administrator assigns areas to a user. Taking an area away
//! sends that user's tablets an `AreaUnassigned` change (their records of it go, their own
//! unsent work stays); giving one re-logs the area's records so the next pull brings them.

use crate::auth::AuthUser;
use crate::db::WriteTx;
use crate::error::{ApiError, ApiResult, Json};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::put;
use axum::Router;
use hoptac_core::model::Role;
use hoptac_core::sync::Change;
use serde::{Deserialize, Serialize};
use sqlx::Row;

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

async fn paths_of(tx: &mut WriteTx<'_>, user_id: &str) -> ApiResult<Vec<String>> {
    let rows = sqlx::query("SELECT a.path FROM assignments s JOIN areas a ON a.id = s.area_id WHERE s.user_id = $1 ORDER BY a.path")
        .bind(user_id)
        .fetch_all(&mut *tx.tx)
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(ApiError::from))
        .collect()
}

/// Replace a user's assigned areas (administrators only).
#[utoipa::path(put, path = "/api/users/{id}/areas", tag = "users", security(("bearer" = [])), request_body = AreasRequest,
    params(("id" = String, Path, description = "the user's id")),
    responses((status = 200, body = AreasResponse), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 404, body = hoptac_core::error::ApiErrorBody), (status = 400, body = hoptac_core::error::ApiErrorBody)))]
pub async fn set_areas(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<AreasRequest>,
) -> ApiResult<axum::Json<AreasResponse>> {
    user.require_role(&[Role::Admin])?;
    let mut tx = state.db.begin_write().await?;
    if sqlx::query("SELECT id FROM users WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound(format!("no user with id '{id}'")));
    }
    for a in &req.areas {
        if sqlx::query("SELECT id FROM areas WHERE id = $1")
            .bind(a)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_none()
        {
            return Err(ApiError::BadRequest(format!(
                "no area with id '{a}': use the ids of the area list"
            )));
        }
    }
    let before = paths_of(&mut tx, &id).await?;
    sqlx::query("DELETE FROM assignments WHERE user_id = $1")
        .bind(&id)
        .execute(&mut *tx.tx)
        .await?;
    for a in &req.areas {
        sqlx::query(
            "INSERT INTO assignments (user_id, area_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(a)
        .execute(&mut *tx.tx)
        .await?;
    }
    let after = paths_of(&mut tx, &id).await?;
    let covered = |p: &str, set: &[String]| set.iter().any(|s| p.starts_with(s.as_str()));
    for lost in before.iter().filter(|p| !covered(p, &after)) {
        // What is still visible through another assignment stays: remove only the
        // parts of `lost` not covered by the new scopes. With whole-subtree scopes, that
        // is `lost` itself unless a new scope lies inside it; then send nothing for it
        // and let the finer scopes keep their records (the tablet's view is a superset
        // until the next sign-in, never a loss).
        if after.iter().any(|s| s.starts_with(lost.as_str())) {
            continue;
        }
        let body = serde_json::to_string(&Change::AreaUnassigned { path: lost.clone() })?;
        tx.log_change_for_user("scope", &format!("{id}:{lost}"), &id, &body)
            .await?;
    }
    for gained in after.iter().filter(|p| !covered(p, &before)) {
        tx.relog_area(gained).await?;
    }
    tx.commit().await?;
    tracing::info!(user = %id, by = %user.0.id, ?after, "areas assigned");
    Ok(axum::Json(AreasResponse { scopes: after }))
}
