//! A reorganisation of the area tree applied (issue 16; the plan is
//! hoptac_core::reorg): in one transaction, new areas are made and closed ones marked;
//! cooperatives of merged areas move to the area replacing them, those of a divided area
//! each to the unit it was placed in (the administrator's choice, else the unit nearest
//! its latest visit's GPS position, else the main successor), their visit reports and
//! conflicts with them (a report keeps the path it was written in); officers' assignments
//! over closed areas become assignments over the areas replacing them; targets of periods
//! from the date are carried to the successors. Every record moved is logged for pull, so
//! tablets receive exactly the records that changed: none twice, none left behind.
//!
//! A dry run does all of it and rolls back, so what it shows is what applying does.
//! Audited: each record "reorganise", the reorganisation itself as entity
//! "reorganisation".

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, Db, Who, WriteTx};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Area, Cooperative, Role, UserInfo};
use hoptac_core::reorg::{
    plan, AssignmentChange, MovedCooperative, PlacedBy, Placement, Plan, ReorgPreview,
    Reorganisation, TargetChange, PREVIEW_LIMIT,
};
use hoptac_core::sync::{Change, Entity};
use std::collections::{BTreeMap, HashMap};

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
    // A preview reads one snapshot and locks nothing, so tablets sync meanwhile; applying
    // is one write transaction, one reorganisation or import at a time.
    let mut tx = if apply {
        let mut tx = db.begin_write().await?;
        tx.wait_for_other_imports().await?;
        tx
    } else {
        db.begin_read().await?
    };
    let areas = storage::areas::all_in(&mut tx).await?;
    // Every area it names, and where it merges into, must be the administrator's: before
    // anything else (the plan's messages name areas), and whatever the plan says (a
    // district's administrator merging it into the province would cover the province).
    let named = req
        .merges
        .iter()
        .flat_map(|m| m.from.iter().chain(std::iter::once(&m.into)))
        .chain(req.dissolved.iter())
        .chain(
            req.splits
                .iter()
                .flat_map(|s| std::iter::once(&s.from).chain(s.into.iter())),
        )
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
    let p = plan(req, &areas).map_err(|problems| invalid("reorganisation", problems))?;
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

    // Who held what before: users of a divided area lose the cooperatives placed in a unit
    // their areas after it do not cover.
    let held_before = storage::reorg::assignment_paths(&mut tx).await?;
    let by = MoveBy {
        id: &id,
        effective_on: &p.effective_on,
        user: admin,
        action: "reorganise",
    };
    let mut placed_away: Vec<(String, String, Vec<String>, String)> = Vec::new();
    // The administrator's placements that named a cooperative of a divided area and one
    // of its units: any other is a mistake to say, not to drop.
    let mut placements_used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();

    let body = serde_json::to_string(req)?;
    if apply {
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
        storage::areas::close_many(&mut tx, &p.closed).await?;
        for a in &p.closed {
            let home = closed_scope(a, &p, &areas);
            log_area(&mut tx, a, &home)?;
        }
        // Each closed area's reference-list items serve the area replacing it; a dissolved
        // area's stay with it (no longer offered: its communes went to areas with lists of
        // their own).
        let rehomed: Vec<(&str, &str)> = p
            .closed
            .iter()
            .filter_map(|a| {
                let to = a.successor_id.as_deref().and_then(|s| p.path_of(s))?;
                Some((a.path.as_str(), to))
            })
            .collect();
        for item in storage::reorg::rehome(&mut tx, &rehomed).await? {
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

    // The cooperatives, with their reports and conflicts, area by area: read for all
    // closed areas at once (a country closes ten thousand), moved together after.
    let closed_ids: Vec<String> = p.closed.iter().map(|a| a.id.clone()).collect();
    let mut coops_of: HashMap<String, Vec<Cooperative>> = HashMap::new();
    for (area_id, c) in storage::cooperatives::of_areas_locked(&mut tx, &closed_ids).await? {
        coops_of.entry(area_id).or_default().push(c);
    }
    let reports_of = storage::visits::count_by_area(&mut tx, &closed_ids).await?;
    let mut moving: Vec<Moving> = Vec::new();
    for closed in &p.closed {
        let Some(coops) = coops_of.remove(&closed.id) else {
            continue;
        };
        let Ok(Some((to_id, to_path))) = p.destination(&closed.id) else {
            for c in &coops {
                preview.blocked.push(hoptac_core::i18n::Msg::new(
                    format!("{} ở {} (giải thể, không có địa bàn thay thế): hãy chuyển HTX về xã/phường trước.", c.name, closed.name),
                    format!("{} is in {} (closed with no successor): move it to a commune first.", c.name, closed.name),
                ));
            }
            continue;
        };
        if let Some(into) = p.split_into.get(&closed.id) {
            // Reports are read only where a divided area's cooperatives are placed by
            // their last GPS position.
            let visits = storage::visits::of_area_locked(&mut tx, &closed.id).await?;
            // A divided area: each cooperative to the unit it is placed in.
            let options: Vec<(String, String)> =
                into.iter().map(|i| (i.clone(), name(i))).collect();
            let centres: Vec<(String, (f64, f64))> = into
                .iter()
                .filter_map(|i| {
                    let code = areas
                        .iter()
                        .chain(p.created.iter())
                        .find(|a| &a.id == i)?
                        .code
                        .clone()?;
                    Some((i.clone(), crate::units::centre_today(&code)?))
                })
                .collect();
            let mut groups: BTreeMap<String, Vec<Cooperative>> = BTreeMap::new();
            for c in &coops {
                let position = latest_position(&visits, &c.id);
                let proposed = position
                    .as_ref()
                    .and_then(|(lat, lon, _)| nearest(&centres, *lat, *lon));
                let (to, by) = p
                    .placement(req, &closed.id, &c.id, proposed.as_deref())
                    .expect("a divided area places every cooperative");
                if by == PlacedBy::Administrator {
                    placements_used.insert(c.id.clone());
                }
                let rule = match by {
                    PlacedBy::Administrator => Msg::new("Do bạn chọn.", "As you chose."),
                    PlacedBy::Position => {
                        let date = position.map(|(_, _, d)| d).unwrap_or_default();
                        Msg::new(
                            format!(
                                "Gần trung tâm {} nhất (vị trí GPS lần khảo sát {date}).",
                                name(&to)
                            ),
                            format!(
                                "Nearest to the centre of {} (GPS of the visit on {date}).",
                                name(&to)
                            ),
                        )
                    }
                    PlacedBy::Main => Msg::new(
                        "Đơn vị chính nhận xã/phường này theo nghị quyết.",
                        "The main unit the resolution gives this commune to.",
                    ),
                };
                preview.placements.push(Placement {
                    cooperative_id: c.id.clone(),
                    name: c.name.clone(),
                    from_area: closed.id.clone(),
                    from_name: closed.name.clone(),
                    options: options.clone(),
                    chosen: to.clone(),
                    rule,
                });
                groups.entry(to).or_default().push(c.clone());
            }
            for (to_id, group) in groups {
                let to_path = p.path_of(&to_id).unwrap_or_default().to_string();
                let ids: Vec<&str> = group.iter().map(|c| c.id.as_str()).collect();
                let their_visits: Vec<storage::visits::Stored> = visits
                    .iter()
                    .filter(|v| ids.contains(&v.report.cooperative_id.as_str()))
                    .cloned()
                    .collect();
                for c in &group {
                    listed(&mut preview, c, &closed.name, name(&to_id));
                    if to_id != into[0] {
                        let mut records: Vec<String> = their_visits
                            .iter()
                            .filter(|v| v.report.cooperative_id == c.id)
                            .map(|v| v.report.id.clone())
                            .collect();
                        records.sort();
                        placed_away.push((
                            c.id.clone(),
                            closed.path.clone(),
                            records,
                            to_path.clone(),
                        ));
                    }
                }
                preview.visits_total += their_visits.len() as u64;
                moving.extend(
                    group
                        .into_iter()
                        .map(|c| (c, to_id.clone(), to_path.clone())),
                );
            }
            continue;
        }
        for c in &coops {
            listed(&mut preview, c, &closed.name, name(&to_id));
        }
        preview.visits_total += reports_of.get(&closed.id).copied().unwrap_or(0);
        moving.extend(
            coops
                .into_iter()
                .map(|c| (c, to_id.clone(), to_path.clone())),
        );
    }
    if apply {
        move_cooperatives(&mut tx, &by, &moving).await?;
    }

    // The officers' (and everyone's) areas.
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
        if apply {
            storage::users::replace_areas(&mut tx, &user_id, &held, &after, Some(&admin.id))
                .await?;
            // An existing area gained (merged into): its own records reach this user. A
            // new area holds only what moved in, already logged.
            for gained in after
                .iter()
                .filter(|a| !held.contains(a) && !created.contains(&a.as_str()))
            {
                if let Some(path) = p.path_of(gained) {
                    tx.relog_area(path);
                }
            }
        }
        let (before_names, after_names): (Vec<String>, Vec<String>) = (
            held.iter().map(|a| name(a)).collect(),
            after.iter().map(|a| name(a)).collect(),
        );
        if apply {
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
        }
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
    if apply {
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
    }

    for (coop, area) in &req.placements {
        if !placements_used.contains(coop) {
            preview.blocked.push(Msg::new(
                format!("Lựa chọn \"{coop}\" → \"{area}\" không hợp lệ: chỉ chọn được cho HTX của xã/phường bị chia tách, và một trong các đơn vị nhận xã/phường đó."),
                format!("The placement \"{coop}\" → \"{area}\" is not valid: only a cooperative of a divided commune is placed, in one of the units it is divided into."),
            ));
        }
    }

    // A cooperative of a divided area placed in a unit other than its main successor
    // leaves the tablets of those who held the divided area and do not cover that unit
    // now (with its reports); their own unsent work on it is still accepted as written.
    if apply {
        let held_after = storage::reorg::assignment_paths(&mut tx).await?;
        for (coop_id, from_path, visit_ids, to_path) in &placed_away {
            let mut users: Vec<&str> = held_before
                .iter()
                .filter(|(_, path)| from_path.starts_with(path.as_str()))
                .map(|(u, _)| u.as_str())
                .filter(|u| {
                    !held_after
                        .iter()
                        .any(|(v, path)| v == u && to_path.starts_with(path.as_str()))
                })
                .collect();
            users.sort();
            users.dedup();
            for user_id in users {
                removed_for(&mut tx, user_id, coop_id, visit_ids)?;
            }
        }
    }

    // Targets of periods from the date.
    let set = storage::targets::all_in(&mut tx).await?;
    let (carried, dropped) = p.carry_targets(&set);
    for ((area, period), t) in &carried {
        if apply {
            storage::targets::upsert(&mut tx, period, area, t, &admin.id).await?;
            tx.audit_only(
                "targets",
                &format!("{period}:{area}"),
                Who::online(admin),
                "reorganise",
                None,
                &serde_json::to_string(t)?,
            );
        }
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
            if apply {
                storage::targets::delete(&mut tx, period, area).await?;
            }
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

/// Counts cooperative `c` moved from `from` to `to` in the preview, and names it there
/// while it lists fewer than [`PREVIEW_LIMIT`].
fn listed(preview: &mut ReorgPreview, c: &Cooperative, from: &str, to: String) {
    preview.cooperatives_total += 1;
    if preview.cooperatives.len() < PREVIEW_LIMIT {
        preview.cooperatives.push(MovedCooperative {
            id: c.id.clone(),
            name: c.name.clone(),
            from_area: from.to_string(),
            to_area: to,
        });
    }
}

/// Tells `user_id`'s tablets that cooperative `coop_id` and its reports `visit_ids` left
/// their areas.
pub(crate) fn removed_for(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    coop_id: &str,
    visit_ids: &[String],
) -> ApiResult<()> {
    let records = std::iter::once((Entity::Cooperative, coop_id))
        .chain(visit_ids.iter().map(|v| (Entity::Visit, v.as_str())));
    for (entity, id) in records {
        let body = serde_json::to_string(&Change::Removed {
            entity,
            id: id.to_string(),
        })?;
        tx.log_change_for_user("scope", &format!("{user_id}:{id}"), user_id, &body);
    }
    Ok(())
}

/// The GPS position of cooperative `coop`'s latest visit among `visits` that recorded one:
/// (lat, lon, visit date).
fn latest_position(visits: &[storage::visits::Stored], coop: &str) -> Option<(f64, f64, String)> {
    visits
        .iter()
        .filter(|v| v.report.cooperative_id == coop)
        .filter_map(|v| {
            let p = v.report.findings.position.as_ref()?;
            Some((p.lat, p.lon, v.report.visit_date.clone()))
        })
        .max_by(|a, b| a.2.cmp(&b.2))
}

/// The id of the centre nearest to (lat, lon), by distance on the sphere.
fn nearest(centres: &[(String, (f64, f64))], lat: f64, lon: f64) -> Option<String> {
    let d = |(a, b): (f64, f64)| {
        let (p1, p2) = (lat.to_radians(), a.to_radians());
        let dl = (b - lon).to_radians();
        // Equirectangular: exact enough to tell neighbouring communes apart.
        let x = dl * ((p1 + p2) / 2.0).cos();
        let y = p2 - p1;
        x * x + y * y
    };
    centres
        .iter()
        .min_by(|a, b| d(a.1).total_cmp(&d(b.1)))
        .map(|(id, _)| id.clone())
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

/// Where cooperatives move: the move's id (a reorganisation's, or a single move's: the
/// row of `reorganisations` their history points to), its date, who and the audit action.
pub(crate) struct MoveBy<'a> {
    pub id: &'a str,
    pub effective_on: &'a str,
    pub user: &'a UserInfo,
    /// "reorganise", "move", "import".
    pub action: &'a str,
}

/// A cooperative (locked) and the area it goes to: (cooperative, area id, area path).
pub(crate) type Moving = (Cooperative, String, String);

/// Moves the cooperatives of `moving` each to its area, with their reports and conflicts:
/// each logged for pull at the new path and audited, each move kept in
/// `cooperative_moves` (a report written before it is judged where it was written). The
/// reports move in the database ([`storage::visits::follow`]); a country's reform moves
/// a hundred thousand cooperatives and a million reports in a few dozen statements.
pub(crate) async fn move_cooperatives(
    tx: &mut WriteTx<'_>,
    by: &MoveBy<'_>,
    moving: &[Moving],
) -> ApiResult<()> {
    let (admin, reorg_id, action) = (by.user, by.id, by.action);
    let mut moves = Vec::with_capacity(moving.len());
    let mut moved_all = Vec::with_capacity(moving.len());
    for (c, to_id, to_path) in moving {
        let moved = Cooperative {
            area_id: to_id.clone(),
            area_path: to_path.clone(),
            moved_from: Some(hoptac_core::model::FormerPlace {
                area_id: c.area_id.clone(),
                until: by.effective_on.to_string(),
            }),
            version: c.version + 1,
            ..c.clone()
        };
        moves.push(storage::reorg::Move {
            cooperative_id: &c.id,
            reorganisation_id: reorg_id,
            from_area_id: &c.area_id,
            from_path: &c.area_path,
            to_area_id: to_id,
            to_path,
            effective_on: by.effective_on,
        });
        tx.record_change(
            "cooperative",
            &moved.id,
            to_path,
            &serde_json::to_string(&Change::Cooperative(moved.clone()))?,
            Who::online(admin),
            action,
            Some(&serde_json::to_string(c)?),
            &serde_json::to_string(&moved)?,
        );
        moved_all.push(moved);
    }
    storage::cooperatives::move_many(tx, &moved_all).await?;
    storage::reorg::record_moves(tx, &moves).await?;
    // A report moved with its cooperative changes only its area: the cooperative's audit
    // entry above says so for all of them.
    let follows: Vec<(&str, &str)> = moving
        .iter()
        .map(|(c, _, to_path)| (c.id.as_str(), to_path.as_str()))
        .collect();
    storage::visits::follow(tx, &follows).await?;
    let ids: Vec<&str> = moving.iter().map(|(c, _, _)| c.id.as_str()).collect();
    let to: HashMap<&str, &str> = moving
        .iter()
        .map(|(c, _, p)| (c.id.as_str(), p.as_str()))
        .collect();
    for mut k in storage::conflicts::of_cooperatives_locked(tx, &ids).await? {
        let Some(to_path) = to.get(k.cooperative_id.as_str()) else {
            continue;
        };
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

/// The 2025 reform as published, for today's province `province` (an id of the tree):
/// the bundled correspondence ([`crate::units::reform_2025`]) of the former provinces
/// that make it, turned into a reorganisation of the tree's old units
/// ([`hoptac_core::reorg::from_correspondence`]); preview or apply it with
/// [`reorganise`]. Administrators of the province.
///
/// Errors: 403 (role, or a province outside the administrator's areas), 404 (no such open
/// area), 422 (not a province with an official code; nothing of the tree in it).
pub async fn official_2025(db: &Db, admin: &UserInfo, province: &str) -> ApiResult<Reorganisation> {
    if admin.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only administrators reorganise areas".into(),
        ));
    }
    let areas = storage::areas::all(db).await?;
    let (_, code) = super::areas::official_province(&areas, province, admin)?;
    let rows: Vec<hoptac_core::reorg::Correspondence> = crate::units::reform_2025()
        .iter()
        .filter(|r| r.new_province_code.as_deref() == Some(code))
        .cloned()
        .collect();
    build(
        &rows,
        &areas,
        crate::units::REFORM_DATE,
        crate::units::REFORM_DECISION,
    )
}

/// A reorganisation given as the table a resolution publishes (old code, old name, new
/// code, new name; a row per old unit and new unit), read from XLSX or CSV like any
/// upload ([`crate::spreadsheets`]), from `effective_on` under `decision`. Preview or
/// apply it with [`reorganise`]. Administrators.
///
/// Errors: 403; 422 `file` (unreadable, or rows refused, each named), `effective_on`,
/// `decision`.
pub async fn from_table(
    db: &Db,
    admin: &UserInfo,
    bytes: &[u8],
    effective_on: &str,
    decision: &str,
) -> ApiResult<Reorganisation> {
    if admin.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only administrators reorganise areas".into(),
        ));
    }
    if hoptac_core::validate::parse_iso_date(effective_on).is_none() {
        return Err(ApiError::field(
            "effective_on",
            hoptac_core::i18n::Msg::new(
                "Ngày hiệu lực phải là một ngày (YYYY-MM-DD).",
                "The effective date must be a date (YYYY-MM-DD).",
            ),
        ));
    }
    if decision.trim().is_empty()
        || decision.chars().count() > 300
        || decision
            .chars()
            .any(|c| c == '\n' || hoptac_core::text::is_forbidden_char(c))
    {
        return Err(ApiError::field(
            "decision",
            hoptac_core::i18n::Msg::new(
                "Hãy ghi văn bản quyết định việc sắp xếp (tối đa 300 ký tự).",
                "Name the decision the reorganisation carries out (at most 300 characters).",
            ),
        ));
    }
    let rows = crate::spreadsheets::read_upload(bytes, None).await?.rows;
    let table = hoptac_core::area_list::correspondence(&rows).map_err(|refused| {
        invalid(
            "file",
            refused
                .into_iter()
                .map(|r| {
                    hoptac_core::i18n::Msg::new(
                        format!("Dòng {}: {}", r.row, r.reason.vi),
                        format!("Row {}: {}", r.row, r.reason.en),
                    )
                })
                .collect(),
        )
    })?;
    // The tree as the administrator sees it: their areas and those above them.
    let areas: Vec<Area> = storage::areas::all(db)
        .await?
        .into_iter()
        .filter(|a| {
            in_scope(&a.path, &admin.scopes) || admin.scopes.iter().any(|s| s.starts_with(&a.path))
        })
        .collect();
    // Every row names an old unit the tree holds, by its code and its name.
    let mut wrong = Vec::new();
    let key = |s: &str| hoptac_core::registry::area_name_key(s);
    for (r, old) in table
        .iter()
        .zip(hoptac_core::reorg::old_units(&table, &areas))
    {
        match old {
            None => wrong.push(hoptac_core::i18n::Msg::new(
                format!(
                    "Dòng {}: không có xã/phường mã {} đang hoạt động trong địa bàn của bạn.",
                    r.row, r.old_code
                ),
                format!(
                    "Row {}: no open commune with code {} in your areas.",
                    r.row, r.old_code
                ),
            )),
            Some(a) if !r.old_name.is_empty() && key(&r.old_name) != key(&a.name) => {
                wrong.push(hoptac_core::i18n::Msg::new(
                    format!(
                        "Dòng {}: mã {} là {}, không phải \"{}\".",
                        r.row, r.old_code, a.name, r.old_name
                    ),
                    format!(
                        "Row {}: code {} is {}, not \"{}\".",
                        r.row, r.old_code, a.name, r.old_name
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    if !wrong.is_empty() {
        return Err(invalid("file", wrong));
    }
    build(&table, &areas, effective_on, decision.trim())
}

/// A 422 with `messages` for `field`, at most [`MAX_PROBLEMS`] of them and a line saying
/// how many more (a file of thousands of bad rows answers in a page, not megabytes).
fn invalid(field: &str, mut messages: Vec<hoptac_core::i18n::Msg>) -> ApiError {
    let more = messages.len().saturating_sub(MAX_PROBLEMS);
    messages.truncate(MAX_PROBLEMS);
    if more > 0 {
        messages.push(hoptac_core::i18n::Msg::new(
            format!("… và {more} lỗi khác."),
            format!("… and {more} more."),
        ));
    }
    ApiError::Invalid(
        messages
            .into_iter()
            .map(|message| hoptac_core::validate::FieldError {
                field: field.into(),
                message,
            })
            .collect(),
    )
}

/// Most problems one answer lists.
const MAX_PROBLEMS: usize = 50;

fn build(
    rows: &[hoptac_core::reorg::Correspondence],
    areas: &[Area],
    effective_on: &str,
    decision: &str,
) -> ApiResult<Reorganisation> {
    let suffix = effective_on.get(..4).unwrap_or("moi").to_string();
    hoptac_core::reorg::from_correspondence(rows, areas, effective_on, decision, |code, taken| {
        crate::units::id_for(code, &suffix, taken)
    })
    .map_err(|problems| invalid("reorganisation", problems))
}
