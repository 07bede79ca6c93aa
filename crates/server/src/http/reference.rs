//! `/api/reference…`: the reference lists reports choose from (programmes, difficulties,
//! kinds of support); administrators add, rename, retire and restore items. Tablets
//! receive the same items by pull. The rules are [`crate::rules::reference`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Path};
use crate::rules;
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, put};
use axum::Router;
use hoptac_core::reference::{ListKind, NewReferenceItem, ReferenceItem, ReferenceUpdate};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reference", get(list).post(add))
        .route("/reference/{list}/{key}", put(update))
}

type E = hoptac_core::error::ApiErrorBody;

/// Every item the caller receives (national, of their areas and the areas above them),
/// retired ones included, by list and position.
#[utoipa::path(get, path = "/api/reference", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReferenceItem>), (status = 401, body = E)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<Vec<ReferenceItem>>> {
    Ok(axum::Json(
        rules::reference::list(&state.db, &user.0).await?,
    ))
}

/// Add an item for one of the administrator's areas; its key is made from the Vietnamese
/// name. Audited as entity "reference".
#[utoipa::path(post, path = "/api/reference", tag = "reference", security(("bearer" = [])), request_body = NewReferenceItem,
    responses((status = 201, body = ReferenceItem), (status = 400, body = E), (status = 403, body = E),
              (status = 422, body = E), (status = 401, body = E)))]
pub async fn add(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<NewReferenceItem>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<ReferenceItem>)> {
    let item = rules::reference::add(&state.db, &user.0, &req).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(item)))
}

/// Rename an item, or retire or restore it (reports that chose it keep it).
#[utoipa::path(put, path = "/api/reference/{list}/{key}", tag = "reference", security(("bearer" = [])), request_body = ReferenceUpdate,
    params(("list" = ListKind, Path, description = "programme, difficulty or support_kind"),
           ("key" = String, Path, description = "the item's key")),
    responses((status = 200, body = ReferenceItem), (status = 400, body = E), (status = 403, body = E),
              (status = 404, body = E), (status = 422, body = E), (status = 401, body = E)))]
pub async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path((list, key)): Path<(ListKind, String)>,
    Json(req): Json<ReferenceUpdate>,
) -> ApiResult<axum::Json<ReferenceItem>> {
    Ok(axum::Json(
        rules::reference::update(&state.db, &user.0, list, &key, &req).await?,
    ))
}
