//! `/metrics` in the Prometheus text format (issue 18), with the `prometheus` crate: one
//! registry per server instance (several in one test process stay apart).
//!
//! - `hoptac_http_requests_total{method, route, status}`: answers, by route pattern
//!   ("/api/visits/{id}", never an id) and status;
//! - `hoptac_http_request_duration_seconds{method, route}`: latency, push and pull
//!   among the routes (`/api/sync/push`, `/api/sync/pull`);
//! - `hoptac_sync_rejected_mutations_total{code}`: mutations refused in pushes (the work
//!   that waits on tablets to be fixed), by error code;
//! - `hoptac_db_pool_connections`, `hoptac_db_pool_idle_connections` and
//!   `hoptac_db_pool_max_connections` (`--db-pool`): the database pool.
//!
//! Who may read it: a request with `Authorization: Bearer <HOPTAC_METRICS_TOKEN>` when that
//! is set; otherwise only a request made directly from this machine (loopback, not through
//! a proxy: no `X-Forwarded-For`). Anyone else gets 404.

use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use sha2::Digest;
use std::net::SocketAddr;

/// The instance's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    rejected: IntCounterVec,
    pool_size: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
    /// HOPTAC_METRICS_TOKEN, if set.
    token: Option<String>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(
            std::env::var("HOPTAC_METRICS_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
        )
    }
}

impl Metrics {
    /// A fresh registry; `token` opens `/metrics` to requests that bear it.
    pub fn new(token: Option<String>) -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "hoptac_http_requests_total",
                "HTTP answers by route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "hoptac_http_request_duration_seconds",
                "Time to answer, by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )
        .expect("valid metric");
        let rejected = IntCounterVec::new(
            Opts::new(
                "hoptac_sync_rejected_mutations_total",
                "Mutations refused in pushes, by error code",
            ),
            &["code"],
        )
        .expect("valid metric");
        let pool_size = IntGauge::new(
            "hoptac_db_pool_connections",
            "Database connections open in the pool",
        )
        .expect("valid metric");
        let pool_idle = IntGauge::new(
            "hoptac_db_pool_idle_connections",
            "Database connections open and idle",
        )
        .expect("valid metric");
        let pool_max = IntGauge::new(
            "hoptac_db_pool_max_connections",
            "Database connections the pool may open (--db-pool)",
        )
        .expect("valid metric");
        for c in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(rejected.clone()),
            Box::new(pool_size.clone()),
            Box::new(pool_idle.clone()),
            Box::new(pool_max.clone()),
        ] {
            registry.register(c).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            rejected,
            pool_size,
            pool_idle,
            pool_max,
            token,
        }
    }

    /// Counts a mutation refused with `code`.
    pub fn rejected(&self, code: &str) {
        self.rejected.with_label_values(&[code]).inc();
    }
}

/// Counts and times every answer of a matched route (route_layer: the pattern is known).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    // A fixed set: a client inventing methods must not invent metrics.
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => m,
        _ => "other",
    }
    .to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let m = &state.metrics;
    m.latency
        .with_label_values(&[&method, &route])
        .observe(started.elapsed().as_secs_f64());
    m.requests
        .with_label_values(&[&method, &route, res.status().as_str()])
        .inc();
    res
}

/// `GET /metrics`.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let m = &state.metrics;
    let allowed = match &m.token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            // Compared as SHA-256 digests: the time taken tells nothing of the token.
            .is_some_and(|given| sha2::Sha256::digest(given) == sha2::Sha256::digest(token)),
        None => peer.ip().is_loopback() && !headers.contains_key("x-forwarded-for"),
    };
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    m.pool_size.set(i64::from(state.db.pool.size()));
    m.pool_idle.set(state.db.pool.num_idle() as i64);
    m.pool_max
        .set(i64::from(state.db.pool.options().get_max_connections()));
    let mut out = Vec::new();
    if TextEncoder::new()
        .encode(&m.registry.gather(), &mut out)
        .is_err()
    {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
