//! The hoptac server: serves the built app (static files) and the `/api`.
//!
//! One module per resource, each with its own `router()`: [`auth`], [`sync`], [`visits`];
//! [`error`] maps every failure to a JSON error; [`db`] is the storage layer; [`demo`]
//! loads the Ninh Bình demo data.

pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod openapi;
pub mod sync;
pub mod visits;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body the API accepts (a push of 100 full reports fits easily).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<db::Db>,
    pub limiter: Arc<auth::LoginLimiter>,
}

impl AppState {
    pub fn new(db: db::Db) -> Self {
        AppState { db: Arc::new(db), limiter: Arc::new(auth::LoginLimiter::default()) }
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    /// "sqlite" or "postgres".
    pub database: &'static str,
}

/// Liveness and what this server runs on.
#[utoipa::path(get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health(axum::extract::State(state): axum::extract::State<AppState>) -> axum::Json<Health> {
    axum::Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION"), database: state.db.kind.name() })
}

async fn api_not_found(uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::NotFound(format!("no API endpoint {}; see /api/openapi.json", uri.path()))
}

/// Every endpoint, as (method, path). The OpenAPI test checks each is documented and routed.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/api/health"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/me"),
    ("POST", "/api/sync/push"),
    ("POST", "/api/sync/pull"),
    ("GET", "/api/visits"),
];

/// The `/api` routes alone.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(|| async { axum::Json(openapi::document()) }))
        .merge(auth::router())
        .merge(sync::router())
        .merge(visits::router())
        .fallback(api_not_found)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// The whole application: `/api` and, when given, the built app's folder.
pub fn app(state: AppState, static_dir: Option<PathBuf>) -> Router {
    let mut router = Router::new().nest("/api", api_router());
    if let Some(dir) = static_dir {
        // Any path that is not a file is a page of the app: answer with index.html.
        let index = ServeFile::new(dir.join("index.html"));
        router = router.fallback_service(ServeDir::new(dir).fallback(index));
    } else {
        router = router.fallback(|| async { (StatusCode::NOT_FOUND, "no app folder is served (start with --static-dir)").into_response() });
    }
    router
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
