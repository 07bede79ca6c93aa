//! The six-monthly review (issue 5): computed for a period and area from approved reports
//! (the figures are hoptac_core::six_month::compute), and the targets supervisors set.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, areas::AreaRef, Db, Who};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Role, UserInfo};
use hoptac_core::six_month::{
    bad_period, compute_parts, period_bounds, roll_up, year_before, CoopPart, Ids, RecordRef,
    RecordsPage, ReviewPart, ReviewResponse, SixMonthReview, Targets, TargetsRequest, FIGURES,
};
use std::collections::HashMap;
use std::sync::Arc;

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

/// The review of `period` for `area` (None: all of `scopes`), this period's and last
/// year's, with the ids behind the figures `ids` asks for (`GET /api/review` sends none
/// unless asked; the drill-down asks [`records`]).
pub async fn load_review(
    db: &Db,
    scopes: &[String],
    period: &str,
    area: Option<&str>,
    ids: Ids<'_>,
) -> ApiResult<ReviewResponse> {
    let c = compute_review(db, scopes, period, area, ids, Some(ids)).await?;
    Ok(c.into_response())
}

/// The half-years with approved reports in `scopes`, newest first (`GET /api/review/periods`).
pub async fn periods(
    db: &Db,
    scopes: &[String],
) -> ApiResult<hoptac_core::six_month::ReviewPeriods> {
    Ok(hoptac_core::six_month::ReviewPeriods {
        with_reports: storage::visits::periods_approved(db, scopes).await?,
    })
}

/// A computed review and what it was computed from, to name the records behind a figure.
struct Computed {
    response: ReviewResponse,
    coops: Arc<Vec<CoopPart>>,
    /// What the review read of the standing reports of the period and, after them, of the
    /// same period last year.
    reports: Vec<ReviewPart>,
}

impl Computed {
    /// The review; what it was computed from (a country's: ~250,000 records) is freed on a
    /// blocking thread, not on the way to the answer.
    fn into_response(self) -> ReviewResponse {
        let Computed {
            response,
            coops,
            reports,
        } = self;
        tokio::task::spawn_blocking(move || drop((coops, reports)));
        response
    }
}

/// The review, listing the ids `ids` asks for this period and `last_year_ids` for the
/// same period last year; with `last_year_ids` None, last year is neither read nor
/// computed (`last_year` None: the drill-down of this period's figure).
async fn compute_review(
    db: &Db,
    scopes: &[String],
    period: &str,
    area: Option<&str>,
    ids: Ids<'_>,
    last_year_ids: Option<Ids<'_>>,
) -> ApiResult<Computed> {
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
    let load_coops = async {
        if closed {
            let mut then: Vec<CoopPart> =
                storage::cooperatives::review_parts_in_paths(db, &paths).await?;
            then.retain(|c| mine(&c.area_path));
            for (c, from_path) in storage::cooperatives::moved_from_paths(db, &paths).await? {
                if mine(&c.area_path) && !then.iter().any(|x| x.id == c.id) {
                    then.push(CoopPart {
                        area_path: from_path,
                        ..CoopPart::of(&c)
                    });
                }
            }
            Ok::<_, ApiError>(then)
        } else {
            Ok(storage::cooperatives::review_parts_in_paths(db, &paths).await?)
        }
    };
    // Only the report that stands for each cooperative (its latest approved visit in the
    // period, as compute() would pick) leaves the database, and only the parts of it the
    // review reads.
    let standing = |bounds: Option<(String, String)>| {
        let paths = paths.clone();
        async move {
            let Some((from, to)) = bounds else {
                return Ok::<_, ApiError>(Vec::new());
            };
            if closed {
                let mut reports =
                    storage::visits::standing_approved_written(db, &paths, &from, &to).await?;
                reports.retain(|r| mine(&r.area_path));
                Ok(reports)
            } else {
                Ok(storage::visits::standing_approved(db, &paths, &from, &to).await?)
            }
        }
    };
    let before = last_year_ids
        .and_then(|_| year_before(period))
        .and_then(|p| period_bounds(&p).map(|b| (p, b)));
    let load_targets = async { Ok::<_, ApiError>(storage::targets::for_period(db, period).await?) };
    let load_reference = async { Ok::<_, ApiError>(storage::reference::all(db).await?) };
    // Read side by side (PostgreSQL runs them on separate connections): the country's
    // review waits for its slowest read, not for their sum (docs/BENCHMARKS.md).
    let (coops, now, then, set, reference) = tokio::try_join!(
        load_coops,
        standing(Some((from.clone(), to.clone()))),
        standing(before.as_ref().map(|(_, b)| b.clone())),
        load_targets,
        load_reference,
    )?;

    // Targets: per figure, the area's own or the nearest set beneath it (core roll_up);
    // with no area chosen, the sum over the caller's areas, each rolled up alone.
    let set: Vec<(String, Targets)> = set.into_iter().map(|(_, path, t)| (path, t)).collect();
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

    // This period and the same half a year earlier, computed side by side off the async
    // threads (a country's: ~0.2 s and ~0.4 s). Last year is over the same (today's)
    // areas: reports moved by a reorganisation count under the area that replaced theirs.
    let (coops, reference) = (Arc::new(coops), Arc::new(reference));
    let this_period = {
        let (coops, reference, period) = (coops.clone(), reference.clone(), period.to_string());
        let ids = Owned::of(ids);
        tokio::task::spawn_blocking(move || {
            let review = compute_parts(&period, &coops, &now, &targets, &reference, ids.as_ids());
            (review, now)
        })
    };
    let a_year_earlier = {
        let (coops, reference) = (coops.clone(), reference.clone());
        let ids = Owned::of(last_year_ids.unwrap_or(Ids::None));
        tokio::task::spawn_blocking(move || {
            let review = before.map(|(p, _)| {
                compute_parts(
                    &p,
                    &coops,
                    &then,
                    &Targets::default(),
                    &reference,
                    ids.as_ids(),
                )
            });
            (review, then)
        })
    };
    let joined = |e: tokio::task::JoinError| ApiError::Internal(format!("the review: {e}"));
    let (review, now) = this_period.await.map_err(joined)?;
    let (last_year, then) = a_year_earlier.await.map_err(joined)?;
    let mut reports = now;
    reports.extend(then);
    Ok(Computed {
        response: ReviewResponse {
            area_id,
            area_name,
            review,
            own_targets: own,
            last_year,
        },
        coops,
        reports,
    })
}

