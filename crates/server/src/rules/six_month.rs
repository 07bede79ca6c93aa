//! The six-monthly review (issue 5): computed for a period and area from approved reports
//! (the figures are hoptac_core::six_month::compute), and the targets supervisors set.

use crate::http::error::{ApiError, ApiResult};
use crate::storage::{self, areas::AreaRef, Db, Who};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Cooperative, Role, UserInfo, VisitReport};
use hoptac_core::six_month::{
    bad_period, compute, period_bounds, roll_up, year_before, RecordRef, ReviewResponse,
    SixMonthReview, Targets, TargetsRequest,
};

/// The area the caller asked for, checked against their scope; with `history`, also a
/// closed area whose successor they hold (to read its past, never to set its targets):
/// then the bool is true (they see it through its history only).
async fn area_in_scope(
    db: &Db,
    scopes: &[String],
    area: &str,
    history: bool,
) -> ApiResult<(AreaRef, bool)> {
    let Some(found) = storage::areas::get(db, area).await? else {
        return Err(ApiError::field(
            "area",
            Msg::new(
                format!("Không có địa bàn mã \"{area}\". Chọn địa bàn trong danh sách."),
                format!("There is no area \"{area}\". Choose one from the list."),
            ),
        ));
    };
    // A closed area also for whoever holds the area that replaced it (its history).
    let through_history = || async {
        let all = storage::areas::all(db).await?;
        Ok::<bool, ApiError>(
            all.iter()
                .find(|a| a.id == found.id)
                .is_some_and(|a| hoptac_core::reorg::covers_history(a, &all, scopes)),
        )
    };
    if in_scope(&found.path, scopes) {
        return Ok((found, false));
    }
    if history && found.closed_on.is_some() && through_history().await? {
        return Ok((found, true));
    }
    Err(ApiError::Forbidden(
        "this area is outside your assigned areas".into(),
    ))
}

/// Computes the review of `period` for `area` (None: all of `scopes`). Public for the
/// benchmark (benches/review.rs).
pub async fn load_review(
    db: &Db,
    scopes: &[String],
    period: &str,
    area: Option<&str>,
) -> ApiResult<ReviewResponse> {
    let Some((from, to)) = period_bounds(period) else {
        return Err(ApiError::field("period", bad_period(period)));
    };
    let (area_id, area_name, paths, closed, history_only) = match area.filter(|a| !a.is_empty()) {
        Some(a) => {
            let (a, history_only) = area_in_scope(db, scopes, a, true).await?;
            let closed = a.closed_on.is_some();
            (Some(a.id), a.name, vec![a.path], closed, history_only)
        }
        None => (None, String::new(), scopes.to_vec(), false, false),
    };
    // Seen through its history only (the caller holds what replaced it): only the records
    // that are in the caller's areas today, not those that went to other areas.
    let mine = |path: &str| !history_only || in_scope(path, scopes);

    // An area a reorganisation closed: the review in the areas of its time, by where each
    // report was written and where each cooperative was (issue 16).
    let coops = if closed {
        let mut then: Vec<Cooperative> = storage::cooperatives::in_paths(db, &paths).await?;
        then.retain(|c| mine(&c.area_path));
        for (c, from_path) in storage::cooperatives::moved_from_paths(db, &paths).await? {
            if mine(&c.area_path) && !then.iter().any(|x| x.id == c.id) {
                then.push(Cooperative {
                    area_path: from_path,
                    ..c
                });
            }
        }
        then
    } else {
        storage::cooperatives::in_paths(db, &paths).await?
    };
    // Only the report that stands for each cooperative (its latest approved visit in the
    // period, as compute() would pick) leaves the database.
    let standing = |from: String, to: String| {
        let paths = paths.clone();
        async move {
            if closed {
                let mut reports =
                    storage::visits::standing_approved_written(db, &paths, &from, &to).await?;
                reports.retain(|r| mine(&r.area_path));
                Ok(reports)
            } else {
                storage::visits::standing_approved(db, &paths, &from, &to).await
            }
        }
    };
    let reports = standing(from.clone(), to.clone()).await?;

    // Targets: per figure, the area's own or the nearest set beneath it (core roll_up);
    // with no area chosen, the sum over the caller's areas, each rolled up alone.
    let set: Vec<(String, Targets)> = storage::targets::for_period(db, period)
        .await?
        .into_iter()
        .map(|(_, path, t)| (path, t))
        .collect();
    let own = match &area_id {
        Some(_) => set
            .iter()
            .find(|(p, _)| Some(p) == paths.first())
            .map(|(_, t)| t.clone())
            .unwrap_or_default(),
        None => Targets::default(),
    };
    let mut targets = Targets::default();
    for p in paths.iter().filter(|p| {
        !paths
            .iter()
            .any(|q| q.len() < p.len() && p.starts_with(q.as_str()))
    }) {
        targets.add(&roll_up(p, &set));
    }

    let reference = storage::reference::all(db).await?;
    let review = compute(period, &coops, &reports, &targets, &reference);
    let mut records = records_of(&review, &coops, &reports);
    // The same half a year earlier over the same (today's) areas: reports moved by a
    // reorganisation count under the area that replaced theirs.
    let last_year = match year_before(period).and_then(|p| period_bounds(&p).map(|b| (p, b))) {
        Some((before, (from, to))) => {
            let reports = standing(from, to).await?;
            let r = compute(&before, &coops, &reports, &Targets::default(), &reference);
            let known: std::collections::HashSet<String> =
                records.iter().map(|x| x.id.clone()).collect();
            records.extend(
                records_of(&r, &coops, &reports)
                    .into_iter()
                    .filter(|x| !known.contains(&x.id)),
            );
            Some(r)
        }
        None => None,
    };
    Ok(ReviewResponse {
        area_id,
        area_name,
        review,
        own_targets: own,
        records,
        last_year,
    })
}

