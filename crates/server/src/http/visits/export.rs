//! `GET /api/visits/export`: the submissions the caller may see, with the review queue's
//! filters ([`super::QueueFilters`], the queue's own reading of them), as CSV or XLSX.

use super::QueueFilters;
use crate::http::auth::AuthUser;
use crate::http::error::{ApiResult, Query};
use crate::http::files::Format;
use crate::spreadsheets::write::Cell;
use crate::storage;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use hoptac_core::model::VisitReport;
use serde::Deserialize;

/// The file's format; the rows are chosen by [`QueueFilters`], read from the same query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FileQuery {
    /// "csv" or "xlsx" (default).
    pub format: Option<String>,
}

/// The submissions export's columns of the record itself (not of the report's fields,
/// which the field catalogue places: hoptac_core::fields::export_columns): (position,
/// header).
const RECORD_COLUMNS: [(usize, &str); 7] = [
    (0, "Mã phiếu"),
    (1, "Hợp tác xã / Tổ hợp tác"),
    (2, "Mã HTX"),
    (3, "Địa bàn"),
    (4, "Cán bộ"),
    (6, "Trạng thái"),
    (7, "Lần sửa"),
];

/// The header row of the submissions export: the record's columns and the catalogue's.
pub fn visit_headers() -> Vec<&'static str> {
    let mut all: Vec<(usize, &str)> = RECORD_COLUMNS.to_vec();
    all.extend(
        hoptac_core::fields::export_columns()
            .into_iter()
            .map(|(at, _, h)| (at, h)),
    );
    all.sort();
    all.into_iter().map(|(_, h)| h).collect()
}

/// The submissions the caller may see, with the review queue's filters, as CSV or XLSX.
#[utoipa::path(get, path = "/api/visits/export", tag = "visits", security(("bearer" = [])), params(FileQuery, QueueFilters),
    responses((status = 200, description = "the file: CSV (UTF-8 with BOM) or XLSX, by `format`", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn visits(
    State(state): State<AppState>,
    user: AuthUser,
    Query(file): Query<FileQuery>,
    Query(filters): Query<QueueFilters>,
) -> ApiResult<Response> {
    let format = Format::parse(file.format.as_deref())?;
    let filter = filters.filter()?;
    let mut rows = vec![visit_headers()
        .iter()
        .map(|h| Cell::Text(h.to_string()))
        .collect()];
    let reference = storage::reference::all(&state.db).await?;
    for (v, name) in storage::visits::export_rows(&state.db, &user.0.scopes, &filter).await? {
        rows.push(visit_row(&v, &name, &reference));
    }
    format.respond("phieu-khao-sat", "Phiếu khảo sát", &rows)
}

fn visit_row(
    v: &VisitReport,
    coop_name: &str,
    reference: &[hoptac_core::reference::ReferenceItem],
) -> Vec<Cell> {
    use hoptac_core::reference::{label_of, ListKind};
    let f = &v.findings;
    let money = |m: Option<i64>| m.map(Cell::Int).unwrap_or(Cell::Empty);
    let join = |list: ListKind, keys: &[String]| {
        let labels: Vec<String> = keys
            .iter()
            .map(|k| label_of(reference, list, k).vi)
            .collect();
        Cell::Text(labels.join("; "))
    };
    // A report's field as a cell, by its catalogue key.
    let field = |key: &str| match key {
        "visit_date" => Cell::Text(v.visit_date.clone()),
        "note" => Cell::Text(v.note.clone()),
        "findings.finances.revenue_vnd" => money(f.finances.revenue_vnd),
        "findings.finances.revenue_last_year_vnd" => money(f.finances.revenue_last_year_vnd),
        "findings.finances.profit_vnd" => money(f.finances.profit_vnd),
        "findings.finances.member_income_vnd" => money(f.finances.member_income_vnd),
        "findings.value_chain.in_value_chain" => Cell::Text(
            if f.value_chain.in_value_chain {
                "Có"
            } else {
                "Không"
            }
            .into(),
        ),
        "findings.difficulties" => join(ListKind::Difficulty, &f.difficulties),
        "findings.support.received" => join(ListKind::SupportKind, &f.support.received),
        "findings.support.works_handed_over" => f
            .support
            .works_handed_over
            .map(|w| Cell::Int(w.into()))
            .unwrap_or(Cell::Empty),
        "findings.photos" => Cell::Int(f.photos.len() as i64),
        // A column the catalogue exports that this function does not fill yet: a test
        // (every_exported_field_has_a_cell) keeps this from happening.
        _ => Cell::Empty,
    };
    let mut cells: Vec<(usize, Cell)> = vec![
        (0, Cell::Text(v.id.clone())),
        (1, Cell::Text(coop_name.to_string())),
        (2, Cell::Text(v.cooperative_id.clone())),
        (3, Cell::Text(v.area_path.clone())),
        (4, Cell::Text(v.author_name.clone())),
        (
            6,
            Cell::Text(hoptac_core::decisions::status_vi(v.status).to_string()),
        ),
        (7, Cell::Int(v.revision.into())),
    ];
    cells.extend(
        hoptac_core::fields::export_columns()
            .into_iter()
            .map(|(at, key, _)| (at, field(key))),
    );
    cells.sort_by_key(|c| c.0);
    cells.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exported_field_has_a_cell() {
        let v: VisitReport = serde_json::from_value(serde_json::json!({
            "id": "v", "cooperative_id": "c", "author_id": "a", "visit_date": "2021-06-01",
            "note": "ghi chú", "status": "approved", "revision": 1, "created_at": 0, "area_path": "NB/",
            "findings": {"finances": {"revenue_vnd": 1, "revenue_last_year_vnd": 2, "profit_vnd": 3, "member_income_vnd": 4},
                         "difficulties": ["finding_markets"], "support": {"received": ["training"], "works_handed_over": 2}}
        }))
        .unwrap();
        let row = visit_row(&v, "HTX", &[]);
        assert_eq!(row.len(), visit_headers().len());
        for (at, key, header) in hoptac_core::fields::export_columns() {
            assert!(
                !matches!(row[at], Cell::Empty),
                "{key} ({header}) has no cell"
            );
        }
    }
}
