//! The six-monthly review (issue 5): `GET /api/review` computes it for a period and area
//! from approved reports (the figures are hoptac_core::six_month::compute), `PUT
//! /api/targets` sets an area's targets for a period (supervisors and administrators), and
//! `GET /api/review/export` gives it as CSV or XLSX (see [`crate::export`]).

use crate::auth::AuthUser;
use crate::db::{now_ms, scope_clause, Db, Who};
use crate::error::{ApiError, ApiResult, Json};
use crate::export::{Cell, Format};
use crate::AppState;
use axum::extract::{Query, State};
use axum::routing::{get, put};
use axum::Router;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Cooperative, Role, VisitReport};
use hoptac_core::report::Labelled;
use hoptac_core::six_month::{
    bad_period, compute, period_bounds, RecordRef, ReviewResponse, SixMonthReview, Targets,
    TargetsRequest,
};
use serde::Deserialize;
use sqlx::Row;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review", get(review))
        .route("/review/export", get(export))
        .route("/targets", put(set_targets))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReviewQuery {
    /// "2021-H2": the second half of 2021.
    pub period: String,
    /// An area id; all the caller's areas when left out.
    pub area: Option<String>,
    /// For the export: "csv" or "xlsx".
    pub format: Option<String>,
}

/// Targets from three columns of `row` starting at `first` (new_htx, new_tht,
/// works_handed_over).
fn targets_at(row: &sqlx::any::AnyRow, first: usize) -> ApiResult<Targets> {
    let get = |i: usize| -> ApiResult<Option<u32>> {
        Ok(row.try_get::<Option<i64>, _>(first + i)?.map(|v| v as u32))
    };
    Ok(Targets {
        new_htx: get(0)?,
        new_tht: get(1)?,
        works_handed_over: get(2)?,
    })
}

