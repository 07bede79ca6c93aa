//! One cooperative recorded twice. A tax code (mã số thuế) or business registration
//! number (số ĐKKD) belongs to one legal entity (Law on Cooperatives 2023, art. 24–25;
//! Law on Tax Administration 2019, art. 30): two records sharing one are flagged when the
//! second arrives ([`super::cooperatives::flag_duplicates`]) and a supervisor merges them
//! here, or dismisses the flag. A merge moves the removed record's visit reports to the
//! kept one, fills the kept record's empty fields, and sends every tablet a `Removed`
//! change; work still on a tablet for the removed id lands on the kept one
//! (`cooperative_merges`).

use super::cooperatives::store;
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who};
use hoptac_core::model::{in_scope, Role, UserInfo};
use hoptac_core::registry::{fill_from, Duplicate};
use hoptac_core::sync::{Change, Entity};

fn require_reviewer(user: &UserInfo) -> ApiResult<()> {
    if matches!(user.role, Role::Supervisor | Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only supervisors and administrators merge records".into(),
        ))
    }
}

/// Flagged pairs inside the user's areas.
pub async fn list(db: &Db, user: &UserInfo) -> ApiResult<Vec<Duplicate>> {
    require_reviewer(user)?;
    let pairs = storage::cooperatives::duplicates(db, &user.scopes).await?;
    let mut out = Vec::new();
    for p in pairs {
        let a_visits = storage::visits::count_of_cooperative(db, &p.a.id).await?;
        let b_visits = storage::visits::count_of_cooperative(db, &p.b.id).await?;
        out.push(Duplicate {
            a: p.a,
            b: p.b,
            field: p.field,
            value: p.value,
            found_at: p.found_at,
            a_visits,
            b_visits,
        });
    }
    Ok(out)
}

/// Merges `remove` into `keep`; returns the kept record after.
///
/// Errors: 403 for an officer; 404 for a record missing or outside the user's areas;
/// 400 for a record merged with itself; 409-free: a record with a profile conflict
/// waiting for a choice is refused with 422 until it is chosen.
pub async fn merge(
    db: &Db,
    user: &UserInfo,
    keep: &str,
    remove: &str,
) -> ApiResult<hoptac_core::model::Cooperative> {
    require_reviewer(user)?;
    if keep == remove {
        return Err(ApiError::BadRequest(
            "a record cannot be merged with itself".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let not_found = |id: &str| ApiError::NotFound(format!("no cooperative with id '{id}'"));
    // Locked in id order: two merges of one pair wait for each other, never deadlock.
    let (first, second) = if keep < remove {
        (keep, remove)
    } else {
        (remove, keep)
    };
    let f = storage::cooperatives::lock(&mut tx, first).await?;
    let s = storage::cooperatives::lock(&mut tx, second).await?;
    let (kept, removed) = if keep < remove { (f, s) } else { (s, f) };
    let kept = kept
        .filter(|c| in_scope(&c.area_path, &user.scopes))
        .ok_or_else(|| not_found(keep))?;
    let removed = removed
        .filter(|c| in_scope(&c.area_path, &user.scopes))
        .ok_or_else(|| not_found(remove))?;
    for c in [&kept, &removed] {
        if storage::conflicts::open_count(&mut tx, &c.id).await? > 0 {
            return Err(ApiError::field(
                "remove",
                hoptac_core::i18n::Msg::new(
                    format!(
                        "\"{}\" còn xung đột chưa chọn: hãy chọn trước khi gộp.",
                        c.name
                    ),
                    format!(
                        "\"{}\" has a conflict waiting for a choice: choose first, then merge.",
                        c.name
                    ),
                ),
            ));
        }
    }
    let who = Who::online(user);
    // The reports move first: each reaches the tablets under the kept record.
    for s in storage::visits::of_cooperative(&mut tx, &removed.id).await? {
        let mut r = s.report;
        r.cooperative_id = kept.id.clone();
        r.area_path = kept.area_path.clone();
        let body = serde_json::to_string(&r)?;
        storage::visits::move_to(&mut tx, &r, &body).await?;
        super::visits::log_change(&mut tx, &r, &body, who, "merge", Some(&s.body))?;
    }
    storage::conflicts::repoint(&mut tx, &removed.id, &kept.id).await?;
    let filled = fill_from(&kept, &removed);
    storage::cooperatives::record_merge(
        &mut tx,
        &removed.id,
        &removed.area_path,
        &kept.id,
        &user.id,
    )
    .await?;
    let after = if filled != kept {
        let after = hoptac_core::model::Cooperative {
            version: kept.version + 1,
            ..filled
        };
        store(&mut tx, who, "merge", &kept, &after)
            .await
            .map_err(|e| match e {
                super::ApplyError::Failed(e) => e,
                super::ApplyError::Refused(r) => ApiError::Invalid(r.fields),
            })?;
        after
    } else {
        kept.clone()
    };
    tx.record_change(
        "cooperative",
        &removed.id,
        &removed.area_path,
        &serde_json::to_string(&Change::Removed {
            entity: Entity::Cooperative,
            id: removed.id.clone(),
        })?,
        who,
        "merged_into",
        Some(&serde_json::to_string(&removed)?),
        &serde_json::to_string(&serde_json::json!({ "merged_into": kept.id }))?,
    );
    tx.commit().await?;
    tracing::info!(kept = %kept.id, removed = %removed.id, by = %user.id, "cooperatives merged");
    Ok(after)
}

/// Dismisses the flag between `a` and `b`: two cooperatives after all (a typing error in
/// one of them is corrected by editing it). Audited on both records.
pub async fn dismiss(db: &Db, user: &UserInfo, a: &str, b: &str) -> ApiResult<()> {
    require_reviewer(user)?;
    let mut tx = db.begin_write().await?;
    for id in [a, b] {
        let path = storage::cooperatives::area_path(&mut tx, id)
            .await?
            .filter(|p| in_scope(p, &user.scopes));
        if path.is_none() {
            return Err(ApiError::NotFound(format!("no cooperative with id '{id}'")));
        }
    }
    if storage::cooperatives::dismiss_duplicate(&mut tx, a, b).await? == 0 {
        return Err(ApiError::NotFound(
            "these two records are not flagged".into(),
        ));
    }
    let who = Who::online(user);
    for (id, other) in [(a, b), (b, a)] {
        tx.audit_only(
            "cooperative_duplicate",
            id,
            who,
            "dismiss",
            None,
            &serde_json::to_string(&serde_json::json!({ "not_a_duplicate_of": other }))?,
        );
    }
    tx.commit().await?;
    Ok(())
}
