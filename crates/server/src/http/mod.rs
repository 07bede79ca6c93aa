//! The HTTP edge: one module per URL prefix, each with its own `router()`. Handlers take
//! the extractors of [`auth`] and [`error`], call [`crate::rules`] or read
//! [`crate::storage`], and answer JSON; they hold no SQL.

pub mod areas;
pub mod audit;
pub mod auth;
pub mod cooperatives;
pub mod error;
pub mod files;
pub mod metrics;
pub mod openapi;
pub mod photos;
pub mod reference;
pub mod registry;
pub mod reorg;
pub mod six_month;
pub mod sync;
pub mod upload;
pub mod users;
pub mod visits;

use crate::AppState;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body the API accepts (hoptac_core::sync::MAX_BODY_BYTES, 4 MiB).
pub const MAX_BODY_BYTES: usize = hoptac_core::sync::MAX_BODY_BYTES;

/// States the server's clock and identity on every API response (headers
/// hoptac_core::sync::SERVER_TIME_HEADER and SERVER_EPOCH_HEADER).
async fn server_time_and_epoch(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        hoptac_core::sync::SERVER_TIME_HEADER,
        HeaderValue::from(crate::storage::now_ms()),
    );
    if let Ok(v) = HeaderValue::from_str(&state.db.epoch) {
        h.insert(hoptac_core::sync::SERVER_EPOCH_HEADER, v);
    }
    resp
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// "ok".
    pub status: &'static str,
    /// The server's version (signed-in callers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
    /// "sqlite" or "postgres" (signed-in callers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// Liveness. The version and database kind only to a signed-in caller (an anonymous one
/// learns nothing that would help pick an exploit).
#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
    user: Option<auth::AuthUser>,
) -> axum::Json<Health> {
    let signed_in = user.is_some();
    axum::Json(Health {
        status: "ok",
        version: signed_in.then_some(env!("CARGO_PKG_VERSION")),
        database: signed_in.then(|| state.db.kind.name()),
    })
}

/// Readiness, for a load balancer: 200 `{"status": "ready"}` when the database answers
/// within 2 s; 503 `{"status": "not_ready", "reason": …}` otherwise ("the database gave
/// no connection within 10 s …", "the database did not answer within 2 s"…), so traffic
/// goes to another instance. The photo store is checked too (within 2 s; a photo folder
/// needs room for a photo) and a fault there is said in `"photos"` with the answer still
/// 200: the store is shared by every instance, so taking them all out would stop the
/// reports too, which need no photo store; uploads are refused with 503 meanwhile and
/// the tablets keep their photos. An operator alerts on either. `/api/health` is
/// liveness alone (the process answers) and touches neither.
#[utoipa::path(get, path = "/api/ready", tag = "health",
    responses((status = 200, description = "ready (with \"photos\": the photo store's fault, if any)"), (status = 503, description = "not ready: the database does not answer")))]
pub async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = std::time::Duration::from_secs(2);
    let db = tokio::time::timeout(limit, sqlx::query("SELECT 1").execute(&state.db.pool)).await;
    let reason = match db {
        Err(_) => Some("the database did not answer within 2 s"),
        Ok(Err(e)) => Some(crate::storage::unavailable(&e).unwrap_or("the database is unavailable")),
        Ok(Ok(_)) => None,
    };
    if let Some(r) = reason {
        tracing::warn!(reason = r, "not ready");
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "not_ready", "reason": r})),
        )
            .into_response();
    }
    let photos = match tokio::time::timeout(limit, state.photos.check()).await {
        Err(_) => Some("the photo store did not answer within 2 s"),
        Ok(Err(e)) => Some(e.reason()),
        Ok(Ok(())) => None,
    };
    match photos {
        None => axum::Json(serde_json::json!({"status": "ready"})).into_response(),
        Some(p) => {
            tracing::warn!(photos = p, "ready, but the photo store is not");
            axum::Json(serde_json::json!({"status": "ready", "photos": p})).into_response()
        }
    }
}

async fn api_not_found(uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::NotFound(format!(
        "no API endpoint {}; see /api/openapi.json",
        uri.path()
    ))
}

/// Every endpoint, as (method, path). The OpenAPI test checks each is documented and routed.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/api/health"),
    ("GET", "/api/ready"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/me"),
    ("POST", "/api/sync/push"),
    ("POST", "/api/sync/pull"),
    ("GET", "/api/visits"),
    ("PUT", "/api/users/{id}/areas"),
    ("GET", "/api/visits/{id}"),
    ("POST", "/api/visits/{id}/decisions"),
    ("GET", "/api/audit/{entity}/{id}"),
    ("GET", "/api/review"),
    ("GET", "/api/review/periods"),
    ("GET", "/api/review/export"),
    ("GET", "/api/review/records"),
    ("PUT", "/api/targets"),
    ("GET", "/api/visits/export"),
    ("GET", "/api/visits/officers"),
    ("POST", "/api/me/password"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("POST", "/api/users/{id}/reset-password"),
    ("POST", "/api/users/{id}/deactivate"),
    ("POST", "/api/users/{id}/reactivate"),
    ("GET", "/api/areas"),
    ("POST", "/api/areas"),
    ("PUT", "/api/areas/{id}"),
    ("POST", "/api/areas/import"),
    ("POST", "/api/areas/official"),
    ("GET", "/api/reference"),
    ("POST", "/api/reference"),
    ("PUT", "/api/reference/{list}/{key}"),
    ("POST", "/api/reorganisations"),
    ("GET", "/api/reorganisations/official-2025"),
    ("POST", "/api/reorganisations/from-table"),
    ("POST", "/api/registry/import"),
    ("GET", "/api/registry/export"),
    ("GET", "/api/cooperatives/duplicates"),
    ("POST", "/api/cooperatives/duplicates/dismiss"),
    ("POST", "/api/cooperatives/merge"),
    ("POST", "/api/cooperatives/{id}/move"),
    ("PUT", "/api/photos/{hash}"),
    ("GET", "/api/photos/{hash}"),
    ("PUT", "/api/photos/{hash}/pieces"),
    ("GET", "/api/photos/{hash}/status"),
];

/// The `/api` routes alone.
pub fn api_router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(openapi::document()) }),
        )
        .merge(auth::router())
        .merge(sync::router())
        .merge(visits::router())
        .merge(users::router())
        .merge(areas::router())
        .merge(registry::router())
        .merge(cooperatives::router())
        .merge(reference::router())
        .merge(reorg::router())
        .merge(audit::router())
        .merge(six_month::router())
        .merge(photos::router())
        // Every matched route counted and timed (/metrics).
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .fallback(api_not_found)
        .layer(axum::middleware::from_fn(
            error::refuse_control_chars_in_uri,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state,
            server_time_and_epoch,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Answers are never cached, but photos (named by content: cached a year).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
