//! The six-monthly review (issue 5): `GET /api/review` computes it for a period and area
//! from approved reports (the figures are hoptac_core::six_month::compute), `PUT
//! /api/targets` sets an area's targets for a period (supervisors and administrators), and
//! `GET /api/review/export` gives it as CSV or XLSX (see [`super::files`]), `GET
//! /api/review/records` names the records behind one figure, a page at a time. The rules
//! are [`crate::rules::six_month`].

use super::auth::AuthUser;
use super::error::{ApiResult, Json, Query};
use super::files::Format;
use crate::rules::{self, six_month::load_review};
use crate::spreadsheets::write::Cell;
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, put};
use axum::Router;
use hoptac_core::six_month::Ids;
use hoptac_core::six_month::{RecordsPage, ReviewPeriods, ReviewResponse, Targets, TargetsRequest};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review", get(review))
        .route("/review/periods", get(periods))
        .route("/review/export", get(export))
        .route("/review/records", get(records))
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
    /// With the ids behind every figure (by default only the figures: a country's name
    /// some 100,000 records; the drill-down asks `/api/review/records`).
    #[serde(default)]
    pub ids: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RecordsQuery {
    /// "2021-H2": the second half of 2021.
    pub period: String,
    /// An area id; all the caller's areas when left out.
    pub area: Option<String>,
    /// The figure: "reports", "new_htx", "new_tht", "no_founding_date", "standstill",
    /// "revenue_vnd", "member_income_vnd", "works_handed_over", "tax_registered", or a
    /// tally's item: "value_chains:<key>", "difficulties:<key>", "support_received:<key>".
    pub figure: String,
    /// The same figure a year earlier.
    #[serde(default)]
    pub last_year: bool,
    /// Position of the first record (0 when left out; a page's `next`).
    #[serde(default)]
    pub offset: u32,
    /// Records per page: 1–500, 100 when left out.
    pub limit: Option<u32>,
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
    let ids = if q.ids { Ids::All } else { Ids::None };
    let r = load_review(&state.db, &user.0.scopes, &q.period, q.area.as_deref(), ids).await?;
    Ok(axum::Json(r))
}

/// The half-years with approved reports in the caller's areas, newest first: the review
/// page opens on the first.
#[utoipa::path(get, path = "/api/review/periods", tag = "review", security(("bearer" = [])),
    responses((status = 200, body = ReviewPeriods), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn periods(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<ReviewPeriods>> {
    Ok(axum::Json(
        rules::six_month::periods(&state.db, &user.0.scopes).await?,
    ))
}

/// The records behind one figure of the review, a page at a time, each named (a
/// cooperative, or a report with its cooperative, date and author).
#[utoipa::path(get, path = "/api/review/records", tag = "review", security(("bearer" = [])), params(RecordsQuery),
    responses((status = 200, body = RecordsPage), (status = 422, body = hoptac_core::error::ApiErrorBody),
              (status = 403, body = hoptac_core::error::ApiErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<RecordsQuery>,
) -> ApiResult<axum::Json<RecordsPage>> {
    Ok(axum::Json(
        rules::six_month::records(
            &state.db,
            &user.0.scopes,
            rules::six_month::RecordsAsk {
                period: &q.period,
                area: q.area.as_deref(),
                figure: &q.figure,
                last_year: q.last_year,
                offset: q.offset,
                limit: q.limit.unwrap_or(100),
            },
        )
        .await?,
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
    Ok(axum::Json(
        rules::six_month::set_targets(&state.db, &user.0, &req).await?,
    ))
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
            text("HTX, THT chưa có ngày thành lập (chưa tính là thành lập mới)"),
            Cell::Int(v.no_founding_date.value),
            Cell::Empty,
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
        rows.push(vec![
            Cell::Text(format!("Mô hình chuỗi giá trị — {}", t.label.vi)),
            Cell::Int(t.count),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    for t in &v.difficulties {
        rows.push(vec![
            Cell::Text(format!("Khó khăn — {}", t.label.vi)),
            Cell::Int(t.count),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    for t in &v.support_received {
        rows.push(vec![
            Cell::Text(format!("Hỗ trợ đã nhận — {}", t.label.vi)),
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
    responses((status = 200, description = "the file: CSV (UTF-8 with BOM) or XLSX, by `format`", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<ReviewQuery>,
) -> ApiResult<axum::response::Response> {
    let format = Format::parse(q.format.as_deref())?;
    let r = load_review(
        &state.db,
        &user.0.scopes,
        &q.period,
        q.area.as_deref(),
        Ids::None,
    )
    .await?;
    format.respond(
        &format!("so-ket-{}", q.period),
        "Sơ kết 6 tháng",
        &review_table(&r),
    )
}