/// An [`Ids`] that can move to a blocking thread.
enum Owned {
    All,
    None,
    Of(String),
}

impl Owned {
    fn of(ids: Ids) -> Self {
        match ids {
            Ids::All => Owned::All,
            Ids::None => Owned::None,
            Ids::Of(f) => Owned::Of(f.to_string()),
        }
    }

    fn as_ids(&self) -> Ids<'_> {
        match self {
            Owned::All => Ids::All,
            Owned::None => Ids::None,
            Owned::Of(f) => Ids::Of(f),
        }
    }
}

/// The largest page of [`records`].
pub const RECORDS_PAGE_MAX: u32 = 500;

/// Which records behind a figure of the review to list (`GET /api/review/records`).
#[derive(Debug, Clone, Copy)]
pub struct RecordsAsk<'a> {
    /// The six-month period, "2021-H2".
    pub period: &'a str,
    /// An area id; None: all of the caller's areas.
    pub area: Option<&'a str>,
    /// A key of hoptac_core::six_month::FIGURES or a tally's item
    /// ("difficulties:finding_markets").
    pub figure: &'a str,
    /// The same figure a year earlier.
    pub last_year: bool,
    /// Position of the first record listed.
    pub offset: u32,
    /// Records per page, 1 to [`RECORDS_PAGE_MAX`] (422 otherwise, as `GET /api/visits`).
    pub limit: u32,
}

