//! The hoptac server: serves the built app (static files) and the `/api`, in three layers:
//!
//! - [`http`]: the HTTP edge. One module per resource, each with its own `router()`; the
//!   extractors that check who asks ([`http::auth::AuthUser`]) and what they send
//!   ([`http::error::Json`]: NFC text, no control characters); the one error type
//!   ([`error::ApiError`], which rules and storage return) mapped to JSON
//!   `{ code, message }`. No SQL, no record rules.
//! - [`rules`]: what each record may become and who may do it (reports, review,
//!   cooperatives, conflicts, assignments, accounts, the six-monthly review), with the
//!   fields only the server decides. No HTTP, no SQL.
//! - [`storage`]: every SQL statement, one module per table group, SQLite and PostgreSQL
//!   behind the same functions; row locks and the change log's numbering live here.
//!
//! [`demo`] loads the Ninh Bình demo data.

pub mod demo;
pub mod error;
pub mod http;
pub mod national;
pub mod ops;
pub mod photos;
pub mod rules;
pub mod spreadsheets;
pub mod storage;
pub mod units;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub db: Arc<storage::Db>,
    pub limiter: Arc<rules::accounts::LoginLimiter>,
    /// Where photos' bytes are kept (issue 17).
    pub photos: Arc<photos::PhotoStore>,
    /// This instance's counters for /metrics (issue 18).
    pub metrics: Arc<http::metrics::Metrics>,
    /// Proxies whose `X-Forwarded-For` is believed (http::auth::ClientAddr): from
    /// HOPTAC_TRUSTED_PROXIES (comma-separated addresses; `--trusted-proxies`).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
}

/// The addresses of a comma-separated list; an error names the one that is not one.
pub fn parse_addresses(list: &str) -> Result<Vec<std::net::IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse()
                .map_err(|_| format!("{s:?} is not an IP address (for example 127.0.0.1)"))
        })
        .collect()
}

impl AppState {
    pub fn new(db: storage::Db, photos: photos::PhotoStore) -> Self {
        AppState {
            db: Arc::new(db),
            limiter: Arc::new(rules::accounts::LoginLimiter::default()),
            photos: Arc::new(photos),
            metrics: Arc::new(http::metrics::Metrics::default()),
            trusted_proxies: Arc::new(
                std::env::var("HOPTAC_TRUSTED_PROXIES")
                    .ok()
                    .and_then(|l| parse_addresses(&l).ok())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// How often the server looks for what it does by itself (reports whose photos never
/// arrived: rules::decisions::return_missing_photos), in ms.
pub const SWEEP_EVERY_MS: u64 = 3600 * 1000;

/// Starts the server's own periodic work: each [`SWEEP_EVERY_MS`], reports whose photos
/// never arrived within the grace period go back to their officers, and the sign-in
/// brake forgets windows that have passed. Errors are logged and
/// tried again next time. Several instances may run it at once.
pub fn spawn_sweeps(state: &AppState) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_millis(SWEEP_EVERY_MS));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match rules::decisions::return_missing_photos(&db, storage::now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reports = n, "returned reports whose photos never arrived"),
                Err(e) => {
                    tracing::warn!(error = ?e, "sweep of missing photos failed; trying again later")
                }
            }
            if let Err(e) = rules::accounts::forget_old_failures(&db, storage::now_ms()).await {
                tracing::warn!(error = %e, "sweep of the sign-in brake failed; trying again later");
            }
        }
    })
}

pub use http::{api_router, ENDPOINTS, MAX_BODY_BYTES};

/// Only the app's own origin; wasm needs 'wasm-unsafe-eval'; no inline script or style.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
     worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Trunk names release assets `name-<hash>.ext`, the hash a u64 in hex (16 digits, fewer
/// when it starts with zeros): such a file never changes.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => {
            (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Whether `path` names a file of the built app (by its extension) rather than a page.
fn names_a_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    matches!(
        file.rsplit_once('.').map(|(_, ext)| ext),
        Some("js" | "wasm" | "css" | "html" | "png" | "svg" | "ico" | "webmanifest" | "json" | "map" | "br" | "gz" | "txt")
    )
}

/// Caching for the app's files: hashed assets forever, everything else (index.html,
/// sw.js, the manifest, icons) revalidated on every load so a release is noticed.
async fn static_cache_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut resp = next.run(req).await;
    if resp.status().is_success() && !resp.headers().contains_key(header::CACHE_CONTROL) {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    resp
}

/// The whole application: `/api` and, when given, the built app's folder.
pub fn app(state: AppState, static_dir: Option<PathBuf>) -> Router {
    let mut router = Router::new()
        .nest("/api", api_router(state.clone()))
        .route("/metrics", axum::routing::get(http::metrics::metrics));
    if let Some(dir) = static_dir {
        // Any other path is a page of the app: answer with index.html; but a file the
        // build does not have is a 404 (a page of another release asking for its files,
        // docs/DEPLOY.md section 3), never index.html in its place.
        let index = ServeFile::new(dir.join("index.html"));
        let page_or_missing = tower::service_fn(move |req: axum::extract::Request| {
            let index = index.clone();
            async move {
                if names_a_file(req.uri().path()) {
                    return Ok::<_, std::convert::Infallible>(
                        (StatusCode::NOT_FOUND, "no such file in this release of the app")
                            .into_response(),
                    );
                }
                let resp = tower::ServiceExt::oneshot(index, req).await?;
                Ok(resp.map(axum::body::Body::new))
            }
        });
        let files = Router::new()
            // The build writes .br and .gz beside each file (scripts/post-build.mjs).
            .fallback_service(
                ServeDir::new(dir)
                    .precompressed_br()
                    .precompressed_gzip()
                    .fallback(page_or_missing),
            )
            .layer(axum::middleware::from_fn(static_cache_headers));
        router = router.merge(files);
    } else {
        router = router.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "no app folder is served (start with --static-dir)",
            )
                .into_response()
        });
    }
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_assets_are_recognised() {
        assert!(super::is_hashed_asset("/hoptac-e8aad4640c483991.js"));
        assert!(super::is_hashed_asset("/hoptac-e8aad4640c483991_bg.wasm"));
        assert!(super::is_hashed_asset("/main-729660dcf295d66b.css"));
        assert!(
            super::is_hashed_asset("/hoptac-c326cca476077f4.js"),
            "a hash with a leading zero dropped"
        );
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/sw.js"));
        assert!(!super::is_hashed_asset("/icons/icon-192.png"));
        assert!(!super::is_hashed_asset("/manifest.webmanifest"));
    }

    #[test]
    fn files_and_pages_are_told_apart() {
        for file in ["/hoptac-e8aad4640c483991_bg.wasm", "/main-729660dcf295d66b.css", "/sw.js", "/icons/icon-192.png"] {
            assert!(super::names_a_file(file), "{file}");
        }
        for page in ["/", "/may", "/htx/coop-001", "/phieu/3f2a-9c", "/dia-ban"] {
            assert!(!super::names_a_file(page), "{page}");
        }
    }
}