/// Every cooperative and report a figure names, for the drill-down lists.
fn records_of(
    review: &SixMonthReview,
    coops: &[Cooperative],
    reports: &[VisitReport],
) -> Vec<RecordRef> {
    let names: std::collections::HashMap<&str, &str> = coops
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let mut out: Vec<RecordRef> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for id in review
        .new_htx
        .ids
        .iter()
        .chain(&review.new_tht.ids)
        .chain(&review.no_founding_date.ids)
        .chain(&review.standstill.ids)
    {
        if seen.insert(id.clone()) {
            out.push(RecordRef {
                id: id.clone(),
                entity: "cooperative".into(),
                name: names.get(id.as_str()).unwrap_or(&"").to_string(),
                visit_date: String::new(),
                author_name: String::new(),
            });
        }
    }
    let standing: std::collections::HashSet<&str> =
        review.reports.iter().map(String::as_str).collect();
    for r in reports.iter().filter(|r| standing.contains(r.id.as_str())) {
        out.push(RecordRef {
            id: r.id.clone(),
            entity: "visit".into(),
            name: names
                .get(r.cooperative_id.as_str())
                .unwrap_or(&"")
                .to_string(),
            visit_date: r.visit_date.clone(),
            author_name: r.author_name.clone(),
        });
    }
    out
}

/// Sets the targets of an area for a period (supervisors and administrators, inside their
/// areas); kept in the audit trail as entity "targets", id "<period>:<area id>".
pub async fn set_targets(db: &Db, user: &UserInfo, req: &TargetsRequest) -> ApiResult<Targets> {
    if !matches!(user.role, Role::Supervisor | Role::Admin) {
        return Err(ApiError::Forbidden("your role may not do this".into()));
    }
    if period_bounds(&req.period).is_none() {
        return Err(ApiError::field("period", bad_period(&req.period)));
    }
    req.targets
        .validate()
        .map_err(|e| ApiError::field(&e.field, e.message))?;
    // Only an area of the caller's today: a closed one's targets are its history.
    area_in_scope(db, &user.scopes, &req.area_id, false).await?;
    let mut tx = db.begin_write().await?;
    let old = storage::targets::lock(&mut tx, &req.period, &req.area_id).await?;
    storage::targets::upsert(&mut tx, &req.period, &req.area_id, &req.targets, &user.id).await?;
    tx.audit_only(
        "targets",
        &format!("{}:{}", req.period, req.area_id),
        Who::online(user),
        "set_targets",
        old.map(|o| serde_json::to_string(&o))
            .transpose()?
            .as_deref(),
        &serde_json::to_string(&req.targets)?,
    );
    tx.commit().await?;
    Ok(req.targets.clone())
}
