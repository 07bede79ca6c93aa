//! `/api/sync/push` and `/api/sync/pull`: the server half of the protocol described in
//! hoptac_core::sync. This module is the protocol alone (a client's mutations in order,
//! exactly once; changes after a cursor, in scope); what each mutation does to its record
//! is [`crate::rules`].

use super::auth::AuthUser;
use super::error::{
    clean_text, control_char_message, is_forbidden_char, ApiError, ApiResult, Json, RawJson,
};
use crate::rules::{self, ApplyError};
use crate::storage::{self, Db};
use crate::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use hoptac_core::error::ErrorCode;
use hoptac_core::i18n::Msg;
use hoptac_core::model::UserInfo;
use hoptac_core::sync::{
    plan_push, ChangeRow, Mutation, PullRequest, PullResponse, PushRequest, PushResponse,
    Rejection, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
};
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", post(pull))
}

/// How often a push that met a PostgreSQL deadlock or serialization failure is run again
/// before the tablet is told "busy" (it retries later).
const PUSH_ATTEMPTS: u32 = 4;

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

fn client_mismatch() -> ApiError {
    ApiError::Sync {
        code: ErrorCode::ClientMismatch,
        message: "this client id belongs to another user; sign in again to get a new one".into(),
    }
}

/// Push: apply the client's mutations in order, exactly once.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", security(("bearer" = [])), request_body = PushRequest,
    responses((status = 200, body = PushResponse),
              (status = 409, description = "mutation_gap or client_mismatch", body = hoptac_core::error::ApiErrorBody),
              (status = 400, body = hoptac_core::error::ApiErrorBody), (status = 422, body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    user: AuthUser,
    RawJson(body): RawJson,
) -> ApiResult<axum::Json<PushResponse>> {
    let req = read_push(body)?;
    check_client_id(&req.client_id)?;
    let mut attempt = 1;
    loop {
        match push_once(&state.db, &user.0, &req).await {
            Err(ApiError::Busy) if attempt < PUSH_ATTEMPTS => {
                tracing::info!(client = %req.client_id, attempt, "push met a concurrent write; running it again");
                tokio::time::sleep(std::time::Duration::from_millis(10 << attempt)).await;
                attempt += 1;
            }
            result => {
                if let Ok(r) = &result {
                    for rej in &r.rejected {
                        state.metrics.rejected(rej.code.as_str());
                    }
                }
                return result.map(axum::Json);
            }
        }
    }
}

/// A pushed mutation as read: ready to apply, or refused already (its text holds a
/// control character, or its shape is not a mutation this server knows). Either way it
/// has its id, so the ones after it are applied in order.
enum Pushed {
    Ready(Mutation),
    Unreadable {
        id: u64,
        record_id: String,
        refusal: rules::Refusal,
        body: String,
    },
}

impl Pushed {
    fn id(&self) -> u64 {
        match self {
            Pushed::Ready(m) => m.id,
            Pushed::Unreadable { id, .. } => *id,
        }
    }
}

struct PushBatch {
    client_id: String,
    mutations: Vec<Pushed>,
}

/// Reads a push body mutation by mutation. The envelope (client id, a list of mutations,
/// each with a whole-number id) must be right, or nothing is applied (400); a mutation
/// that cannot be read is refused alone (issue 13: one bad mutation never blocks the
/// ones behind it).
fn read_push(body: Value) -> ApiResult<PushBatch> {
    let bad = |what: &str| ApiError::BadRequest(format!("the push is not valid: {what}"));
    let Value::Object(mut envelope) = body else {
        return Err(bad("expected an object {client_id, mutations}"));
    };
    let client_id = match envelope.remove("client_id") {
        Some(Value::String(c)) => c,
        _ => return Err(bad("missing field `client_id` (a string)")),
    };
    let Some(Value::Array(items)) = envelope.remove("mutations") else {
        return Err(bad("missing field `mutations` (a list)"));
    };
    let mut mutations = Vec::with_capacity(items.len());
    for (i, mut item) in items.into_iter().enumerate() {
        let Some(id) = item.get("id").and_then(Value::as_u64) else {
            return Err(bad(&format!("mutations[{i}] has no whole-number `id`")));
        };
        let data = item.pointer("/op/data");
        let record_id = ["/id", "/record/id", "/conflict_id"]
            .iter()
            .find_map(|p| data.and_then(|d| d.pointer(p)).and_then(Value::as_str))
            .unwrap_or("")
            .chars()
            .filter(|c| !is_forbidden_char(*c))
            .take(64)
            .collect::<String>();
        let body = item.to_string();
        let refused = |refusal| Pushed::Unreadable {
            id,
            record_id: record_id.clone(),
            refusal,
            body: body.clone(),
        };
        if let Err((field, c)) = clean_text(&mut item, &mut String::new()) {
            let message = control_char_message(c);
            mutations.push(refused(rules::Refusal {
                code: ErrorCode::Invalid,
                message: message.clone(),
                fields: vec![hoptac_core::validate::FieldError {
                    field: field.trim_start_matches("op.data.").to_string(),
                    message,
                }],
            }));
            continue;
        }
        match serde_json::from_value::<Mutation>(item) {
            Ok(m) => mutations.push(Pushed::Ready(m)),
            Err(e) => mutations.push(refused(rules::Refusal {
                code: ErrorCode::BadRequest,
                message: Msg::new(
                    format!("Máy chủ không đọc được thay đổi này ({e}). Hãy cập nhật ứng dụng."),
                    format!("The server cannot read this change ({e}). Update the app."),
                ),
                fields: Vec::new(),
            })),
        }
    }
    Ok(PushBatch {
        client_id,
        mutations,
    })
}

/// One attempt at a push, in one transaction: the client's row is locked first, so two
/// pushes of one outbox (two tabs) run one after the other and the second skips what the
/// first applied.
async fn push_once(db: &Db, user: &UserInfo, req: &PushBatch) -> ApiResult<PushResponse> {
    let ids: Vec<u64> = req.mutations.iter().map(Pushed::id).collect();
    let mut tx = db.begin_write().await?;
    let client = storage::clients::lock_or_register(&mut tx, &req.client_id, &user.id).await?;
    if client.user_id != user.id {
        return Err(client_mismatch());
    }
    let mut last = client.last_mutation_id;
    let plan = plan_push(last, &ids).map_err(|e| ApiError::Sync {
        code: ErrorCode::MutationGap,
        message: e.message().en,
    })?;
    let mut rejected = Vec::new();
    for pushed in &req.mutations[plan.skip..] {
        let outcome = match pushed {
            Pushed::Ready(m) => match rules::apply(&mut tx, user, &req.client_id, m).await {
                Ok(()) => None,
                Err(ApplyError::Refused(r)) => Some((
                    m.id,
                    m.record_id().to_string(),
                    r,
                    serde_json::to_string(m)?,
                )),
                Err(ApplyError::Failed(e)) => return Err(e),
            },
            Pushed::Unreadable {
                id,
                record_id,
                refusal,
                body,
            } => Some((*id, record_id.clone(), refusal.clone(), body.clone())),
        };
        if let Some((mutation_id, record_id, r, body)) = outcome {
            tracing::warn!(client = %req.client_id, mutation = mutation_id, code = r.code.as_str(), "mutation rejected");
            let rejection = Rejection {
                mutation_id,
                record_id,
                code: r.code,
                message: r.message,
                fields: r.fields,
            };
            storage::clients::record_rejection(&mut tx, &req.client_id, &rejection, &body).await?;
            rejected.push(rejection);
        }
        last = pushed.id();
    }
    storage::clients::advance(&mut tx, &req.client_id, last).await?;
    tx.commit().await?;
    Ok(PushResponse {
        last_mutation_id: last,
        rejected,
    })
}

/// Pull: the records in the user's scope changed after the cursor, a page at a time.
#[utoipa::path(post, path = "/api/sync/pull", tag = "sync", security(("bearer" = [])), request_body = PullRequest,
    responses((status = 200, body = PullResponse), (status = 400, body = hoptac_core::error::ApiErrorBody),
              (status = 409, description = "client_mismatch, or cursor_unknown: pull again from 0", body = hoptac_core::error::ApiErrorBody),
              (status = 401, body = hoptac_core::error::ApiErrorBody)))]
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
    if req.cursor > storage::changes::last_seq(&state.db).await? {
        return Err(ApiError::Sync {
            code: ErrorCode::CursorUnknown,
            message: "this server never issued that cursor (it was restored from a backup): pull again from cursor 0, keeping the outbox".into(),
        });
    }
    let limit = req
        .limit
        .unwrap_or(DEFAULT_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT) as i64;
    let last_mutation_id = match storage::clients::get(&state.db, &req.client_id).await? {
        Some(c) if c.user_id != user.0.id => return Err(client_mismatch()),
        Some(c) => c.last_mutation_id,
        None => 0,
    };
    let scopes = &user.0.scopes;
    // Officers' tablets hold their areas' reports; supervisors read theirs from the server.
    let with_visits = user.0.role == hoptac_core::model::Role::Officer;
    let (rows, has_more) = storage::changes::page(
        &state.db,
        req.cursor,
        scopes,
        &user.0.id,
        limit,
        with_visits,
    )
    .await?;
    let mut changes = Vec::with_capacity(rows.len());
    for (seq, body) in rows {
        changes.push(ChangeRow {
            seq,
            change: serde_json::from_str(&body)?,
        });
    }
    let cursor = changes.last().map(|c| c.seq).unwrap_or(req.cursor);
    let remaining = if has_more {
        storage::changes::count_after(&state.db, cursor, scopes, &user.0.id, with_visits).await?
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
