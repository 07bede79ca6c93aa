//! Who may read a record's change history (`GET /api/audit/{entity}/{id}`), and the
//! history itself: each change with its author, time, device and fields old → new
//! ([`diff`] over the audit rows storage keeps; a report's revisions are compared with it
//! too).

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db};
use hoptac_core::model::{in_scope, Role, UserInfo};
use hoptac_core::queue::{AuditEntry, FieldChange};
use serde_json::Value;

/// Every change to a record: who, when, from which device, old value → new value.
/// Supervisors and administrators, within their areas; a user's areas
/// (entity "user_areas") and account changes (entity "user") to administrators; a
/// reference item's (entity "reference") to those who receive it.
pub async fn audit_trail(
    db: &Db,
    user: &UserInfo,
    entity: &str,
    id: &str,
) -> ApiResult<Vec<AuditEntry>> {
    if !matches!(user.role, Role::Supervisor | Role::Admin) {
        return Err(ApiError::Forbidden("your role may not do this".into()));
    }
    let not_found = || ApiError::NotFound(format!("no {entity} with id '{id}'"));
    match entity {
        // Not pulled by tablets: a target's scope is its area's ("<period>:<area id>").
        "targets" => {
            let area = id.split_once(':').map(|(_, a)| a).unwrap_or("");
            let area = storage::areas::get(db, area).await?.ok_or_else(not_found)?;
            if !in_scope(&area.path, &user.scopes) {
                return Err(ApiError::Forbidden(
                    "this record is outside your assigned areas".into(),
                ));
            }
        }
        "user_areas" | "user" => {
            if user.role != Role::Admin {
                return Err(ApiError::Forbidden(
                    "only administrators see account changes".into(),
                ));
            }
            // Only an administrator who covers every area the user has covered.
            let held = storage::users::history(db, id).await?;
            if held.iter().any(|h| !in_scope(&h.area_path, &user.scopes))
                || (held.is_empty() && !crate::rules::users::covers_a_root(user))
            {
                return Err(not_found());
            }
        }
        // A reference item: whoever receives it (national items: everyone).
        "reference" => {
            let scope = storage::changes::scope_of(db, entity, id)
                .await?
                .ok_or_else(not_found)?;
            if !crate::rules::reference::visible(&scope, &user.scopes) {
                return Err(not_found());
            }
        }
        _ => {
            let scope = storage::changes::scope_of(db, entity, id)
                .await?
                .ok_or_else(not_found)?;
            if !in_scope(&scope, &user.scopes) {
                return Err(ApiError::Forbidden(
                    "this record is outside your assigned areas".into(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    for e in storage::audit::entries(db, entity, id).await? {
        let old = e
            .old
            .map(|o| serde_json::from_str::<Value>(&o))
            .transpose()?
            .unwrap_or(Value::Null);
        let changes = diff(&old, &serde_json::from_str(&e.new)?, &[]);
        out.push(AuditEntry {
            seq: e.seq,
            action: e.action,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            client_id: e.client_id,
            at: e.at,
            changes,
        });
    }
    if out.is_empty() && matches!(entity, "user_areas" | "user") {
        return Err(not_found());
    }
    Ok(out)
}

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
