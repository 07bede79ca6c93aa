//! `/api/visits`: the visit reports. Here the review queue, served by the server: the
//! reports in the caller's areas with the queue's filters and search, newest received
//! first, one page at a time by a stable cursor (hoptac_core::queue::QueuePage; a
//! supervisor's browser holds only the page on screen; a list that is cut says so
//! (`next`) and pages on), and the officers it can be filtered by. A report with its
//! changes and the decisions on it: [`decisions`]; the queue as a file: [`export`].

pub mod decisions;
pub mod export;

use crate::http::auth::AuthUser;
use crate::http::error::Query;
use crate::http::error::{ApiError, ApiResult};
use crate::storage::{self, visits::Filter, visits::QueueCursor, visits::QueueOrder};
use crate::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::i18n::Msg;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::ReportStatus;
use hoptac_core::queue::{
    parse_queue_cursor, parse_visit_date_cursor, queue_cursor, visit_date_cursor, QueueItem,
    QueuePage, QUEUE_PAGE_DEFAULT, QUEUE_PAGE_MAX,
};
use hoptac_core::six_month::{bad_period, period_bounds};
use serde::Deserialize;

/// The longest search the queue takes, in characters and in distinct words (each word is
/// a scan of the rows the other filters leave).
pub const SEARCH_CHARS: usize = 100;
pub const SEARCH_WORDS: usize = 8;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visits", get(list))
        .route("/visits/officers", get(officers))
        .route("/visits/export", get(export::visits))
        .route("/visits/{id}", get(decisions::detail))
        .route("/visits/{id}/decisions", post(decisions::decision))
}

/// The review queue's filters, as the queue and its export take them (each optional; an
/// empty value is no filter).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct QueueFilters {
    /// submitted, resubmitted, returned, approved, rejected.
    pub status: Option<String>,
    /// An area path prefix ("37/14533/"): reports in that area now, or written in it (a
    /// former district's path finds the reports written there before a reorganisation).
    pub area: Option<String>,
    /// The officer's user id.
    pub author: Option<String>,
    /// One cooperative's reports (its id).
    pub cooperative: Option<String>,
    /// A six-month period of the visit date: "2021-H2".
    pub period: Option<String>,
    /// Words that must each occur (without regard to case or diacritics: "hung" finds
    /// "Hưng") in the cooperative's name, the officer's name, the note or the report id.
    pub q: Option<String>,
}

/// Which page of the queue, in which order (read from the same query as its
/// [`QueueFilters`]).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct QueuePaging {
    /// "received" (the default: newest received first) or "visit_date" (newest visit
    /// first; only with `cooperative`, the cooperative page's order).
    pub order: Option<String>,
    /// The `next` of the page before (in the same order).
    pub after: Option<String>,
    /// Reports per page: 1 to 200 (default 50).
    pub limit: Option<u32>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl QueueFilters {
    /// The filter it asks for; 422 naming the field for a status or period that does not
    /// exist.
    pub fn filter(&self) -> ApiResult<Filter<'_>> {
        let status = given(&self.status);
        if let Some(s) = status {
            if ReportStatus::from_key(s).is_none() {
                return Err(ApiError::field(
                    "status",
                    Msg::new(
                        format!(
                            "Trạng thái \"{s}\" không có. Chọn một trong: {}.",
                            ReportStatus::KEYS.join(", ")
                        ),
                        format!(
                            "There is no status \"{s}\". Choose one of: {}.",
                            ReportStatus::KEYS.join(", ")
                        ),
                    ),
                ));
            }
        }
        let period = given(&self.period);
        if let Some(p) = period {
            period_bounds(p).ok_or_else(|| ApiError::field("period", bad_period(p)))?;
        }
        let q = self.q.as_deref().unwrap_or("");
        let mut words: Vec<String> = hoptac_core::text::normalize(q)
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        words.sort();
        words.dedup();
        if q.chars().count() > SEARCH_CHARS || words.len() > SEARCH_WORDS {
            return Err(ApiError::field(
                "q",
                Msg::new(
                    format!("Tìm tối đa {SEARCH_WORDS} từ, {SEARCH_CHARS} ký tự."),
                    format!("Search for at most {SEARCH_WORDS} words, {SEARCH_CHARS} characters."),
                ),
            ));
        }
        Ok(Filter {
            status,
            area: given(&self.area),
            author: given(&self.author),
            cooperative: given(&self.cooperative),
            dates: None,
            period,
            words,
        })
    }
}