/// The area the caller asked for, checked against their scope: (id, name, path).
async fn area_in_scope(
    db: &Db,
    scopes: &[String],
    area: &str,
) -> ApiResult<(String, String, String)> {
    let row = sqlx::query("SELECT name, path FROM areas WHERE id = $1")
        .bind(area)
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else {
        return Err(ApiError::field(
            "area",
            Msg::new(
                format!("Không có địa bàn mã \"{area}\". Chọn địa bàn trong danh sách."),
                format!("There is no area \"{area}\". Choose one from the list."),
            ),
        ));
    };
    let (name, path): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    if !in_scope(&path, scopes) {
        return Err(ApiError::Forbidden(
            "this area is outside your assigned areas".into(),
        ));
    }
    Ok((area.to_string(), name, path))
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
    let (area_id, area_name, paths) = match area.filter(|a| !a.is_empty()) {
        Some(a) => {
            let (id, name, path) = area_in_scope(db, scopes, a).await?;
            (Some(id), name, vec![path])
        }
        None => (None, String::new(), scopes.to_vec()),
    };

    let sql = format!(
        "SELECT body FROM cooperatives WHERE {}",
        scope_clause("area_path", 1, paths.len())
    );
    let mut q = sqlx::query(&sql);
    for p in &paths {
        q = q.bind(p);
    }
    let mut coops: Vec<Cooperative> = Vec::new();
    for r in q.fetch_all(&db.pool).await? {
        coops.push(serde_json::from_str(&r.try_get::<String, _>(0)?)?);
    }

    // Only the report that stands for each cooperative (its latest approved visit in the
    // period, as compute() would pick) leaves the database.
    let sql = format!(
        "SELECT body FROM (SELECT body, ROW_NUMBER() OVER (PARTITION BY cooperative_id
             ORDER BY visit_date DESC, revision DESC, id DESC) AS n
           FROM visit_reports
           WHERE status = 'approved' AND visit_date >= $1 AND visit_date <= $2 AND {}) AS t
         WHERE n = 1",
        scope_clause("area_path", 3, paths.len())
    );
    let mut q = sqlx::query(&sql).bind(&from).bind(&to);
    for p in &paths {
        q = q.bind(p);
    }
    let mut reports: Vec<VisitReport> = Vec::new();
    for r in q.fetch_all(&db.pool).await? {
        reports.push(serde_json::from_str(&r.try_get::<String, _>(0)?)?);
    }

    // Targets: the area's own, or the sum of those set beneath it.
    let rows = sqlx::query("SELECT t.area_id, a.path, t.new_htx, t.new_tht, t.works_handed_over FROM targets t JOIN areas a ON a.id = t.area_id WHERE t.period = $1")
        .bind(period)
        .fetch_all(&db.pool)
        .await?;
    let mut own = Targets::default();
    let mut beneath = Targets::default();
    for r in rows {
        let (id, path): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let t = targets_at(&r, 2)?;
        if area_id.as_deref() == Some(id.as_str()) {
            own = t;
        } else if in_scope(&path, &paths) {
            beneath.add(&t);
        }
    }
    let targets = if own == Targets::default() {
        beneath
    } else {
        own.clone()
    };

    let review = compute(period, &coops, &reports, &targets);
    let records = records_of(&review, &coops, &reports);
    Ok(ReviewResponse {
        area_id,
        area_name,
        review,
        own_targets: own,
        records,
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

/// The six-monthly review of a period and area, from approved reports.
#[utoipa::path(get, path = "/api/review", tag = "review", security(("bearer" = [])), params(ReviewQuery),
    responses((status = 200, body = ReviewResponse), (status = 422, body = hoptac_core::error::ApiErrorBody),
              (status = 403, body = hoptac_core::error::ApiErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ReviewQuery>,
) -> ApiResult<axum::Json<ReviewResponse>> {
    Ok(axum::Json(
        load_review(&state.db, &user.0.scopes, &q.period, q.area.as_deref()).await?,
    ))
}

/// Sets the targets of an area for a period (supervisors and administrators); kept in the
/// audit trail as entity "targets", id "<period>:<area id>".
#[utoipa::path(put, path = "/api/targets", tag = "review", security(("bearer" = [])), request_body = TargetsRequest,
    responses((status = 200, body = Targets), (status = 422, body = hoptac_core::error::ApiErrorBody),
              (status = 403, body = hoptac_core::error::ApiErrorBody)))]
pub async fn set_targets(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<TargetsRequest>,
) -> ApiResult<axum::Json<Targets>> {
    user.require_role(&[Role::Supervisor, Role::Admin])?;
    if period_bounds(&req.period).is_none() {
        return Err(ApiError::field("period", bad_period(&req.period)));
    }
    req.targets
        .validate()
        .map_err(|e| ApiError::field(&e.field, e.message))?;
    area_in_scope(&state.db, &user.0.scopes, &req.area_id).await?;
    let mut tx = state.db.begin_write().await?;
    let old = sqlx::query(
        "SELECT new_htx, new_tht, works_handed_over FROM targets WHERE period = $1 AND area_id = $2",
    )
    .bind(&req.period)
    .bind(&req.area_id)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let old = match old {
        Some(r) => Some(serde_json::to_string(&targets_at(&r, 0)?)?),
        None => None,
    };
    let t = &req.targets;
    sqlx::query(
        "INSERT INTO targets (period, area_id, new_htx, new_tht, works_handed_over, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (period, area_id) DO UPDATE SET new_htx = excluded.new_htx, new_tht = excluded.new_tht,
           works_handed_over = excluded.works_handed_over, set_by = excluded.set_by, set_at = excluded.set_at",
    )
    .bind(&req.period)
    .bind(&req.area_id)
    .bind(t.new_htx.map(i64::from))
    .bind(t.new_tht.map(i64::from))
    .bind(t.works_handed_over.map(i64::from))
    .bind(&user.0.id)
    .bind(now_ms())
    .execute(&mut *tx.tx)
    .await?;
    let who = Who {
        id: &user.0.id,
        name: &user.0.display_name,
        client_id: None,
    };
    tx.audit_only(
        "targets",
        &format!("{}:{}", req.period, req.area_id),
        who,
        "set_targets",
        old.as_deref(),
        &serde_json::to_string(t)?,
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(req.targets))
}

/// The review as rows of (figure, value, target or last year, change): what the export
/// files hold, with Vietnamese headers.
pub fn review_table(r: &ReviewResponse) -> Vec<Vec<Cell>> {
    let v = &r.review;
    let text = |s: &str| Cell::Text(s.to_string());
    let opt = |t: Option<u32>| t.map(|t| Cell::Int(t.into())).unwrap_or(Cell::Empty);
    let pct = |p: Option<f64>| {
        p.map(|p| Cell::Num((p * 10.0).round() / 10.0))
            .unwrap_or(Cell::Empty)
    };
    let area = if r.area_name.is_empty() {
        "Toàn bộ địa bàn được phân công".to_string()
    } else {
        r.area_name.clone()
    };
    let mut rows = vec![
        vec![text("Báo cáo sơ kết 6 tháng"), text(&v.period), text(&area)],
        vec![
            text("Chỉ tiêu"),
            text("Kết quả"),
            text("Kế hoạch / cùng kỳ năm trước"),
            text("Tăng/giảm (%)"),
        ],
        vec![
            text("HTX thành lập mới"),
            Cell::Int(v.new_htx.value),
            opt(v.new_htx.target),
            Cell::Empty,
        ],
        vec![
            text("THT thành lập mới"),
            Cell::Int(v.new_tht.value),
            opt(v.new_tht.target),
            Cell::Empty,
        ],
        vec![
            text("HTX, THT hoạt động cầm chừng"),
            Cell::Int(v.standstill.value),
            Cell::Empty,
            Cell::Empty,
        ],
        vec![
            text("Tổng doanh thu (đồng)"),
            Cell::Int(v.revenue_vnd.now),
            Cell::Int(v.revenue_vnd.last_year),
            pct(v.revenue_vnd.change_pct),
        ],
        vec![
            text("Thu nhập bình quân thành viên (đồng/tháng)"),
            Cell::Int(v.member_income_vnd.now),
            Cell::Int(v.member_income_vnd.last_year),
            pct(v.member_income_vnd.change_pct),
        ],
        vec![
            text("Công trình hạ tầng đã bàn giao"),
            Cell::Int(v.works_handed_over.value),
            opt(v.works_handed_over.target),
            Cell::Empty,
        ],
        vec![
            text("Đã đăng ký thuế (trên số phiếu được duyệt)"),
            Cell::Int(v.tax_registered.value),
            Cell::Int(v.tax_of),
            Cell::Empty,
        ],
    ];
    for t in &v.value_chains {
        let name = t
            .key
            .map(|p| p.label().0)
            .unwrap_or("Không rõ chương trình");
        rows.push(vec![
            Cell::Text(format!("Mô hình chuỗi giá trị — {name}")),
            Cell::Int(t.count),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    for t in &v.difficulties {
        rows.push(vec![
            Cell::Text(format!("Khó khăn — {}", t.key.label().0)),
            Cell::Int(t.count),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    for t in &v.support_received {
        rows.push(vec![
            Cell::Text(format!("Hỗ trợ đã nhận — {}", t.key.label().0)),
            Cell::Int(t.count),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    rows.push(vec![
        text("Số phiếu khảo sát được duyệt làm căn cứ"),
        Cell::Int(v.reports.len() as i64),
        Cell::Empty,
        Cell::Empty,
    ]);
    rows
}

/// The review as a file: `format=csv` (UTF-8 with BOM, for Excel) or `format=xlsx`.
#[utoipa::path(get, path = "/api/review/export", tag = "review", security(("bearer" = [])), params(ReviewQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
              (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ReviewQuery>,
) -> ApiResult<axum::response::Response> {
    let format = Format::parse(q.format.as_deref())?;
    let r = load_review(&state.db, &user.0.scopes, &q.period, q.area.as_deref()).await?;
    format.respond(
        &format!("so-ket-{}", q.period),
        "Sơ kết 6 tháng",
        &review_table(&r),
    )
}
