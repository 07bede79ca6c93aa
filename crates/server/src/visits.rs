//! `/api/visits`: visit reports in the caller's scope, newest first (the supervisor's list).

use crate::auth::AuthUser;
use crate::db::scope_clause;
use crate::error::ApiResult;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use hoptac_core::model::VisitReport;
use sqlx::Row;

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
    let scopes = &user.0.scopes;
    let sql = format!(
        "SELECT body FROM visit_reports WHERE {} ORDER BY received_at DESC, id LIMIT 1000",
        scope_clause("area_path", 1, scopes.len())
    );
    let mut q = sqlx::query(&sql);
    for s in scopes {
        q = q.bind(s);
    }
    let rows = q.fetch_all(&state.db.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(serde_json::from_str(&r.try_get::<String, _>(0)?)?);
    }
    Ok(axum::Json(out))
}
