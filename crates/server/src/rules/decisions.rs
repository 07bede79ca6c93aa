//! A supervisor's decisions on visit reports (issue 5): decisions and comments, a
//! resubmitted revision from the tablet (the `resubmit_visit` mutation), a submission with
//! its changes since the previous revision, and every record's audit trail
//! (`GET /api/audit`). Who may do what is
//! hoptac_core::decisions::decide.

use super::audit::diff;
use super::{invalid, refuse, Applied, CLOCK_SLACK_MS};
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, now_ms, Db, Who, WriteTx};
use hoptac_core::decisions::{decide, Action, Actor, DecisionError, DecisionRequest, ReviewEvent};
use hoptac_core::error::ErrorCode;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{in_scope, ReportStatus, UserInfo, VisitReport};
use hoptac_core::queue::ReportDetail;
use hoptac_core::validate::{date_of_millis_vn, validate_visit};

/// Server-kept bookkeeping of a report (status, revision, thread, times): left out when the
/// reviewer compares revisions, since they want the officer's edits.
const BOOKKEEPING: [&str; 6] = [
    "status",
    "revision",
    "events",
    "received_at",
    "created_at",
    "version",
];

/// Writes a report's new state and logs it for pull and audit.
async fn save(
    tx: &mut WriteTx<'_>,
    who: Who<'_>,
    action: &str,
    old_body: &str,
    r: &VisitReport,
) -> ApiResult<()> {
    let body = serde_json::to_string(r)?;
    storage::visits::update(tx, r, &body).await?;
    storage::photos::link_report(tx, r, who.id).await?;
    super::visits::log_change(tx, r, &body, who, action, Some(old_body))?;
    Ok(())
}

fn refused(e: DecisionError) -> ApiError {
    match e {
        DecisionError::NotAllowed { .. } | DecisionError::NotAuthor => {
            ApiError::Forbidden(e.message().en)
        }
        DecisionError::TextRequired { .. } => ApiError::field("text", e.message()),
        DecisionError::WrongState { .. } => ApiError::field("action", e.message()),
    }
}

/// A report outside the caller's areas answers as one that does not exist (404): the
/// answer does not tell other districts' reports exist.
fn outside(id: &str) -> ApiError {
    ApiError::NotFound(format!("no visit report with id '{id}' in your areas"))
}

/// Approve, return for correction (comment required), reject (reason required), or
/// comment, on report `id`; returns the report after. The report is locked while its
/// thread grows, so two reviewers at once keep both comments, and an approval racing a
/// return leaves one of them (the other finds the report no longer waiting: 422).
pub async fn decision(
    db: &Db,
    user: &UserInfo,
    id: &str,
    req: &DecisionRequest,
) -> ApiResult<VisitReport> {
    if matches!(req.action, Action::Submit | Action::Resubmit) {
        return Err(ApiError::BadRequest(
            "submit and resubmit come from the tablet (sync push), not this endpoint".into(),
        ));
    }
    let mut too_long = Vec::new();
    hoptac_core::validate::check_len(
        "text",
        &req.text,
        hoptac_core::limits::COMMENT,
        &mut too_long,
    );
    if !too_long.is_empty() {
        return Err(ApiError::Invalid(too_long));
    }
    let mut tx = db.begin_write().await?;
    let Some(stored) = storage::visits::lock(&mut tx, id).await? else {
        return Err(ApiError::NotFound(format!(
            "no visit report with id '{id}'"
        )));
    };
    let mut r = stored.report;
    if !in_scope(&r.area_path, &user.scopes) {
        return Err(outside(id));
    }
    let actor = Actor {
        role: user.role,
        is_author: r.author_id == user.id,
    };
    let next = decide(r.status, req.action, actor, &req.text).map_err(refused)?;
    r.status = next;
    r.events.push(ReviewEvent {
        action: req.action,
        by_id: user.id.clone(),
        by_name: user.display_name.clone(),
        at: now_ms(),
        text: req.text.trim().to_string(),
        revision: r.revision,
    });
    let who = Who::online(user);
    save(&mut tx, who, req.action.key(), &stored.body, &r).await?;
    tx.commit().await?;
    Ok(r)
}

