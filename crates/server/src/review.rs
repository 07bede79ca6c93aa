//! The review of visit reports (issue 5): decisions and comments (`POST
//! /api/visits/{id}/decisions`), a submission with its field changes since the previous
//! revision (`GET /api/visits/{id}`), resubmission from the tablet (the `resubmit_visit`
//! mutation), and every record's audit trail (`GET /api/audit/{entity}/{id}`). The rules
//! of who may do what are hoptac_core::review::decide.

use crate::auth::AuthUser;
use crate::db::{now_ms, Who, WriteTx};
use crate::error::{ApiError, ApiResult, Json};
use crate::sync::{invalid, Applied};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::error::ErrorCode;
use hoptac_core::i18n::Msg;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{in_scope, ReportStatus, Role, UserInfo, VisitReport};
use hoptac_core::review::{
    decide, Action, Actor, AuditEntry, DecisionError, DecisionRequest, FieldChange, ReportDetail,
    ReviewEvent,
};
use hoptac_core::sync::Change;
use hoptac_core::validate::{date_of_millis_vn, validate_visit};
use serde_json::Value;
use sqlx::Row;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits/{id}", get(detail))
        .route("/visits/{id}/decisions", post(decision))
        .route("/audit/{entity}/{id}", get(audit))
}

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

/// The fields of `new` that differ from `old`, by JSON path ("findings.finances.revenue_vnd"),
/// skipping the top-level keys in `skip`. `old` may be null (a record's first version).
pub fn diff(old: &Value, new: &Value, skip: &[&str]) -> Vec<FieldChange> {
    fn walk(prefix: &str, old: &Value, new: &Value, skip: &[&str], out: &mut Vec<FieldChange>) {
        let empty = serde_json::Map::new();
        match (old, new) {
            (Value::Object(_) | Value::Null, Value::Object(_))
            | (Value::Object(_), Value::Null) => {
                let a = old.as_object().unwrap_or(&empty);
                let b = new.as_object().unwrap_or(&empty);
                let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    if prefix.is_empty() && skip.contains(&k.as_str()) {
                        continue;
                    }
                    let path = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(
                        &path,
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null),
                        &[],
                        out,
                    );
                }
            }
            (a, b) if a != b => out.push(FieldChange {
                path: prefix.to_string(),
                old: a.to_string(),
                new: b.to_string(),
            }),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", old, new, skip, &mut out);
    out
}

struct Stored {
    report: VisitReport,
    body: String,
}

async fn load(tx: &mut WriteTx<'_>, id: &str) -> ApiResult<Option<Stored>> {
    let row = sqlx::query("SELECT body FROM visit_reports WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    Ok(match row {
        Some(r) => {
            let body: String = r.try_get(0)?;
            Some(Stored {
                report: serde_json::from_str(&body)?,
                body,
            })
        }
        None => None,
    })
}

