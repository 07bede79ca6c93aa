//! The review queue and a supervisor's decisions on a report (`/api/visits/*`), online.

use super::{enc, get, post, ApiError};

/// One page of the review queue (`GET /api/visits?QUERY`, QUERY from [`query`]: status,
/// area, period, q, after, limit), online.
pub async fn review_queue(
    token: &str,
    query: &str,
) -> Result<hoptac_core::queue::QueuePage, ApiError> {
    get(token, &format!("/api/visits?{query}")).await
}

/// The officers the review queue can be filtered by: (id, name), by name.
pub async fn queue_officers(token: &str) -> Result<Vec<(String, String)>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Officer {
        id: String,
        name: String,
    }
    let list: Vec<Officer> = get(token, "/api/visits/officers").await?;
    Ok(list.into_iter().map(|o| (o.id, o.name)).collect())
}

/// A submission with its previous revision and changed fields (supervisors, online).
pub async fn visit_detail(
    token: &str,
    id: &str,
) -> Result<hoptac_core::queue::ReportDetail, ApiError> {
    get(token, &format!("/api/visits/{}", enc(id))).await
}

/// Approve, return, reject or comment (supervisors, online).
pub async fn decide(
    token: &str,
    id: &str,
    req: &hoptac_core::decisions::DecisionRequest,
) -> Result<hoptac_core::model::VisitReport, ApiError> {
    post(
        &format!("/api/visits/{}/decisions", js_sys::encode_uri_component(id)),
        Some(token),
        req,
    )
    .await
}

/// `GET /api/visits/export?{query}` (`query` the queue's filters and `format`, "xlsx" or
/// "csv"), saved as a file the user keeps.
pub async fn export(token: &str, query: &str) -> Result<(), ApiError> {
    super::download(token, &format!("/api/visits/export?{query}")).await
}