/// Whether `v` carries what the officer wrote in `stored` (date, note, findings).
fn same_content(stored: &VisitReport, v: &VisitReport) -> bool {
    stored.visit_date == v.visit_date
        && stored.note == v.note.trim()
        && stored.findings == v.findings
}

/// The author's corrected report after a return: a new revision; the old one is kept.
/// The thread, status, revision number, author, area and received time are the server's.
pub async fn resubmit(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    written_at: hoptac_core::model::Millis,
    v: &VisitReport,
) -> Applied {
    let Some(stored) = storage::visits::lock(tx, &v.id).await? else {
        return Err(refuse(
            ErrorCode::NotFound,
            "Không tìm thấy phiếu này trong địa bàn được phân công.",
            "This report is not in your assigned areas.",
        ));
    };
    let old = stored.report;
    // Someone else's report, or one in an area the author no longer covers (beyond what
    // they wrote before a reassignment): as if it did not exist there.
    let standing =
        super::standing_for(tx, user, &old.cooperative_id, &old.area_path, written_at).await?;
    if old.author_id != user.id || standing.is_none() {
        return Err(refuse(
            ErrorCode::NotFound,
            "Không tìm thấy phiếu này trong địa bàn được phân công.",
            "This report is not in your assigned areas.",
        ));
    }
    if old.status != ReportStatus::Returned && same_content(&old, v) {
        // This correction is already here (a retry from another tablet, the same file
        // imported twice). The revision number the tablet sends is not trusted for this:
        // it is the server's.
        return Ok(());
    }
    if let Err(e) = decide(
        old.status,
        Action::Resubmit,
        Actor {
            role: user.role,
            is_author: true,
        },
        "",
    ) {
        return Err(refuse(ErrorCode::Invalid, e.message().vi, e.message().en));
    }
    let now = now_ms();
    let mut errors = validate_visit(v, Some(&date_of_millis_vn(now + CLOCK_SLACK_MS)));
    if errors.is_empty() {
        errors =
            super::reference::unknown_keys(tx, &v.findings, &old.area_path, Some(&old.findings))
                .await?;
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    storage::visits::keep_revision(tx, &old.id, old.revision, &stored.body, now).await?;
    let revision = old.revision + 1;
    let mut events = old.events.clone();
    events.push(ReviewEvent {
        action: Action::Resubmit,
        by_id: user.id.clone(),
        by_name: user.display_name.clone(),
        at: now,
        text: String::new(),
        revision,
    });
    let new = VisitReport {
        // The officer's corrections.
        visit_date: v.visit_date.clone(),
        note: v.note.trim().to_string(),
        findings: v.findings.clone(),
        // The server's (the report's identity, author and place do not change).
        id: old.id.clone(),
        cooperative_id: old.cooperative_id.clone(),
        created_at: old.created_at,
        author_id: old.author_id.clone(),
        author_name: old.author_name.clone(),
        area_path: old.area_path.clone(),
        status: ReportStatus::Resubmitted,
        revision,
        received_at: Some(now),
        events,
        author_left_area_at: match standing {
            Some(super::Standing::Covered { until }) => Some(until),
            _ => old.author_left_area_at,
        },
        written_area_path: old.written_area_path.clone(),
    };
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    save(tx, who, "resubmit", &stored.body, &new).await?;
    Ok(())
}

/// The name the server's own account signs its actions with.
const SYSTEM_NAME: &str = "Hệ thống hoptac";

/// Returns to their officers the reports waiting for review whose photos have not all
/// arrived [`hoptac_core::photo::GRACE_MS`] (30 days) after the report (`now`, ms since
/// epoch): the server's own account returns each with a comment naming how many photos are
/// missing and what to do (send them again from the tablet, take them again, or remove
/// them, then resubmit), so the work stays fixable on the tablet and no report waits
/// forever with photos that will never come. Within the grace period nothing is refused.
/// Safe to run on several instances at once (each report is locked and checked again).
/// Returns how many reports were returned.
pub async fn return_missing_photos(db: &Db, now: hoptac_core::model::Millis) -> ApiResult<usize> {
    let before = now - hoptac_core::photo::GRACE_MS;
    let mut returned = 0;
    // Page after page by id: a report left alone below stays where it is without hiding
    // those after it.
    let mut after = String::new();
    loop {
        let ids = storage::photos::reports_missing_photos(db, before, &after, 200).await?;
        if let Some(last) = ids.last() {
            after = last.clone();
        }
        let mut changed = 0;
        for id in &ids {
            let mut tx = db.begin_write().await?;
            let Some(stored) = storage::visits::lock(&mut tx, id).await? else {
                continue;
            };
            let mut r = stored.report;
            let waiting = matches!(
                r.status,
                ReportStatus::Submitted | ReportStatus::Resubmitted
            );
            if !waiting || r.received_at.unwrap_or(i64::MAX) >= before {
                continue;
            }
            let missing = storage::photos::missing_of_report(&mut tx, id).await?.len();
            if missing == 0 {
                continue;
            }
            // An author deactivated or gone from the area could not resubmit it: it stays
            // with the reviewer, whose page says the photos never arrived.
            let author = storage::users::load(db, &r.author_id).await?;
            if !author.is_some_and(|a| in_scope(&r.area_path, &a.scopes)) {
                continue;
            }
            let days = hoptac_core::photo::GRACE_MS / (24 * 3600 * 1000);
            r.status = ReportStatus::Returned;
            r.events.push(ReviewEvent {
                action: Action::Return,
                by_id: storage::users::SYSTEM_ID.to_string(),
                by_name: SYSTEM_NAME.to_string(),
                at: now,
                text: format!(
                    "{missing} ảnh của phiếu chưa đến máy chủ sau {days} ngày. Mở phiếu trên máy tính bảng: kết nối mạng để gửi ảnh, hoặc chụp lại, hoặc bỏ ảnh đó; rồi gửi lại phiếu. — {missing} photo(s) of this report did not reach the server within {days} days. Open the report on the tablet: connect to send them, or take them again, or remove them; then resubmit."
                ),
                revision: r.revision,
            });
            let who = Who {
                id: storage::users::SYSTEM_ID,
                name: SYSTEM_NAME,
                client_id: None,
            };
            save(&mut tx, who, Action::Return.key(), &stored.body, &r).await?;
            tx.commit().await?;
            tracing::info!(report = %id, missing, "returned: photos never arrived");
            changed += 1;
        }
        returned += changed;
        if ids.len() < 200 {
            return Ok(returned);
        }
    }
}

/// Report `id` with the revision before it and the fields changed since.
pub async fn detail(db: &Db, user: &UserInfo, id: &str) -> ApiResult<ReportDetail> {
    let Some(stored) = storage::visits::get(db, id).await? else {
        return Err(ApiError::NotFound(format!(
            "no visit report with id '{id}'"
        )));
    };
    let report = stored.report;
    if !in_scope(&report.area_path, &user.scopes) {
        return Err(outside(id));
    }
    let prev = storage::visits::revision(db, id, report.revision as i64 - 1).await?;
    let (previous, changes) = match prev {
        Some(pb) => {
            let changes = diff(
                &serde_json::from_str(&pb)?,
                &serde_json::from_str(&stored.body)?,
                &BOOKKEEPING,
            );
            (Some(serde_json::from_str(&pb)?), changes)
        }
        None => (None, Vec::new()),
    };
    Ok(ReportDetail {
        report,
        previous,
        changes,
    })
}
