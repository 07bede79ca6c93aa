//! Tables as downloads: the review queue's (`super::visits::export`) and the six-monthly
//! review's (`super::six_month`), in the format asked for, written by
//! [`crate::spreadsheets::write`].

use super::error::{ApiError, ApiResult};
use crate::spreadsheets::write::{csv, xlsx, Cell};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use hoptac_core::i18n::Msg;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_named_or_refused() {
        assert_eq!(Format::parse(None).unwrap(), Format::Xlsx);
        assert_eq!(Format::parse(Some("csv")).unwrap(), Format::Csv);
        assert!(Format::parse(Some("pdf")).is_err());
    }
}
