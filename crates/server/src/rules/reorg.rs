//! A reorganisation of the area tree applied (issue 16; the plan is
//! hoptac_core::reorg): in one transaction, new areas are made and closed ones marked;
//! cooperatives of merged areas move to the area replacing them, their visit reports and
//! conflicts with them (a report keeps the path it was written in); officers' assignments
//! over closed areas become assignments over the areas replacing them; targets of periods
//! from the date are carried to the successors. Every record moved is logged for pull, so
//! tablets receive exactly the records that changed: none twice, none left behind.
//!
//! A dry run does all of it and rolls back, so what it shows is what applying does.
//! Audited: each record "reorganise", the reorganisation itself as entity
//! "reorganisation".

use crate::http::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who, WriteTx};
use hoptac_core::model::{in_scope, Area, Cooperative, Role, UserInfo};
use hoptac_core::reorg::{
    plan, AssignmentChange, MovedCooperative, Plan, ReorgPreview, Reorganisation, TargetChange,
    PREVIEW_LIMIT,
};
use hoptac_core::sync::Change;
use std::collections::BTreeMap;

/// Checks and applies (or, with `apply` false, previews) `req`. Errors: 403 for a user who
/// is not an administrator of every area it touches; 422 with every problem of the plan.
pub async fn reorganise(
    db: &Db,
    admin: &UserInfo,
    req: &Reorganisation,
    apply: bool,
) -> ApiResult<ReorgPreview> {
    if admin.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only administrators reorganise areas".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    // One reorganisation or import at a time (PostgreSQL; SQLite's writers are serial).
    tx.wait_for_other_imports().await?;
    let areas = storage::areas::all_in(&mut tx).await?;
    // Every area it names, and where it merges into, must be the administrator's: before
    // anything else (the plan's messages name areas), and whatever the plan says (a
    // district's administrator merging it into the province would cover the province).
    let named = req
        .merges
        .iter()
        .flat_map(|m| m.from.iter().chain(std::iter::once(&m.into)))
        .chain(req.dissolved.iter())
        .chain(req.new_areas.iter().map(|n| &n.parent_id));
    for id in named {
        if let Some(a) = areas.iter().find(|a| &a.id == id) {
            if !in_scope(&a.path, &admin.scopes) {
                return Err(ApiError::Forbidden(
                    "the reorganisation names areas outside yours".into(),
                ));
            }
        }
    }
    let p = plan(req, &areas).map_err(|problems| {
        ApiError::Invalid(
            problems
                .into_iter()
                .map(|message| hoptac_core::validate::FieldError {
                    field: "reorganisation".into(),
                    message,
                })
                .collect(),
        )
    })?;
    let touched = p
        .closed
        .iter()
        .map(|a| a.path.clone())
        .chain(p.created.iter().map(|a| a.path.clone()));
    for path in touched {
        if !in_scope(&path, &admin.scopes) {
            return Err(ApiError::Forbidden(
                "the reorganisation touches areas outside yours".into(),
            ));
        }
    }
    let mut preview = ReorgPreview {
        applied: false,
        created: p.created.clone(),
        closed: p.closed.clone(),
        ..Default::default()
    };
    let names: BTreeMap<String, String> = areas
        .iter()
        .chain(p.created.iter())
        .map(|a| (a.id.clone(), a.name.clone()))
        .collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let id = {
        let mut bytes = [0u8; 6];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        format!("reorg-{}-{}", p.effective_on, hex::encode(bytes))
    };

    let body = serde_json::to_string(req)?;
    storage::reorg::insert(
        &mut tx,
        &id,
        &p.effective_on,
        req.decision.trim(),
        &body,
        &admin.id,
    )
    .await?;

    // The areas.
    for a in &p.created {
        storage::areas::insert(&mut tx, a).await?;
        log_area(&mut tx, a, &a.path)?;
    }
    for a in &p.closed {
        storage::areas::close(&mut tx, a).await?;
        let home = closed_scope(a, &p, &areas);
        log_area(&mut tx, a, &home)?;
        // Its reference-list items serve the area replacing it; a dissolved area's stay
        // with it (no longer offered: its communes went to areas with lists of their own).
        let successor = a.successor_id.as_deref().and_then(|s| p.path_of(s));
        let moved = match successor {
            Some(to) => storage::reorg::rehome(&mut tx, &a.path, to).await?,
            None => Vec::new(),
        };
        for item in moved {
            let body = serde_json::to_string(&Change::Reference(item.clone()))?;
            tx.record_change(
                "reference",
                &item.id,
                &item.area_path,
                &body,
                Who::online(admin),
                "reorganise",
                None,
                &serde_json::to_string(&item)?,
            );
        }
    }

    // The cooperatives, with their reports and conflicts, area by area.
    for closed in &p.closed {
        let coops = storage::cooperatives::of_area_locked(&mut tx, &closed.id).await?;
        if coops.is_empty() {
            continue;
        }
        let Ok(Some((to_id, to_path))) = p.destination(&closed.id) else {
            for c in &coops {
                preview.blocked.push(hoptac_core::i18n::Msg::new(
                    format!("{} ở {} (giải thể, không có địa bàn thay thế): hãy chuyển HTX về xã/phường trước.", c.name, closed.name),
                    format!("{} is in {} (closed with no successor): move it to a commune first.", c.name, closed.name),
                ));
            }
            continue;
        };
        let visits = storage::visits::of_area_locked(&mut tx, &closed.id).await?;
        let conflicts = storage::conflicts::of_area_locked(&mut tx, &closed.id).await?;
        for c in &coops {
            preview.cooperatives_total += 1;
            if preview.cooperatives.len() < PREVIEW_LIMIT {
                preview.cooperatives.push(MovedCooperative {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    from_area: closed.name.clone(),
                    to_area: name(&to_id),
                });
            }
        }
        preview.visits_total += visits.len() as u64;
        move_area(
            &mut tx, admin, &id, &p, &coops, visits, conflicts, &to_id, &to_path,
        )
        .await?;
    }

    // The officers' (and everyone's) areas.
    let closed_ids: Vec<String> = p.closed.iter().map(|a| a.id.clone()).collect();
    let created: Vec<&str> = p.created.iter().map(|a| a.id.as_str()).collect();
    for user_id in storage::reorg::users_assigned_to(&mut tx, &closed_ids).await? {
        let held = storage::users::lock_areas(&mut tx, &user_id).await?;
        let mut after: Vec<String> = held
            .iter()
            .flat_map(|a| p.assignment_after(a, &areas))
            .collect();
        after.sort();
        after.dedup();
        if after == held {
            continue;
        }
        let account = storage::users::account_in(&mut tx, &user_id).await?;
        storage::users::replace_areas(&mut tx, &user_id, &held, &after, Some(&admin.id)).await?;
        // An existing area gained (merged into): its own records reach this user. A new
        // area holds only what moved in, already logged.
        for gained in after
            .iter()
            .filter(|a| !held.contains(a) && !created.contains(&a.as_str()))
        {
            if let Some(path) = p.path_of(gained) {
                tx.relog_area(path);
            }
        }
        let (before_names, after_names): (Vec<String>, Vec<String>) = (
            held.iter().map(|a| name(a)).collect(),
            after.iter().map(|a| name(a)).collect(),
        );
        tx.audit_only(
            "user_areas",
            &user_id,
            Who::online(admin),
            "reorganise",
            Some(&serde_json::to_string(
                &serde_json::json!({ "areas": held }),
            )?),
            &serde_json::to_string(&serde_json::json!({ "areas": after }))?,
        );
        preview.assignments.push(AssignmentChange {
            user_id: user_id.clone(),
            username: account
                .as_ref()
                .map(|a| a.username.clone())
                .unwrap_or_default(),
            display_name: account.map(|a| a.display_name).unwrap_or_default(),
            before: before_names,
            after: after_names,
        });
    }

    // Users who see a closed area through an area that stays (its district) but not where
    // its records went (a commune of another district): the records leave their tablets,
    // like an area taken from them; their own unsent work stays and is still accepted
    // (rules::standing_for judges it where it was written).
    let held = storage::reorg::assignment_paths(&mut tx).await?;
    // Top-most closed areas first: a user sent a district's path needs none of its communes.
    let mut closed_by_depth: Vec<&Area> = p.closed.iter().collect();
    closed_by_depth.sort_by_key(|a| a.path.len());
    let mut sent: Vec<(String, String)> = Vec::new();
    for closed in closed_by_depth {
        let Ok(Some((_, to_path))) = p.destination(&closed.id) else {
            continue;
        };
        let mut users: Vec<&str> = held
            .iter()
            .filter(|(_, path)| closed.path.starts_with(path.as_str()))
            .map(|(u, _)| u.as_str())
            .filter(|u| {
                !held
                    .iter()
                    .any(|(v, path)| v == u && to_path.starts_with(path.as_str()))
            })
            .filter(|u| {
                !sent
                    .iter()
                    .any(|(v, path)| v == u && closed.path.starts_with(path.as_str()))
            })
            .collect();
        users.dedup();
        for user_id in users {
            let body = serde_json::to_string(&Change::AreaUnassigned {
                path: closed.path.clone(),
            })?;
            tx.log_change_for_user(
                "scope",
                &format!("{user_id}:{}", closed.path),
                user_id,
                &body,
            );
            sent.push((user_id.to_string(), closed.path.clone()));
        }
    }

    // Targets of periods from the date.
    let set = storage::targets::all_in(&mut tx).await?;
    let (carried, dropped) = p.carry_targets(&set);
    for ((area, period), t) in &carried {
        storage::targets::upsert(&mut tx, period, area, t, &admin.id).await?;
        tx.audit_only(
            "targets",
            &format!("{period}:{area}"),
            Who::online(admin),
            "reorganise",
            None,
            &serde_json::to_string(t)?,
        );
        preview.targets.push(TargetChange {
            area_id: area.clone(),
            period: period.clone(),
            targets: t.clone(),
            dropped: None,
        });
    }
    for (area, period, t) in &set {
        let moved = p.successor.contains_key(area) || p.dissolved.contains(area);
        let from_date = hoptac_core::six_month::period_bounds(period)
            .is_some_and(|(start, _)| start >= p.effective_on);
        if moved && from_date {
            storage::targets::delete(&mut tx, period, area).await?;
            if let Some((_, _, why)) = dropped.iter().find(|(a, q, _)| a == area && q == period) {
                preview.targets.push(TargetChange {
                    area_id: area.clone(),
                    period: period.clone(),
                    targets: t.clone(),
                    dropped: Some(why.clone()),
                });
            }
        }
    }

    if !apply || !preview.blocked.is_empty() {
        tx.rollback().await?;
        return Ok(preview);
    }
    tx.audit_only(
        "reorganisation",
        &id,
        Who::online(admin),
        "apply",
        None,
        &body,
    );
    tx.commit().await?;
    if let Err(e) = db
        .refresh_statistics(&["sync_log", "cooperatives", "visit_reports", "audit_log"])
        .await
    {
        // Applied all the same; only the next queries may be slower until autovacuum runs.
        tracing::warn!(error = %e, "statistics not refreshed after the reorganisation");
    }
    tracing::info!(reorganisation = %id, by = %admin.id, cooperatives = preview.cooperatives_total, visits = preview.visits_total, "areas reorganised");
    preview.applied = true;
    Ok(preview)
}

