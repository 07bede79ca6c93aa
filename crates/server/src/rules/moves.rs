//! A cooperative moved to another commune or ward with its history, as a reorganisation
//! moves it (a correction of the registry, a relocation, a divided commune's cooperative
//! placed after the fact): its visit reports and conflicts go with it (each report keeps
//! where it was written), the move is kept in its history (`reorganisations` and
//! `cooperative_moves`, so work an officer wrote offline before it is still accepted as
//! written), the tablets of those whose areas do not cover its new commune drop it and
//! its reports, those who cover it receive it with its past visits, and everything is
//! audited. The six-monthly review counts its reports where it is now, and a closed
//! period of its old commune where they were written.
//!
//! Supervisors and administrators, for a cooperative in their areas moved to an open
//! commune, ward or village in their areas. The registry import moves through here too.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, WriteTx};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Area, AreaLevel, Cooperative, Role, UserInfo};
use hoptac_core::reorg::{MovePreview, MoveRequest};

/// The users (id, user name) whose tablets lose a cooperative moved from `from_path` to
/// `to_path`, and those who gain it.
async fn who_loses_and_gains(
    tx: &mut WriteTx<'_>,
    from_path: &str,
    to_path: &str,
) -> ApiResult<(Vec<String>, Vec<String>)> {
    let held = storage::reorg::assignment_paths(tx).await?;
    let covers = |u: &str, path: &str| {
        held.iter()
            .any(|(v, p)| v == u && path.starts_with(p.as_str()))
    };
    let mut users: Vec<&str> = held.iter().map(|(u, _)| u.as_str()).collect();
    users.dedup();
    let losing = users
        .iter()
        .filter(|u| covers(u, from_path) && !covers(u, to_path))
        .map(|u| u.to_string())
        .collect();
    let gaining = users
        .iter()
        .filter(|u| !covers(u, from_path) && covers(u, to_path))
        .map(|u| u.to_string())
        .collect();
    Ok((losing, gaining))
}

/// Moves cooperative `c` (locked) to area `to` inside `tx`, with its reports and
/// conflicts, as move `by` (its `reorganisations` row written by the caller); tells the
/// tablets that lose it. Returns the cooperative after and its reports' count.
pub(crate) async fn relocate(
    tx: &mut WriteTx<'_>,
    by: &super::reorg::MoveBy<'_>,
    c: &Cooperative,
    to: &Area,
) -> ApiResult<(Cooperative, u64)> {
    let visits = storage::visits::of_cooperative(tx, &c.id).await?;
    let (losing, _) = who_loses_and_gains(tx, &c.area_path, &to.path).await?;
    let mut visit_ids: Vec<String> = visits.iter().map(|v| v.report.id.clone()).collect();
    visit_ids.sort();
    let count = visits.len() as u64;
    super::reorg::move_cooperatives(tx, by, &[(c.clone(), to.id.clone(), to.path.clone())]).await?;
    for user in &losing {
        super::reorg::removed_for(tx, user, &c.id, &visit_ids)?;
    }
    let after = Cooperative {
        area_id: to.id.clone(),
        area_path: to.path.clone(),
        moved_from: Some(hoptac_core::model::FormerPlace {
            area_id: c.area_id.clone(),
            until: by.effective_on.to_string(),
        }),
        version: c.version + 1,
        ..c.clone()
    };
    Ok((after, count))
}

/// Previews or (`apply`) moves cooperative `id` as `req` says.
///
/// Errors: 403 (an officer, or a destination outside the caller's areas); 404 (no such
/// cooperative in the caller's areas); 422 `area_id` (no such open commune, ward or
/// village; the one it is in), `reason` (required, at most 300 characters).
pub async fn move_cooperative(
    db: &Db,
    user: &UserInfo,
    id: &str,
    req: &MoveRequest,
    apply: bool,
) -> ApiResult<MovePreview> {
    if !matches!(user.role, Role::Supervisor | Role::Admin) {
        return Err(ApiError::Forbidden(
            "only supervisors and administrators move cooperatives".into(),
        ));
    }
    let reason = req.reason.trim();
    if reason.is_empty()
        || reason.chars().count() > 300
        || reason
            .chars()
            .any(|c| c == '\n' || hoptac_core::text::is_forbidden_char(c))
    {
        return Err(ApiError::field(
            "reason",
            Msg::new(
                "Hãy ghi lý do chuyển địa bàn (tối đa 300 ký tự, một dòng).",
                "Say why it moves (at most 300 characters, one line).",
            ),
        ));
    }
    let mut tx = db.begin_write().await?;
    tx.wait_for_other_imports().await?;
    let Some(c) = storage::cooperatives::lock(&mut tx, id).await? else {
        return Err(ApiError::NotFound(format!("no cooperative '{id}'")));
    };
    if !in_scope(&c.area_path, &user.scopes) {
        return Err(ApiError::NotFound(format!("no cooperative '{id}'")));
    }
    let no_area = || {
        ApiError::field(
            "area_id",
            Msg::new(
                "Hãy chọn một xã, phường (hoặc thôn) đang hoạt động.",
                "Choose a commune or ward (or village) that exists today.",
            ),
        )
    };
    let areas = storage::areas::all_in(&mut tx).await?;
    let to = areas
        .iter()
        .find(|a| a.id == req.area_id)
        .filter(|a| a.is_open() && matches!(a.level, AreaLevel::Commune | AreaLevel::Village))
        .cloned()
        .ok_or_else(no_area)?;
    if !in_scope(&to.path, &user.scopes) {
        return Err(ApiError::Forbidden(
            "the commune is outside your areas".into(),
        ));
    }
    if to.id == c.area_id {
        return Err(ApiError::field(
            "area_id",
            Msg::new(
                format!("{} đang ở {}.", c.name, to.name),
                format!("{} is in {} already.", c.name, to.name),
            ),
        ));
    }
    let from = areas
        .iter()
        .find(|a| a.id == c.area_id)
        .cloned()
        .ok_or_else(|| ApiError::Internal(format!("the area of cooperative '{id}' is missing")))?;
    let (losing, gaining) = who_loses_and_gains(&mut tx, &c.area_path, &to.path).await?;
    let mut losing_names = Vec::new();
    for u in &losing {
        if let Some(a) = storage::users::account_in(&mut tx, u).await? {
            losing_names.push(a.username);
        }
    }
    let mut gaining_names = Vec::new();
    for u in &gaining {
        if let Some(a) = storage::users::account_in(&mut tx, u).await? {
            gaining_names.push(a.username);
        }
    }
    losing_names.sort();
    gaining_names.sort();
    let move_id = format!("move-{}", uuid::Uuid::new_v4().simple());
    let today = hoptac_core::validate::date_of_millis_vn(storage::now_ms());
    let decision = format!(
        "Chuyển {} từ {} sang {}: {reason}",
        c.name, from.name, to.name
    );
    storage::reorg::insert(
        &mut tx,
        &move_id,
        &today,
        &decision,
        &serde_json::to_string(req)?,
        &user.id,
    )
    .await?;
    let by = super::reorg::MoveBy {
        id: &move_id,
        effective_on: &today,
        user,
        action: "move",
    };
    let (after, visits) = relocate(&mut tx, &by, &c, &to).await?;
    let preview = MovePreview {
        applied: apply,
        cooperative: after,
        from,
        to,
        visits,
        losing: losing_names,
        gaining: gaining_names,
    };
    if apply {
        tx.commit().await?;
        tracing::info!(cooperative = %id, by = %user.id, "cooperative moved");
    } else {
        tx.rollback().await?;
    }
    Ok(preview)
}
