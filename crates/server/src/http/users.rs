//! `/api/users…`: administrators manage accounts (list, create, reset a password,
//! deactivate and reactivate, assign areas). The rules are [`crate::rules::users`] and
//! [`crate::rules::assignments`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Path, Query};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, post, put};
use axum::Router;
use hoptac_core::accounts::{Account, AccountList, NewAccount, TemporaryPassword};
use hoptac_core::model::Role;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{id}/areas", put(set_areas))
        .route("/users/{id}/reset-password", post(reset_password))
        .route("/users/{id}/deactivate", post(deactivate))
        .route("/users/{id}/reactivate", post(reactivate))
}

type E = hoptac_core::error::ApiErrorBody;

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
    responses((status = 200, body = AreasResponse), (status = 403, body = E),
              (status = 404, body = E), (status = 400, body = E), (status = 401, body = E)))]
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of a user name or display name.
    pub q: Option<String>,
}

/// Accounts inside the administrator's areas (at most 200; `total` says how many match).
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = AccountList), (status = 403, body = E), (status = 401, body = E)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<AccountList>> {
    let search = q.q.unwrap_or_default();
    Ok(axum::Json(
        rules::users::list(&state.db, &user.0, &search).await?,
    ))
}

/// Create an officer, supervisor or administrator with a temporary password (shown once;
/// changed at first sign-in). Audited as entity "user".
#[utoipa::path(post, path = "/api/users", tag = "users", security(("bearer" = [])), request_body = NewAccount,
    responses((status = 201, body = TemporaryPassword), (status = 422, body = E), (status = 403, body = E),
              (status = 400, body = E), (status = 401, body = E)))]
pub async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<NewAccount>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<TemporaryPassword>)> {
    let made = rules::users::create(&state.db, &user.0, &req).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(made)))
}

/// Give an account a new temporary password (shown once) and sign it out everywhere.
#[utoipa::path(post, path = "/api/users/{id}/reset-password", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "the account's id")),
    responses((status = 200, body = TemporaryPassword), (status = 403, body = E), (status = 404, body = E), (status = 401, body = E)))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<TemporaryPassword>> {
    Ok(axum::Json(
        rules::users::reset_password(&state.db, &user.0, &id).await?,
    ))
}

/// Deactivate an account: it cannot sign in and every session ends at once; its work
/// already synced stays.
#[utoipa::path(post, path = "/api/users/{id}/deactivate", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "the account's id")),
    responses((status = 200, body = Account), (status = 403, body = E), (status = 404, body = E), (status = 401, body = E)))]
pub async fn deactivate(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Account>> {
    Ok(axum::Json(
        rules::users::set_active(&state.db, &user.0, &id, false).await?,
    ))
}

/// Reactivate a deactivated account (it signs in with its password as before).
#[utoipa::path(post, path = "/api/users/{id}/reactivate", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "the account's id")),
    responses((status = 200, body = Account), (status = 403, body = E), (status = 404, body = E), (status = 401, body = E)))]
pub async fn reactivate(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Account>> {
    Ok(axum::Json(
        rules::users::set_active(&state.db, &user.0, &id, true).await?,
    ))
}
