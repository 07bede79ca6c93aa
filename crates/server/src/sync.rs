//! `/api/sync/push` and `/api/sync/pull`: the server half of the protocol described in
//! hoptac_core::sync.

use crate::auth::AuthUser;
use crate::db::{now_ms, scope_clause, Who, WriteTx};
use crate::error::{ApiError, ApiResult, Json};
use crate::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use hoptac_core::error::ErrorCode;
use hoptac_core::i18n::Msg;
use hoptac_core::keyed::Keyed;
use hoptac_core::merge::{merge, resolve, Choice, Conflict, Resolution};
use hoptac_core::model::{in_scope, Cooperative, ReportStatus, Role, UserInfo, VisitReport};
use hoptac_core::sync::{
    plan_push, Change, ChangeRow, Mutation, MutationOp, PullRequest, PullResponse, PushRequest,
    PushResponse, Rejection, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
};
use hoptac_core::validate::{date_of_millis_vn, validate_cooperative, validate_visit};
use sqlx::Row;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", post(pull))
}

fn check_client_id(id: &str) -> ApiResult<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::BadRequest(
            "client_id must be 1 to 64 letters, digits or '-'".into(),
        ))
    }
}

/// The client's last applied mutation id, registering the client on first contact.
/// A client id belongs to the user who first used it.
async fn client_last_id(tx: &mut WriteTx<'_>, client_id: &str, user: &UserInfo) -> ApiResult<u64> {
    let row = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
        .bind(client_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    match row {
        Some(r) => {
            let owner: String = r.try_get(0)?;
            if owner != user.id {
                return Err(ApiError::Sync {
                    code: ErrorCode::ClientMismatch,
                    message:
                        "this client id belongs to another user; sign in again to get a new one"
                            .into(),
                });
            }
            Ok(r.try_get::<i64, _>(1)? as u64)
        }
        None => {
            let now = now_ms();
            sqlx::query("INSERT INTO clients (client_id, user_id, last_mutation_id, created_at, last_seen_at) VALUES ($1, $2, 0, $3, $3)")
                .bind(client_id)
                .bind(&user.id)
                .bind(now)
                .execute(&mut *tx.tx)
                .await?;
            Ok(0)
        }
    }
}

/// Push: apply the client's mutations in order, exactly once.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses((status = 200, body = PushResponse),
              (status = 409, description = "mutation_gap or client_mismatch", body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<PushRequest>,
) -> ApiResult<axum::Json<PushResponse>> {
    check_client_id(&req.client_id)?;
    let ids: Vec<u64> = req.mutations.iter().map(|m| m.id).collect();
    let mut tx = state.db.begin_write().await?;
    let mut last = client_last_id(&mut tx, &req.client_id, &user.0).await?;
    let plan = plan_push(last, &ids).map_err(|e| ApiError::Sync {
        code: ErrorCode::MutationGap,
        message: e.message().en,
    })?;
    let mut rejected = Vec::new();
    for m in &req.mutations[plan.skip..] {
        if let Err((code, message)) = apply(&mut tx, &user.0, &req.client_id, m).await? {
            tracing::warn!(client = %req.client_id, mutation = m.id, code = code.as_str(), "mutation rejected");
            sqlx::query(
                "INSERT INTO rejected_mutations (client_id, mutation_id, record_id, code, message_vi, message_en, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&req.client_id)
            .bind(m.id as i64)
            .bind(m.record_id())
            .bind(code.as_str())
            .bind(&message.vi)
            .bind(&message.en)
            .bind(serde_json::to_string(m)?)
            .bind(now_ms())
            .execute(&mut *tx.tx)
            .await?;
            rejected.push(Rejection {
                mutation_id: m.id,
                record_id: m.record_id().to_string(),
                code,
                message,
            });
        }
        last = m.id;
    }
    sqlx::query("UPDATE clients SET last_mutation_id = $1, last_seen_at = $2 WHERE client_id = $3")
        .bind(last as i64)
        .bind(now_ms())
        .bind(&req.client_id)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(axum::Json(PushResponse {
        last_mutation_id: last,
        rejected,
    }))
}

pub(crate) type Applied = Result<(), (ErrorCode, Msg)>;

/// A rejection for records that fail the shared validation: every message, both languages.
pub(crate) fn invalid(errors: &[hoptac_core::validate::FieldError]) -> (ErrorCode, Msg) {
    let join = |lang: hoptac_core::i18n::Lang| {
        errors
            .iter()
            .map(|e| e.message.get(lang))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (
        ErrorCode::Invalid,
        Msg::new(
            join(hoptac_core::i18n::Lang::Vi),
            join(hoptac_core::i18n::Lang::En),
        ),
    )
}

/// Applies one mutation. The outer error is a temporary failure (the whole push fails and
/// the client retries); the inner one a permanent rejection of this mutation alone.
async fn apply(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    m: &Mutation,
) -> ApiResult<Applied> {
    match &m.op {
        MutationOp::SubmitVisit(v) => submit_visit(tx, user, client_id, v).await,
        MutationOp::RegisterCooperative(c) => register_cooperative(tx, user, client_id, c).await,
        MutationOp::UpdateCooperative { base, record } => {
            update_cooperative(tx, user, client_id, m.id, base, record).await
        }
        MutationOp::ResolveConflict {
            conflict_id,
            choice,
        } => resolve_conflict(tx, user, client_id, conflict_id, *choice).await,
        MutationOp::ResubmitVisit(v) => crate::review::resubmit(tx, user, client_id, v).await,
    }
}

async fn submit_visit(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    v: &VisitReport,
) -> ApiResult<Applied> {
    if user.role != Role::Officer {
        return Ok(Err((
            ErrorCode::Forbidden,
            Msg::new(
                "Chỉ cán bộ địa bàn mới gửi phiếu khảo sát.",
                "Only field officers submit visit reports.",
            ),
        )));
    }
    let now = now_ms();
    // A day of slack: the tablet's clock may run ahead of the server's.
    let errors = validate_visit(v, Some(&date_of_millis_vn(now + 86_400_000)));
    if !errors.is_empty() {
        return Ok(Err(invalid(&errors)));
    }
    let coop = sqlx::query("SELECT area_path FROM cooperatives WHERE id = $1")
        .bind(&v.cooperative_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let Some(coop) = coop else {
        return Ok(Err((
            ErrorCode::NotFound,
            Msg::new(
                "Không tìm thấy hợp tác xã của phiếu này.",
                "The report's cooperative does not exist.",
            ),
        )));
    };
    let area_path: String = coop.try_get(0)?;
    if !in_scope(&area_path, &user.scopes) {
        return Ok(Err(outside_scope()));
    }
    let existing = sqlx::query("SELECT author_id FROM visit_reports WHERE id = $1")
        .bind(&v.id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if let Some(r) = existing {
        let author: String = r.try_get(0)?;
        return Ok(if author == user.id {
            Ok(()) // The same report again (e.g. re-imported from an export): already here.
        } else {
            Err((
                ErrorCode::Forbidden,
                Msg::new("Mã phiếu đã được dùng.", "This report id is already taken."),
            ))
        });
    }
    let stored = VisitReport {
        author_id: user.id.clone(),
        author_name: user.display_name.clone(),
        area_path: area_path.clone(),
        status: ReportStatus::Submitted,
        revision: 1,
        received_at: Some(now),
        note: v.note.trim().to_string(),
        ..v.clone()
    };
    let body = serde_json::to_string(&stored)?;
    sqlx::query(
        "INSERT INTO visit_reports (id, cooperative_id, author_id, client_id, area_path, visit_date, status, revision, received_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, 'submitted', 1, $7, $8)",
    )
    .bind(&stored.id)
    .bind(&stored.cooperative_id)
    .bind(&user.id)
    .bind(client_id)
    .bind(&area_path)
    .bind(&stored.visit_date)
    .bind(now)
    .bind(&body)
    .execute(&mut *tx.tx)
    .await?;
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    tx.record_change(
        "visit",
        &stored.id,
        &area_path,
        &serde_json::to_string(&Change::Visit(stored.clone()))?,
        who,
        "submit",
        None,
        &body,
    )
    .await?;
    Ok(Ok(()))
}

async fn register_cooperative(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    c: &Cooperative,
) -> ApiResult<Applied> {
    if user.role == Role::Supervisor {
        return Ok(Err((
            ErrorCode::Forbidden,
            Msg::new(
                "Giám sát viên không đăng ký HTX từ máy tính bảng.",
                "Supervisors do not register cooperatives from a tablet.",
            ),
        )));
    }
    let errors = validate_cooperative(c, Some(&date_of_millis_vn(now_ms() + 86_400_000)));
    if !errors.is_empty() {
        return Ok(Err(invalid(&errors)));
    }
    let area = sqlx::query("SELECT path, level FROM areas WHERE id = $1")
        .bind(&c.area_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let Some(area) = area else {
        return Ok(Err((
            ErrorCode::NotFound,
            Msg::new(
                "Không có xã này trong danh mục địa bàn.",
                "This commune is not in the area list.",
            ),
        )));
    };
    let (path, level): (String, String) = (area.try_get(0)?, area.try_get(1)?);
    if level != "commune" && level != "village" {
        return Ok(Err((
            ErrorCode::Invalid,
            Msg::new(
                "Hãy chọn xã (hoặc thôn) nơi HTX hoạt động.",
                "Choose the commune (or village) it is in.",
            ),
        )));
    }
    if !in_scope(&path, &user.scopes) {
        return Ok(Err((
            ErrorCode::Forbidden,
            Msg::new(
                "Xã này không thuộc địa bàn được phân công.",
                "This commune is outside your assigned areas.",
            ),
        )));
    }
    let existing = sqlx::query("SELECT created_by FROM cooperatives WHERE id = $1")
        .bind(&c.id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    if let Some(r) = existing {
        let by: Option<String> = r.try_get(0)?;
        return Ok(if by.as_deref() == Some(user.id.as_str()) {
            Ok(())
        } else {
            Err((
                ErrorCode::Forbidden,
                Msg::new(
                    "Mã HTX đã được dùng.",
                    "This cooperative id is already taken.",
                ),
            ))
        });
    }
    let stored = Cooperative {
        area_path: path.clone(),
        version: 1,
        name: c.name.trim().to_string(),
        ..c.clone()
    };
    sqlx::query(
        "INSERT INTO cooperatives (id, area_id, area_path, kind, name, status, version, body, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)",
    )
    .bind(&stored.id)
    .bind(&stored.area_id)
    .bind(&path)
    .bind(stored.kind.key())
    .bind(&stored.name)
    .bind(stored.status.key())
    .bind(serde_json::to_string(&stored)?)
    .bind(&user.id)
    .execute(&mut *tx.tx)
    .await?;
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    tx.record_change(
        "cooperative",
        &stored.id,
        &path,
        &serde_json::to_string(&Change::Cooperative(stored.clone()))?,
        who,
        "register",
        None,
        &serde_json::to_string(&stored)?,
    )
    .await?;
    Ok(Ok(()))
}

/// The stored cooperative `id` (with its current version), if any.
async fn load_cooperative(tx: &mut WriteTx<'_>, id: &str) -> ApiResult<Option<Cooperative>> {
    let row = sqlx::query("SELECT body FROM cooperatives WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    Ok(match row {
        Some(r) => Some(serde_json::from_str(&r.try_get::<String, _>(0)?)?),
        None => None,
    })
}

/// Writes a changed profile with the next version and logs it for pull.
async fn store_cooperative(
    tx: &mut WriteTx<'_>,
    who: Who<'_>,
    action: &str,
    old: &Cooperative,
    c: &Cooperative,
) -> ApiResult<()> {
    sqlx::query("UPDATE cooperatives SET name = $1, status = $2, kind = $3, version = $4, body = $5 WHERE id = $6")
        .bind(&c.name)
        .bind(c.status.key())
        .bind(c.kind.key())
        .bind(c.version)
        .bind(serde_json::to_string(c)?)
        .bind(&c.id)
        .execute(&mut *tx.tx)
        .await?;
    tx.record_change(
        "cooperative",
        &c.id,
        &c.area_path,
        &serde_json::to_string(&Change::Cooperative(c.clone()))?,
        who,
        action,
        Some(&serde_json::to_string(old)?),
        &serde_json::to_string(c)?,
    )
    .await?;
    Ok(())
}

async fn store_conflict(
    tx: &mut WriteTx<'_>,
    who: Who<'_>,
    old: Option<&Conflict>,
    c: &Conflict,
) -> ApiResult<()> {
    let insert = old.is_none();
    let body = serde_json::to_string(c)?;
    if insert {
        sqlx::query(
            "INSERT INTO conflicts (id, cooperative_id, area_path, field, author_id, created_at, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.id)
        .bind(&c.cooperative_id)
        .bind(&c.area_path)
        .bind(c.field.key())
        .bind(&c.author_id)
        .bind(c.created_at)
        .bind(&body)
        .execute(&mut *tx.tx)
        .await?;
    } else {
        let r = c.resolution.as_ref();
        sqlx::query(
            "UPDATE conflicts SET resolved_at = $1, resolved_by = $2, body = $3 WHERE id = $4",
        )
        .bind(r.map(|r| r.at))
        .bind(r.map(|r| r.by_id.clone()))
        .bind(&body)
        .bind(&c.id)
        .execute(&mut *tx.tx)
        .await?;
    }
    let old = old.map(serde_json::to_string).transpose()?;
    tx.record_change(
        "conflict",
        &c.id,
        &c.area_path,
        &serde_json::to_string(&Change::Conflict(c.clone()))?,
        who,
        if insert { "conflict" } else { "resolve" },
        old.as_deref(),
        &body,
    )
    .await?;
    Ok(())
}

fn outside_scope() -> (ErrorCode, Msg) {
    (
        ErrorCode::Forbidden,
        Msg::new(
            "Hợp tác xã này không thuộc địa bàn được phân công.",
            "This cooperative is outside your assigned areas.",
        ),
    )
}

fn no_cooperative() -> (ErrorCode, Msg) {
    (
        ErrorCode::NotFound,
        Msg::new(
            "Không tìm thấy hợp tác xã này trên máy chủ.",
            "This cooperative does not exist on the server.",
        ),
    )
}

/// An offline profile edit, merged field by field against the version it started from.
async fn update_cooperative(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    mutation_id: u64,
    base: &Cooperative,
    record: &Cooperative,
) -> ApiResult<Applied> {
    if base.id != record.id {
        return Ok(Err((
            ErrorCode::Invalid,
            Msg::new(
                "Bản sửa không khớp với hồ sơ gốc.",
                "The edit does not match the profile it started from.",
            ),
        )));
    }
    let errors = validate_cooperative(record, Some(&date_of_millis_vn(now_ms() + 86_400_000)));
    if !errors.is_empty() {
        return Ok(Err(invalid(&errors)));
    }
    let Some(current) = load_cooperative(tx, &record.id).await? else {
        return Ok(Err(no_cooperative()));
    };
    if !in_scope(&current.area_path, &user.scopes) {
        return Ok(Err(outside_scope()));
    }
    let merged = merge(base, &current, record);
    if !merged.applied.is_empty() {
        let stored = Cooperative {
            version: current.version + 1,
            name: merged.record.name.trim().to_string(),
            ..merged.record.clone()
        };
        let who = Who {
            id: &user.id,
            name: &user.display_name,
            client_id: Some(client_id),
        };
        store_cooperative(tx, who, "update", &current, &stored).await?;
    }
    let now = now_ms();
    for field in merged.conflicts {
        let conflict = Conflict {
            // Unique and stable: a mutation is applied once, and names each field once.
            id: format!("{client_id}-{mutation_id}-{}", field.key()),
            cooperative_id: current.id.clone(),
            area_path: current.area_path.clone(),
            field,
            mine: record.clone(),
            theirs: current.clone(),
            author_id: user.id.clone(),
            author_name: user.display_name.clone(),
            created_at: now,
            resolution: None,
        };
        let who = Who {
            id: &user.id,
            name: &user.display_name,
            client_id: Some(client_id),
        };
        store_conflict(tx, who, None, &conflict).await?;
    }
    Ok(Ok(()))
}

/// The officer or a supervisor chooses a conflict's value. The first choice wins; the same
/// choice again is a no-op; a different later choice is refused with who chose first.
async fn resolve_conflict(
    tx: &mut WriteTx<'_>,
    user: &UserInfo,
    client_id: &str,
    conflict_id: &str,
    choice: Choice,
) -> ApiResult<Applied> {
    let row = sqlx::query("SELECT body FROM conflicts WHERE id = $1")
        .bind(conflict_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let Some(row) = row else {
        return Ok(Err((
            ErrorCode::NotFound,
            Msg::new(
                "Không tìm thấy xung đột này.",
                "This conflict does not exist.",
            ),
        )));
    };
    let mut conflict: Conflict = serde_json::from_str(&row.try_get::<String, _>(0)?)?;
    if !in_scope(&conflict.area_path, &user.scopes) {
        return Ok(Err(outside_scope()));
    }
    if let Some(r) = &conflict.resolution {
        return Ok(if r.choice == choice {
            Ok(())
        } else {
            Err((
                ErrorCode::Invalid,
                Msg::new(
                    format!("Xung đột này đã được {} giải quyết.", r.by_name),
                    format!("{} already resolved this conflict.", r.by_name),
                ),
            ))
        });
    }
    let Some(current) = load_cooperative(tx, &conflict.cooperative_id).await? else {
        return Ok(Err(no_cooperative()));
    };
    let who = Who {
        id: &user.id,
        name: &user.display_name,
        client_id: Some(client_id),
    };
    let resolved = resolve(&conflict, &current, choice);
    if resolved != current {
        store_cooperative(
            tx,
            who,
            "resolve",
            &current,
            &Cooperative {
                version: current.version + 1,
                ..resolved
            },
        )
        .await?;
    }
    let before = conflict.clone();
    conflict.resolution = Some(Resolution {
        choice,
        by_id: user.id.clone(),
        by_name: user.display_name.clone(),
        at: now_ms(),
    });
    store_conflict(tx, who, Some(&before), &conflict).await?;
    Ok(Ok(()))
}

/// Pull: the records in the user's scope changed after the cursor, a page at a time.
#[utoipa::path(post, path = "/api/sync/pull", tag = "sync", security(("bearer" = [])), request_body = PullRequest,
    responses((status = 200, body = PullResponse), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<PullRequest>,
) -> ApiResult<axum::Json<PullResponse>> {
    check_client_id(&req.client_id)?;
    if req.cursor < 0 {
        return Err(ApiError::BadRequest(
            "cursor must be 0 or a cursor returned by a previous pull".into(),
        ));
    }
    let limit = req
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT) as i64;
    let last_mutation_id = {
        let row = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
            .bind(&req.client_id)
            .fetch_optional(&state.db.pool)
            .await?;
        match row {
            Some(r) if r.try_get::<String, _>(0)? != user.0.id => {
                return Err(ApiError::Sync {
                    code: ErrorCode::ClientMismatch,
                    message: "this client id belongs to another user".into(),
                })
            }
            Some(r) => r.try_get::<i64, _>(1)? as u64,
            None => 0,
        }
    };
    let scopes = &user.0.scopes;
    // The user's areas, plus changes addressed to the user alone (an area taken away).
    let visible = format!(
        "({} OR for_user = ${})",
        scope_clause("scope_path", 2, scopes.len()),
        scopes.len() + 2
    );
    let sql = format!(
        "SELECT seq, body FROM sync_log WHERE seq > $1 AND {visible} ORDER BY seq LIMIT {}",
        limit + 1
    );
    let mut q = sqlx::query(&sql).bind(req.cursor);
    for s in scopes {
        q = q.bind(s);
    }
    q = q.bind(&user.0.id);
    let rows = q.fetch_all(&state.db.pool).await?;
    let has_more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
    for r in rows.iter().take(limit as usize) {
        let seq: i64 = r.try_get(0)?;
        let body: String = r.try_get(1)?;
        changes.push(ChangeRow {
            seq,
            change: serde_json::from_str(&body)?,
        });
    }
    let cursor = changes.last().map(|c| c.seq).unwrap_or(req.cursor);
    let remaining = if has_more {
        let sql = format!("SELECT COUNT(*) FROM sync_log WHERE seq > $1 AND {visible}");
        let mut q = sqlx::query(&sql).bind(cursor);
        for s in scopes {
            q = q.bind(s);
        }
        q = q.bind(&user.0.id);
        q.fetch_one(&state.db.pool).await?.try_get::<i64, _>(0)? as u64
    } else {
        0
    };
    Ok(axum::Json(PullResponse {
        changes,
        cursor,
        has_more,
        last_mutation_id,
        remaining,
    }))
}
