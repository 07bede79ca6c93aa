//! A record's audit trail (`/api/audit/*`), online.

use super::{enc, get, ApiError};

/// A record's audit trail (supervisors, administrators).
pub async fn audit(
    token: &str,
    entity: &str,
    id: &str,
) -> Result<Vec<hoptac_core::queue::AuditEntry>, ApiError> {
    get(token, &format!("/api/audit/{}/{}", enc(entity), enc(id))).await
}
