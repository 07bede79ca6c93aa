//! Files for Excel (issue 5): tables written as CSV (UTF-8 with a byte-order mark, so
//! Excel reads Vietnamese correctly) or XLSX (rust_xlsxwriter), and `GET
//! /api/visits/export`, the submissions in the caller's scope with the review queue's
//! filters. The review's own export is in [`super::six_month`].

use super::auth::AuthUser;
use super::error::{ApiError, ApiResult, Query};
use crate::storage;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hoptac_core::i18n::Msg;
use hoptac_core::model::VisitReport;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/visits/export", get(visits))
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A date, "YYYY-MM-DD": a date cell shown dd/mm/yyyy in XLSX (read back as a date,
    /// whatever order a reader's settings use), "dd/mm/yyyy" in CSV.
    Date(String),
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// "csv" or "xlsx" (the default).
    pub fn parse(s: Option<&str>) -> ApiResult<Format> {
        match s.unwrap_or("xlsx") {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(ApiError::field(
                "format",
                Msg::new(
                    format!("Định dạng \"{other}\" không hỗ trợ. Chọn csv hoặc xlsx."),
                    format!("Format \"{other}\" is not supported. Choose csv or xlsx."),
                ),
            )),
        }
    }

    /// The table as a download named `<name>.csv` / `.xlsx`.
    pub fn respond(self, name: &str, sheet: &str, rows: &[Vec<Cell>]) -> ApiResult<Response> {
        let (bytes, mime, ext) = match self {
            Format::Csv => (csv(rows), "text/csv; charset=utf-8", "csv"),
            Format::Xlsx => (
                xlsx(sheet, rows)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        let disposition = format!("attachment; filename=\"{name}.{ext}\"");
        let mut resp = bytes.into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
        );
        Ok(resp)
    }
}

/// RFC 4180 CSV with a UTF-8 byte-order mark and CRLF line ends. A text starting with =, +,
/// - or @ gets a leading apostrophe so Excel never runs it as a formula.
pub fn csv(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => {
                    let s = if s.starts_with(['=', '+', '-', '@']) {
                        format!("'{s}")
                    } else {
                        s.clone()
                    };
                    if s.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", s.replace('"', "\"\""))
                    } else {
                        s
                    }
                }
                Cell::Int(i) => i.to_string(),
                Cell::Num(n) => n.to_string(),
                Cell::Date(d) => hoptac_core::registry::format_date(d),
                Cell::Empty => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// One worksheet, the first row bold; numbers stay numbers (thousands separated).
/// The most characters an Excel cell holds.
const XLSX_CELL_CHARS: usize = 32_767;

pub fn xlsx(sheet: &str, rows: &[Vec<Cell>]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(err)?;
    let bold = XFormat::new().set_bold();
    let number = XFormat::new().set_num_format("#,##0");
    let date = XFormat::new().set_num_format("dd/mm/yyyy");
    let mut widths: Vec<usize> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (ri, ci) = (r as u32, c as u16);
            let len = match cell {
                Cell::Text(s) => {
                    // Excel holds at most 32,767 characters in a cell: a longer text is cut,
                    // marked, rather than failing the whole file.
                    let cut: String;
                    let s = if s.chars().count() > XLSX_CELL_CHARS {
                        cut = s.chars().take(XLSX_CELL_CHARS - 1).chain(['…']).collect();
                        &cut
                    } else {
                        s
                    };
                    if r == 0 {
                        ws.write_string_with_format(ri, ci, s, &bold).map_err(err)?;
                    } else {
                        ws.write_string(ri, ci, s).map_err(err)?;
                    }
                    s.chars().count()
                }
                Cell::Int(i) => {
                    ws.write_number_with_format(ri, ci, *i as f64, &number)
                        .map_err(err)?;
                    14
                }
                Cell::Num(n) => {
                    ws.write_number(ri, ci, *n).map_err(err)?;
                    8
                }
                Cell::Date(d) => {
                    match hoptac_core::validate::parse_iso_date_from(d, 1900).and_then(
                        |(y, m, day)| {
                            rust_xlsxwriter::ExcelDateTime::from_ymd(y as u16, m as u8, day as u8)
                                .ok()
                        },
                    ) {
                        Some(when) => {
                            ws.write_datetime_with_format(ri, ci, &when, &date)
                                .map_err(err)?;
                        }
                        None => {
                            ws.write_string(ri, ci, d).map_err(err)?;
                        }
                    }
                    10
                }
                Cell::Empty => 0,
            };
            if widths.len() <= c {
                widths.resize(c + 1, 8);
            }
            widths[c] = widths[c].max(len.min(60));
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64 + 2.0)
            .map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct VisitsQuery {
    /// "csv" or "xlsx" (default).
    pub format: Option<String>,
    /// submitted, resubmitted, returned, approved, rejected.
    pub status: Option<String>,
    /// An area path prefix ("NB/HL/").
    pub area: Option<String>,
    /// The officer's user id.
    pub author: Option<String>,
    /// One cooperative's reports (its id).
    pub cooperative: Option<String>,
    /// "2021-H2".
    pub period: Option<String>,
    /// The review queue's search (see `GET /api/visits`).
    pub q: Option<String>,
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
#[utoipa::path(get, path = "/api/visits/export", tag = "visits", security(("bearer" = [])), params(VisitsQuery),
    responses((status = 200, description = "the file: CSV (UTF-8 with BOM) or XLSX, by `format`", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 422, body = hoptac_core::error::ApiErrorBody)))]
pub async fn visits(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<VisitsQuery>,
) -> ApiResult<Response> {
    let format = Format::parse(q.format.as_deref())?;
    // The review queue's filters, exactly (the queue's own reading of them).
    let queue = super::visits::QueueQuery {
        status: q.status,
        area: q.area,
        author: q.author,
        cooperative: q.cooperative,
        period: q.period,
        q: q.q,
        ..Default::default()
    };
    let filter = queue.filter()?;
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
            Cell::Text(hoptac_core::review::status_vi(v.status).to_string()),
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
    fn csv_has_a_bom_quotes_and_no_formulas() {
        let out = csv(&[
            vec![Cell::Text("Tên".into()), Cell::Text("Ghi chú".into())],
            vec![
                Cell::Text("HTX \"Hoa Lư\", Ninh Bình".into()),
                Cell::Text("=1+1".into()),
            ],
            vec![Cell::Int(-5), Cell::Empty],
        ]);
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with('\u{feff}'));
        assert_eq!(
            s.trim_start_matches('\u{feff}'),
            "Tên,Ghi chú\r\n\"HTX \"\"Hoa Lư\"\", Ninh Bình\",'=1+1\r\n-5,\r\n"
        );
    }

    #[test]
    fn a_text_longer_than_an_excel_cell_is_cut_not_an_error() {
        let long = "Khó khăn khác; ".repeat(5_000);
        let bytes = xlsx(
            "Phiếu",
            &[vec![Cell::Text("Ghi chú".into())], vec![Cell::Text(long)]],
        );
        assert!(bytes.is_ok(), "{:?}", bytes.err());
    }

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

    #[test]
    fn formats_are_named_or_refused() {
        assert_eq!(Format::parse(None).unwrap(), Format::Xlsx);
        assert_eq!(Format::parse(Some("csv")).unwrap(), Format::Csv);
        assert!(Format::parse(Some("pdf")).is_err());
    }
}