async fn save(
    tx: &mut WriteTx<'_>,
    who: Who<'_>,
    action: &str,
    old_body: &str,
    r: &VisitReport,
) -> ApiResult<()> {
    let body = serde_json::to_string(r)?;
    sqlx::query("UPDATE visit_reports SET status = $1, revision = $2, received_at = $3, visit_date = $4, body = $5 WHERE id = $6")
        .bind(r.status.key())
        .bind(r.revision as i64)
        .bind(r.received_at.unwrap_or_else(now_ms))
        .bind(&r.visit_date)
        .bind(&body)
        .bind(&r.id)
        .execute(&mut *tx.tx)
        .await?;
    tx.record_change(
        "visit",
        &r.id,
        &r.area_path,
        &serde_json::to_string(&Change::Visit(r.clone()))?,
        who,
        action,
        Some(old_body),
        &body,
    )
    .await?;
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

/// Approve, return for correction (comment required), reject (reason required), or comment.
#[utoipa::path(post, path = "/api/visits/{id}/decisions", tag = "review", security(("bearer" = [])), request_body = DecisionRequest,
    params(("id" = String, Path, description = "the visit report's id")),
    responses((status = 200, body = VisitReport), (status = 403, body = hoptac_core::error::ApiErrorBody),
              (status = 404, body = hoptac_core::error::ApiErrorBody), (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn decision(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<DecisionRequest>,
) -> ApiResult<axum::Json<VisitReport>> {
    let user = &user.0;
    let mut tx = state.db.begin_write().await?;
    let Some(stored) = load(&mut tx, &id).await? else {
        return Err(ApiError::NotFound(format!(
            "no visit report with id '{id}'"
        )));
    };
    let mut r = stored.report;
    if !in_scope(&r.area_path, &user.scopes) {
        return Err(ApiError::Forbidden(
            "this report is outside your assigned areas".into(),
        ));
    }
    let actor = Actor {
        role: user.role,
        is_author: r.author_id == user.id,
    };
    if matches!(req.action, Action::Submit | Action::Resubmit) {
        return Err(ApiError::BadRequest(
            "submit and resubmit come from the tablet (sync push), not this endpoint".into(),
        ));
    }
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
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: None,
    };
    save(&mut tx, who, req.action.key(), &stored.body, &r).await?;
    tx.commit().await?;
    Ok(axum::Json(r))
}

/// The author's corrected report after a return: a new revision; the old one is kept.
pub(crate) async fn resubmit(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    v: &VisitReport,
) -> ApiResult<Applied> {
    let Some(stored) = load(tx, &v.id).await? else {
        return Ok(Err((
            ErrorCode::NotFound,
            Msg::new(
                "Không tìm thấy phiếu này trên máy chủ.",
                "This report is not on the server.",
            ),
        )));
    };
    let old = stored.report;
    if old.author_id != user.id {
        return Ok(Err((
            ErrorCode::Forbidden,
            Msg::new(
                "Chỉ người viết phiếu mới gửi lại phiếu này.",
                "Only the report's author may resubmit it.",
            ),
        )));
    }
    if old.revision >= v.revision {
        return Ok(Ok(())); // This revision is already here (the same file imported twice).
    }
    let now = now_ms();
    if let Err(e) = decide(
        old.status,
        Action::Resubmit,
        Actor {
            role: user.role,
            is_author: true,
        },
        "",
    ) {
        return Ok(Err((ErrorCode::Invalid, e.message())));
    }
    let errors = validate_visit(v, Some(&date_of_millis_vn(now + 86_400_000)));
    if !errors.is_empty() {
        return Ok(Err(invalid(&errors)));
    }
    sqlx::query("INSERT INTO report_revisions (report_id, revision, body, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&old.id)
        .bind(old.revision as i64)
        .bind(&stored.body)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
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
        id: old.id.clone(),
        cooperative_id: old.cooperative_id.clone(),
        author_id: old.author_id.clone(),
        author_name: old.author_name.clone(),
        area_path: old.area_path.clone(),
        status: ReportStatus::Resubmitted,
        revision,
        received_at: Some(now),
        events,
        note: v.note.trim().to_string(),
        ..v.clone()
    };
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    save(tx, who, "resubmit", &stored.body, &new).await?;
    Ok(Ok(()))
}

/// A submission with the revision before it and the fields changed since.
#[utoipa::path(get, path = "/api/visits/{id}", tag = "review", security(("bearer" = [])),
    params(("id" = String, Path, description = "the visit report's id")),
    responses((status = 200, body = ReportDetail), (status = 403, body = hoptac_core::error::ApiErrorBody), (status = 404, body = hoptac_core::error::ApiErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ReportDetail>> {
    let row = sqlx::query("SELECT body FROM visit_reports WHERE id = $1")
        .bind(&id)
        .fetch_optional(&state.db.pool)
        .await?;
    let Some(row) = row else {
        return Err(ApiError::NotFound(format!(
            "no visit report with id '{id}'"
        )));
    };
    let body: String = row.try_get(0)?;
    let report: VisitReport = serde_json::from_str(&body)?;
    if !in_scope(&report.area_path, &user.0.scopes) {
        return Err(ApiError::Forbidden(
            "this report is outside your assigned areas".into(),
        ));
    }
    let prev =
        sqlx::query("SELECT body FROM report_revisions WHERE report_id = $1 AND revision = $2")
            .bind(&id)
            .bind(report.revision as i64 - 1)
            .fetch_optional(&state.db.pool)
            .await?;
    let (previous, changes) = match prev {
        Some(p) => {
            let pb: String = p.try_get(0)?;
            let changes = diff(
                &serde_json::from_str(&pb)?,
                &serde_json::from_str(&body)?,
                &BOOKKEEPING,
            );
            (Some(serde_json::from_str(&pb)?), changes)
        }
        None => (None, Vec::new()),
    };
    Ok(axum::Json(ReportDetail {
        report,
        previous,
        changes,
    }))
}

/// Every change to a record: who, when, from which device, old value → new value.
/// Supervisors and administrators, within their areas.
#[utoipa::path(get, path = "/api/audit/{entity}/{id}", tag = "review", security(("bearer" = [])),
    params(("entity" = String, Path, description = "visit, cooperative or conflict"), ("id" = String, Path, description = "the record's id")),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = hoptac_core::error::ApiErrorBody), (status = 404, body = hoptac_core::error::ApiErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    user: AuthUser,
    Path((entity, id)): Path<(String, String)>,
) -> ApiResult<axum::Json<Vec<AuditEntry>>> {
    user.require_role(&[Role::Supervisor, Role::Admin])?;
    // Targets are not pulled by tablets: their scope is their area's ("<period>:<area id>").
    let scope = if entity == "targets" {
        sqlx::query("SELECT path FROM areas WHERE id = $1")
            .bind(id.split_once(':').map(|(_, a)| a).unwrap_or(""))
            .fetch_optional(&state.db.pool)
            .await?
    } else {
        sqlx::query("SELECT scope_path FROM sync_log WHERE entity = $1 AND id = $2")
            .bind(&entity)
            .bind(&id)
            .fetch_optional(&state.db.pool)
            .await?
    };
    let Some(scope) = scope else {
        return Err(ApiError::NotFound(format!("no {entity} with id '{id}'")));
    };
    if !in_scope(&scope.try_get::<String, _>(0)?, &user.0.scopes) {
        return Err(ApiError::Forbidden(
            "this record is outside your assigned areas".into(),
        ));
    }
    let rows = sqlx::query("SELECT seq, action, actor_id, actor_name, client_id, at, old_body, new_body FROM audit_log WHERE entity = $1 AND record_id = $2 ORDER BY seq")
        .bind(&entity)
        .bind(&id)
        .fetch_all(&state.db.pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let old: Option<String> = r.try_get(6)?;
        let new: String = r.try_get(7)?;
        let old = old
            .map(|o| serde_json::from_str::<Value>(&o))
            .transpose()?
            .unwrap_or(Value::Null);
        let changes = diff(&old, &serde_json::from_str(&new)?, &[]);
        out.push(AuditEntry {
            seq: r.try_get(0)?,
            action: r.try_get(1)?,
            actor_id: r.try_get(2)?,
            actor_name: r.try_get(3)?,
            client_id: r.try_get(4)?,
            at: r.try_get(5)?,
            changes,
        });
    }
    Ok(axum::Json(out))
}