/// One page of the records behind a figure of the review, for a caller with `scopes`.
/// Errors: an unknown figure or period, last year of a period with none (422), an area
/// out of scope (403).
pub async fn records(db: &Db, scopes: &[String], ask: RecordsAsk<'_>) -> ApiResult<RecordsPage> {
    let RecordsAsk {
        period,
        area,
        figure,
        last_year,
        offset,
        limit,
    } = ask;
    let bad_figure = || {
        ApiError::field(
            "figure",
            Msg::new(
                format!("Không có chỉ tiêu \"{figure}\" trong báo cáo sơ kết."),
                format!("The review has no figure \"{figure}\"."),
            ),
        )
    };
    // Checked before anything is read.
    if !(1..=RECORDS_PAGE_MAX).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            Msg::new(
                format!("Mỗi trang từ 1 đến {RECORDS_PAGE_MAX} hồ sơ."),
                format!("A page holds 1 to {RECORDS_PAGE_MAX} records."),
            ),
        ));
    }
    if !FIGURES.contains(&figure)
        && !figure
            .split_once(':')
            .is_some_and(|(l, _)| matches!(l, "value_chains" | "difficulties" | "support_received"))
    {
        return Err(bad_figure());
    }
    // Only this figure's records are listed, of the period asked for; last year is read
    // only when asked for.
    let (now, then) = if last_year {
        (Ids::None, Some(Ids::Of(figure)))
    } else {
        (Ids::Of(figure), None)
    };
    let c = compute_review(db, scopes, period, area, now, then).await?;
    let review = if last_year {
        c.response.last_year.as_ref().ok_or_else(|| {
            ApiError::field(
                "last_year",
                Msg::new(
                    format!("Kỳ {period} không có cùng kỳ năm trước."),
                    format!("The period {period} has no same period a year earlier."),
                ),
            )
        })?
    } else {
        &c.response.review
    };
    let cooperatives = SixMonthReview::lists_cooperatives(figure);
    let dir = Directory::new(cooperatives, &c.coops, &c.reports);
    let ids = by_name(review.ids_of(figure).ok_or_else(bad_figure)?, &dir);
    let limit = limit as usize;
    let start = (offset as usize).min(ids.len());
    let end = (start + limit).min(ids.len());
    let page = RecordsPage {
        figure: figure.to_string(),
        period: review.period.clone(),
        total: ids.len() as u32,
        offset: start as u32,
        records: name_records(&ids[start..end], cooperatives, &dir),
        next: (end < ids.len()).then_some(end as u32),
    };
    c.into_response();
    Ok(page)
}

/// What names a figure's records: each cooperative's name by id, and (for a figure of
/// reports) each report by id. Built once per drill-down page, for ordering and naming.
struct Directory<'a> {
    names: HashMap<&'a str, &'a str>,
    visits: HashMap<&'a str, &'a ReviewPart>,
}

impl<'a> Directory<'a> {
    fn new(cooperatives: bool, coops: &'a [CoopPart], reports: &'a [ReviewPart]) -> Self {
        Directory {
            names: coops
                .iter()
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
            visits: if cooperatives {
                HashMap::new()
            } else {
                reports.iter().map(|r| (r.id.as_str(), r)).collect()
            },
        }
    }

    fn name(&self, cooperative_id: &str) -> &'a str {
        self.names.get(cooperative_id).copied().unwrap_or("")
    }
}

/// A figure's records in the order the drill-down lists them, as a supervisor looks one
/// up: by the cooperative's name (Vietnamese letters folded: "Ân" with "An", as the
/// registry sorts), then a cooperative's reports newest visit first, then by id (so pages
/// by `offset` are stable).
fn by_name<'a>(ids: &'a [String], dir: &Directory<'a>) -> Vec<&'a str> {
    let mut out: Vec<&str> = ids.iter().map(String::as_str).collect();
    out.sort_by_cached_key(|&id| {
        let (coop, date) = match dir.visits.get(id) {
            Some(r) => (r.cooperative_id.as_str(), r.visit_date.as_str()),
            None => (id, ""),
        };
        (
            hoptac_core::text::normalize(dir.name(coop)),
            std::cmp::Reverse(date),
            id,
        )
    });
    out
}

/// Names the records `ids` for the drill-down: cooperatives (`cooperatives`) or visit
/// reports, in that order.
fn name_records(ids: &[&str], cooperatives: bool, dir: &Directory<'_>) -> Vec<RecordRef> {
    ids.iter()
        .map(|&id| {
            if cooperatives {
                return RecordRef {
                    id: id.to_string(),
                    entity: "cooperative".into(),
                    name: dir.name(id).to_string(),
                    visit_date: String::new(),
                    author_name: String::new(),
                };
            }
            let r = dir.visits.get(id);
            RecordRef {
                id: id.to_string(),
                entity: "visit".into(),
                name: r.map_or("", |r| dir.name(&r.cooperative_id)).to_string(),
                visit_date: r.map(|r| r.visit_date.clone()).unwrap_or_default(),
                author_name: r.map(|r| r.author_name.clone()).unwrap_or_default(),
            }
        })
        .collect()
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
