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
    let own = storage::audit::entries(db, entity, id).await?;
    let mut out = Vec::new();
    if entity == "visit" {
        let report = storage::visits::get(db, id).await?.map(|s| s.report);
        out = moves_followed(db, &own, report.as_ref()).await?;
    }
    for e in own {
        let old = e
            .old
            .as_deref()
            .map(serde_json::from_str::<Value>)
            .transpose()?
            .unwrap_or(Value::Null);
        let changes = diff(&old, &serde_json::from_str(&e.new)?, &[]);
        out.push(entry(e, changes));
    }
    out.sort_by_key(|e| e.seq);
    if out.is_empty() && matches!(entity, "user_areas" | "user") {
        return Err(not_found());
    }
    Ok(out)
}

/// A report's moves with its cooperative, from the report's own trail `own` (oldest
/// first): a report follows its cooperative to another area without an audit entry of its
/// own (`storage::visits::follow`), so each change of area in the trail of the cooperative
/// it belonged to at the time, after the report was first stored, is shown as the
/// report's ("area_path" old → new, by whoever moved the cooperative, as what); a report
/// with no entry of its own (`own_report`, a generated dataset's) from its receipt on.
async fn moves_followed(
    db: &Db,
    own: &[storage::audit::Entry],
    own_report: Option<&hoptac_core::model::VisitReport>,
) -> ApiResult<Vec<AuditEntry>> {
    // The cooperative of each of the report's entries, from the entry's seq on.
    let mut spans: Vec<(String, i64, i64)> = Vec::new();
    for e in own {
        let new: Value = serde_json::from_str(&e.new)?;
        let Some(coop) = new.get("cooperative_id").and_then(Value::as_str) else {
            continue;
        };
        match spans.last_mut() {
            Some(last) if last.0 == coop => {}
            _ => {
                if let Some(last) = spans.last_mut() {
                    last.2 = e.seq;
                }
                spans.push((coop.to_string(), e.seq, i64::MAX));
            }
        }
    }
    // Moves the report's own trail already holds (written by servers before reports
    // followed without entries of their own): (area before, area after).
    let mut logged: Vec<(String, String)> = Vec::new();
    for e in own {
        if let (Some(before), Some(after)) = (area_of(e.old.as_deref()), area_of(Some(&e.new))) {
            logged.push((before, after));
        }
    }
    // A report stored without an entry of its own (a generated or demo dataset): its
    // cooperative's moves since it was received.
    let mut since_ms = i64::MIN;
    if spans.is_empty() {
        if let Some(r) = own_report {
            spans.push((r.cooperative_id.clone(), i64::MIN, i64::MAX));
            since_ms = r.received_at.unwrap_or(i64::MIN);
        }
    }
    let mut out = Vec::new();
    for (coop, from, until) in spans {
        for e in storage::audit::entries(db, "cooperative", &coop).await? {
            if e.seq <= from || e.seq >= until || e.at < since_ms {
                continue;
            }
            let (Some(before), Some(after)) = (area_of(e.old.as_deref()), area_of(Some(&e.new)))
            else {
                continue;
            };
            if before == after || logged.contains(&(before.clone(), after.clone())) {
                continue;
            }
            let moved = FieldChange {
                path: "area_path".into(),
                old: Value::String(before).to_string(),
                new: Value::String(after).to_string(),
            };
            out.push(entry(e, vec![moved]));
        }
    }
    Ok(out)
}

/// A stored audit row as the trail shows it, with the `changes` read from it.
fn entry(e: storage::audit::Entry, changes: Vec<FieldChange>) -> AuditEntry {
    AuditEntry {
        seq: e.seq,
        action: e.action,
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        client_id: e.client_id,
        at: e.at,
        changes,
    }
}

/// The `area_path` a record's JSON (an audit row's old or new body) names, if any.
fn area_of(json: Option<&str>) -> Option<String> {
    let v: Value = serde_json::from_str(json?).ok()?;
    v.get("area_path")?.as_str().map(str::to_string)
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