/// One page of the visit reports the caller may see (an officer: their areas; a
/// supervisor: theirs), filtered and searched, newest received first.
#[utoipa::path(get, path = "/api/visits", tag = "visits", security(("bearer" = [])), params(QueueFilters, QueuePaging),
    responses((status = 200, body = QueuePage), (status = 401, body = hoptac_core::error::ApiErrorBody),
              (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(filters): Query<QueueFilters>,
    Query(q): Query<QueuePaging>,
) -> ApiResult<axum::Json<QueuePage>> {
    let filter = filters.filter()?;
    let limit = q.limit.unwrap_or(QUEUE_PAGE_DEFAULT);
    if !(1..=QUEUE_PAGE_MAX).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            Msg::new(
                format!("Mỗi trang từ 1 đến {QUEUE_PAGE_MAX} phiếu."),
                format!("A page holds 1 to {QUEUE_PAGE_MAX} reports."),
            ),
        ));
    }
    let order = match given(&q.order) {
        None | Some("received") => QueueOrder::Received,
        Some("visit_date") if filter.cooperative.is_some() => QueueOrder::VisitDate,
        Some("visit_date") => {
            return Err(ApiError::field(
                "order",
                Msg::new(
                    "Xếp theo ngày khảo sát chỉ dùng cho các lần khảo sát của một HTX (cần “cooperative”).",
                    "Ordering by visit date is for one cooperative's visits (give “cooperative”).",
                ),
            ))
        }
        Some(o) => {
            return Err(ApiError::field(
                "order",
                Msg::new(
                    format!("Không có cách xếp \"{o}\". Chọn received hoặc visit_date."),
                    format!("There is no order \"{o}\". Choose received or visit_date."),
                ),
            ))
        }
    };
    let after = match given(&q.after) {
        Some(a) => Some(
            match order {
                QueueOrder::Received => parse_queue_cursor(a)
                    .map(|(received_at, id)| QueueCursor::Received { received_at, id }),
                QueueOrder::VisitDate => parse_visit_date_cursor(a)
                    .map(|(visit_date, id)| QueueCursor::VisitDate { visit_date, id }),
            }
            .ok_or_else(|| {
                ApiError::field(
                    "after",
                    Msg::new(
                        "Vị trí trang không hợp lệ: hãy tải lại danh sách từ đầu.",
                        "This page position is not valid: load the list again from the start.",
                    ),
                )
            })?,
        ),
        None => None,
    };
    let (rows, more) = storage::visits::queue_page(
        &state.db,
        &user.0.scopes,
        &filter,
        order,
        after.as_ref(),
        i64::from(limit),
    )
    .await?;
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|(v, _)| match order {
            QueueOrder::Received => queue_cursor(v.received_at.unwrap_or_default(), &v.id),
            QueueOrder::VisitDate => visit_date_cursor(&v.visit_date, &v.id),
        });
    Ok(axum::Json(QueuePage {
        reports: rows
            .into_iter()
            .map(|(report, cooperative_name)| QueueItem {
                report,
                cooperative_name,
            })
            .collect(),
        next,
    }))
}

/// An officer the review queue can be filtered by.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Officer {
    pub id: String,
    pub name: String,
}

/// The officers who cover or covered an area in the caller's areas, by name: the review
/// queue's officer filter (its value is `author`).
#[utoipa::path(get, path = "/api/visits/officers", tag = "visits", security(("bearer" = [])),
    responses((status = 200, body = Vec<Officer>), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn officers(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<axum::Json<Vec<Officer>>> {
    Ok(axum::Json(
        storage::users::officers_in(&state.db, &user.0.scopes)
            .await?
            .into_iter()
            .map(|(id, name)| Officer { id, name })
            .collect(),
    ))
}