/// Logs an area for pull at `scope` (its own path, or for a closed one where the users
/// who held it now are).
fn log_area(tx: &mut WriteTx<'_>, a: &Area, scope: &str) -> ApiResult<()> {
    let body = serde_json::to_string(&Change::Area(a.clone()))?;
    tx.log_change("area", &a.id, scope, &body);
    Ok(())
}

/// Where a closed area is logged: at the path of the area replacing it (its users hold
/// that now), or, dissolved, at its nearest ancestor that stays (pull sends an area to the
/// users beneath it too).
fn closed_scope(a: &Area, p: &Plan, areas: &[Area]) -> String {
    if let Some(path) = a.successor_id.as_deref().and_then(|s| p.path_of(s)) {
        return path.to_string();
    }
    let mut parent = a.parent_id.clone();
    while let Some(id) = parent {
        if let Some(path) = p.path_of(&id) {
            return path.to_string();
        }
        parent = areas
            .iter()
            .find(|x| x.id == id)
            .and_then(|x| x.parent_id.clone());
    }
    String::new()
}

/// Moves the cooperatives `coops` of one closed area (locked) to area `to_id` at
/// `to_path`, with their reports and conflicts.
#[allow(clippy::too_many_arguments)]
async fn move_area(
    tx: &mut WriteTx<'_>,
    admin: &UserInfo,
    reorg_id: &str,
    p: &Plan,
    coops: &[Cooperative],
    visits: Vec<storage::visits::Stored>,
    conflicts: Vec<hoptac_core::merge::Conflict>,
    to_id: &str,
    to_path: &str,
) -> ApiResult<()> {
    let mut moves = Vec::with_capacity(coops.len());
    for c in coops {
        let moved = Cooperative {
            area_id: to_id.to_string(),
            area_path: to_path.to_string(),
            version: c.version + 1,
            ..c.clone()
        };
        storage::cooperatives::update(tx, &moved).await?;
        moves.push(storage::reorg::Move {
            cooperative_id: &c.id,
            reorganisation_id: reorg_id,
            from_area_id: &c.area_id,
            from_path: &c.area_path,
            to_area_id: to_id,
            to_path,
            effective_on: &p.effective_on,
        });
        tx.record_change(
            "cooperative",
            &moved.id,
            to_path,
            &serde_json::to_string(&Change::Cooperative(moved.clone()))?,
            Who::online(admin),
            "reorganise",
            Some(&serde_json::to_string(c)?),
            &serde_json::to_string(&moved)?,
        );
    }
    storage::reorg::record_moves(tx, &moves).await?;
    for s in visits {
        let mut r = s.report;
        if r.written_area_path.is_none() {
            r.written_area_path = Some(r.area_path.clone());
        }
        r.area_path = to_path.to_string();
        let body = serde_json::to_string(&r)?;
        storage::visits::move_to(tx, &r, &body).await?;
        tx.record_change(
            "visit",
            &r.id,
            to_path,
            &serde_json::to_string(&Change::Visit(r.clone()))?,
            Who::online(admin),
            "reorganise",
            Some(&s.body),
            &body,
        );
    }
    for mut k in conflicts {
        k.area_path = to_path.to_string();
        let body = serde_json::to_string(&k)?;
        storage::conflicts::set_area(tx, &k, &body).await?;
        tx.log_change(
            "conflict",
            &k.id,
            to_path,
            &serde_json::to_string(&Change::Conflict(k.clone()))?,
        );
    }
    Ok(())
}
