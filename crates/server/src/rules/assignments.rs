//! Which areas a user covers, changed by an administrator. Taking an area away sends that
//! user's tablets an `AreaUnassigned` change (their records of it go, their own unsent
//! work stays); giving one re-logs the area's records so the next pull brings them. Every
//! change is kept: in `assignment_history` (from when until when) and in the audit trail
//! (entity "user_areas", id the user's: who, when, old → new).

use crate::http::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who};
use hoptac_core::model::{in_scope, UserInfo};
use hoptac_core::sync::Change;

/// Replaces user `user_id`'s areas with `areas` (area ids); returns their paths after.
///
/// Errors: 404 for an unknown user, 400 for an unknown area, 403 when `admin` does not
/// cover one of the areas given, or one the user holds now (an administrator grants and
/// takes only inside their own scope).
pub async fn set_areas(db: &Db, admin: &UserInfo, user_id: &str, areas: &[String]) -> ApiResult<Vec<String>> {
    let mut areas = areas.to_vec();
    areas.sort();
    areas.dedup();
    let mut tx = db.begin_write().await?;
    if !storage::users::exists(&mut tx, user_id).await? {
        return Err(ApiError::NotFound(format!("no user with id '{user_id}'")));
    }
    for a in &areas {
        let Some(area) = storage::areas::get_in(&mut tx, a).await? else {
            return Err(ApiError::BadRequest(format!(
                "no area with id '{a}': use the ids of the area list"
            )));
        };
        if !in_scope(&area.path, &admin.scopes) {
            return Err(ApiError::Forbidden(format!(
                "area '{a}' is outside your own areas: you can grant only areas you cover"
            )));
        }
    }
    let held = storage::users::lock_areas(&mut tx, user_id).await?;
    let before = storage::users::paths_of(&mut tx, user_id).await?;
    if let Some(p) = before.iter().find(|p| !in_scope(p, &admin.scopes)) {
        return Err(ApiError::Forbidden(format!(
            "this user covers {p}, outside your own areas: an administrator of that area must change it"
        )));
    }
    storage::users::replace_areas(&mut tx, user_id, &held, &areas, Some(&admin.id)).await?;
    let after = storage::users::paths_of(&mut tx, user_id).await?;
    let covered = |p: &str, set: &[String]| set.iter().any(|s| p.starts_with(s.as_str()));
    for lost in before.iter().filter(|p| !covered(p, &after)) {
        // What is still visible through another assignment stays: remove only the
        // parts of `lost` not covered by the new scopes. With whole-subtree scopes, that
        // is `lost` itself unless a new scope lies inside it; then send nothing for it
        // and let the finer scopes keep their records (the tablet's view is a superset
        // until the next sign-in, never a loss).
        if after.iter().any(|s| s.starts_with(lost.as_str())) {
            continue;
        }
        let body = serde_json::to_string(&Change::AreaUnassigned { path: lost.clone() })?;
        tx.log_change_for_user("scope", &format!("{user_id}:{lost}"), user_id, &body);
    }
    for gained in after.iter().filter(|p| !covered(p, &before)) {
        tx.relog_area(gained);
    }
    if before != after {
        tx.audit_only(
            "user_areas",
            user_id,
            Who {
                id: &admin.id,
                name: &admin.display_name,
                client_id: None,
            },
            "assign",
            Some(&serde_json::to_string(&serde_json::json!({ "areas": before }))?),
            &serde_json::to_string(&serde_json::json!({ "areas": after }))?,
        );
    }
    tx.commit().await?;
    tracing::info!(user = %user_id, by = %admin.id, ?after, "areas assigned");
    Ok(after)
}
