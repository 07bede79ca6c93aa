//! A new visit report from the tablet (the `submit_visit` mutation).

use super::{invalid, outside_scope, refuse, standing_for, Applied, Standing, CLOCK_SLACK_MS};
use crate::storage::{self, now_ms, Who, WriteTx};
use hoptac_core::error::ErrorCode;
use hoptac_core::model::{ReportStatus, Role, UserInfo, VisitReport};
use hoptac_core::sync::Change;
use hoptac_core::validate::{date_of_millis_vn, validate_visit};

/// Stores an officer's new report, once: the same report again (a retry, a re-imported
/// export) is a no-op; its id used by another author is refused. Author, area, status,
/// revision, review thread and received time are the server's.
pub async fn submit(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    written_at: hoptac_core::model::Millis,
    v: &VisitReport,
) -> Applied {
    if user.role != Role::Officer {
        return Err(refuse(
            ErrorCode::Forbidden,
            "Chỉ cán bộ địa bàn mới gửi phiếu khảo sát.",
            "Only field officers submit visit reports.",
        ));
    }
    let now = now_ms();
    let errors = validate_visit(v, Some(&date_of_millis_vn(now + CLOCK_SLACK_MS)));
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    // A cooperative merged into another since the report was written: the report lands
    // on the record it became.
    // The cooperative, locked (a merge of it waits, or has happened: then the report
    // lands on the record kept, and the officer's standing is judged where they wrote it).
    let Some((coop, removed_area)) =
        storage::cooperatives::lock_landing(tx, &v.cooperative_id).await?
    else {
        return Err(refuse(
            ErrorCode::NotFound,
            "Không tìm thấy hợp tác xã của phiếu này.",
            "The report's cooperative does not exist.",
        ));
    };
    let (cooperative_id, area_path) = (coop.id, coop.area_path);
    let judged_at = removed_area.unwrap_or_else(|| area_path.clone());
    let Some(standing) = standing_for(tx, user, &cooperative_id, &judged_at, written_at).await?
    else {
        return Err(outside_scope());
    };
    // The choices of the reference lists of the cooperative's area (where it was written,
    // for a record merged since).
    let errors = super::reference::unknown_keys(tx, &v.findings, &judged_at, None).await?;
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    // Visited before a reorganisation moved its cooperative, received after: it was
    // written in the area of the time (a review of that period in its areas counts it).
    let written_area_path = storage::reorg::path_on(tx, &cooperative_id, &v.visit_date).await?;
    let stored = VisitReport {
        // The officer's.
        id: v.id.clone(),
        cooperative_id,
        visit_date: v.visit_date.clone(),
        note: v.note.trim().to_string(),
        findings: v.findings.clone(),
        created_at: v.created_at,
        // The server's.
        author_id: user.id.clone(),
        author_name: user.display_name.clone(),
        area_path,
        status: ReportStatus::Submitted,
        revision: 1,
        received_at: Some(now),
        events: Vec::new(),
        author_left_area_at: match standing {
            Standing::Covers => None,
            Standing::Covered { until } => Some(until),
        },
        written_area_path,
    };
    let body = serde_json::to_string(&stored)?;
    if !storage::visits::insert(tx, &stored, client_id, &body).await? {
        let author = storage::visits::author_of(tx, &v.id).await?;
        return if author.as_deref() == Some(user.id.as_str()) {
            Ok(()) // Already here.
        } else {
            Err(refuse(
                ErrorCode::Forbidden,
                "Mã phiếu đã được dùng.",
                "This report id is already taken.",
            ))
        };
    }
    storage::photos::link_report(tx, &stored, &user.id).await?;
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    log_change(tx, &stored, &body, who, "submit", None)?;
    Ok(())
}

/// Logs report `r` for pull (a [`Change::Visit`] under its area path, so the tablets of
/// that area receive it) and in the audit trail: `body` is its JSON as stored, `old` the
/// JSON it replaced (None for a new report), `action` the audit's verb ("submit",
/// "approve", "merge"…).
pub(crate) fn log_change(
    tx: &mut WriteTx<'_>,
    r: &VisitReport,
    body: &str,
    who: Who<'_>,
    action: &str,
    old: Option<&str>,
) -> Result<(), serde_json::Error> {
    let change = serde_json::to_string(&Change::Visit(r.clone()))?;
    tx.record_change(
        "visit",
        &r.id,
        &r.area_path,
        &change,
        who,
        action,
        old,
        body,
    );
    Ok(())
}
