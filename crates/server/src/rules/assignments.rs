//! Which areas a user covers, changed by an administrator. Taking an area away sends that
//! user's tablets an `AreaUnassigned` change (their records of it go, their own unsent
//! work stays); giving one re-logs the area's records so the next pull brings them. Every
//! change is kept: in `assignment_history` (from when until when) and in the audit trail
//! (entity "user_areas", id the user's: who, when, old → new).

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who};
use hoptac_core::model::{in_scope, UserInfo};
use hoptac_core::sync::Change;

/// The largest subtrees of the area at `path` that none of `scopes` covers or reaches
/// into: `path` itself when no scope lies inside it, else, child by child, the children
/// no scope touches (and, inside a child a scope lies in, the same again).
async fn uncovered_parts(
    tx: &mut crate::storage::WriteTx<'_>,
    path: &str,
    scopes: &[String],
) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![path.to_string()];
    while let Some(p) = todo.pop() {
        if scopes.iter().any(|s| p.starts_with(s.as_str())) {
            continue; // Covered.
        }
        if !scopes.iter().any(|s| s.starts_with(p.as_str())) {
            out.push(p); // Nothing kept inside: the whole subtree goes.
            continue;
        }
        todo.extend(storage::areas::children(tx, &p).await?);
    }
    out.sort();
    Ok(out)
}

/// Replaces user `user_id`'s areas with `areas` (area ids); returns their paths after.
///
/// Errors: 404 for an unknown user or one holding an area outside the administrator's,
/// 400 for an unknown area, 403 when `admin` does not cover one of the areas given (an
/// administrator grants and takes only inside their own scope) or the user is another
/// administrator of the same areas ([`super::users::may_manage`]).
pub async fn set_areas(
    db: &Db,
    admin: &UserInfo,
    user_id: &str,
    areas: &[String],
) -> ApiResult<Vec<String>> {
    let mut areas = areas.to_vec();
    areas.sort();
    areas.dedup();
    let mut tx = db.begin_write().await?;
    let Some(account) = storage::users::account_in(&mut tx, user_id).await? else {
        return Err(ApiError::NotFound(format!("no user with id '{user_id}'")));
    };
    // Another administrator only from a wider area; an account of other areas is not
    // found (it was a 403 naming its areas). An account with no area yet may be given
    // areas by any administrator (its first areas).
    if !account.scopes.is_empty() {
        super::users::may_manage(admin, user_id, account.role, &account.scopes)?;
    } else if account.role == hoptac_core::model::Role::Admin && !super::users::covers_a_root(admin)
    {
        return Err(ApiError::NotFound(format!("no user with id '{user_id}'")));
    }
    super::users::check_areas(&mut tx, admin, &areas).await?;
    let held = storage::users::lock_areas(&mut tx, user_id).await?;
    let before = storage::users::paths_of(&mut tx, user_id).await?;
    if before.iter().any(|p| !in_scope(p, &admin.scopes)) {
        return Err(ApiError::NotFound(format!("no user with id '{user_id}'")));
    }
    storage::users::replace_areas(&mut tx, user_id, &held, &areas, Some(&admin.id)).await?;
    let after = storage::users::paths_of(&mut tx, user_id).await?;
    let covered = |p: &str, set: &[String]| set.iter().any(|s| p.starts_with(s.as_str()));
    for lost in before.iter().filter(|p| !covered(p, &after)) {
        // Narrowed (a district to one of its communes): the parts of `lost` that no new
        // area covers leave the tablet, subtree by subtree; what a new area covers stays.
        for path in uncovered_parts(&mut tx, lost, &after).await? {
            let body = serde_json::to_string(&Change::AreaUnassigned { path: path.clone() })?;
            tx.log_change_for_user("scope", &format!("{user_id}:{path}"), user_id, &body);
        }
    }
    for gained in after.iter().filter(|p| !covered(p, &before)) {
        tx.relog_area(gained);
    }
    if before != after {
        tx.audit_only(
            "user_areas",
            user_id,
            Who::online(admin),
            "assign",
            Some(&serde_json::to_string(
                &serde_json::json!({ "areas": before }),
            )?),
            &serde_json::to_string(&serde_json::json!({ "areas": after }))?,
        );
    }
    tx.commit().await?;
    tracing::info!(user = %user_id, by = %admin.id, ?after, "areas assigned");
    Ok(after)
}
